import type { IncomingMessage } from 'node:http';
import type { SlowClientPolicy } from '../core/broadcaster-core.js';
import type { Backplane } from '../core/cluster/backplane.js';
import type { RateLimit } from '../core/rate-limiter.js';

/** Decides whether a browser origin may connect; return `true` to allow. */
export type OriginPredicate = (origin: string | undefined, request: IncomingMessage) => boolean | Promise<boolean>;

/**
 * Decides at connect time who a client is. Return the client's principal (anything
 * truthy: a user, a token's claims) to let it in; return a falsy value or throw to
 * refuse the upgrade with HTTP 401. The principal reaches handlers as `ctx.principal`.
 */
export type AuthenticateFn = (request: IncomingMessage) => unknown;

/** Options of `BroadcasterModule.forRoot()` / `forRootAsync()`. */
export interface BroadcasterModuleOptions {
  /**
   * The WebSocket endpoint's path.
   * @default '/'
   */
  path?: string;
  /**
   * A dedicated port for the WebSocket endpoint. Left out, the endpoint shares the
   * application's HTTP server and port.
   * @default undefined (share the app's HTTP server)
   */
  port?: number;
  /**
   * The address the dedicated `port` listens on, e.g. `'127.0.0.1'` to keep the endpoint
   * off the network. Only with `port`; on the application's own port, `app.listen()`
   * decides.
   * @default undefined (every interface)
   */
  host?: string;
  /**
   * The largest frame a client may send, in bytes. A larger frame closes its
   * connection with code 1009.
   * @default 1048576 (1 MiB)
   */
  maxPayload?: number;
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
   * Milliseconds between protocol pings; a client from which nothing arrived (no pong,
   * ping or message) since the previous ping is terminated and announced as left. At
   * least 1000; `0` turns it off.
   * @default 30000
   */
  heartbeatInterval?: number;
  /**
   * The most clients connected at once; upgrades beyond it get HTTP 503.
   * @default undefined (no limit)
   */
  maxClients?: number;
  /**
   * Per-client rate limit (token bucket). Over it a frame is answered with
   * `rate_limited` and not processed; more than `floodThreshold` refusals in one
   * second disconnect the client with 1008.
   * @default undefined (no limit)
   */
  rateLimit?: RateLimit;
  /**
   * Browser origins allowed to connect: a list of exact `Origin` values, or a
   * predicate. Others get HTTP 403 before any client is created. With a list, a
   * request without an `Origin` header is refused too.
   * @default undefined (any origin)
   */
  allowedOrigins?: readonly string[] | OriginPredicate;
  /**
   * Authenticates each connect request; see {@link AuthenticateFn}. Async allowed; with
   * `forRootAsync` it can close over injected services.
   * @default undefined (everyone may connect; `ctx.principal` is undefined)
   */
  authenticate?: AuthenticateFn;
  /**
   * The longest a connect request may wait to be decided, in milliseconds: for the
   * application to finish starting, for an `allowedOrigins` predicate and for
   * `authenticate`. Past it the request is refused with HTTP 503. Requests being decided
   * count against `maxClients`.
   * @default 10000
   */
  authenticateTimeout?: number;
  /**
   * Which headers of the connect request handlers see in `ctx.request.headers` (names
   * in any case). Only these are kept, for as long as the client is connected; a value
   * needed from any other header belongs in what `authenticate` returns.
   * @default ['origin', 'user-agent', 'x-forwarded-for']
   */
  requestHeaders?: readonly string[];
  /**
   * Milliseconds a message or event handler may take to settle. Past it the client gets
   * a `handler_timeout` error, its next requests are answered, and whatever the handler
   * produces later is dropped and logged. `0` turns it off.
   * @default 30000
   */
  handlerTimeout?: number;
  /**
   * On `app.close()`, how long in-flight handlers may take to finish, and then how long
   * clients get to complete the 1001 close handshake, in milliseconds each.
   * @default 10000
   */
  shutdownTimeout?: number;
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
}

/** A class that supplies the options, for `forRootAsync({ useClass })` or `useExisting`. */
export interface BroadcasterOptionsFactory {
  createBroadcasterOptions(): BroadcasterModuleOptions | Promise<BroadcasterModuleOptions>;
}
