// Writing a frame to one client within its backlog limits, else the slow-client policy.
import type { Client } from './client.js';
import type { BacklogLimits, OutgoingFrame } from './conn.js';
import type { SlowClientPolicy } from './core-options.js';
import type { CoreStats } from './stats.js';

/**
 * Writes frames to clients within their backlog limits. A client that is too far behind
 * is handled by the slow-client policy: its frame is dropped and counted (`'drop'`), or
 * it is handed to `evictSlow` (`'close'`).
 */
export class Delivery {
  constructor(
    private readonly limits: BacklogLimits,
    private readonly policy: SlowClientPolicy,
    private readonly counters: CoreStats,
    private readonly evictSlow: (client: Client) => void,
  ) {}

  /** Writes `frame` to `target`, unless the target is too far behind; whether it was written. */
  send(target: Client, frame: OutgoingFrame): boolean {
    // A client cut while this cast was under way is skipped (see hasRoomFor).
    if (target.isClosed) return false;
    if (target.sendWithin(frame, this.limits)) {
      this.counters.messagesOut += 1;
      return true;
    }
    this.overLimits(target);
    return false;
  }

  /** Whether `size` more bytes may go to `target`; if not, the policy has been applied. */
  hasRoomFor(target: Client, size: number): boolean {
    // A client cut while this cast was under way (its leave announced to the others
    // may have cut more) is still in the cast's list of recipients: it is skipped, not
    // counted and cut again.
    if (target.isClosed) return false;
    if (!target.wouldOverflow(this.limits, size)) return true;
    this.overLimits(target);
    return false;
  }

  /** `frames` cast to `target` through a lane were not taken: it is too far behind. */
  missed(target: Client, frames: number): void {
    // Counted as delivered when cast, they were not.
    this.counters.messagesOut -= frames;
    if (target.isClosed) return;
    if (this.policy === 'drop') {
      this.counters.drops += frames;
      return;
    }
    this.overLimits(target);
  }

  /** Applies the slow-client policy to a client too far behind. */
  private overLimits(target: Client): void {
    if (this.policy === 'drop') {
      this.counters.drops += 1;
      return;
    }
    this.counters.slowClientDisconnects += 1;
    this.evictSlow(target);
  }
}
