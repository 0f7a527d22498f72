// Discovery: the @MessageHandler and @OnEvent methods of every provider, handed to the core.
import { Inject, Injectable, type OnModuleInit } from '@nestjs/common';
import { DiscoveryService, MetadataScanner } from '@nestjs/core';
import type { BroadcasterCore } from '../core/broadcaster-core.js';
import type { EventHandlerFn, MessageHandlerFn } from '../core/handlers.js';
import { EventType } from '../core/message.js';
import { BroadcasterMetadataAccessor } from './broadcaster-metadata.accessor.js';
import { BROADCASTER_CORE, TRACER } from './broadcaster.constants.js';
import { tracedHandler } from '../tracing/traced-handler.js';
import type { HandlerContract } from '../asyncapi/handler-contract.js';
import type { Tracer } from '../tracing/tracer.js';
import { DUPLICATE_EVENT_HANDLER, DUPLICATE_MESSAGE_HANDLER, DUPLICATE_MODULE } from './broadcaster.messages.js';
import { HandlerFactory } from './handlers/handler-factory.js';
import type { HandlerMethod, HandlerTarget } from './handlers/handler-target.js';

/**
 * Finds `@MessageHandler` and `@OnEvent` methods on every provider and hands the core
 * its handler maps. Runs in `onModuleInit`, so a duplicate makes `app.init()` fail.
 */
@Injectable()
export class BroadcasterExplorer implements OnModuleInit {
  /** What the contract document says of each message handler found, once discovery ran. */
  readonly contracts: HandlerContract[] = [];

  constructor(
    private readonly discovery: DiscoveryService,
    private readonly scanner: MetadataScanner,
    private readonly metadata: BroadcasterMetadataAccessor,
    private readonly handlers: HandlerFactory,
    @Inject(BROADCASTER_CORE) private readonly core: BroadcasterCore,
    @Inject(TRACER) private readonly tracer: Tracer | null,
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
        const entries = this.metadata.messageHandlers(method);
        const eventTypes = this.metadata.eventTypes(method);
        if (entries.length === 0 && eventTypes.length === 0) continue;

        const target: HandlerTarget = {
          wrapper,
          instance,
          method,
          methodName,
          place: `${instance.constructor.name}#${methodName}`,
        };
        for (const { handlerId, body, contract } of entries) {
          this.contracts.push({ handlerId, body, ...definedOnly(contract ?? {}) });
          const handler = this.handlers.messageHandler(target, body);
          const traced = this.tracer === null ? handler : tracedHandler(handlerId, handler, this.tracer);
          register(messageHandlers, handlerId, traced, (first) =>
            DUPLICATE_MESSAGE_HANDLER(handlerId, first, target.place),
          );
        }
        for (const eventType of eventTypes) {
          register(eventHandlers, eventType, this.handlers.eventHandler(target), (first) =>
            DUPLICATE_EVENT_HANDLER(EventType[eventType], first, target.place),
          );
        }
      }
    }
    this.core.setHandlers(messageHandlers, eventHandlers);
  }
}

/** `contract` without its undefined keys. */
function definedOnly<T extends object>(contract: T): Partial<T> {
  return Object.fromEntries(Object.entries(contract).filter(([, value]) => value !== undefined)) as Partial<T>;
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
