// Who is here, cluster-wide, with what the app says of each, and how many clients each user has.
import type { ClientId } from '../message.js';

/** One client in a presence list. */
export interface PresenceEntry {
  clientId: ClientId;
  /** What `presenceInfo` returned for it, or `null`. */
  info: unknown;
  /** Whether it is away: a session client whose connection was lost, within its grace period. */
  away: boolean;
}

/** The clients of the cluster (or of one room), and the number of clients of each user. */
export interface Presence {
  clients: PresenceEntry[];
  /** Clients per user room (`userRoom`), counting away ones; users with none are not listed. */
  users: Record<string, number>;
}
