// nestjs-message-broadcaster/ws: the WebSocket transport, to carry the core over any `ws` server.
export { WsTransport, type TransportStats, type WsTransportPlacement } from './ws-transport.js';
export { BroadcasterSocket } from './broadcaster-socket.js';
export {
  resolveTransportSettings,
  type AuthenticateFn,
  type OriginPredicate,
  type ResolvedTransportSettings,
  type TransportSettings,
} from './transport-options.js';
