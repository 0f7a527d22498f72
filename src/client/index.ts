// nestjs-message-broadcaster/client: a client for browsers and Node, with no dependencies.
export { BroadcastClient, connect } from './broadcast-client.js';
export type { ClientOptions, ClientState, ReconnectInfo, WebSocketConstructor, WebSocketLike } from './client-options.js';
export { BroadcastError } from './broadcast-error.js';
export { CastType, type OutgoingBody, type Response } from './messages.js';
export type { Backoff } from './backoff.js';
export type { ApiShape, HandlerIdOf, RequestBodyOf, ResponseBodyOf, UntypedApi } from './api-types.js';
