// Per-turn write batching: each socket's frames of one event-loop turn go out in one write.
import { WsCastLane } from './cast-lane.js';

/** Something that gathers frames and writes them out when told to. */
export interface CoalescedWriter {
  flush(): void;
}

/**
 * Batches writes per event-loop turn: a writer that queued frames during a turn is
 * flushed once, right after the turn's I/O callbacks (`setImmediate`). A broadcaster's
 * cost is the write syscall per delivery, and this turns many deliveries to one socket
 * into one syscall while adding no timer-sized delay. Casts to everyone go through its
 * {@link lane}, handed out at the same moment, before the writers' own frames.
 */
export class WriteCoalescer {
  private due: CoalescedWriter[] = [];
  private scheduled = false;
  private flushes = 0;
  /** The frames last joined this turn, and the buffer they were joined into. */
  private joinedParts: readonly Buffer[] = [];
  private joinedBuffer: Buffer | null = null;
  /** Casts to everyone, queued once for all the sockets in it. */
  readonly lane = new WsCastLane(() => this.schedule());

  /** Counts the flushes so far: a writer whose figure predates it re-reads its socket. */
  get turn(): number {
    return this.flushes;
  }

  /** Flushes `writer` at the end of this turn. The caller enqueues a writer once per turn. */
  enqueue(writer: CoalescedWriter): void {
    this.due.push(writer);
    this.schedule();
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

  private schedule(): void {
    if (this.scheduled) return;
    this.scheduled = true;
    setImmediate(this.flushAll);
  }

  private readonly flushAll = (): void => {
    this.scheduled = false;
    this.lane.flush();
    const due = this.due;
    this.due = [];
    for (const writer of due) writer.flush();
    this.flushes += 1;
    // The joined buffer now belongs to the sockets that were given it.
    this.joinedParts = [];
    this.joinedBuffer = null;
  };
}

function sameParts(a: readonly Buffer[], b: readonly Buffer[]): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}
