// Reading a server frame in the client SDK: checked, so that no server can crash the client.
import { FRAME_EVENT } from '../protocol/frame-event.js';
import { fromUtf8 } from './base64.js';
import { toResponse, type Response } from './messages.js';

/** What one frame from the server says, checked. */
export type ServerFrame =
  | { kind: 'response'; response: Response; goEvent?: 'join' | 'leave' }
  | { kind: 'join' | 'leave'; clientId: string }
  | { kind: 'ack'; requestId: unknown }
  | { kind: 'error'; code: string; message: string; handlerId: number; requestId: unknown }
  | { kind: 'session'; clientId: string; token: string; resumed: boolean }
  | { kind: 'other' };

const EVENT_JOIN = FRAME_EVENT.Join;
const EVENT_LEAVE = FRAME_EVENT.Leave;
const EVENT_ERROR = FRAME_EVENT.Error;
const EVENT_ACK = FRAME_EVENT.Ack;
const EVENT_SESSION = FRAME_EVENT.Session;

/**
 * Reads one frame. Throws a `TypeError` naming what is wrong with a frame that is not
 * JSON, not an object, or whose fields have the wrong types (a `Body` that is not base64
 * included), so that a broken or hostile server cannot throw from inside the client.
 *
 * A frame with a `SenderID` is a response whatever else it says: the Go original sends
 * every frame as a response with an `EventType`, its joins and leaves being the responses
 * of its OnAddClient/OnDelClient handlers (`goEvent`).
 */
export function readFrame(data: unknown): ServerFrame {
  const text = typeof data === 'string' ? data : fromUtf8(new Uint8Array(data as ArrayBuffer));
  const frame: unknown = JSON.parse(text);
  if (typeof frame !== 'object' || frame === null || Array.isArray(frame)) throw new TypeError('a frame that is not a JSON object');
  const fields = frame as Record<string, unknown>;
  const { EventType: eventType } = fields;
  if (fields.SenderID !== undefined) {
    const response = checkedResponse(fields);
    if (eventType === EVENT_JOIN || eventType === EVENT_LEAVE) {
      return { kind: 'response', response, goEvent: eventType === EVENT_JOIN ? 'join' : 'leave' };
    }
    return { kind: 'response', response };
  }
  if (eventType === undefined) throw new TypeError('a frame with neither SenderID nor EventType');
  switch (eventType) {
    case EVENT_JOIN:
    case EVENT_LEAVE:
      return { kind: eventType === EVENT_JOIN ? 'join' : 'leave', clientId: stringField(fields.ClientID, 'ClientID') };
    case EVENT_ACK:
      return { kind: 'ack', requestId: fields.RequestID };
    case EVENT_SESSION:
      if (typeof fields.Resumed !== 'boolean') throw new TypeError('a Resumed that is not a boolean');
      return { kind: 'session', clientId: stringField(fields.ClientID, 'ClientID'), token: stringField(fields.Session, 'Session'), resumed: fields.Resumed };
    case EVENT_ERROR:
      return {
        kind: 'error',
        code: stringField(fields.Code, 'Code'),
        message: typeof fields.Error === 'string' ? fields.Error : '',
        handlerId: integer(fields.HandlerID ?? 0, 'HandlerID'),
        requestId: fields.RequestID,
      };
    default:
      return { kind: 'other' };
  }
}

function checkedResponse(fields: Record<string, unknown>): Response {
  stringField(fields.SenderID, 'SenderID', true);
  integer(fields.HandlerID, 'HandlerID');
  if (fields.Body !== null && fields.Body !== undefined && typeof fields.Body !== 'string') throw new TypeError('a Body that is not a string');
  const castFor = fields.CastFor;
  if (castFor !== null && castFor !== undefined && !(Array.isArray(castFor) && castFor.every((entry) => typeof entry === 'string'))) {
    throw new TypeError('a CastFor that is not a list of strings');
  }
  try {
    return toResponse(fields);
  } catch {
    throw new TypeError('a Body that is not base64');
  }
}

function stringField(value: unknown, name: string, emptyAllowed = false): string {
  if (typeof value !== 'string' || (!emptyAllowed && value === '')) throw new TypeError(`a ${name} that is not a string`);
  return value;
}

function integer(value: unknown, name: string): number {
  if (!Number.isSafeInteger(value)) throw new TypeError(`a ${name} that is not an integer`);
  return value as number;
}
