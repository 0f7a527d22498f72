import { CastType, type ClientId, type ResponseMessage } from './message.js';

/**
 * Who one cast is for: its cast type, its sender (`''` for the server) and, for
 * Exclusive, the listed targets. One value travels from the response through encoding,
 * recipient selection and the cluster.
 */
export interface Audience {
  readonly castType: CastType;
  readonly senderId: ClientId;
  /** The target IDs of an Exclusive cast; `null` for every other cast type. */
  readonly targets: readonly ClientId[] | null;
}

/** The audience of `response` cast by `senderId`. */
export function audienceOf(response: ResponseMessage, senderId: ClientId): Audience {
  const { castType } = response;
  return { castType, senderId, targets: castType === CastType.Exclusive ? (response.castFor ?? []) : null };
}
