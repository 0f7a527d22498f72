// A `ws` socket as the core's Conn: frames encoded once, written per turn, its backlog measured.
import type { Writable } from 'node:stream';
import type { WebSocket } from 'ws';
import { exceedsBacklog, type BacklogLimits, type CastLane, type Conn, type LaneSeat, type OutgoingFrame } from '../core/conn.js';
import { EARLY_WRITE_BYTES, type LaneBatch, type LaneMember } from './cast-lane.js';
import { encodeTextFrame } from './text-frame.js';
import type { CoalescedWriter, WriteCoalescer } from './write-coalescer.js';

const OPEN = 1;

/**
 * Adapts a `ws` socket to the core's {@link Conn}. Frames are encoded once per cast (on
 * the {@link OutgoingFrame} all its recipients share) and written straight to the
 * underlying TCP socket, all of one turn's frames in one write; casts to everyone reach
 * it through the coalescer's lane when it joined it. `ws` itself still handles reading,
 * control frames and the closing handshake.
 */
export class WsConn implements Conn, CoalescedWriter, LaneMember {
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
  /** Its seat in the lane, if it joined it, and how far it has taken the lane's batches. */
  private seat: LaneSeat | null = null;
  /** The lane batch `batchTaken` counts in; every earlier batch was taken whole (or not meant for it). */
  private batchId = -1;
  private batchTaken = 0;

  /**
   * @param socket the `ws` socket
   * @param stream the TCP stream it was upgraded from (`request.socket`)
   * @param written where the bytes it writes are counted, with every other connection's
   */
  constructor(
    private readonly socket: WebSocket,
    private readonly stream: Writable,
    private readonly coalescer: WriteCoalescer,
    private readonly written: { bytesOut: number } = { bytesOut: 0 },
  ) {}

  send(_text: string, frame: OutgoingFrame): void {
    // The lane casts made before this frame come first.
    if (this.seat !== null) this.catchUpLane();
    if (this.socket.readyState !== OPEN) return;
    // Every recipient of a cast gets the same WebSocket frame, encoded once.
    this.enqueueBytes(frame.encoded(encodeTextFrame));
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

  joinLane(seat: LaneSeat): CastLane {
    const lane = this.coalescer.lane;
    this.seat = seat;
    // The casts made before it joined were not for it.
    this.markTaken(lane.current);
    lane.join(this);
    return lane;
  }

  leaveLane(): void {
    this.seat = null;
    this.coalescer.lane.leave(this);
  }

  catchUpLane(): void {
    const lane = this.coalescer.lane;
    const handing = lane.beingHanded;
    if (handing !== null) this.takeInQueue(handing);
    this.takeInQueue(lane.current);
  }

  /**
   * Takes its share of a batch of casts to everyone: the batch's one buffer, shared with
   * every other member, when it has nothing else to write; else in order with its own
   * frames. A socket too far behind takes none of them (its seat is told they were missed).
   */
  takeBatch(batch: LaneBatch): void {
    const seat = this.seat;
    const from = this.taken(batch);
    const count = batch.length - from;
    if (seat === null || count <= 0) return;
    if (this.socket.readyState !== OPEN) return this.takeInQueue(batch);
    if (this.checkedTurn !== this.coalescer.turn) this.checkStream();
    if (exceedsBacklog(this.inStreamFrames, this.streamBytes, batch.encoded[from].length, seat.limits)) {
      // Marked as taken: should it be closed for this, it writes none of them on its way out.
      this.markTaken(batch);
      return seat.missed(count);
    }
    if (from > 0 || this.queued.length > 0) {
      this.takeInQueue(batch);
      return this.writeQueued();
    }
    this.markTaken(batch);
    if (seat.took !== undefined) for (const frame of batch.frames) seat.took(frame);
    this.write(batch.buffer(), count);
  }

  takeFailed(error: unknown): void {
    const seat = this.seat;
    this.seat = null;
    seat?.failed(error);
  }

  /** How many of `batch`'s casts it has taken. */
  private taken(batch: LaneBatch): number {
    if (batch.id === this.batchId) return this.batchTaken;
    return batch.id < this.batchId ? batch.length : 0;
  }

  private markTaken(batch: LaneBatch): void {
    this.batchId = batch.id;
    this.batchTaken = batch.length;
  }

  /** Queues the casts of `batch` it has not taken yet, ahead of what comes next. */
  private takeInQueue(batch: LaneBatch): void {
    const from = this.taken(batch);
    if (from >= batch.length) return;
    this.markTaken(batch);
    const open = this.socket.readyState === OPEN;
    const took = this.seat?.took;
    for (let i = from; i < batch.length; i++) {
      took?.(batch.frames[i]);
      if (open) this.enqueueBytes(batch.encoded[i]);
    }
  }

  private enqueueBytes(bytes: Buffer): void {
    this.queued.push(bytes);
    this.queuedBytes += bytes.length;
    if (this.queuedBytes >= EARLY_WRITE_BYTES) {
      this.writeQueued();
    } else if (!this.scheduled) {
      this.scheduled = true;
      this.coalescer.enqueue(this);
    }
  }

  private writeQueued(): void {
    const count = this.queued.length;
    if (count === 0) return;
    const data = count === 1 ? this.queued[0] : this.coalescer.join(this.queued, this.queuedBytes);
    this.queued.length = 0;
    this.queuedBytes = 0;
    this.write(data, count);
  }

  /** Writes `data`, which holds `count` frames, and keeps track of what the kernel has not taken. */
  private write(data: Buffer, count: number): void {
    // A peer that began closing gets no more data frames (RFC 6455 §5.5.1).
    if (this.socket.readyState !== OPEN) return;
    // No write callback: scheduling one per write costs more than a fifth of a delivery.
    this.stream.write(data);
    this.writtenBytes += data.length;
    this.written.bytesOut += data.length;
    this.checkStream();
    // Usually the kernel took it all and there is nothing to keep track of; otherwise
    // this write is the stream's newest, and not wholly taken.
    if (this.streamBytes > 0) {
      this.inStream.push({ end: this.writtenBytes, frames: count });
      this.inStreamFrames += count;
    }
  }

  close(code?: number, reason?: string): void {
    // Queued frames (and the casts to everyone made so far) go out ahead of the close frame.
    if (this.seat !== null) this.catchUpLane();
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
