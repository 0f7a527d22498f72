// The app's presence info about a connecting client, from its `presenceInfo` function.
import { withFacts } from '../log-facts.js';
import type { BroadcasterLogger, ClientIdentity, ClientRequestInfo } from '../handlers.js';
import { stackOf } from '../thrown-text.js';
import { MAX_PRESENCE_INFO_LENGTH } from './presence-state.js';

/**
 * What presence shows of a client (a JSON value of at most 1 KiB: a name, an avatar),
 * from what `authenticate` returned for it and its connect request.
 */
export type PresenceInfoFn = (principal: unknown, request: ClientRequestInfo | undefined) => unknown;

/** What presence shows of a client of this node: the app's info (as JSON), its user room, whether it is away. */
export type LocalPresence = Readonly<{ info: string | null; user: string | undefined; away: boolean }>;

/** What presence shows of a new client: the app's info about it, and its user room. */
export function presenceOf(
  presenceInfo: PresenceInfoFn | undefined,
  clientId: string,
  identity: ClientIdentity,
  userRoom: string | undefined,
  logger: BroadcasterLogger,
): LocalPresence {
  const info = presenceInfoOf(presenceInfo, clientId, identity, logger);
  // Most clients have nothing to show: they share one object.
  return info === null && userRoom === undefined ? NO_PRESENCE : { info, user: userRoom, away: false };
}

/** The presence of a client with nothing to show (shared by all such clients). */
export const NO_PRESENCE: LocalPresence = Object.freeze({ info: null, user: undefined, away: false });

/**
 * The presence info of a client of `identity`, as JSON text, or `null` for none. A
 * function that throws, or returns something that is not JSON or is larger than 1 KiB,
 * is logged, and the client has no info.
 */
export function presenceInfoOf(presenceInfo: PresenceInfoFn | undefined, clientId: string, identity: ClientIdentity, logger: BroadcasterLogger): string | null {
  if (presenceInfo === undefined) return null;
  let json: string | undefined;
  try {
    json = JSON.stringify(presenceInfo(identity.principal, identity.request));
  } catch (error) {
    logger.error(withFacts(`presenceInfo failed for client ${clientId}: it has no presence info`, { event: 'presence_info_failed', clientId }), stackOf(error));
    return null;
  }
  if (json === undefined || json === 'null') return null;
  if (json.length > MAX_PRESENCE_INFO_LENGTH) {
    logger.error(withFacts(`presenceInfo gave ${json.length} characters of JSON for client ${clientId}, more than ${MAX_PRESENCE_INFO_LENGTH}: it has no presence info`, { event: 'presence_info_too_long', clientId }));
    return null;
  }
  return json;
}
