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
   * Milliseconds between protocol pings; a client that has not answered the previous
   * ping by the next one is terminated and announced as left. `0` turns it off.
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
}

/** A class that supplies the options, for `forRootAsync({ useClass })` or `useExisting`. */
export interface BroadcasterOptionsFactory {
  createBroadcasterOptions(): BroadcasterModuleOptions | Promise<BroadcasterModuleOptions>;
}
