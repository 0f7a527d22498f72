// The core's counters, as stats() reports them.
import type { ClusterStats } from './cluster/cluster.js';
import type { HistoryStats } from './history/room-history.js';

/** The routing core's counters; all counts since start. */
export interface CoreStats {
  /** Clients connected now. */
  clients: number;
  /** Bytes written but not yet sent, summed over connected clients, now. */
  bufferedBytes: number;
  /** Clients that ever joined. */
  clientsJoined: number;
  /** Clients that left (their leave announced; a session client once its session ended). */
  clientsLeft: number;
  /** Rooms with members on this instance, now. */
  rooms: number;
  /** Frames received from clients. */
  messagesIn: number;
  /** Frames written to clients (one per recipient). */
  messagesOut: number;
  /** Error frames sent, by code. */
  errors: Record<string, number>;
  /** Frames skipped for slow clients under the `'drop'` policy. */
  drops: number;
  /** Clients closed for falling behind under the `'close'` policy. */
  slowClientDisconnects: number;
  /** Clients closed for flooding past the rate limit or `maxRequestsInFlight`. */
  floodDisconnects: number;
  /** Joins refused because the client was in `maxRoomsPerClient` rooms. */
  roomLimitRefusals: number;
  /** Sessions (protocol 1.2) and what became of them. */
  sessions: SessionStats;
  /** Room history (protocol 1.2), when the `history` option is set. */
  history?: HistoryStats;
  /** The cluster link, when the broadcaster has a backplane. */
  cluster?: ClusterStats;
}

/** What became of sessions; all counts since start except `away`. */
export interface SessionStats {
  /** Session clients away now (connection lost, within the grace period). */
  away: number;
  /** Sessions begun (clients that connected asking for one). */
  started: number;
  /** Resumes that took a session back. */
  resumed: number;
  /** Resumes that reached this instance for a session held by another, passed on to it (which moved the session here, or relayed it). */
  relayed: number;
  /** Connections relayed now, either way (here to a session elsewhere, or elsewhere to one here). */
  relaying: number;
  /** Resume requests that could not (unknown, altered or spent token, frames no longer kept): each went on as a new client. */
  refused: number;
  /** Sessions this instance handed over to another: where their clients reconnected, or as it shut down. */
  handedOver: number;
  /** Sessions another instance handed over to this one. */
  takenOver: number;
  /** Sessions that could not be handed over at shutdown (no instance took them): they ended. */
  handoverFailed: number;
  /** Sessions that ended for not coming back within the grace period. */
  expired: number;
  /** Sessions that ended while away for being sent more than the backlog limits. */
  overflowed: number;
}

export function emptyStats(): CoreStats {
  return {
    clients: 0,
    bufferedBytes: 0,
    clientsJoined: 0,
    clientsLeft: 0,
    rooms: 0,
    messagesIn: 0,
    messagesOut: 0,
    errors: {},
    drops: 0,
    slowClientDisconnects: 0,
    floodDisconnects: 0,
    roomLimitRefusals: 0,
    sessions: { away: 0, started: 0, resumed: 0, relayed: 0, relaying: 0, refused: 0, handedOver: 0, takenOver: 0, handoverFailed: 0, expired: 0, overflowed: 0 },
  };
}

export function countInto(counts: Record<string, number>, key: string): void {
  counts[key] = (counts[key] ?? 0) + 1;
}
