// The presence of this node's clients: their states as shipped, and the entries listed.
import type { Client } from '../client.js';
import { encodePresenceState } from './presence-state.js';

/** Whether a client has anything for presence to ship (info, a user, or being away). */
export function hasPresence(client: Client): boolean {
  const { info, user, away } = client.presence;
  return info !== null || user !== undefined || away;
}

/** A client's presence state, as the cluster ships it. */
export function presenceStateOf(client: Client): string {
  const { info, user, away } = client.presence;
  return encodePresenceState(info, user, away);
}
