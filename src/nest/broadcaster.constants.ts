// The Nest layer's injection tokens and metadata keys.
/** Metadata key of `@MessageHandler`: the HandlerIDs a method serves. */
export const MESSAGE_HANDLER_METADATA = 'nestjs-message-broadcaster:message-handler';
/** Metadata key of `@OnEvent`: the event types a method handles. */
export const EVENT_HANDLER_METADATA = 'nestjs-message-broadcaster:event-handler';
/** Injection token of the routing core. */
export const BROADCASTER_CORE = Symbol('BROADCASTER_CORE');
/** Name under which the module logs. */
export const LOGGER_CONTEXT = 'BroadcasterModule';

/** Injection token of the options with their defaults filled in. */
export const RESOLVED_OPTIONS = Symbol('BROADCASTER_RESOLVED_OPTIONS');
/** Injection token of the WebSocket transport. */
export const WS_TRANSPORT = Symbol('BROADCASTER_WS_TRANSPORT');
/** Injection token of the OpenTelemetry tracer (`null` without the `tracing` option). */
export const TRACER = Symbol('BROADCASTER_TRACER');
/** Injection token of the module's logger: Nest's, under LOGGER_CONTEXT, each line saying which instance wrote it. */
export const MODULE_LOGGER = Symbol('BROADCASTER_MODULE_LOGGER');
