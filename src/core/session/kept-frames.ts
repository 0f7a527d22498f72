// The numbered frames a session keeps for resending after a reconnect: shared frames, by reference.
import type { OutgoingFrame } from '../conn.js';

/** How much a session keeps of what it was sent. */
export interface KeepLimits {
  messages: number;
  bytes: number;
}

/** The ring's first size: most sessions are sent little while they live. */
const FIRST_CAPACITY = 8;

/**
 * The frames written to one session, numbered from 1, of which the newest are kept: while
 * connected, at most `limits` of them (older ones are forgotten); while away, every one
 * (the slow-client limits end a session that would keep too many). Frames are kept by
 * reference, so a frame cast to many sessions is stored once. A ring whose size is a
 * power of two, grown as needed: keeping a frame costs one store, and nothing is copied
 * once the ring has the size it needs.
 */
export class KeptFrames {
  private ring: (OutgoingFrame | undefined)[] = [];
  /** Index in `ring` of the oldest frame kept, and how many are kept. */
  private start = 0;
  private kept = 0;
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
    if (!this.holdAll && this.kept >= this.limits.messages) this.dropOldest();
    if (this.kept === this.ring.length) this.grow();
    this.ring[(this.start + this.kept) & (this.ring.length - 1)] = frame;
    this.kept += 1;
    this.keptBytes += frame.text.length;
    if (!this.holdAll) while (this.keptBytes > this.limits.bytes && this.kept > 1) this.dropOldest();
  }

  /**
   * Starts a session handed over from another node: `written` frames were written to it
   * there, of which the newest are `frames` (oldest first), kept here as if written here.
   */
  continueFrom(written: number, frames: readonly OutgoingFrame[]): void {
    this.written = written - frames.length;
    for (const frame of frames) this.push(frame);
  }

  /** The frames kept, oldest first. */
  keptFrames(): OutgoingFrame[] {
    return this.after(this.written - this.kept) ?? [];
  }

  /** Keeps every frame from now on (away), or goes back to keeping the newest within limits. */
  holdEverything(hold: boolean): void {
    this.holdAll = hold;
    if (hold) return;
    while (this.kept > this.limits.messages || (this.keptBytes > this.limits.bytes && this.kept > 1)) this.dropOldest();
  }

  /**
   * The frames numbered after `received`, in order; `null` when that is not a number of
   * this session (beyond what was written) or some of those frames are no longer kept.
   */
  after(received: number): OutgoingFrame[] | null {
    if (!Number.isSafeInteger(received) || received < 0 || received > this.written) return null;
    const firstKept = this.written - this.kept + 1;
    if (received + 1 < firstKept) return null;
    const frames: OutgoingFrame[] = [];
    const mask = this.ring.length - 1;
    for (let i = received + 1 - firstKept; i < this.kept; i++) frames.push(this.ring[(this.start + i) & mask]!);
    return frames;
  }

  private dropOldest(): void {
    const oldest = this.start;
    this.keptBytes -= this.ring[oldest]?.text.length ?? 0;
    this.ring[oldest] = undefined;
    this.start = (oldest + 1) & (this.ring.length - 1);
    this.kept -= 1;
  }

  /** Doubles the ring, the oldest frame first. */
  private grow(): void {
    const size = this.ring.length === 0 ? FIRST_CAPACITY : this.ring.length * 2;
    const ring = new Array<OutgoingFrame | undefined>(size);
    for (let i = 0; i < this.kept; i++) ring[i] = this.ring[(this.start + i) & (this.ring.length - 1)];
    this.ring = ring;
    this.start = 0;
  }
}
