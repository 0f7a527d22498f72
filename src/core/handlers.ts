// What handlers are: their functions, their context, and the logger the core reports to.
import type { ClientId, EventMessage, EventType, RequestMessage, ResponseMessage } from './message.js';

/** What the server knows about the client a handler runs for. */
export interface HandlerContext {
  /** The client that sent the request, or that joined or left. */
  readonly clientId: ClientId;
  /** What the `authenticate` hook returned for this client; `undefined` without one. */
  readonly principal: unknown;
  /** The client's connect request, where the transport has one. */
  readonly request: ClientRequestInfo | undefined;
  /** The rooms the client is in now. */
  readonly rooms: readonly string[];
  /** Puts the client in a room (no-op when it is in it already); throws `TypeError` on a bad name. */
  join(room: string): void;
  /** Takes the client out of a room (no-op when it is not in it). */
  leave(room: string): void;
}

/** What a client's connect (upgrade) request said. */
export interface ClientRequestInfo {
  readonly url: string;
  readonly headers: Readonly<Record<string, string | string[] | undefined>>;
  readonly remoteAddress: string | undefined;
}

/** Who a client is, as the transport learned at connect time. */
export interface ClientIdentity {
  principal?: unknown;
  request?: ClientRequestInfo;
}

/** What a handler may return: one response, several (delivered in order), or nothing. */
export type HandlerResult = ResponseMessage | readonly ResponseMessage[] | null | undefined | void;

/** Handles requests for one HandlerID. */
export type MessageHandlerFn = (msg: RequestMessage, ctx: HandlerContext) => HandlerResult | Promise<HandlerResult>;

/** Handles one kind of client event (join or leave). */
export type EventHandlerFn = (ev: EventMessage, ctx: HandlerContext) => HandlerResult | Promise<HandlerResult>;

/** Message handlers by HandlerID. */
export type MessageHandlers = ReadonlyMap<number, MessageHandlerFn>;

/** Event handlers by event type. */
export type EventHandlers = ReadonlyMap<EventType, EventHandlerFn>;

/** Where the core reports what an operator needs to know. Nest's `Logger` fits. */
export interface BroadcasterLogger {
  log(message: string): void;
  warn(message: string): void;
  error(message: string, stack?: string): void;
}
