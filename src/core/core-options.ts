// The core's settings: what they mean, their defaults, and their checks.
import type { Backplane } from './cluster/backplane.js';
import type { ClusterOptions } from './cluster/cluster.js';
import type { BroadcasterLogger, ClientRequestInfo, EventHandlers, MessageHandlers } from './handlers.js';
import { checkOption, isPositiveInteger, isWhole } from './option-checks.js';
import type { PresenceInfoFn } from './presence/presence-info.js';
import { resolveHistorySettings, type HistorySettings } from './history/history-settings.js';
import { checkSessionSettings, resolveSessionSettings, type SessionSettings } from './session/session-settings.js';
import { assertRateLimit, type RateLimit } from './rate-limiter.js';

/** See {@link BroadcasterSettings.slowClientPolicy}. */
export type SlowClientPolicy = 'close' | 'drop';

/** How the routing core behaves: the options it shares with `BroadcasterModule`. */
export interface BroadcasterSettings extends SessionSettings, HistorySettings {
  /**
   * Announce every join and leave (OnAddClient / OnDelClient) to every client. `false`
   * keeps client IDs private: a joining client still receives its own OnAddClient.
   * @default true
   */
  announceClients?: boolean;
  /**
   * Unsent bytes one client may have waiting before it counts as slow.
   * @default 1048576 (1 MiB)
   */
  maxBufferedBytes?: number;
  /**
   * Unsent messages one client may have waiting before it counts as slow.
   * @default 1000
   */
  maxBufferedMessages?: number;
  /**
   * What happens to a slow client: `'close'` disconnects it with 1013 and announces it
   * as left; `'drop'` skips messages for it and counts them in `stats().drops`.
   * @default 'close'
   */
  slowClientPolicy?: SlowClientPolicy;
  /**
   * Per-client rate limit (token bucket). Over it a frame is answered with
   * `rate_limited` and not processed; more than `floodThreshold` refusals in one
   * second disconnect the client with 1008.
   * @default undefined (no limit)
   */
  rateLimit?: RateLimit;
  /**
   * Milliseconds a message or event handler may take to settle. Past it the client gets
   * a `handler_timeout` error, its next requests are answered, and whatever the handler
   * produces later is dropped and logged. `0` turns it off.
   * @default 30000
   */
  handlerTimeout?: number;
  /**
   * Requests of one client that may wait for their handlers at once. Past it a request
   * is refused with `rate_limited` without being read; a client that keeps sending until
   * twice this many wait is disconnected with 1008. Bounds what one client can make the
   * server hold (its requests' bodies, their handlers' work).
   * @default 128
   */
  maxRequestsInFlight?: number;
  /**
   * Rooms one client may be in at once. Past it a join fails: `ctx.join()` throws (the
   * request ends as `handler_error`) and `Broadcaster.join()` returns `false`.
   * @default 1000
   */
  maxRoomsPerClient?: number;
  /**
   * Makes this instance one node of a cluster that acts as one broadcaster, e.g.
   * `new RedisBackplane({ url: 'redis://127.0.0.1:6379' })`. Every instance gets its own.
   * @default undefined (a single node)
   */
  backplane?: Backplane;
  /**
   * Milliseconds between this node's heartbeats to the other nodes.
   * @default 2000
   */
  clusterHeartbeatInterval?: number;
  /**
   * Milliseconds without a heartbeat after which another node counts as dead: its
   * clients are announced as left and dropped from `clientIds()`. Detection takes up to
   * this plus one heartbeat interval.
   * @default 10000
   */
  nodeTimeout?: number;
  /**
   * A secret shared by every instance of the cluster. Each message between instances is
   * then signed (HMAC-SHA256) and a message without a valid signature is dropped, so
   * that other software able to publish on the backplane cannot reach clients.
   * @default undefined (messages are not signed)
   */
  clusterSecret?: string;
  /**
   * The most other instances this one keeps track of; messages from further ones are
   * dropped and counted.
   * @default 256
   */
  maxClusterNodes?: number;
  /**
   * Clients this instance believes one other instance of the cluster has: joins it
   * announces past this many are dropped and counted (`cluster.rejected`). What one
   * instance can make the others hold is bounded by this, times `maxClusterNodes`.
   * @default 100000
   */
  maxClientsPerInstance?: number;
  /**
   * Room memberships this instance believes one other instance has, like
   * {@link maxClientsPerInstance}.
   * @default 1000000
   */
  maxRoomMembershipsPerInstance?: number;
  /**
   * The longest message one instance publishes to the others or takes from them, in
   * bytes (characters: what crosses is ASCII but for room names). A cast too long for it
   * is refused as a whole (the handler's request ends as `handler_error`, a server
   * `cast()` throws), rather than reaching this instance's clients only; a longer message
   * from the backplane is dropped unread. Keep it below what the broker passes (Redis
   * drops a subscriber that falls 8 MiB behind for a minute).
   * @default 8388608 (8 MiB)
   */
  maxClusterMessageBytes?: number;
  /**
   * Per-user addressing: the room a connecting client joins, from what `authenticate`
   * returned for it and its connect request (e.g. `` (user) => `user:${user.id}` ``).
   * The client is in that room before its join is announced and before OnAddClient
   * handlers run, so a `Room` cast to it reaches every tab and device of that user, on
   * every instance. `undefined` (or a throw, which is logged) means no room.
   * @default undefined
   */
  userRoom?: UserRoomFn;
  /**
   * What presence shows of a client (`Broadcaster.presence()`, on every instance): a JSON
   * value of at most 1 KiB (a name, an avatar), from what `authenticate` returned for it
   * and its connect request. A throw or a larger value is logged, and the client has none.
   * @default undefined
   */
  presenceInfo?: PresenceInfoFn;
}

/** See {@link BroadcasterSettings.userRoom}. */
export type UserRoomFn = (principal: unknown, request: ClientRequestInfo | undefined) => string | undefined;

/** Options of the routing core: its settings, its handlers and its logger. */
export interface BroadcasterCoreOptions extends BroadcasterSettings {
  /** Message handlers by HandlerID. */
  messageHandlers?: MessageHandlers;
  /** Event handlers by event type. */
  eventHandlers?: EventHandlers;
  /** Where failures are reported. @default console */
  logger?: BroadcasterLogger;
}

type OptionalSettings = 'rateLimit' | 'backplane' | 'clusterSecret' | 'userRoom' | 'sessionSecret' | 'presenceInfo' | 'history';

/** The settings with their defaults filled in. */
export type ResolvedSettings = Required<Omit<BroadcasterSettings, OptionalSettings>> &
  Pick<BroadcasterSettings, OptionalSettings>;

/**
 * Checks the core's settings and fills in their defaults; throws a `TypeError` naming
 * the first bad one. Every setting is listed here, defaults included.
 */
export function resolveSettings(settings: BroadcasterSettings): ResolvedSettings {
  const resolved: ResolvedSettings = {
    announceClients: settings.announceClients ?? true,
    maxBufferedBytes: settings.maxBufferedBytes ?? 1024 * 1024,
    maxBufferedMessages: settings.maxBufferedMessages ?? 1000,
    slowClientPolicy: settings.slowClientPolicy ?? 'close',
    rateLimit: settings.rateLimit,
    handlerTimeout: settings.handlerTimeout ?? 30_000,
    maxRequestsInFlight: settings.maxRequestsInFlight ?? 128,
    maxRoomsPerClient: settings.maxRoomsPerClient ?? 1000,
    backplane: settings.backplane,
    clusterHeartbeatInterval: settings.clusterHeartbeatInterval ?? 2000,
    nodeTimeout: settings.nodeTimeout ?? 10_000,
    clusterSecret: settings.clusterSecret,
    maxClusterNodes: settings.maxClusterNodes ?? 256,
    maxClusterMessageBytes: settings.maxClusterMessageBytes ?? 8 * 1024 * 1024,
    maxClientsPerInstance: settings.maxClientsPerInstance ?? 100_000,
    maxRoomMembershipsPerInstance: settings.maxRoomMembershipsPerInstance ?? 1_000_000,
    userRoom: settings.userRoom,
    presenceInfo: settings.presenceInfo,
    ...resolveSessionSettings(settings, settings.clusterSecret),
    ...resolveHistorySettings(settings),
  };
  const { announceClients, maxBufferedBytes, maxBufferedMessages, slowClientPolicy, handlerTimeout } = resolved;
  checkOption('announceClients', typeof announceClients === 'boolean', 'a boolean', announceClients);
  checkOption('maxBufferedBytes', isPositiveInteger(maxBufferedBytes), 'a positive integer (bytes)', maxBufferedBytes);
  checkOption('maxBufferedMessages', isPositiveInteger(maxBufferedMessages), 'a positive integer', maxBufferedMessages);
  checkOption('slowClientPolicy', slowClientPolicy === 'close' || slowClientPolicy === 'drop', '"close" or "drop"', slowClientPolicy);
  if (resolved.rateLimit !== undefined) assertRateLimit(resolved.rateLimit);
  checkOption('handlerTimeout', isWhole(handlerTimeout), 'a whole number of milliseconds (0 = off)', handlerTimeout);
  checkOption('maxRequestsInFlight', isPositiveInteger(resolved.maxRequestsInFlight), 'a positive integer', resolved.maxRequestsInFlight);
  checkOption('maxRoomsPerClient', isPositiveInteger(resolved.maxRoomsPerClient), 'a positive integer', resolved.maxRoomsPerClient);
  checkOption('backplane', resolved.backplane === undefined || isBackplane(resolved.backplane), 'a Backplane (e.g. a RedisBackplane)', resolved.backplane);
  const { clusterHeartbeatInterval, nodeTimeout, clusterSecret, maxClusterNodes } = resolved;
  checkOption('clusterHeartbeatInterval', isPositiveInteger(clusterHeartbeatInterval), 'a positive number of milliseconds', clusterHeartbeatInterval);
  checkOption(
    'nodeTimeout',
    isPositiveInteger(nodeTimeout) && nodeTimeout > clusterHeartbeatInterval,
    'milliseconds, more than clusterHeartbeatInterval',
    nodeTimeout,
  );
  checkOption(
    'clusterSecret',
    clusterSecret === undefined || (typeof clusterSecret === 'string' && clusterSecret.length >= 16),
    'a string of at least 16 characters',
    clusterSecret === undefined ? undefined : '(hidden)',
  );
  checkOption('maxClusterNodes', isPositiveInteger(maxClusterNodes), 'a positive integer', maxClusterNodes);
  checkOption(
    'maxClusterMessageBytes',
    isPositiveInteger(resolved.maxClusterMessageBytes) && resolved.maxClusterMessageBytes >= 64 * 1024,
    'a whole number of bytes, at least 65536',
    resolved.maxClusterMessageBytes,
  );
  checkOption('maxClientsPerInstance', isPositiveInteger(resolved.maxClientsPerInstance), 'a positive integer', resolved.maxClientsPerInstance);
  checkOption(
    'maxRoomMembershipsPerInstance',
    isPositiveInteger(resolved.maxRoomMembershipsPerInstance),
    'a positive integer',
    resolved.maxRoomMembershipsPerInstance,
  );
  checkOption('userRoom', resolved.userRoom === undefined || typeof resolved.userRoom === 'function', 'a function', resolved.userRoom);
  checkOption('presenceInfo', resolved.presenceInfo === undefined || typeof resolved.presenceInfo === 'function', 'a function', resolved.presenceInfo);
  checkSessionSettings(resolved);
  checkOption(
    'history',
    resolved.history === undefined || resolved.backplane === undefined || resolved.backplane.history !== undefined,
    'left out with a backplane that keeps no room history (RedisBackplane keeps it)',
    '(a function)',
  );
  return resolved;
}

function isBackplane(value: unknown): boolean {
  const candidate = value as Record<string, unknown> | null;
  return ['connect', 'publish', 'close'].every((method) => typeof candidate?.[method] === 'function');
}

/** How long `start()` waits for the backplane before serving local clients anyway. */
const CLUSTER_CONNECT_TIMEOUT = 5000;

/** The cluster's options, from the node's settings. */
export function clusterOptions(settings: ResolvedSettings, backplane: Backplane, logger: BroadcasterLogger): ClusterOptions {
  return {
    backplane,
    heartbeatInterval: settings.clusterHeartbeatInterval,
    nodeTimeout: settings.nodeTimeout,
    connectTimeout: CLUSTER_CONNECT_TIMEOUT,
    logger,
    secret: settings.clusterSecret,
    maxNodes: settings.maxClusterNodes,
    maxMessageBytes: settings.maxClusterMessageBytes,
    maxClientsPerNode: settings.maxClientsPerInstance,
    maxMembershipsPerNode: settings.maxRoomMembershipsPerInstance,
  };
}
