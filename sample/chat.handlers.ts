import { Injectable } from '@nestjs/common';
import {
  All,
  Broadcaster,
  BroadcasterException,
  Exclusive,
  MessageHandler,
  Others,
  Self,
  newResponseMessage,
  type HandlerContext,
  type RequestMessage,
  type ResponseMessage,
} from 'nestjs-message-broadcaster';

/** HandlerIDs this sample serves. */
export const ECHO = 1;
export const WHO = 2;
export const RELAY = 3;
export const DIRECT = 4;

/** What WHO answers, for the contract document. */
const WHO_REPLY = {
  type: 'object',
  properties: {
    you: { type: 'string' },
    clients: { type: 'array', items: { type: 'string' } },
    people: {
      type: 'array',
      items: { type: 'object', properties: { id: { type: 'string' }, name: { type: ['string', 'null'] }, away: { type: 'boolean' } } },
    },
  },
} as const;

@Injectable()
export class ChatHandlers {
  constructor(private readonly broadcaster: Broadcaster) {}

  /** The original example's handler: echo the body to every client. */
  @MessageHandler(ECHO, { summary: 'Echoes the body to every client.', responds: [{ castType: All, summary: 'The same bytes, to everyone.' }] })
  echo(msg: RequestMessage): ResponseMessage {
    return newResponseMessage(All, msg.body);
  }

  /**
   * Tells the sender alone who is connected, as JSON: their IDs, and for each its name
   * (the `user` it connected as) and whether it is away (its connection lost, its session
   * held for it).
   */
  @MessageHandler(WHO, {
    summary: 'Tells the sender who is connected.',
    responds: [{ castType: Self, summary: 'The connected clients, with their names and whether they are away.', schema: WHO_REPLY }],
  })
  who(_msg: RequestMessage, ctx: HandlerContext): ResponseMessage {
    const { clients } = this.broadcaster.presence();
    const people = clients.map(({ clientId, info, away }) => ({ id: clientId, name: (info as { name?: string } | null)?.name ?? null, away }));
    const payload = { you: ctx.clientId, clients: people.map((person) => person.id), people };
    return newResponseMessage(Self, JSON.stringify(payload));
  }

  /** Passes the body on to everyone but the sender (a "typing…" signal, say). */
  @MessageHandler(RELAY, { summary: 'Passes the body on to everyone but the sender.', responds: [{ castType: Others }] })
  relay(msg: RequestMessage): ResponseMessage {
    return newResponseMessage(Others, msg.body);
  }

  /** Sends `text` to the listed clients only: the body is JSON `{"to": [ids], "text": "…"}`. */
  @MessageHandler(DIRECT, {
    summary: 'Sends a text to the listed clients only.',
    description: 'The body is JSON `{"to": ["<client id>", …], "text": "…"}`.',
    schema: {
      type: 'object',
      required: ['to', 'text'],
      properties: { to: { type: 'array', items: { type: 'string' } }, text: { type: 'string' } },
    },
    responds: [{ castType: Exclusive, summary: 'The text, as UTF-8 bytes.' }],
  })
  direct(msg: RequestMessage): ResponseMessage {
    const { to, text } = parseDirect(msg.body);
    return newResponseMessage(Exclusive, text, ...to);
  }
}

function parseDirect(body: Buffer): { to: string[]; text: string } {
  let parsed: unknown;
  try {
    parsed = JSON.parse(body.toString('utf8'));
  } catch {
    parsed = undefined;
  }
  const { to, text } = (parsed ?? {}) as { to?: unknown; text?: unknown };
  if (!Array.isArray(to) || !to.every((id) => typeof id === 'string') || typeof text !== 'string') {
    throw new BroadcasterException('handler 4 expects a body of JSON {"to": ["<client id>", …], "text": "…"}');
  }
  return { to, text };
}
