// @MessageHandler: a provider method as the handler of a HandlerID.
import type { CastContract, HandlerContract, JsonSchema } from '../../asyncapi/handler-contract.js';
import { MESSAGE_HANDLER_METADATA } from '../broadcaster.constants.js';
import { INVALID_BODY_MODE, INVALID_HANDLER_ID } from '../broadcaster.messages.js';
import { appendMetadata } from './append-metadata.js';

/** How a handler's body reaches `@MessageBody()`, pipes and `switchToWs().getData()`. */
export type BodyMode = 'bytes' | 'json';

/** Options of {@link MessageHandler}. */
export interface MessageHandlerOptions {
  /**
   * `'bytes'` (default): the body is a `Buffer`. `'json'`: the body is read as UTF-8 JSON
   * before any pipe runs, so a DTO with `ValidationPipe` works; a body that is not JSON is
   * refused with `invalid_body`. `msg.body` stays the raw bytes either way.
   */
  body?: BodyMode;
  /** One line on what the handler does, for the contract document (`Broadcaster.asyncapi()`). */
  summary?: string;
  /** More on what it does (Markdown), for the contract document. */
  description?: string;
  /** The JSON Schema of its body (with `body: 'json'`), for the contract document. */
  schema?: JsonSchema;
  /** What it casts, for the contract document: each cast type it may answer with, the rooms when known, and its body. */
  responds?: ReadonlyArray<CastContract>;
}

/** What `@MessageHandler` stores for each HandlerID a method serves. */
export interface MessageHandlerEntry {
  handlerId: number;
  body: BodyMode;
  /** What the contract document says of it. */
  contract: Omit<HandlerContract, 'handlerId' | 'body'>;
}

/**
 * Marks a provider method as the handler of requests with this `HandlerID`.
 * Without parameter decorators it is called as `(msg: RequestMessage, ctx: HandlerContext)`;
 * with `@MessageBody()` / `@ConnectedSocket()` (or custom ones) it gets what they ask for.
 * It returns a `ResponseMessage`, a list of them, nothing, or a Promise or Observable of
 * these. Guards, pipes, interceptors and filters apply as on any Nest handler.
 * Stack it to serve several IDs with one method.
 */
export function MessageHandler(handlerId: number, options: MessageHandlerOptions = {}): MethodDecorator {
  if (!Number.isSafeInteger(handlerId)) throw new TypeError(INVALID_HANDLER_ID(handlerId));
  const body = options.body ?? 'bytes';
  if (body !== 'bytes' && body !== 'json') throw new TypeError(INVALID_BODY_MODE(body));
  const { summary, description, schema, responds } = options;
  return appendMetadata<MessageHandlerEntry>(MESSAGE_HANDLER_METADATA, { handlerId, body, contract: { summary, description, schema, responds } });
}
