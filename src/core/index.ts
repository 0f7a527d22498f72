// nestjs-message-broadcaster/core: the routing core alone, with nothing of Nest, ws or Redis.
export {
  All,
  CastType,
  EventType,
  Exclusive,
  OnAddClient,
  OnDelClient,
  OnJoinRoom,
  OnLeaveRoom,
  OnAway,
  OnResume,
  Others,
  Room,
  RoomOthers,
  Self,
  newResponseMessage,
} from './message.js';
export { MAX_ROOM_NAME_LENGTH, isRoomName } from './rooms.js';
export type { Body, ClientId, EventMessage, RequestMessage, ResponseMessage } from './message.js';
export { BroadcasterException, CloseCode, ErrorCode, InvalidResponseError, type RefusalCode } from './errors.js';
export { OutgoingFrame, type BacklogLimits, type CastLane, type ClientSession, type Conn, type LaneSeat } from './conn.js';
export type { SessionRequest } from './session/session-request.js';
export type { SessionSettings } from './session/session-settings.js';
export type { Presence, PresenceEntry } from './presence/presence.js';
export type { PresenceInfoFn } from './presence/presence-info.js';
export type { HistoryOptions, HistoryPage, HistoryPublication } from './history/history-page.js';
export type { HistoryPolicy, HistorySettings, RoomHistoryConfig } from './history/history-settings.js';
export type { HistoryPosition } from './history/room-log.js';
export type { HistoryStats } from './history/room-history.js';
export type { HandlerMeter, HandlerTally } from './handler-meter.js';
export type { RateLimit } from './rate-limiter.js';
export type { CoreStats } from './stats.js';
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
} from './handlers.js';
export { BroadcasterCore } from './broadcaster-core.js';
export type { BroadcasterCoreOptions, BroadcasterSettings, SlowClientPolicy, UserRoomFn } from './core-options.js';
export type { Backplane, BackplaneListener } from './cluster/backplane.js';
export type { ClusterStats } from './cluster/cluster.js';
export { InMemoryBackplane, InMemoryHub } from './cluster/in-memory-backplane.js';
export {
  WorkerBackplane,
  relayWorkerBackplanes,
  type WorkerBackplaneOptions,
  type WorkerRelay,
  type WorkerRelayStats,
} from './cluster/worker-backplane.js';
export type { DisconnectOptions } from './disconnect.js';
