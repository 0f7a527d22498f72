import { EventType } from '../../core/message.js';
import { EVENT_HANDLER_METADATA } from '../broadcaster.constants.js';
import { INVALID_EVENT_TYPE } from '../broadcaster.messages.js';
import { appendMetadata } from './append-metadata.js';

/**
 * Marks a provider method as the handler of a client event (`OnAddClient` or
 * `OnDelClient`). It is called as `(ev: EventMessage, ctx: HandlerContext)` after the
 * event has been announced, and may return responses like a message handler.
 */
export function OnEvent(eventType: EventType): MethodDecorator {
  if (eventType !== EventType.OnAddClient && eventType !== EventType.OnDelClient) {
    throw new TypeError(INVALID_EVENT_TYPE(eventType));
  }
  return appendMetadata(EVENT_HANDLER_METADATA, eventType);
}
