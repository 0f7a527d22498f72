import { randomBytes } from 'node:crypto';
import net from 'node:net';

const OPCODE_TEXT = 0x1;
const OPCODE_BINARY = 0x2;
const OPCODE_CLOSE = 0x8;
const OPCODE_PING = 0x9;
const OPCODE_PONG = 0xa;
const HEADER_END = Buffer.from('\r\n\r\n');

/** Called once per TCP read with how many data frames that read completed. */
export type FramesListener = (conn: SwarmConn, completed: number) => void;

/**
 * One benchmark client on a raw TCP socket. It counts the server's data frames without
 * decoding them, so a few thousand of these in one process can keep up with a server
 * that writes hundreds of thousands of frames a second.
 */
export class SwarmConn {
  /** Data frames received so far. */
  frames = 0;
  /** Texts of the first data frames, while `keepTexts` is above zero. */
  readonly texts: string[] = [];
  keepTexts = 0;
  onFrames: FramesListener | null = null;
  closed = false;

  private carry: Buffer | null = null;
  private payloadLeft = 0;
  private textParts: Buffer[] | null = null;
  private opcode = 0;
  private readonly mask = randomBytes(4);

  private constructor(private readonly socket: net.Socket) {}

  /**
   * Connects and completes the WebSocket upgrade for `path` (which may carry a query),
   * from `localAddress` when given (another loopback address gives another 28,000 ports).
   */
  static open(port: number, path: string, keepTexts = 0, localAddress?: string): Promise<SwarmConn> {
    return new Promise((resolve, reject) => {
      const socket = net.connect({ port, host: '127.0.0.1', noDelay: true, localAddress });
      const conn = new SwarmConn(socket);
      conn.keepTexts = keepTexts;
      let head = Buffer.alloc(0);
      const onHandshake = (chunk: Buffer) => {
        head = Buffer.concat([head, chunk]);
        const end = head.indexOf(HEADER_END);
        if (end < 0) return;
        socket.off('data', onHandshake);
        const status = head.subarray(0, head.indexOf('\r\n')).toString();
        if (!status.includes(' 101 ')) {
          socket.destroy();
          reject(new Error(`upgrade refused: ${status}`));
          return;
        }
        socket.on('data', (data: Buffer) => conn.read(data));
        resolve(conn);
        const rest = head.subarray(end + HEADER_END.length);
        if (rest.length > 0) conn.read(rest);
      };
      socket.on('data', onHandshake);
      socket.once('error', reject);
      socket.on('close', () => (conn.closed = true));
      socket.write(
        `GET ${path} HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n` +
          `Sec-WebSocket-Key: ${randomBytes(16).toString('base64')}\r\nSec-WebSocket-Version: 13\r\n\r\n`,
      );
    });
  }

  /** Sends one masked text frame. */
  send(text: string): void {
    this.socket.write(this.frame(OPCODE_TEXT, Buffer.from(text, 'utf8')));
  }

  /** Resolves once `count` data frames have arrived in all. */
  async waitFor(count: number): Promise<void> {
    while (this.frames < count) {
      if (this.closed) throw new Error(`connection closed after ${this.frames} of ${count} frames`);
      await new Promise((resolve) => setTimeout(resolve, 5));
    }
  }

  destroy(): void {
    this.socket.destroy();
  }

  private read(data: Buffer): void {
    const chunk = this.carry === null ? data : Buffer.concat([this.carry, data]);
    this.carry = null;
    const before = this.frames;
    let at = 0;
    while (at < chunk.length) {
      if (this.payloadLeft > 0) {
        const take = Math.min(this.payloadLeft, chunk.length - at);
        this.textParts?.push(chunk.subarray(at, at + take));
        this.payloadLeft -= take;
        at += take;
        if (this.payloadLeft === 0) this.endPayload();
        continue;
      }
      const header = parseHeader(chunk, at);
      if (header === null) {
        this.carry = chunk.subarray(at);
        break;
      }
      at += header.size;
      this.beginFrame(header.opcode, chunk.subarray(at, at + Math.min(header.length, chunk.length - at)));
      const take = Math.min(header.length, chunk.length - at);
      at += take;
      this.payloadLeft = header.length - take;
      if (this.payloadLeft === 0) this.endPayload();
    }
    const completed = this.frames - before;
    if (completed > 0) this.onFrames?.(this, completed);
  }

  private beginFrame(opcode: number, first: Buffer): void {
    this.opcode = opcode;
    const keep = opcode === OPCODE_PING || opcode === OPCODE_CLOSE || (this.keepTexts > 0 && isData(opcode));
    this.textParts = keep ? [first] : null;
  }

  private endPayload(): void {
    const payload = this.textParts === null ? null : Buffer.concat(this.textParts);
    this.textParts = null;
    if (isData(this.opcode)) {
      this.frames += 1;
      if (payload !== null && this.keepTexts > 0) {
        this.keepTexts -= 1;
        this.texts.push(payload.toString('utf8'));
      }
    } else if (this.opcode === OPCODE_PING) {
      this.socket.write(this.frame(OPCODE_PONG, payload ?? Buffer.alloc(0)));
    } else if (this.opcode === OPCODE_CLOSE) {
      this.socket.end();
    }
  }

  private frame(opcode: number, payload: Buffer): Buffer {
    const size = payload.length;
    const lengthBytes = size <= 125 ? 0 : size <= 0xffff ? 2 : 8;
    const frame = Buffer.allocUnsafe(2 + lengthBytes + 4 + size);
    frame[0] = 0x80 | opcode;
    frame[1] = 0x80 | (lengthBytes === 0 ? size : lengthBytes === 2 ? 126 : 127);
    if (lengthBytes === 2) frame.writeUInt16BE(size, 2);
    if (lengthBytes === 8) frame.writeBigUInt64BE(BigInt(size), 2);
    const maskAt = 2 + lengthBytes;
    this.mask.copy(frame, maskAt);
    for (let i = 0; i < size; i++) frame[maskAt + 4 + i] = payload[i] ^ this.mask[i & 3];
    return frame;
  }
}

function isData(opcode: number): boolean {
  // Continuation frames are not expected: every server here sends whole messages.
  return opcode === OPCODE_TEXT || opcode === OPCODE_BINARY;
}

function parseHeader(chunk: Buffer, at: number): { opcode: number; length: number; size: number } | null {
  if (chunk.length - at < 2) return null;
  const opcode = chunk[at] & 0x0f;
  const short = chunk[at + 1] & 0x7f;
  if (short < 126) return { opcode, length: short, size: 2 };
  if (short === 126) {
    return chunk.length - at < 4 ? null : { opcode, length: chunk.readUInt16BE(at + 2), size: 4 };
  }
  return chunk.length - at < 10 ? null : { opcode, length: Number(chunk.readBigUInt64BE(at + 2)), size: 10 };
}
