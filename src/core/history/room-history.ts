// The node's room history: which casts are publications, storing them numbered (here or through the cluster), and reading them back.
import { isRoomCast, type Audience } from '../audience.js';
import type { Cluster } from '../cluster/cluster.js';
import type { PublicationStamp } from '../cluster/backplane.js';
import { assemblePublication } from '../codec.js';
import { OutgoingFrame } from '../conn.js';
import type { ThrottledLog } from '../throttled-log.js';
import type { Appending } from './appending.js';
import { checkRoomHistory, type HistoryPolicy, type ResolvedHistorySettings, type RoomHistoryConfig } from './history-settings.js';
import { MemoryHistory, type HistoryQuery, type HistoryRead } from './memory-history.js';
import type { StoredPublication } from './room-log.js';

/** History counters; all counts since start except `rooms`. */
export interface HistoryStats {
  /** Rooms with a history now (kept by this instance; 0 where the cluster keeps them). */
  rooms: number;
  /** Publications this instance made. */
  publications: number;
  /** Publications that could not be appended (the cluster's history unreachable): nobody was sent them. */
  publishFailures: number;
  /** Rooms asked for in `Recover` frames, and how many of them were recovered (`Recovered: true`) or not. */
  recovered: number;
  notRecovered: number;
  /** Histories dropped to stay within `maxHistoryRooms` / `maxHistoryBytes`. */
  roomsDropped: number;
}

/** Delivers a numbered publication to this node's members of its room. */
export type DeliverPublication = (audience: Audience, frame: OutgoingFrame, stamp: PublicationStamp) => void;

/**
 * Room history on one node: a cast to exactly one room whose {@link HistoryPolicy} gives
 * it a history is a *publication*, stored and numbered (`Offset`, `Epoch`) before it is
 * delivered. Alone, the node keeps the histories itself; in a cluster whose backplane
 * keeps history, the backplane numbers every node's publications and delivers them to
 * every node in offset order. Reads serve `Recover` frames and `Broadcaster.history()`.
 */
export class RoomHistory {
  private readonly memory: MemoryHistory | null;
  private readonly sweeper: NodeJS.Timeout | null = null;
  private publications = 0;
  private publishFailures = 0;
  recovered = 0;
  notRecovered = 0;

  constructor(
    private readonly policy: HistoryPolicy,
    settings: ResolvedHistorySettings,
    warnings: ThrottledLog,
    private readonly cluster: Cluster | null,
    private readonly deliver: DeliverPublication,
  ) {
    if (cluster !== null) {
      this.memory = null;
      return;
    }
    this.memory = new MemoryHistory({ maxRooms: settings.maxHistoryRooms, maxBytes: settings.maxHistoryBytes }, (room) =>
      warnings.warn('history-dropped', `room history: "${room}" dropped to stay within maxHistoryRooms / maxHistoryBytes; its next publication starts a new epoch`, { room }),
    );
    // Expired histories are dropped on use; this frees those of rooms nobody uses any more.
    this.sweeper = setInterval(() => this.memory?.sweep(), SWEEP_INTERVAL);
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

  /** Whether publications go round the cluster's history (and reach clients when they come back) instead of being delivered at once. */
  get appendsToCluster(): boolean {
    return this.memory === null;
  }

  /**
   * Publishes to `audience`'s one room: here, stored, numbered and delivered at once; in a
   * cluster, appended to the cluster's history and delivered when it comes back numbered,
   * `appending` (required then) being told when it came back or could not be appended.
   */
  publish(audience: Audience, config: RoomHistoryConfig, handlerId: number, encodedBody: string, appending: Appending | null): void {
    this.publications += 1;
    if (this.memory === null) {
      const done = appending!.track();
      this.cluster!.publishPublication(audience, handlerId, encodedBody, config.size, config.ttl, (failure) => {
        if (failure === undefined) return done();
        this.publishFailures += 1;
        done(new Error(`the room's history could not be reached, so nobody was sent this publication: ${String(failure)}`));
      });
      return;
    }
    let stamp: PublicationStamp = { offset: 0, epoch: '' };
    const publication = this.memory.append(audience.targets![0], config, (offset, epoch) => {
      stamp = { offset, epoch };
      return new OutgoingFrame(assemblePublication(audience, handlerId, encodedBody, offset, epoch));
    });
    this.deliver(audience, publication.frame, stamp);
  }

  /** Reads `room`'s history (`Last` at most the room's size here); `null` when it has none now. */
  async read(room: string, query: HistoryQuery): Promise<HistoryRead | null> {
    if (this.memory === null) return this.readCluster(room, query);
    if (!('last' in query)) return this.memory.read(room, query);
    const size = this.memory.sizeOf(room);
    return size === undefined ? null : this.memory.read(room, { last: Math.min(query.last, size) });
  }

  stats(): HistoryStats {
    return {
      rooms: this.memory?.rooms ?? 0,
      publications: this.publications,
      publishFailures: this.publishFailures,
      recovered: this.recovered,
      notRecovered: this.notRecovered,
      roomsDropped: this.memory?.dropped ?? 0,
    };
  }

  close(): void {
    if (this.sweeper !== null) clearInterval(this.sweeper);
  }

  private async readCluster(room: string, query: HistoryQuery): Promise<HistoryRead | null> {
    const cluster = this.cluster!;
    const read = await cluster.readHistory(room, query);
    if (read.position === null) return null;
    const publications: StoredPublication[] = [];
    for (const { offset, message } of read.entries) {
      const envelope = cluster.openStored(message);
      // An entry that is not a valid publication of this cluster is a gap, never skipped silently.
      if (envelope === null || envelope.audience.targets?.[0] !== room) return { publications: [], complete: false, position: read.position };
      const frame = new OutgoingFrame(assemblePublication(envelope.audience, envelope.handlerId, envelope.body, offset, read.position.epoch));
      publications.push({ offset, frame });
    }
    return { publications, complete: read.complete, position: read.position };
  }
}

const SWEEP_INTERVAL = 10_000;
