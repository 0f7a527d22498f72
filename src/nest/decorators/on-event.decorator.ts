// @OnEvent: a provider method as the handler of a client event.
import { EventType } from '../../core/message.js';
import { EVENT_HANDLER_METADATA } from '../broadcaster.constants.js';
import { INVALID_EVENT_TYPE } from '../broadcaster.messages.js';
import { appendMetadata } from './append-metadata.js';

const EVENT_TYPES = [
  EventType.OnAddClient,
  EventType.OnDelClient,
  EventType.OnJoinRoom,
  EventType.OnLeaveRoom,
  EventType.OnAway,
  EventType.OnResume,
];

/**
 * Marks a provider method as the handler of a client event: `OnAddClient` or
 * `OnDelClient` (run after the event has been announced), `OnJoinRoom` or `OnLeaveRoom`
 * (run on the instance holding the client, after its membership changed; `ev.room` names
 * the room; a disconnect runs `OnLeaveRoom` for each of its rooms, after `OnDelClient`),
 * `OnAway` or `OnResume` (a session client lost its connection, or took its session back:
 * neither is announced to anyone, and the client stays a member of its rooms throughout).
 * It is called as `(ev: EventMessage, ctx: HandlerContext)` and may return responses like
 * a message handler.
 */
export function OnEvent(eventType: EventType): MethodDecorator {
  if (!EVENT_TYPES.includes(eventType)) {
    throw new TypeError(INVALID_EVENT_TYPE(eventType));
  }
  return appendMetadata(EVENT_HANDLER_METADATA, eventType);
}
