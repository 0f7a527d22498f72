// The numbered frames a session keeps for resending after a reconnect: shared frames, by reference.
import type { OutgoingFrame } from '../conn.js';

/** How much a session keeps of what it was sent. */
export interface KeepLimits {
  messages: number;
  bytes: number;
}

/**
 * The frames written to one session, numbered from 1, of which the newest are kept: while
 * connected, at most `limits` of them (older ones are forgotten); while away, every one
 * (the slow-client limits end a session that would keep too many). Frames are kept by
 * reference, so a frame cast to many sessions is stored once.
 */
export class KeptFrames {
  private frames: (OutgoingFrame | undefined)[] = [];
  /** Index in `frames` of the oldest frame kept. */
  private head = 0;
  private keptBytes = 0;
  /** The number of the newest frame written; 0 before the first. */
  private written = 0;
  private holdAll = false;

  constructor(private readonly limits: KeepLimits) {}

  /** How many frames were written so far. */
  get count(): number {
    return this.written;
  }

  /** Numbers and keeps `frame`, forgetting the oldest kept ones past the limits unless all are held. */
  push(frame: OutgoingFrame): void {
    this.written += 1;
    this.frames.push(frame);
    this.keptBytes += frame.text.length;
    if (!this.holdAll) this.trim();
  }

  /** Keeps every frame from now on (away), or goes back to keeping the newest within limits. */
  holdEverything(hold: boolean): void {
    this.holdAll = hold;
    if (!hold) this.trim();
  }

  /**
   * The frames numbered after `received`, in order; `null` when that is not a number of
   * this session (beyond what was written) or some of those frames are no longer kept.
   */
  after(received: number): OutgoingFrame[] | null {
    if (!Number.isSafeInteger(received) || received < 0 || received > this.written) return null;
    const kept = this.frames.length - this.head;
    const firstKept = this.written - kept + 1;
    if (received + 1 < firstKept) return null;
    return this.frames.slice(this.head + (received + 1 - firstKept)) as OutgoingFrame[];
  }

  private trim(): void {
    const { messages, bytes } = this.limits;
    while (this.frames.length - this.head > messages || (this.keptBytes > bytes && this.frames.length - this.head > 1)) {
      this.keptBytes -= this.frames[this.head]?.text.length ?? 0;
      this.frames[this.head] = undefined;
      this.head += 1;
    }
    // The array is cut down now and then rather than shifted on every frame.
    if (this.head > 64 && this.head * 2 > this.frames.length) {
      this.frames = this.frames.slice(this.head);
      this.head = 0;
    }
  }
}
