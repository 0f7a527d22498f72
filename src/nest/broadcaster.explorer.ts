// Discovery: the @MessageHandler and @OnEvent methods of every provider, handed to the core.
import { Inject, Injectable, type OnModuleInit } from '@nestjs/common';
import { DiscoveryService, MetadataScanner } from '@nestjs/core';
import type { BroadcasterCore } from '../core/broadcaster-core.js';
import type { EventHandlerFn, MessageHandlerFn } from '../core/handlers.js';
import { EventType } from '../core/message.js';
import { BroadcasterMetadataAccessor } from './broadcaster-metadata.accessor.js';
import { BROADCASTER_CORE, TRACER } from './broadcaster.constants.js';
import { tracedHandler } from '../tracing/traced-handler.js';
import type { HandlerContract, JsonSchema } from '../asyncapi/handler-contract.js';
import { dtoSchemas, DTO_REF_PREFIX, reachableSchemas } from '../asyncapi/dto-schemas.js';
import { ROUTE_ARGS_METADATA } from './handlers/nest-metadata-keys.js';
import { PAYLOAD_PARAM } from './handlers/handler-args.js';
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
  /** The schemas of the DTOs the handlers take, and of those nested in them, by class name. */
  dtoSchemas: Record<string, JsonSchema> = {};

  constructor(
    private readonly discovery: DiscoveryService,
    private readonly scanner: MetadataScanner,
    private readonly metadata: BroadcasterMetadataAccessor,
    private readonly handlers: HandlerFactory,
    @Inject(BROADCASTER_CORE) private readonly core: BroadcasterCore,
    @Inject(TRACER) private readonly tracer: Tracer | null,
  ) {}

  async onModuleInit(): Promise<void> {
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
        const dto = bodyClassOf(prototype, methodName);
        for (const { handlerId, body, contract } of entries) {
          const documented = { handlerId, body, ...definedOnly(contract ?? {}) };
          this.contracts.push(body === 'json' && documented.schema === undefined && dto !== undefined ? { ...documented, dto } : documented);
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
    await this.describeDtos();
  }

  /** Gives the handlers that take a DTO its schema, when class-validator-jsonschema is there to make it. */
  private async describeDtos(): Promise<void> {
    if (!this.contracts.some((contract) => contract.dto !== undefined)) return;
    const all = await dtoSchemas();
    if (all === null) return;
    for (const [i, contract] of this.contracts.entries()) {
      const schema = contract.dto === undefined ? undefined : all[contract.dto];
      if (schema === undefined) continue;
      this.contracts[i] = { ...contract, schema: { $ref: `${DTO_REF_PREFIX}${contract.dto}` } };
      Object.assign(this.dtoSchemas, reachableSchemas(contract.dto!, all));
    }
  }
}

/**
 * The class of the whole body a method takes through `@MessageBody()` (with no field), as
 * TypeScript's emitted parameter types tell; `undefined` for none or a plain type.
 */
function bodyClassOf(prototype: object, methodName: string): string | undefined {
  const params = Reflect.getMetadata(ROUTE_ARGS_METADATA, prototype.constructor, methodName) as Record<string, { index: number; data?: unknown }> | undefined;
  const whole = Object.entries(params ?? {}).find(([key, param]) => key.startsWith(`${PAYLOAD_PARAM}:`) && (param.data === undefined || param.data === ''));
  if (whole === undefined) return undefined;
  const types = Reflect.getMetadata('design:paramtypes', prototype, methodName) as unknown[] | undefined;
  const type = types?.[whole[1].index];
  if (typeof type !== 'function' || PLAIN_TYPES.has(type)) return undefined;
  return type.name;
}

const PLAIN_TYPES = new Set<unknown>([Object, String, Number, Boolean, Array, Buffer]);

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
