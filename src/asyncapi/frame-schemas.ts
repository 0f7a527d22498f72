// JSON Schemas of the wire protocol's frames (PROTOCOL.md), for the contract document.
import type { JsonSchema } from './handler-contract.js';

const BASE64 = { type: 'string', contentEncoding: 'base64', description: 'Standard base64 (RFC 4648 §4, with padding).' } as const;
const CLIENT_ID = { type: 'string', format: 'uuid', description: 'A client ID given by the server.' } as const;
const REQUEST_ID = {
  description: 'Protocol 1.1: given by the client, returned on the ack or error that answers the request.',
  oneOf: [
    { type: 'integer', minimum: 0, maximum: 9007199254740991 },
    { type: 'string', minLength: 1, maxLength: 64 },
  ],
} as const;
const ROOM = { type: 'string', minLength: 1, maxLength: 200 } as const;
const POSITION = {
  type: 'object',
  required: ['Offset', 'Epoch'],
  properties: { Offset: { type: 'integer', minimum: 0 }, Epoch: { type: 'string', minLength: 1, maxLength: 64 } },
} as const;

/** The schemas of every frame, by component name. */
export const FRAME_SCHEMAS: Readonly<Record<string, JsonSchema>> = {
  RequestFrame: {
    type: 'object',
    description: 'A request: its handler chosen by HandlerID. Keys are matched case-insensitively; unknown keys are ignored.',
    required: ['HandlerID'],
    properties: {
      HandlerID: { type: 'integer' },
      Body: { oneOf: [BASE64, { type: 'null' }] },
      RequestID: REQUEST_ID,
    },
  },
  RecoverFrame: {
    type: 'object',
    description: 'Protocol 1.2: asks, per room, for the publications after a position, or the latest ones.',
    required: ['Recover', 'RequestID'],
    properties: {
      Recover: {
        type: 'object',
        minProperties: 1,
        maxProperties: 100,
        additionalProperties: {
          oneOf: [POSITION, { type: 'object', required: ['Last'], properties: { Last: { type: 'integer', minimum: 1 } } }],
        },
      },
      RequestID: REQUEST_ID,
    },
  },
  ResponseFrame: {
    type: 'object',
    description: 'A cast. Keys in this order: SenderID, HandlerID, CastType, CastFor, Body, then Offset and Epoch for a publication (protocol 1.2).',
    required: ['SenderID', 'HandlerID', 'CastType', 'CastFor', 'Body'],
    properties: {
      SenderID: { type: 'string', description: 'The requesting client, the client that joined or left (event handlers), or "" (the server).' },
      HandlerID: { type: 'integer' },
      CastType: { type: 'integer', enum: [1, 2, 3, 4, 5, 6], description: '1 All, 2 Self, 3 Exclusive, 4 Others, 5 Room, 6 RoomOthers.' },
      CastFor: { oneOf: [{ type: 'null' }, { type: 'array', items: { type: 'string' } }], description: 'Exclusive: the target IDs; Room, RoomOthers: the rooms; else null.' },
      Body: { oneOf: [BASE64, { type: 'null' }] },
      Offset: { type: 'integer', minimum: 1, description: 'Protocol 1.2: the publication’s place in its room’s history.' },
      Epoch: { type: 'string', minLength: 1, maxLength: 64, description: 'Protocol 1.2: changes whenever the room’s history was lost.' },
    },
  },
  JoinFrame: {
    type: 'object',
    description: 'A client joined (EventType 1): to everyone, the joining client first (how it learns its ID).',
    required: ['EventType', 'ClientID'],
    properties: { EventType: { type: 'integer', const: 1 }, ClientID: CLIENT_ID },
  },
  LeaveFrame: {
    type: 'object',
    description: 'A client left (EventType 2).',
    required: ['EventType', 'ClientID'],
    properties: { EventType: { type: 'integer', const: 2 }, ClientID: CLIENT_ID },
  },
  ErrorFrame: {
    type: 'object',
    description: 'A request failed (EventType 3): to its sender only; nothing else was delivered for it.',
    required: ['EventType', 'ClientID', 'HandlerID', 'Code', 'Error'],
    properties: {
      EventType: { type: 'integer', const: 3 },
      ClientID: CLIENT_ID,
      HandlerID: { type: 'integer' },
      Code: {
        type: 'string',
        enum: ['invalid_message', 'invalid_body', 'unknown_handler', 'handler_error', 'rate_limited', 'shutting_down', 'forbidden', 'bad_request', 'handler_timeout'],
      },
      Error: { type: 'string' },
      RequestID: REQUEST_ID,
    },
  },
  AckFrame: {
    type: 'object',
    description: 'Protocol 1.1: a request with a RequestID was settled (EventType 4), after every frame it produced for its sender. For a Recover frame it says, per room, whether it was recovered and where the room stands.',
    required: ['EventType', 'ClientID', 'HandlerID', 'RequestID'],
    properties: {
      EventType: { type: 'integer', const: 4 },
      ClientID: CLIENT_ID,
      HandlerID: { type: 'integer' },
      RequestID: REQUEST_ID,
      Recovered: { type: 'object', additionalProperties: { type: 'boolean' } },
      Positions: { type: 'object', additionalProperties: POSITION },
    },
  },
  SessionFrame: {
    type: 'object',
    description: 'Protocol 1.2: the session of a client that asked for one (EventType 5), after its join frame or as the first frame of a resume.',
    required: ['EventType', 'ClientID', 'Session', 'Resumed'],
    properties: {
      EventType: { type: 'integer', const: 5 },
      ClientID: CLIENT_ID,
      Session: { type: 'string', maxLength: 512 },
      Resumed: { type: 'boolean' },
    },
  },
  Room: ROOM,
};
