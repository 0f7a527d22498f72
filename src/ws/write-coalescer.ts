// Per-turn write batching: each socket's frames of one event-loop turn go out in one write, casts to everyone queued once.
import type { CastLane, OutgoingFrame } from '../core/conn.js';
import { encodeTextFrame } from './text-frame.js';

/** Something that gathers frames and writes them out when told to. */
export interface CoalescedWriter {
  flush(): void;
}

/** A writer that takes its share of the turn's lane casts when the turn is flushed. */
export interface LaneMember {
  flushLane(): void;
  /** A lane cast made while the turn is being flushed: queued for it like any frame. */
  send(text: string, frame: OutgoingFrame): void;
}

/**
 * Batches writes per event-loop turn: a writer that queued frames during a turn is
 * flushed once, right after the turn's I/O callbacks (`setImmediate`). A broadcaster's
 * cost is the write syscall per delivery, and this turns many deliveries to one socket
 * into one syscall while adding no timer-sized delay.
 *
 * Casts to everyone go through its {@link lane}: queued once per cast, not once per
 * socket, and joined once per turn; each member socket writes that one buffer (or its
 * share of it, in order with its own frames) when the turn is flushed.
 */
export class WriteCoalescer {
  private due: CoalescedWriter[] = [];
  private scheduled = false;
  private flushes = 0;
  /** The frames last joined this turn, and the buffer they were joined into. */
  private joinedParts: readonly Buffer[] = [];
  private joinedBuffer: Buffer | null = null;
  /** This turn's casts to everyone, encoded, and the lane's members. */
  private laneFrames: Buffer[] = [];
  private laneJoined: Buffer | null = null;
  private readonly members = new Set<LaneMember>();
  private flushing = false;
  readonly lane: CastLane = { cast: (frame) => this.castToLane(frame) };

  /** Counts the flushes so far: a writer whose figure predates it re-reads its socket. */
  get turn(): number {
    return this.flushes;
  }

  /** Flushes `writer` at the end of this turn. The caller enqueues a writer once per turn. */
  enqueue(writer: CoalescedWriter): void {
    this.due.push(writer);
    this.schedule();
  }

  /** How many lane casts this turn has had so far. */
  get laneLength(): number {
    return this.laneFrames.length;
  }

  /** This turn's `index`-th lane cast, encoded. */
  laneAt(index: number): Buffer {
    return this.laneFrames[index];
  }

  /** This turn's lane casts from the `from`-th on, encoded. */
  laneFrom(from: number): Buffer[] {
    return this.laneFrames.slice(from);
  }

  /** All of this turn's lane casts as one buffer, joined once for every member. */
  laneBuffer(): Buffer {
    this.laneJoined ??= this.laneFrames.length === 1 ? this.laneFrames[0] : Buffer.concat(this.laneFrames);
    return this.laneJoined;
  }

  /**
   * The frames `parts` (`totalBytes` in all) as one buffer. A cast to many clients queues
   * the same frames for each of them in a turn: they are joined once, and every writer
   * whose queue holds the same frames in the same order gets that one buffer.
   */
  join(parts: readonly Buffer[], totalBytes: number): Buffer {
    if (this.joinedBuffer !== null && sameParts(parts, this.joinedParts)) return this.joinedBuffer;
    const joined = Buffer.concat(parts as Buffer[], totalBytes);
    this.joinedParts = parts.slice();
    this.joinedBuffer = joined;
    return joined;
  }

  joinLane(member: LaneMember): void {
    this.members.add(member);
  }

  leaveLane(member: LaneMember): void {
    this.members.delete(member);
  }

  private castToLane(frame: OutgoingFrame): void {
    // Cast while the turn is flushed (by a handler of a slow client's leave): the members
    // already flushed could not take it from the lane, so each is sent it as itself.
    if (this.flushing) {
      for (const member of this.members) member.send(frame.text, frame);
      return;
    }
    this.laneFrames.push(frame.encoded(encodeTextFrame));
    this.laneJoined = null;
    this.schedule();
  }

  private schedule(): void {
    if (this.scheduled) return;
    this.scheduled = true;
    setImmediate(this.flushAll);
  }

  private readonly flushAll = (): void => {
    this.scheduled = false;
    const due = this.due;
    this.due = [];
    this.flushing = true;
    try {
      if (this.laneFrames.length > 0) for (const member of this.members) member.flushLane();
      for (const writer of due) writer.flush();
    } finally {
      this.flushing = false;
    }
    this.flushes += 1;
    // The joined buffers now belong to the sockets that were given them.
    this.joinedParts = [];
    this.joinedBuffer = null;
    this.laneFrames = [];
    this.laneJoined = null;
  };
}

function sameParts(a: readonly Buffer[], b: readonly Buffer[]): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}
