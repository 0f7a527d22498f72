// A `ws` socket as the core's Conn: frames encoded once, written per turn, its backlog measured.
import type { Writable } from 'node:stream';
import type { WebSocket } from 'ws';
import { exceedsBacklog, type BacklogLimits, type Conn, type OutgoingFrame } from '../core/conn.js';
import { encodeTextFrame } from './text-frame.js';
import type { CoalescedWriter, WriteCoalescer } from './write-coalescer.js';

const OPEN = 1;
/**
 * Past this many queued bytes the frames are written at once: batching no longer saves
 * syscalls worth having, and the backlog limits should see the kernel's share, not ours.
 */
const EARLY_WRITE_BYTES = 64 * 1024;

/**
 * Adapts a `ws` socket to the core's {@link Conn}. Frames are encoded once per cast
 * (on the {@link OutgoingFrame} all its recipients share) and written straight to the underlying TCP socket, all of one turn's frames in one
 * write. `ws` itself still handles reading, control frames and the closing handshake.
 */
export class WsConn implements Conn, CoalescedWriter {
  private readonly queued: Buffer[] = [];
  private queuedBytes = 0;
  /** Where each write not wholly taken by the kernel ends, and how many frames it holds. */
  private readonly inStream: { end: number; frames: number }[] = [];
  private inStreamFrames = 0;
  private writtenBytes = 0;
  /** What the stream held when last read; see {@link checkStream}. */
  private streamBytes = 0;
  private checkedTurn = -1;
  private scheduled = false;

  /**
   * @param socket the `ws` socket
   * @param stream the TCP stream it was upgraded from (`request.socket`)
   */
  constructor(
    private readonly socket: WebSocket,
    private readonly stream: Writable,
    private readonly coalescer: WriteCoalescer,
  ) {}

  send(_text: string, frame: OutgoingFrame): void {
    if (this.socket.readyState !== OPEN) return;
    // Every recipient of a cast gets the same WebSocket frame, encoded once.
    const bytes = frame.encoded(encodeTextFrame);
    this.queued.push(bytes);
    this.queuedBytes += bytes.length;
    if (this.queuedBytes >= EARLY_WRITE_BYTES) {
      this.writeQueued();
    } else if (!this.scheduled) {
      this.scheduled = true;
      this.coalescer.enqueue(this);
    }
  }

  sendWithin(frame: OutgoingFrame, limits: BacklogLimits): boolean {
    if (this.checkedTurn !== this.coalescer.turn) this.checkStream();
    if (exceedsBacklog(this.inStreamFrames, this.streamBytes, frame.text.length, limits)) return false;
    this.send(frame.text, frame);
    return true;
  }

  flush(): void {
    this.scheduled = false;
    this.writeQueued();
  }

  private writeQueued(): void {
    const count = this.queued.length;
    if (count === 0) return;
    const data = count === 1 ? this.queued[0] : this.coalescer.join(this.queued, this.queuedBytes);
    this.queued.length = 0;
    this.queuedBytes = 0;
    // A peer that began closing gets no more data frames (RFC 6455 §5.5.1).
    if (this.socket.readyState !== OPEN) return;
    // No write callback: scheduling one per write costs more than a fifth of a delivery.
    this.stream.write(data);
    this.writtenBytes += data.length;
    this.checkStream();
    // Usually the kernel took it all and there is nothing to keep track of; otherwise
    // this write is the stream's newest, and not wholly taken.
    if (this.streamBytes > 0) {
      this.inStream.push({ end: this.writtenBytes, frames: count });
      this.inStreamFrames += count;
    }
  }

  close(code?: number, reason?: string): void {
    // Queued frames go out ahead of the close frame.
    this.writeQueued();
    this.socket.close(code, reason);
  }

  // The stream is read once per turn, not per delivery: that read (or
  // `socket.bufferedAmount`) costs as much as the rest of a delivery, and the kernel
  // takes nothing from the stream in the middle of a turn anyway. Frames queued for the
  // end of this turn do not count: a client that reads normally takes them as soon as
  // they are written, and the queue itself is written early at EARLY_WRITE_BYTES.
  unsentBytes(): number {
    if (this.checkedTurn !== this.coalescer.turn) this.checkStream();
    return this.streamBytes;
  }

  unsentFrames(): number {
    if (this.checkedTurn !== this.coalescer.turn) this.checkStream();
    return this.inStreamFrames;
  }

  /**
   * Makes the next {@link unsentBytes} read the stream again, as data written outside the
   * per-turn queue (`ws`'s own control frames) may have grown it since.
   */
  recheckBacklog(): void {
    this.checkedTurn = -1;
  }

  /** Reads what the stream still holds, and forgets the writes the kernel has taken. */
  private checkStream(): void {
    this.checkedTurn = this.coalescer.turn;
    this.streamBytes = this.stream.writableLength;
    const taken = this.writtenBytes - this.streamBytes;
    while (this.inStream.length > 0 && this.inStream[0].end <= taken) {
      this.inStreamFrames -= this.inStream[0].frames;
      this.inStream.shift();
    }
  }
}
