// This node's messages sent round the backplane, each awaited until it comes back (or for a while at most).

/**
 * Numbers this node's messages that are delivered only once they come back from the
 * backplane (publications), and lets the sender wait for each to come back. A message
 * that does not come back within `timeoutMs` stops being waited for: the link may have
 * lost it, and a sender must not wait forever.
 */
export class PendingEchoes {
  private last = 0;
  private readonly waiting = new Map<number, () => void>();

  constructor(private readonly timeoutMs: number) {}

  /** A number for the next message, and a promise that settles when it came back (or timed out). */
  expect(): { number: number; back: Promise<void> } {
    const number = ++this.last;
    const back = new Promise<void>((resolve) => {
      const timer = setTimeout(() => this.cameBack(number), this.timeoutMs);
      timer.unref();
      this.waiting.set(number, () => {
        clearTimeout(timer);
        resolve();
      });
    });
    return { number, back };
  }

  /** Message `number` came back (or is given up). */
  cameBack(number: number): void {
    const done = this.waiting.get(number);
    if (done === undefined) return;
    this.waiting.delete(number);
    done();
  }
}
