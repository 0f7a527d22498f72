export { All, CastType, EventType, Exclusive, OnAddClient, OnDelClient, Others, Self, newResponseMessage } from './core/message.js';
export type { Body, ClientId, EventMessage, RequestMessage, ResponseMessage } from './core/message.js';
export { BroadcasterException, CloseCode, ErrorCode, InvalidResponseError } from './core/errors.js';
export type { Backlog, ClientSession, Conn } from './core/conn.js';
export type { RateLimit } from './core/rate-limiter.js';
export type { BroadcasterStats } from './core/stats.js';
export type {
  BroadcasterLogger,
  ClientIdentity,
  ClientRequestInfo,
  EventHandlerFn,
  EventHandlers,
  HandlerContext,
  HandlerResult,
  MessageHandlerFn,
  MessageHandlers,
} from './core/handlers.js';
export { BroadcasterCore } from './core/broadcaster-core.js';
export type { BroadcasterCoreOptions, BroadcasterSettings, SlowClientPolicy } from './core/core-options.js';
export type { Backplane, BackplaneListener } from './core/cluster/backplane.js';
export type { ClusterStats } from './core/cluster/cluster.js';
export { InMemoryBackplane, InMemoryHub } from './core/cluster/in-memory-backplane.js';
export { RedisBackplane, type RedisBackplaneOptions } from './redis/redis-backplane.js';
export { BroadcasterModule } from './nest/broadcaster.module.js';
export type { BroadcasterModuleAsyncOptions } from './nest/broadcaster.module-definition.js';
export type { AuthenticateFn, OriginPredicate, TransportSettings } from './ws/transport-options.js';
export type { BroadcasterModuleOptions, BroadcasterOptionsFactory } from './nest/broadcaster-options.interface.js';
export { Broadcaster } from './nest/broadcaster.service.js';
export { MessageHandler } from './nest/decorators/message-handler.decorator.js';
export { OnEvent } from './nest/decorators/on-event.decorator.js';
