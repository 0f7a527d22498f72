// This node's messages sent round the backplane, each awaited until it comes back (or for a while at most).

/** Told, synchronously, that a message came back (no argument) or could not be sent (the error). */
export type EchoListener = (failure?: unknown) => void;

/**
 * Numbers this node's messages that are delivered only once they come back from the
 * backplane (publications), and tells each sender when its message came back: at once,
 * in the same turn as its delivery, so that what the sender sends next (an ack) follows
 * it before anything delivered later. A message that does not come back within
 * `timeoutMs` stops being waited for: the link may have lost it, and a sender must not
 * wait forever.
 */
export class PendingEchoes {
  private last = 0;
  /** In the order sent, which is the order they come back in. */
  private readonly waiting = new Map<number, { listener: EchoListener; sentAt: number }>();
  // One timer for them all, not one per message: it is due when the oldest would time out.
  private timer: NodeJS.Timeout | null = null;

  constructor(
    private readonly timeoutMs: number,
    private readonly now: () => number = Date.now,
  ) {}

  /** Messages sent and neither back nor given up yet. */
  get size(): number {
    return this.waiting.size;
  }

  /** A number for the next message; `listener` is told when it came back, timed out or failed. */
  expect(listener: EchoListener): number {
    const number = ++this.last;
    this.waiting.set(number, { listener, sentAt: this.now() });
    if (this.timer === null) this.arm(this.timeoutMs);
    return number;
  }

  /** Message `number` came back. */
  cameBack(number: number): void {
    this.settle(number);
  }

  /** Message `number` could not be sent. */
  failed(number: number, failure: unknown): void {
    this.settle(number, failure);
  }

  private settle(number: number, failure?: unknown): void {
    const waiting = this.waiting.get(number);
    if (waiting === undefined) return;
    this.waiting.delete(number);
    if (failure === undefined) waiting.listener();
    else waiting.listener(failure);
  }

  private arm(delay: number): void {
    this.timer = setTimeout(() => this.giveUpOverdue(), delay);
    this.timer.unref();
  }

  private giveUpOverdue(): void {
    this.timer = null;
    const now = this.now();
    for (const [number, { sentAt }] of this.waiting) {
      const due = sentAt + this.timeoutMs;
      if (due > now) {
        this.arm(due - now);
        return;
      }
      this.settle(number);
    }
  }
}
