// One room's history: its publications, numbered from 1 within an epoch, the newest kept.
import { randomBytes } from 'node:crypto';
import type { OutgoingFrame } from '../conn.js';

/** Where a room's history stands: its latest offset in its epoch (0 before the first publication). */
export interface HistoryPosition {
  offset: number;
  epoch: string;
}

/** One stored publication: its offset, and its frame exactly as it was cast. */
export interface StoredPublication {
  readonly offset: number;
  readonly frame: OutgoingFrame;
}

/** A new epoch: 8 random URL-safe characters. */
export function newEpoch(): string {
  return randomBytes(6).toString('base64url');
}

/**
 * The publications of one room in one epoch. The newest `size` are kept in a ring; the
 * log lives until `ttl` after its last publication.
 */
export class RoomLog {
  readonly epoch = newEpoch();
  private latest = 0;
  /** Indexed by offset modulo `size`; grown as publications come. */
  private readonly ring: StoredPublication[] = [];
  private keptBytes = 0;
  private expiresAt: number;

  constructor(
    readonly size: number,
    ttl: number,
    now: number,
  ) {
    this.expiresAt = now + ttl;
  }

  get position(): HistoryPosition {
    return { offset: this.latest, epoch: this.epoch };
  }

  /** The oldest offset still kept (`latest + 1` when none is). */
  get oldest(): number {
    return Math.max(1, this.latest - this.size + 1);
  }

  /** The characters of the frames kept. */
  get bytes(): number {
    return this.keptBytes;
  }

  isExpired(now: number): boolean {
    return now >= this.expiresAt;
  }

  /** Numbers the next publication; `frameAt` makes its frame from its offset. */
  append(frameAt: (offset: number) => OutgoingFrame, ttl: number, now: number): StoredPublication {
    const offset = this.latest + 1;
    const publication = { offset, frame: frameAt(offset) };
    const slot = offset % this.size;
    this.keptBytes += publication.frame.text.length - (this.ring[slot]?.frame.text.length ?? 0);
    this.ring[slot] = publication;
    this.latest = offset;
    this.expiresAt = now + ttl;
    return publication;
  }

  /**
   * The publications after `offset`, oldest first; `null` when some of them are no longer
   * kept, or `offset` is past the latest (not a position of this epoch).
   */
  after(offset: number): StoredPublication[] | null {
    if (offset > this.latest || offset + 1 < this.oldest) return null;
    return this.range(offset + 1);
  }

  /** The latest `count` publications (fewer when fewer were made), oldest first. */
  last(count: number): StoredPublication[] {
    return this.range(Math.max(this.oldest, this.latest - count + 1));
  }

  private range(from: number): StoredPublication[] {
    const out: StoredPublication[] = [];
    for (let offset = from; offset <= this.latest; offset++) out.push(this.ring[offset % this.size]);
    return out;
  }
}
