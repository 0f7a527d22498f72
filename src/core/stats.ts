// The core's counters, as stats() reports them.
import type { ClusterStats } from './cluster/cluster.js';

/** The routing core's counters; all counts since start. */
export interface CoreStats {
  /** Clients connected now. */
  clients: number;
  /** Bytes written but not yet sent, summed over connected clients, now. */
  bufferedBytes: number;
  /** Clients that ever joined. */
  clientsJoined: number;
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
  /** The cluster link, when the broadcaster has a backplane. */
  cluster?: ClusterStats;
}

export function emptyStats(): CoreStats {
  return {
    clients: 0,
    bufferedBytes: 0,
    clientsJoined: 0,
    messagesIn: 0,
    messagesOut: 0,
    errors: {},
    drops: 0,
    slowClientDisconnects: 0,
    floodDisconnects: 0,
    roomLimitRefusals: 0,
  };
}

export function countInto(counts: Record<string, number>, key: string): void {
  counts[key] = (counts[key] ?? 0) + 1;
}
