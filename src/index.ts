// nestjs-message-broadcaster: the Nest module, with the core and the WebSocket transport it
// runs. The Redis backplane is imported from nestjs-message-broadcaster/redis.
export * from './core/index.js';
export * from './ws/index.js';
export { BroadcasterModule } from './nest/broadcaster.module.js';
export type { BroadcasterModuleAsyncOptions } from './nest/broadcaster.module-definition.js';
export type { BroadcasterModuleOptions, BroadcasterOptionsFactory } from './nest/broadcaster-options.interface.js';
export { Broadcaster, type BroadcasterStats } from './nest/broadcaster.service.js';
export type { BroadcasterMetricsOptions, MetricsRegistry } from './metrics/metrics-options.js';
export { adminBasicAuth, type BroadcasterAdminOptions } from './admin/admin-options.js';
export type { AsyncApiDocument } from './asyncapi/asyncapi-document.js';
export type { AsyncApiInfo, BroadcasterAsyncApiOptions } from './asyncapi/asyncapi-options.js';
export { toYaml } from './asyncapi/to-yaml.js';
export type { CastContract, HandlerContract, JsonSchema } from './asyncapi/handler-contract.js';
export {
  MessageHandler,
  type BodyMode,
  type MessageHandlerOptions,
} from './nest/decorators/message-handler.decorator.js';
export { OnEvent } from './nest/decorators/on-event.decorator.js';
