// The history of every room of this instance, in its memory, within bounds.
import type { OutgoingFrame } from '../conn.js';
import { RoomLog, type HistoryPosition, type StoredPublication } from './room-log.js';
import type { RoomHistoryConfig } from './history-settings.js';

/** What a read of a room's history found. */
export interface HistoryRead {
  /** The publications asked for, oldest first; empty when `complete` is false. */
  publications: StoredPublication[];
  /** Whether every publication asked for is there (false: another epoch, or no longer kept). */
  complete: boolean;
  /** The room's latest offset and epoch. */
  position: HistoryPosition;
}

/** What a read asks for: what came after a position, or the latest publications. */
export type HistoryQuery = { since: HistoryPosition } | { last: number };

/** Bounds on what the history of all rooms may hold. */
export interface HistoryBounds {
  maxRooms: number;
  maxBytes: number;
}

/**
 * The rooms' histories, held in this process. A room's log is made at its first
 * publication and dropped when its `ttl` has passed since its last (checked on use and by
 * {@link sweep}); its next publication then starts a new epoch. Past the bounds, the
 * logs published to longest ago are dropped first: the map is kept in order of last
 * publication.
 */
export class MemoryHistory {
  private readonly logs = new Map<string, RoomLog>();
  private bytes = 0;
  /** Logs dropped to stay within the bounds. */
  dropped = 0;

  constructor(
    private readonly bounds: HistoryBounds,
    private readonly onDrop: (room: string) => void,
    private readonly now: () => number = Date.now,
  ) {}

  /** Rooms with a history now. */
  get rooms(): number {
    return this.logs.size;
  }

  /** Stores a publication to `room`; `frameAt` makes its frame from its offset and epoch. */
  append(room: string, config: RoomHistoryConfig, frameAt: (offset: number, epoch: string) => OutgoingFrame): StoredPublication {
    const now = this.now();
    let log = this.live(room, now);
    if (log === undefined) {
      log = new RoomLog(config.size, config.ttl, now);
    } else {
      this.logs.delete(room);
      this.bytes -= log.bytes;
    }
    const current = log;
    const publication = current.append((offset) => frameAt(offset, current.epoch), config.ttl, now);
    // Re-inserted: the map's first entry is the room published to longest ago.
    this.logs.set(room, current);
    this.bytes += current.bytes;
    this.keepWithinBounds(room);
    return publication;
  }

  /** Reads `room`'s history; `null` when it has none (never published to, or expired). */
  read(room: string, query: HistoryQuery): HistoryRead | null {
    const log = this.live(room, this.now());
    if (log === undefined) return null;
    const position = log.position;
    if ('last' in query) return { publications: log.last(query.last), complete: true, position };
    const publications = query.since.epoch === log.epoch ? log.after(query.since.offset) : null;
    return publications === null ? { publications: [], complete: false, position } : { publications, complete: true, position };
  }

  /** The size a room's history was made with (what `Last` may ask for at most), if it has one. */
  sizeOf(room: string): number | undefined {
    return this.live(room, this.now())?.size;
  }

  /** Drops every history whose time to live has passed. */
  sweep(): void {
    const now = this.now();
    for (const [room, log] of this.logs) if (log.isExpired(now)) this.forget(room, log);
  }

  private live(room: string, now: number): RoomLog | undefined {
    const log = this.logs.get(room);
    if (log === undefined || !log.isExpired(now)) return log;
    this.forget(room, log);
    return undefined;
  }

  private forget(room: string, log: RoomLog): void {
    this.logs.delete(room);
    this.bytes -= log.bytes;
  }

  private keepWithinBounds(keep: string): void {
    while (this.logs.size > this.bounds.maxRooms || (this.bytes > this.bounds.maxBytes && this.logs.size > 1)) {
      const [room, log] = this.logs.entries().next().value as [string, RoomLog];
      if (room === keep) return;
      this.forget(room, log);
      this.dropped += 1;
      this.onDrop(room);
    }
  }
}
