import { MESSAGE_HANDLER_METADATA } from '../broadcaster.constants.js';
import { INVALID_HANDLER_ID } from '../broadcaster.messages.js';
import { appendMetadata } from './append-metadata.js';

/**
 * Marks a provider method as the handler of requests with this `HandlerID`.
 * It is called as `(msg: RequestMessage, ctx: HandlerContext)` and returns a
 * `ResponseMessage`, a list of them, nothing, or a Promise of one of these.
 * Stack it to serve several IDs with one method.
 */
export function MessageHandler(handlerId: number): MethodDecorator {
  if (!Number.isSafeInteger(handlerId)) throw new TypeError(INVALID_HANDLER_ID(handlerId));
  return appendMetadata(MESSAGE_HANDLER_METADATA, handlerId);
}
