import { randomBytes } from 'node:crypto';
import { connect, type Socket } from 'node:net';

/**
 * A WebSocket client written by hand on a TCP socket: it completes the upgrade, reads
 * unmasked server text frames, and can stop reading or never answer pings.
 */
export class RawClient {
  private buffer = Buffer.alloc(0);
  readonly frames: string[] = [];
  readonly opcodes: number[] = [];
  readonly ended: Promise<void>;

  private constructor(readonly socket: Socket) {
    this.ended = new Promise((resolve) => socket.once('close', () => resolve()));
  }

  /** Upgrades; resolves with the HTTP status line's code (101 when accepted). */
  static async open(port: number, path = '/', headers: Record<string, string> = {}): Promise<{ client: RawClient; status: number }> {
    const socket = connect(port, '127.0.0.1');
    const client = new RawClient(socket);
    const extra = Object.entries(headers).map(([name, value]) => `${name}: ${value}\r\n`).join('');
    socket.write(
      `GET ${path} HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n` +
        `Sec-WebSocket-Key: ${randomBytes(16).toString('base64')}\r\nSec-WebSocket-Version: 13\r\n${extra}\r\n`,
    );
    const status = await new Promise<number>((resolve, reject) => {
      let head = Buffer.alloc(0);
      const onData = (chunk: Buffer) => {
        head = Buffer.concat([head, chunk]);
        const end = head.indexOf('\r\n\r\n');
        if (end < 0) return;
        socket.off('data', onData);
        client.buffer = head.subarray(end + 4);
        socket.on('data', (more: Buffer) => client.take(more));
        client.parse();
        resolve(Number(head.subarray(0, end).toString().split(' ')[1]));
      };
      socket.on('data', onData);
      socket.once('error', reject);
      socket.once('close', () => resolve(0));
    });
    return { client, status };
  }

  private take(chunk: Buffer): void {
    this.buffer = Buffer.concat([this.buffer, chunk]);
    this.parse();
  }

  private parse(): void {
    for (;;) {
      if (this.buffer.length < 2) return;
      let length = this.buffer[1] & 0x7f;
      let offset = 2;
      if (length === 126) {
        if (this.buffer.length < 4) return;
        length = this.buffer.readUInt16BE(2);
        offset = 4;
      } else if (length === 127) {
        if (this.buffer.length < 10) return;
        length = Number(this.buffer.readBigUInt64BE(2));
        offset = 10;
      }
      if (this.buffer.length < offset + length) return;
      this.opcodes.push(this.buffer[0] & 0x0f);
      this.frames.push(this.buffer.subarray(offset, offset + length).toString('utf8'));
      this.buffer = this.buffer.subarray(offset + length);
    }
  }

  /** The text frames received so far, parsed. */
  json(): Array<Record<string, unknown>> {
    return this.frames.filter((_, i) => this.opcodes[i] === 1).map((frame) => JSON.parse(frame));
  }

  /** Sends one masked frame, as a client must: `opcode` 1 text, 2 binary, 9 ping, 10 pong. */
  sendFrame(opcode: number, payload: Buffer | string = Buffer.alloc(0)): boolean {
    const data = typeof payload === 'string' ? Buffer.from(payload) : payload;
    const length = data.length;
    const header = length < 126 ? 2 : length < 65536 ? 4 : 10;
    const frame = Buffer.allocUnsafe(header + 4 + length);
    frame[0] = 0x80 | opcode;
    if (header === 2) frame[1] = 0x80 | length;
    else if (header === 4) {
      frame[1] = 0x80 | 126;
      frame.writeUInt16BE(length, 2);
    } else {
      frame[1] = 0x80 | 127;
      frame.writeBigUInt64BE(BigInt(length), 2);
    }
    const mask = randomBytes(4);
    mask.copy(frame, header);
    for (let i = 0; i < length; i++) frame[header + 4 + i] = data[i] ^ mask[i & 3];
    return this.socket.write(frame);
  }

  destroy(): void {
    this.socket.destroy();
  }
}
