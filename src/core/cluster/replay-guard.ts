// Refusing signed cluster messages that are too old or seen before.
/** What becomes of a signed message at the replay check. */
export type ReplayVerdict = 'fresh' | 'stale' | 'replayed';

/**
 * Refuses signed messages that are too old, or that were received before: a message
 * recorded off the backplane and published again is signed, yet must not act twice (a
 * replayed `room-request` would move a client into a room again). Messages are told
 * apart by their MAC, which covers their signing time; each is remembered for as long as
 * its signing time admits it. The memory is bounded: past `maxRemembered`, the oldest
 * are forgotten first.
 */
export class ReplayGuard {
  /** MAC → when it was received, in order of receipt. */
  private readonly seen = new Map<string, number>();

  constructor(
    private readonly windowMs: number,
    private readonly maxRemembered: number,
  ) {}

  /** Checks the message signed at `signedAt` with `mac`; `remember` makes a second one `replayed`. */
  check(mac: string, signedAt: number, remember: boolean, now = Date.now()): ReplayVerdict {
    if (Math.abs(now - signedAt) > this.windowMs) return 'stale';
    if (!remember) return 'fresh';
    this.forgetOlderThan(now - 2 * this.windowMs);
    if (this.seen.has(mac)) return 'replayed';
    this.seen.set(mac, now);
    if (this.seen.size > this.maxRemembered) this.seen.delete(this.seen.keys().next().value as string);
    return 'fresh';
  }

  private forgetOlderThan(cutoff: number): void {
    for (const [mac, at] of this.seen) {
      if (at >= cutoff) return;
      this.seen.delete(mac);
    }
  }
}
