/** Who receives a {@link ResponseMessage}. Values are those of the wire protocol. */
export enum CastType {
  /** Every connected client. */
  All = 1,
  /** The sending client only. */
  Self = 2,
  /** Only the clients listed in `castFor`. */
  Exclusive = 3,
  /** Every connected client except the sender. */
  Others = 4,
}

/** Cast to every connected client. */
export const All = CastType.All;
/** Cast to the sending client only. */
export const Self = CastType.Self;
/** Cast to the clients listed in `castFor` only. */
export const Exclusive = CastType.Exclusive;
/** Cast to every connected client except the sender. */
export const Others = CastType.Others;

/** Lifecycle events the server announces and runs event handlers for. */
export enum EventType {
  /** A client joined. */
  OnAddClient = 1,
  /** A client left. */
  OnDelClient = 2,
}

/** A client joined. */
export const OnAddClient = EventType.OnAddClient;
/** A client left. */
export const OnDelClient = EventType.OnDelClient;

/** A server-assigned client ID (a version 4 UUID). */
export type ClientId = string;

/** What a client sent: the decoded `{HandlerID, Body}` frame, stamped with its sender. */
export interface RequestMessage {
  /** The client that sent the frame; always set by the server. */
  readonly senderId: ClientId;
  /** The handler the client asked for. */
  readonly handlerId: number;
  /** The decoded body; empty when the client sent none. */
  readonly body: Buffer;
}

/** A join or leave, as handed to event handlers. */
export interface EventMessage {
  readonly eventType: EventType;
  /** The client that joined or left. */
  readonly clientId: ClientId;
}

/** A response body: bytes, or a string sent as UTF-8. */
export type Body = Uint8Array | string | null;

/**
 * A message to cast to clients. Build it with {@link newResponseMessage}.
 *
 * `senderId` and `handlerId` are stamped by the server for handler results; only a
 * server-originated cast (`Broadcaster.cast`) uses `handlerId` as given.
 */
export interface ResponseMessage {
  readonly castType: CastType;
  /** Target client IDs; only read for {@link CastType.Exclusive}. */
  readonly castFor: readonly ClientId[];
  readonly body: Body;
  /** HandlerID of a server-originated cast; defaults to 0. */
  readonly handlerId?: number;
}

/**
 * Builds a {@link ResponseMessage}, like the original's `NewResponseMessage`.
 *
 * @param castType who receives it
 * @param body bytes, or a string (sent as UTF-8); `null` or omitted for no body
 * @param castFor the target client IDs, for {@link CastType.Exclusive}
 */
export function newResponseMessage(
  castType: CastType,
  body: Body = null,
  ...castFor: ClientId[]
): ResponseMessage {
  return { castType, castFor, body };
}
