// The messages of the public API: requests, responses, events, and their types.
import { CAST_TYPE } from '../protocol/cast-type.js';
import { FRAME_EVENT, ROOM_EVENT, SESSION_EVENT } from '../protocol/frame-event.js';

/** Who receives a {@link ResponseMessage}. Values are those of the wire protocol. */
export enum CastType {
  /** Every connected client. */
  All = CAST_TYPE.All,
  /** The sending client only. */
  Self = CAST_TYPE.Self,
  /** Only the clients listed in `castFor`. */
  Exclusive = CAST_TYPE.Exclusive,
  /** Every connected client except the sender. */
  Others = CAST_TYPE.Others,
  /** Every member of the rooms listed in `castFor`, each once (protocol 1.1). */
  Room = CAST_TYPE.Room,
  /** Like {@link CastType.Room}, except the sender (protocol 1.1). */
  RoomOthers = CAST_TYPE.RoomOthers,
}

/** Cast to every connected client. */
export const All = CastType.All;
/** Cast to the sending client only. */
export const Self = CastType.Self;
/** Cast to the clients listed in `castFor` only. */
export const Exclusive = CastType.Exclusive;
/** Cast to every connected client except the sender. */
export const Others = CastType.Others;
/** Cast to every member of the rooms listed in `castFor`. */
export const Room = CastType.Room;
/** Cast to every member of the rooms listed in `castFor` except the sender. */
export const RoomOthers = CastType.RoomOthers;

/**
 * Events the server runs event handlers for. Joins and leaves are also announced to
 * clients (with these values as `EventType`); room events are never sent on the wire.
 */
export enum EventType {
  /** A client joined. */
  OnAddClient = FRAME_EVENT.Join,
  /** A client left. */
  OnDelClient = FRAME_EVENT.Leave,
  /** A client of this instance joined a room. */
  OnJoinRoom = ROOM_EVENT.Join,
  /** A client of this instance left a room (or disconnected while in it). */
  OnLeaveRoom = ROOM_EVENT.Leave,
  /** A session client's connection was lost: it is away, still a member, frames kept for it. */
  OnAway = SESSION_EVENT.Away,
  /** A session client that was away took its session back on a new connection. */
  OnResume = SESSION_EVENT.Resume,
}

/** A client joined. */
export const OnAddClient = EventType.OnAddClient;
/** A client left. */
export const OnDelClient = EventType.OnDelClient;
/** A client joined a room. */
export const OnJoinRoom = EventType.OnJoinRoom;
/** A client left a room. */
export const OnLeaveRoom = EventType.OnLeaveRoom;
/** A session client's connection was lost and it is away (see `sessionGrace`). */
export const OnAway = EventType.OnAway;
/** A session client that was away is back on a new connection. */
export const OnResume = EventType.OnResume;

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

/** A join or leave (of the server, or of a room), as handed to event handlers. */
export interface EventMessage {
  readonly eventType: EventType;
  /** The client that joined or left. */
  readonly clientId: ClientId;
  /** The room, for {@link EventType.OnJoinRoom} and {@link EventType.OnLeaveRoom}. */
  readonly room?: string;
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
  /** Target client IDs for {@link CastType.Exclusive}; room names for the room cast types. */
  readonly castFor: readonly string[];
  readonly body: Body;
  /** HandlerID of a server-originated cast; defaults to 0. */
  readonly handlerId?: number;
}

/**
 * Builds a {@link ResponseMessage}, like the original's `NewResponseMessage`.
 *
 * @param castType who receives it
 * @param body bytes, or a string (sent as UTF-8); `null` or omitted for no body
 * @param castFor the target client IDs, for {@link CastType.Exclusive}; the room names,
 *   for {@link CastType.Room} and {@link CastType.RoomOthers}
 */
export function newResponseMessage(
  castType: CastType,
  body: Body = null,
  ...castFor: string[]
): ResponseMessage {
  return { castType, castFor, body };
}
