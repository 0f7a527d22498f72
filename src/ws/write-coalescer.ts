/** Something that gathers frames and writes them out when told to. */
export interface CoalescedWriter {
  flush(): void;
}

/**
 * Batches writes per event-loop turn: a writer that queued frames during a turn is
 * flushed once, right after the turn's I/O callbacks (`setImmediate`). A broadcaster's
 * cost is the write syscall per delivery, and this turns many deliveries to one socket
 * into one syscall while adding no timer-sized delay.
 */
export class WriteCoalescer {
  private due: CoalescedWriter[] = [];
  private scheduled = false;
  private flushes = 0;

  /** Counts the flushes so far: a writer whose figure predates it re-reads its socket. */
  get turn(): number {
    return this.flushes;
  }

  /** Flushes `writer` at the end of this turn. The caller enqueues a writer once per turn. */
  enqueue(writer: CoalescedWriter): void {
    this.due.push(writer);
    if (!this.scheduled) {
      this.scheduled = true;
      setImmediate(this.flushAll);
    }
  }

  private readonly flushAll = (): void => {
    this.scheduled = false;
    const due = this.due;
    this.due = [];
    for (const writer of due) writer.flush();
    this.flushes += 1;
  };
}
