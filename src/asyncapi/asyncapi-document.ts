// The contract as an AsyncAPI 3.0 document, built from the handlers the module found.
import { CastType } from '../core/message.js';
import { FRAME_SCHEMAS } from './frame-schemas.js';
import type { CastContract, HandlerContract, JsonSchema } from './handler-contract.js';

/** What the document is about: the app, the endpoint, and its handlers. */
export interface AsyncApiSource {
  title: string;
  version: string;
  description?: string;
  /** The WebSocket endpoint's path. */
  path: string;
  /** The server's host (and port) as clients reach it. */
  host: string;
  handlers: readonly HandlerContract[];
  /** More component schemas the handlers' schemas refer to (DTOs, by class name). */
  schemas?: Readonly<Record<string, JsonSchema>>;
}

/** An AsyncAPI 3.0 document, as plain JSON. */
export type AsyncApiDocument = Readonly<Record<string, unknown>>;

const CHANNEL = 'endpoint';
const ref = (path: string) => ({ $ref: path });
const channelMessage = (name: string) => ref(`#/channels/${CHANNEL}/messages/${name}`);
const CORRELATION = { location: '$message.payload#/RequestID' };

/**
 * The AsyncAPI 3.0 document of one endpoint: one channel (the WebSocket endpoint), an
 * operation per handler (the request it receives, and as its reply the ack, the error, and
 * the casts it declares), the join, leave, session and recovery frames, and the schema of
 * every frame of the protocol. The server's point of view: it receives requests and sends
 * the rest. Request and ack are paired by `RequestID` (the correlation ID).
 */
export function buildAsyncApiDocument(source: AsyncApiSource): AsyncApiDocument {
  const handlers = [...source.handlers].sort((a, b) => a.handlerId - b.handlerId);
  const messages: Record<string, unknown> = { ...sharedMessages() };
  const schemas: Record<string, JsonSchema> = { ...FRAME_SCHEMAS, ...source.schemas };
  const operations: Record<string, unknown> = { ...sharedOperations() };

  for (const handler of handlers) {
    const id = handler.handlerId;
    const requestName = `request${id}`;
    if (handler.schema !== undefined) schemas[`Handler${id}Body`] = handler.schema;
    messages[requestName] = {
      name: requestName,
      title: `Request to handler ${id}`,
      summary: handler.summary ?? `A request to HandlerID ${id}.`,
      contentType: 'application/json',
      correlationId: CORRELATION,
      payload: requestPayload(handler),
    };
    const replies = [channelMessage('ack'), channelMessage('error')];
    for (const [i, response] of (handler.responds ?? []).entries()) {
      const name = `response${id}_${i + 1}`;
      if (response.schema !== undefined) schemas[`Handler${id}Response${i + 1}Body`] = response.schema;
      messages[name] = {
        name,
        title: `${castTypeName(response.castType)} cast of handler ${id}`,
        summary: response.summary ?? `What handler ${id} casts to ${castTypeName(response.castType)}.`,
        contentType: 'application/json',
        payload: responsePayload(id, response, response.schema === undefined ? undefined : `#/components/schemas/Handler${id}Response${i + 1}Body`),
      };
      replies.push(channelMessage(name));
    }
    operations[`handle${id}`] = {
      action: 'receive',
      channel: ref(`#/channels/${CHANNEL}`),
      title: `Handler ${id}`,
      summary: handler.summary ?? `Handles requests with HandlerID ${id}.`,
      ...(handler.description === undefined ? {} : { description: handler.description }),
      messages: [channelMessage(requestName)],
      reply: { channel: ref(`#/channels/${CHANNEL}`), messages: replies },
    };
  }

  const channelMessages = Object.fromEntries(Object.keys(messages).map((name) => [name, ref(`#/components/messages/${name}`)]));
  return {
    asyncapi: '3.0.0',
    info: {
      title: source.title,
      version: source.version,
      description: source.description ?? `The WebSocket contract of ${source.title}: requests chosen by HandlerID, casts, acks and errors (nestjs-message-broadcaster).`,
    },
    defaultContentType: 'application/json',
    servers: {
      ws: { host: source.host, protocol: 'ws', pathname: source.path, description: 'The WebSocket endpoint; one JSON object per frame.' },
    },
    channels: {
      [CHANNEL]: { address: source.path, title: 'The WebSocket endpoint', messages: channelMessages, servers: [ref('#/servers/ws')] },
    },
    operations,
    components: { messages, schemas },
  };
}

/** The request frame of `handler`: HandlerID fixed, the body as the handler reads it. */
function requestPayload(handler: HandlerContract): JsonSchema {
  const body =
    handler.body === 'json'
      ? {
          type: ['string', 'null'],
          contentEncoding: 'base64',
          contentMediaType: 'application/json',
          description:
            handler.schema === undefined
              ? 'Base64 of UTF-8 JSON.'
              : `Base64 of UTF-8 JSON, of the schema Handler${handler.handlerId}Body (in the components).`,
        }
      : { type: ['string', 'null'], contentEncoding: 'base64', description: 'Base64 of the request bytes.' };
  return {
    type: 'object',
    required: ['HandlerID'],
    properties: { HandlerID: { type: 'integer', const: handler.handlerId }, Body: body, RequestID: (FRAME_SCHEMAS.RequestFrame as { properties: Record<string, unknown> }).properties.RequestID },
  };
}

function responsePayload(handlerId: number, { castType, rooms }: CastContract, bodySchema: string | undefined): JsonSchema {
  const frame = FRAME_SCHEMAS.ResponseFrame as { required: string[]; properties: Record<string, unknown> };
  return {
    type: 'object',
    required: frame.required,
    properties: {
      ...frame.properties,
      HandlerID: { type: 'integer', const: handlerId },
      CastType: { type: 'integer', const: castType, description: castTypeName(castType) },
      ...(rooms === undefined ? {} : { CastFor: { type: 'array', items: { type: 'string', enum: [...rooms] }, description: 'The rooms it is cast to.' } }),
      Body: {
        type: ['string', 'null'],
        contentEncoding: 'base64',
        description: bodySchema === undefined ? 'Base64 of the response bytes.' : `Base64 of UTF-8 JSON, of the schema ${bodySchema.split('/').pop()} (in the components).`,
      },
    },
  };
}

function castTypeName(castType: number): string {
  return CastType[castType] ?? `cast type ${castType}`;
}

function sharedMessages(): Record<string, unknown> {
  const frame = (name: string, title: string, summary: string, schema: string, correlated = false) => ({
    name,
    title,
    summary,
    contentType: 'application/json',
    ...(correlated ? { correlationId: CORRELATION } : {}),
    payload: ref(`#/components/schemas/${schema}`),
  });
  return {
    joined: frame('joined', 'Client joined', 'A client joined; the joining client gets its own first.', 'JoinFrame'),
    left: frame('left', 'Client left', 'A client left.', 'LeaveFrame'),
    error: frame('error', 'Error', 'A request failed; sent to its sender only.', 'ErrorFrame', true),
    ack: frame('ack', 'Ack', 'A request with a RequestID was settled, after every frame it produced for its sender.', 'AckFrame', true),
    session: frame('session', 'Session', 'Protocol 1.2: the session of a client that asked for one.', 'SessionFrame'),
    recover: frame('recover', 'Recover', 'Protocol 1.2: asks for the publications of rooms after a position.', 'RecoverFrame', true),
    publication: frame('publication', 'Cast', 'A cast reaching this client (a publication of a room with history carries Offset and Epoch).', 'ResponseFrame'),
  };
}

function sharedOperations(): Record<string, unknown> {
  const channel = ref(`#/channels/${CHANNEL}`);
  return {
    announceJoin: { action: 'send', channel, title: 'Announce a join', summary: 'Tells the clients that a client joined.', messages: [channelMessage('joined')] },
    announceLeave: { action: 'send', channel, title: 'Announce a leave', summary: 'Tells the clients that a client left.', messages: [channelMessage('left')] },
    giveSession: { action: 'send', channel, title: 'Give a session', summary: 'Protocol 1.2: gives a client that asked for one its session.', messages: [channelMessage('session')] },
    cast: { action: 'send', channel, title: 'Cast', summary: 'Delivers a cast to the clients it reaches.', messages: [channelMessage('publication')] },
    recover: {
      action: 'receive',
      channel,
      title: 'Recover',
      summary: 'Protocol 1.2: answers a Recover frame with the publications asked for, then an ack.',
      messages: [channelMessage('recover')],
      reply: { channel, messages: [channelMessage('publication'), channelMessage('ack'), channelMessage('error')] },
    },
  };
}
