// The per-user room a client joins on arrival, from the app's `userRoom` function.
import { withFacts } from './log-facts.js';
import type { UserRoomFn } from './core-options.js';
import type { BroadcasterLogger, ClientIdentity } from './handlers.js';
import { roomNameProblem } from './rooms.js';
import { stackOf } from './thrown-text.js';

/**
 * The room `userRoom` names for a client of `identity`, or `undefined` for none. A
 * function that throws or names no valid room is logged, and the client joins no room.
 */
export function userRoomOf(userRoom: UserRoomFn | undefined, clientId: string, identity: ClientIdentity, logger: BroadcasterLogger): string | undefined {
  if (userRoom === undefined) return undefined;
  let room: unknown;
  try {
    room = userRoom(identity.principal, identity.request);
  } catch (error) {
    logger.error(withFacts(`userRoom failed for client ${clientId}: it joins no user room`, { event: 'user_room_failed', clientId }), stackOf(error));
    return undefined;
  }
  if (room === undefined) return undefined;
  const problem = roomNameProblem(room);
  if (problem === null) return room as string;
  logger.error(withFacts(`userRoom gave no valid room for client ${clientId} (${problem}): it joins no user room`, { event: 'user_room_invalid', clientId }));
  return undefined;
}
