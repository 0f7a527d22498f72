export { All, CastType, EventType, Exclusive, OnAddClient, OnDelClient, Others, Self, newResponseMessage } from './core/message.js';
export type { Body, ClientId, EventMessage, RequestMessage, ResponseMessage } from './core/message.js';
export { BroadcasterException, ErrorCode, InvalidResponseError } from './core/errors.js';
export type { ClientSession, Conn } from './core/conn.js';
export type {
  BroadcasterLogger,
  EventHandlerFn,
  EventHandlers,
  HandlerContext,
  HandlerResult,
  MessageHandlerFn,
  MessageHandlers,
} from './core/handlers.js';
export { BroadcasterCore, type BroadcasterCoreOptions } from './core/broadcaster-core.js';
export { BroadcasterModule } from './nest/broadcaster.module.js';
export type { BroadcasterModuleAsyncOptions } from './nest/broadcaster.module-definition.js';
export type { BroadcasterModuleOptions, BroadcasterOptionsFactory } from './nest/broadcaster-options.interface.js';
export { Broadcaster } from './nest/broadcaster.service.js';
export { MessageHandler } from './nest/decorators/message-handler.decorator.js';
export { OnEvent } from './nest/decorators/on-event.decorator.js';
