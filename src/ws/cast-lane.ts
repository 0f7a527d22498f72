// Casts to everyone, queued once per cast and joined once per batch, for every socket in the lane.
import type { CastLane, OutgoingFrame } from '../core/conn.js';
import { encodeTextFrame } from './text-frame.js';

/**
 * Past this many bytes queued for a socket (or for the lane), frames are written at once:
 * batching no longer saves syscalls worth having, and the backlog limits should see the
 * kernel's share, not ours.
 */
export const EARLY_WRITE_BYTES = 64 * 1024;

/** One batch of lane casts: the frames, encoded once, and joined once for every socket. */
export class LaneBatch {
  readonly frames: OutgoingFrame[] = [];
  readonly encoded: Buffer[] = [];
  bytes = 0;
  private joined: Buffer | null = null;

  /** @param id increases with every batch: a socket tells which batches it has taken by it */
  constructor(readonly id: number) {}

  get length(): number {
    return this.frames.length;
  }

  add(frame: OutgoingFrame): void {
    const bytes = frame.encoded(encodeTextFrame);
    this.frames.push(frame);
    this.encoded.push(bytes);
    this.bytes += bytes.length;
  }

  /** All of the batch as one buffer, made once and shared by every socket given it. */
  buffer(): Buffer {
    this.joined ??= this.encoded.length === 1 ? this.encoded[0] : Buffer.concat(this.encoded, this.bytes);
    return this.joined;
  }
}

/** A socket in the lane: given each batch once, when the batch is written. */
export interface LaneMember {
  takeBatch(batch: LaneBatch): void;
  /** Taking a batch threw: the member is told, and left out of the lane. */
  takeFailed(error: unknown): void;
}

/**
 * The transport's {@link CastLane}. A cast to everyone costs one entry in the open batch
 * instead of one queue entry per socket; the batch is handed to every member at the end of
 * the event-loop turn (or as soon as it holds {@link EARLY_WRITE_BYTES}), and a member with
 * nothing else to write writes the joined buffer as it is: what a hand-written broadcast
 * loop does, with the backlog limits still checked per socket.
 */
export class WsCastLane implements CastLane {
  private open = new LaneBatch(0);
  /** The batch being handed out, while it is. */
  private handing: LaneBatch | null = null;
  private readonly members = new Set<LaneMember>();

  /** @param schedule asks for {@link flush} at the end of this turn */
  constructor(private readonly schedule: () => void) {}

  /** The batch casts go to now. */
  get current(): LaneBatch {
    return this.open;
  }

  /** The batch being handed to the members right now, if any: a member sent a frame meanwhile takes it first. */
  get beingHanded(): LaneBatch | null {
    return this.handing;
  }

  cast(frame: OutgoingFrame): void {
    this.open.add(frame);
    // A cast made while a batch is handed out (by what a slow member's eviction runs)
    // waits for the next flush: handing a second batch now would reach the members
    // not yet given the first in the wrong order.
    if (this.open.bytes >= EARLY_WRITE_BYTES && this.handing === null) this.flush();
    else this.schedule();
  }

  join(member: LaneMember): void {
    this.members.add(member);
  }

  leave(member: LaneMember): void {
    this.members.delete(member);
  }

  /** Hands the open batch to every member, and opens the next. */
  flush(): void {
    const batch = this.open;
    if (batch.length === 0 || this.handing !== null) return;
    this.open = new LaneBatch(batch.id + 1);
    this.handing = batch;
    try {
      for (const member of this.members) {
        // One socket that throws must not cost the others the batch.
        try {
          member.takeBatch(batch);
        } catch (error) {
          this.members.delete(member);
          member.takeFailed(error);
        }
      }
    } finally {
      this.handing = null;
    }
  }
}
