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

@Injectable()
export class ChatHandlers {
  constructor(private readonly broadcaster: Broadcaster) {}

  /** The original example's handler: echo the body to every client. */
  @MessageHandler(ECHO)
  echo(msg: RequestMessage): ResponseMessage {
    return newResponseMessage(All, msg.body);
  }

  /**
   * Tells the sender alone who is connected, as JSON: their IDs, and for each its name
   * (the `user` it connected as) and whether it is away (its connection lost, its session
   * held for it).
   */
  @MessageHandler(WHO)
  who(_msg: RequestMessage, ctx: HandlerContext): ResponseMessage {
    const { clients } = this.broadcaster.presence();
    const people = clients.map(({ clientId, info, away }) => ({ id: clientId, name: (info as { name?: string } | null)?.name ?? null, away }));
    const payload = { you: ctx.clientId, clients: people.map((person) => person.id), people };
    return newResponseMessage(Self, JSON.stringify(payload));
  }

  /** Passes the body on to everyone but the sender (a "typing…" signal, say). */
  @MessageHandler(RELAY)
  relay(msg: RequestMessage): ResponseMessage {
    return newResponseMessage(Others, msg.body);
  }

  /** Sends `text` to the listed clients only: the body is JSON `{"to": [ids], "text": "…"}`. */
  @MessageHandler(DIRECT)
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
