// Frames to and from JSON: requests decoded, responses, events, errors and acks encoded.
import { ErrorCode, FrameRejection } from './errors.js';
import type { Audience } from './audience.js';
import { isStrictBase64, readCanonicalRequest } from '../protocol/canonical-request.js';
import { FRAME_EVENT } from '../protocol/frame-event.js';
import type { Body, ClientId, EventType } from './message.js';
import { readRecover, type RecoverRequest } from './history/recover-request.js';

/** A request's `RequestID` (protocol 1.1): an integer from 0 to 2^53 − 1, or 1 to 64 characters. */
export type RequestId = number | string;

/** A request frame decoded, before the server stamps its sender. */
export interface DecodedRequest {
  readonly handlerId: number;
  readonly body: Buffer;
  /** Present when the client asked for an ack. */
  readonly requestId?: RequestId;
}

const MAX_REQUEST_ID_LENGTH = 64;

const EMPTY_BODY = Buffer.alloc(0);
const LINE_BREAKS = /[\r\n]/g;
const utf8 = new TextDecoder('utf-8', { fatal: true });

/**
 * Decodes one client frame (`{"HandlerID": n, "Body": "<base64>"}`).
 * Keys match case-insensitively and unknown keys are ignored, as Go's JSON decoder does.
 */
export function decodeRequest(data: string | Uint8Array): DecodedRequest | RecoverRequest | FrameRejection {
  let text: string;
  try {
    text = typeof data === 'string' ? data : utf8.decode(data);
  } catch {
    return new FrameRejection(ErrorCode.InvalidMessage, 'frame is not valid UTF-8');
  }
  const canonical = readCanonicalRequest(text);
  if (canonical !== undefined) {
    const { handlerId, body, requestId } = canonical;
    const bytes = body === null || body === '' ? EMPTY_BODY : Buffer.from(body, 'base64');
    return requestId === undefined ? { handlerId, body: bytes } : { handlerId, body: bytes, requestId };
  }
  return decodeGeneralRequest(text);
}

/**
 * Decodes a frame in any form JSON allows; see {@link decodeRequest}. A frame with a
 * `Recover` key and no `HandlerID` is a recovery request (protocol 1.2).
 */
export function decodeGeneralRequest(text: string): DecodedRequest | RecoverRequest | FrameRejection {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    return new FrameRejection(ErrorCode.InvalidMessage, 'frame is not valid JSON');
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    return new FrameRejection(ErrorCode.InvalidMessage, 'frame must be a JSON object');
  }

  let handlerId: unknown;
  let body: unknown;
  let requestId: unknown;
  let recover: unknown;
  for (const [key, value] of Object.entries(parsed)) {
    const folded = key.toLowerCase();
    if (folded === 'handlerid') handlerId = value;
    else if (folded === 'body') body = value;
    else if (folded === 'requestid') requestId = value;
    else if (folded === 'recover') recover = value;
  }

  // A RequestID that is not one cannot be echoed: the error goes without it.
  if (requestId !== undefined && !isRequestId(requestId)) {
    return new FrameRejection(
      ErrorCode.InvalidMessage,
      'RequestID must be an integer from 0 to 2^53 - 1 or a string of 1 to 64 characters',
      Number.isSafeInteger(handlerId) ? (handlerId as number) : 0,
    );
  }
  if (handlerId === undefined && recover !== undefined) return readRecover(recover, requestId as RequestId | undefined);
  if (typeof handlerId !== 'number' || !Number.isSafeInteger(handlerId)) {
    return new FrameRejection(ErrorCode.InvalidMessage, 'HandlerID must be an integer', 0, requestId);
  }
  if (body === undefined || body === null) {
    return { handlerId, body: EMPTY_BODY, requestId };
  }
  if (typeof body !== 'string') {
    return new FrameRejection(ErrorCode.InvalidMessage, 'Body must be a base64 string or null', handlerId, requestId);
  }
  // Go's base64 decoder skips CR and LF, so a client may wrap long bodies.
  const compact = body.includes('\n') || body.includes('\r') ? body.replace(LINE_BREAKS, '') : body;
  if (!isStrictBase64(compact)) {
    return new FrameRejection(ErrorCode.InvalidBody, 'Body is not valid base64', handlerId, requestId);
  }
  return { handlerId, body: Buffer.from(compact, 'base64'), requestId };
}

function isRequestId(value: unknown): value is RequestId {
  if (typeof value === 'number') return Number.isSafeInteger(value) && value >= 0;
  return typeof value === 'string' && value.length >= 1 && value.length <= MAX_REQUEST_ID_LENGTH;
}

/** `{"EventType":…,"ClientID":…}`, keys in protocol order. */
export function encodeEvent(eventType: EventType, clientId: ClientId): string {
  return `{"EventType":${eventType},"ClientID":${JSON.stringify(clientId)}}`;
}

/** A session frame (protocol 1.2): the client's session token, and whether it took an earlier session back. */
export function encodeSession(clientId: ClientId, token: string, resumed: boolean): string {
  return `{"EventType":${FRAME_EVENT.Session},"ClientID":${JSON.stringify(clientId)},"Session":${JSON.stringify(token)},"Resumed":${resumed}}`;
}

/** A ResponseMessage frame, keys in protocol order; `CastFor` is only listed for Exclusive. */
export function encodeResponse(audience: Audience, handlerId: number, body: Body): string {
  return assembleResponse(audience, handlerId, encodeBody(body));
}

/**
 * A ResponseMessage frame from a body already encoded by {@link encodeBody}: the cluster
 * ships that value between nodes, and each node assembles its frame from it.
 */
export function assembleResponse(audience: Audience, handlerId: number, encodedBody: string): string {
  const { castType, senderId, targets } = audience;
  return (
    `{"SenderID":${JSON.stringify(senderId)},"HandlerID":${handlerId},"CastType":${castType},` +
    `"CastFor":${targets === null ? 'null' : JSON.stringify(targets)},"Body":${encodedBody}}`
  );
}

/**
 * A publication's frame (protocol 1.2): the response frame of a cast to a room with
 * history, with its `Offset` and `Epoch` as its last keys.
 */
export function assemblePublication(audience: Audience, handlerId: number, encodedBody: string, offset: number, epoch: string): string {
  const response = assembleResponse(audience, handlerId, encodedBody);
  return `${response.slice(0, -1)},"Offset":${offset},"Epoch":${JSON.stringify(epoch)}}`;
}

/**
 * The ack of a `Recover` request (protocol 1.2): per room asked, whether every publication
 * after the asked position was sent, and the room's position when the answer was made.
 */
export function encodeRecoveryAck(
  clientId: ClientId,
  requestId: RequestId,
  recovered: Readonly<Record<string, boolean>>,
  positions: Readonly<Record<string, { Offset: number; Epoch: string }>>,
): string {
  return (
    `{"EventType":${FRAME_EVENT.Ack},"ClientID":${JSON.stringify(clientId)},"HandlerID":0,"RequestID":${JSON.stringify(requestId)},` +
    `"Recovered":${JSON.stringify(recovered)},"Positions":${JSON.stringify(positions)}}`
  );
}

/**
 * The error frame (`EventType` 3) sent to the one client whose frame failed; with the
 * request's `RequestID` as its last key when it had one.
 */
export function encodeError(clientId: ClientId, handlerId: number, code: string, message: string, requestId?: RequestId): string {
  const request = requestId === undefined ? '' : `,"RequestID":${JSON.stringify(requestId)}`;
  return (
    `{"EventType":${FRAME_EVENT.Error},"ClientID":${JSON.stringify(clientId)},"HandlerID":${handlerId},` +
    `"Code":${JSON.stringify(code)},"Error":${JSON.stringify(message)}${request}}`
  );
}

/** The ack (`EventType` 4, protocol 1.1) of a request that carried a `RequestID`. */
export function encodeAck(clientId: ClientId, handlerId: number, requestId: RequestId): string {
  return `{"EventType":${FRAME_EVENT.Ack},"ClientID":${JSON.stringify(clientId)},"HandlerID":${handlerId},"RequestID":${JSON.stringify(requestId)}}`;
}

/** A body as the frame's `Body` value: `null`, or base64 in quotes. */
export function encodeBody(body: Body): string {
  if (body === null || body.length === 0) return 'null';
  const bytes =
    typeof body === 'string' ? Buffer.from(body, 'utf8') : Buffer.from(body.buffer, body.byteOffset, body.byteLength);
  return `"${bytes.toString('base64')}"`;
}
