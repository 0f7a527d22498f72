import { Inject, Injectable, Logger, type OnModuleInit } from '@nestjs/common';
import { DiscoveryService, MetadataScanner } from '@nestjs/core';
import type { BroadcasterCore } from '../core/broadcaster-core.js';
import type { EventHandlerFn, MessageHandlerFn } from '../core/handlers.js';
import { EventType } from '../core/message.js';
import { BroadcasterMetadataAccessor } from './broadcaster-metadata.accessor.js';
import { BROADCASTER_CORE, LOGGER_CONTEXT } from './broadcaster.constants.js';
import {
  DUPLICATE_EVENT_HANDLER,
  DUPLICATE_MESSAGE_HANDLER,
  DUPLICATE_MODULE,
  REQUEST_SCOPED_HANDLER,
} from './broadcaster.messages.js';

type HandlerMethod = (...args: unknown[]) => unknown;

/**
 * Finds `@MessageHandler` and `@OnEvent` methods on every provider and hands the core
 * its handler maps. Runs in `onModuleInit`, so a duplicate makes `app.init()` fail.
 */
@Injectable()
export class BroadcasterExplorer implements OnModuleInit {
  private readonly logger = new Logger(LOGGER_CONTEXT);

  constructor(
    private readonly discovery: DiscoveryService,
    private readonly scanner: MetadataScanner,
    private readonly metadata: BroadcasterMetadataAccessor,
    @Inject(BROADCASTER_CORE) private readonly core: BroadcasterCore,
  ) {}

  onModuleInit(): void {
    const messageHandlers = new Map<number, MessageHandlerFn>();
    const eventHandlers = new Map<EventType, EventHandlerFn>();
    const providers = this.discovery.getProviders();
    // Two registrations would open two endpoints, each with handlers of its own, while
    // an injected Broadcaster reaches only one of them.
    const registrations = providers.filter((wrapper) => wrapper.instance instanceof BroadcasterExplorer).length;
    if (registrations > 1) throw new Error(DUPLICATE_MODULE(registrations));

    for (const wrapper of providers) {
      const instance: unknown = wrapper.instance;
      if (wrapper.isAlias || typeof instance !== 'object' || instance === null) continue;
      const prototype: unknown = Object.getPrototypeOf(instance);
      if (!prototype) continue;

      for (const methodName of this.scanner.getAllMethodNames(prototype)) {
        const method = (prototype as Record<string, HandlerMethod>)[methodName];
        const handlerIds = this.metadata.handlerIds(method);
        const eventTypes = this.metadata.eventTypes(method);
        if (handlerIds.length === 0 && eventTypes.length === 0) continue;

        const place = `${instance.constructor.name}#${methodName}`;
        if (!wrapper.isDependencyTreeStatic()) {
          this.logger.warn(REQUEST_SCOPED_HANDLER(place));
          continue;
        }
        const handler = bindHandler(instance, method, place);
        for (const handlerId of handlerIds) {
          register(messageHandlers, handlerId, handler, (first) =>
            DUPLICATE_MESSAGE_HANDLER(handlerId, first, place),
          );
        }
        for (const eventType of eventTypes) {
          register(eventHandlers, eventType, handler, (first) =>
            DUPLICATE_EVENT_HANDLER(EventType[eventType], first, place),
          );
        }
      }
    }
    this.core.setHandlers(messageHandlers, eventHandlers);
  }
}

/** The method bound to its instance, named `Class#method` for the core's error logs. */
function bindHandler(instance: object, method: HandlerMethod, place: string): MessageHandlerFn & EventHandlerFn {
  const handler = (message: never, ctx: never) => method.call(instance, message, ctx);
  Object.defineProperty(handler, 'name', { value: place });
  return handler as MessageHandlerFn & EventHandlerFn;
}

function register<K, F extends { name: string }>(
  handlers: Map<K, F>,
  key: K,
  handler: F,
  duplicateMessage: (first: string) => string,
): void {
  const existing = handlers.get(key);
  if (existing !== undefined) throw new Error(duplicateMessage(existing.name));
  handlers.set(key, handler);
}
