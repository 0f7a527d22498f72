// Reading what @MessageHandler and @OnEvent stored on a method.
import { Injectable } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { EventType } from '../core/message.js';
import { EVENT_HANDLER_METADATA, MESSAGE_HANDLER_METADATA } from './broadcaster.constants.js';
import type { MessageHandlerEntry } from './decorators/message-handler.decorator.js';

/** Reads what `@MessageHandler` and `@OnEvent` stored on a method. */
@Injectable()
export class BroadcasterMetadataAccessor {
  constructor(private readonly reflector: Reflector) {}

  messageHandlers(method: object): MessageHandlerEntry[] {
    return this.reflector.get<MessageHandlerEntry[] | undefined>(MESSAGE_HANDLER_METADATA, method as () => unknown) ?? [];
  }

  eventTypes(method: object): EventType[] {
    return this.reflector.get<EventType[] | undefined>(EVENT_HANDLER_METADATA, method as () => unknown) ?? [];
  }
}
