// Reading a server frame in the client SDK: checked, so that no server can crash the client.
import { FRAME_EVENT } from '../protocol/frame-event.js';
import { fromUtf8 } from './base64.js';
import { toResponse, type Response } from './messages.js';

/** What one frame from the server says, checked. */
export type ServerFrame =
  | { kind: 'response'; response: Response; goEvent?: 'join' | 'leave' }
  | { kind: 'join' | 'leave'; clientId: string }
  | { kind: 'ack'; requestId: unknown; recovered?: Record<string, boolean>; positions?: Record<string, { Offset: number; Epoch: string }> }
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
      if (fields.Recovered === undefined) return { kind: 'ack', requestId: fields.RequestID };
      return { kind: 'ack', requestId: fields.RequestID, recovered: recoveredField(fields.Recovered), positions: positionsField(fields.Positions) };
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
  if (fields.Offset !== undefined) {
    // A publication: one room, and a place in its history.
    if (!Number.isSafeInteger(fields.Offset) || (fields.Offset as number) < 1) throw new TypeError('an Offset that is not a positive integer');
    stringField(fields.Epoch, 'Epoch');
    if (!Array.isArray(castFor) || castFor.length !== 1) throw new TypeError('a publication whose CastFor is not one room');
  }
  try {
    return toResponse(fields);
  } catch {
    throw new TypeError('a Body that is not base64');
  }
}

function recoveredField(value: unknown): Record<string, boolean> {
  if (typeof value !== 'object' || value === null || Array.isArray(value) || !Object.values(value).every((entry) => typeof entry === 'boolean')) {
    throw new TypeError('a Recovered that is not an object of booleans');
  }
  return value as Record<string, boolean>;
}

function positionsField(value: unknown): Record<string, { Offset: number; Epoch: string }> {
  const ok =
    typeof value === 'object' &&
    value !== null &&
    !Array.isArray(value) &&
    Object.values(value).every((entry: { Offset?: unknown; Epoch?: unknown } | null) => Number.isSafeInteger(entry?.Offset) && typeof entry?.Epoch === 'string');
  if (!ok) throw new TypeError('Positions that are not an object of { Offset, Epoch }');
  return value as Record<string, { Offset: number; Epoch: string }>;
}

function stringField(value: unknown, name: string, emptyAllowed = false): string {
  if (typeof value !== 'string' || (!emptyAllowed && value === '')) throw new TypeError(`a ${name} that is not a string`);
  return value;
}

function integer(value: unknown, name: string): number {
  if (!Number.isSafeInteger(value)) throw new TypeError(`a ${name} that is not an integer`);
  return value as number;
}
