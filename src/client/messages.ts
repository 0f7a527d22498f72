// Bodies the client SDK sends, and responses as it hands them to the app.
import { CAST_TYPE } from '../protocol/cast-type.js';
import { fromBase64, fromUtf8, toBase64, utf8 } from './base64.js';

/** Who a response was cast to (the protocol's `CastType`). */
export const CastType = CAST_TYPE;
export type CastType = (typeof CastType)[keyof typeof CastType];

/** A body to send: text (sent as UTF-8), bytes, or `{ json: value }` (sent as JSON text). */
export type OutgoingBody = string | Uint8Array | { json: unknown } | null | undefined;

/** A response the server cast to this client. */
export interface Response<T = unknown> {
  /** The client whose request produced it; `""` for a cast by the server itself. */
  readonly senderId: string;
  readonly handlerId: number;
  readonly castType: CastType;
  /** The target IDs of an Exclusive cast, the rooms of a room cast; otherwise `null`. */
  readonly castFor: readonly string[] | null;
  /** The rooms of a Room or RoomOthers cast (the same list as `castFor`). */
  readonly rooms?: readonly string[];
  /** A publication to a room with history (protocol 1.2): its place in the room's history. */
  readonly offset?: number;
  /** …and the history's epoch, with which offsets compare. */
  readonly epoch?: string;
  /** The body's bytes (empty when it had none). */
  readonly body: Uint8Array;
  /** The body as UTF-8 text. */
  text(): string;
  /** The body parsed as JSON. */
  json(): T;
}

export function encodeBody(body: OutgoingBody): string | null {
  if (body === null || body === undefined) return null;
  if (typeof body === 'string') return toBase64(utf8(body));
  if (body instanceof Uint8Array) return toBase64(body);
  return toBase64(utf8(JSON.stringify(body.json)));
}

export function toResponse(frame: Record<string, unknown>): Response {
  const body = typeof frame.Body === 'string' ? fromBase64(frame.Body) : new Uint8Array(0);
  const castType = frame.CastType as CastType;
  const castFor = (frame.CastFor ?? null) as string[] | null;
  const room = castType === CastType.Room || castType === CastType.RoomOthers;
  return {
    senderId: frame.SenderID as string,
    handlerId: frame.HandlerID as number,
    castType,
    castFor,
    ...(room ? { rooms: castFor ?? [] } : {}),
    ...(typeof frame.Offset === 'number' ? { offset: frame.Offset, epoch: frame.Epoch as string } : {}),
    body,
    text: () => fromUtf8(body),
    json: () => JSON.parse(fromUtf8(body)),
  };
}
