// Who one cast is for: its cast type, its sender and its listed targets, as one value.
import { CastType, type ClientId, type ResponseMessage } from './message.js';

/**
 * Who one cast is for: its cast type, its sender (`''` for the server) and, for
 * Exclusive, the listed targets. One value travels from the response through encoding,
 * recipient selection and the cluster.
 */
export interface Audience {
  readonly castType: CastType;
  readonly senderId: ClientId;
  /**
   * The target IDs of an Exclusive cast, or the room names of a room cast; `null` for
   * every other cast type.
   */
  readonly targets: readonly string[] | null;
}

/** Whether a cast type lists room names in `CastFor`. */
export function isRoomCast(castType: CastType): boolean {
  return castType === CastType.Room || castType === CastType.RoomOthers;
}

/** The audience of `response` cast by `senderId`. */
export function audienceOf(response: ResponseMessage, senderId: ClientId): Audience {
  const { castType } = response;
  const listed = castType === CastType.Exclusive || isRoomCast(castType);
  return { castType, senderId, targets: listed ? (response.castFor ?? []) : null };
}
