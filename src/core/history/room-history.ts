// The node's room history: which casts are publications, storing them numbered, and reading them back.
import { isRoomCast, type Audience } from '../audience.js';
import { assemblePublication } from '../codec.js';
import { OutgoingFrame } from '../conn.js';
import type { ThrottledLog } from '../throttled-log.js';
import { checkRoomHistory, type HistoryPolicy, type ResolvedHistorySettings, type RoomHistoryConfig } from './history-settings.js';
import { MemoryHistory, type HistoryQuery, type HistoryRead } from './memory-history.js';

/** History counters; all counts since start except `rooms`. */
export interface HistoryStats {
  /** Rooms with a history now. */
  rooms: number;
  /** Publications stored. */
  publications: number;
  /** Rooms asked for in `Recover` frames, and how many of them were recovered (`Recovered: true`) or not. */
  recovered: number;
  notRecovered: number;
  /** Histories dropped to stay within `maxHistoryRooms` / `maxHistoryBytes`. */
  roomsDropped: number;
}

/**
 * Room history on one node: a cast to exactly one room whose {@link HistoryPolicy} gives
 * it a history is a *publication*, stored and numbered (`Offset`, `Epoch`) before it is
 * delivered; reads serve `Recover` frames and `Broadcaster.history()`.
 */
export class RoomHistory {
  private readonly store: MemoryHistory;
  private readonly sweeper: NodeJS.Timeout;
  private publications = 0;
  recovered = 0;
  notRecovered = 0;

  constructor(
    private readonly policy: HistoryPolicy,
    settings: ResolvedHistorySettings,
    warnings: ThrottledLog,
    now?: () => number,
  ) {
    this.store = new MemoryHistory({ maxRooms: settings.maxHistoryRooms, maxBytes: settings.maxHistoryBytes }, (room) =>
      warnings.warn('history-dropped', `room history: "${room}" dropped to stay within maxHistoryRooms / maxHistoryBytes; its next publication starts a new epoch`),
      now,
    );
    // Expired histories are dropped on use; this frees those of rooms nobody uses any more.
    this.sweeper = setInterval(() => this.store.sweep(), SWEEP_INTERVAL);
    this.sweeper.unref();
  }

  /** The history config of `audience`'s room when the cast is a publication, else `undefined`. */
  configFor(audience: Audience): RoomHistoryConfig | undefined {
    const { castType, targets } = audience;
    if (!isRoomCast(castType) || targets === null || targets.length !== 1) return undefined;
    const room = targets[0];
    const config = this.policy(room);
    return config === undefined ? undefined : checkRoomHistory(room, config);
  }

  /** Stores a publication to `audience`'s one room; returns its frame, with its `Offset` and `Epoch`. */
  publish(audience: Audience, config: RoomHistoryConfig, handlerId: number, encodedBody: string): OutgoingFrame {
    const publication = this.store.append(audience.targets![0], config, (offset, epoch) =>
      new OutgoingFrame(assemblePublication(audience, handlerId, encodedBody, offset, epoch)),
    );
    this.publications += 1;
    return publication.frame;
  }

  /** Reads `room`'s history (`Last` at most the room's size); `null` when it has none now. */
  read(room: string, query: HistoryQuery): HistoryRead | null {
    if ('last' in query) {
      const size = this.store.sizeOf(room);
      if (size === undefined) return null;
      return this.store.read(room, { last: Math.min(query.last, size) });
    }
    return this.store.read(room, query);
  }

  stats(): HistoryStats {
    return {
      rooms: this.store.rooms,
      publications: this.publications,
      recovered: this.recovered,
      notRecovered: this.notRecovered,
      roomsDropped: this.store.dropped,
    };
  }

  close(): void {
    clearInterval(this.sweeper);
  }
}

const SWEEP_INTERVAL = 10_000;
