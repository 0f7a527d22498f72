// The WebSocket transport's options: path, limits, origins, authentication, heartbeat.
import type { IncomingMessage } from 'node:http';
import { checkOption, isPositiveInteger, isWhole } from '../core/option-checks.js';

/** Decides whether a browser origin may connect; return `true` to allow. */
export type OriginPredicate = (origin: string | undefined, request: IncomingMessage) => boolean | Promise<boolean>;

/**
 * Decides at connect time who a client is. Return the client's principal (anything
 * truthy: a user, a token's claims) to let it in; return a falsy value or throw to
 * refuse the upgrade with HTTP 401. The principal reaches handlers as `ctx.principal`.
 */
export type AuthenticateFn = (request: IncomingMessage) => unknown;

/** How the WebSocket transport admits, watches and limits connections. */
export interface TransportSettings {
  /**
   * The WebSocket endpoint's path.
   * @default '/'
   */
  path?: string;
  /**
   * The largest frame a client may send, in bytes. A larger frame closes its
   * connection with code 1009.
   * @default 1048576 (1 MiB)
   */
  maxPayload?: number;
  /**
   * Milliseconds between protocol pings; a client from which nothing arrived (no pong,
   * ping or message) since the previous ping is terminated and announced as left. At
   * least 1000; `0` turns it off.
   * @default 30000
   */
  heartbeatInterval?: number;
  /**
   * The most clients connected to this instance at once, connect requests still being
   * decided included; upgrades beyond it get HTTP 503.
   * @default undefined (no limit)
   */
  maxClients?: number;
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
}

type OptionalTransportSettings = 'maxClients' | 'allowedOrigins' | 'authenticate';

/** The transport settings with their defaults filled in. */
export type ResolvedTransportSettings = Required<Omit<TransportSettings, OptionalTransportSettings>> &
  Pick<TransportSettings, OptionalTransportSettings>;

/** Below this, a client busy reading a burst could miss a heartbeat while alive. */
const MIN_HEARTBEAT_INTERVAL = 1000;

/**
 * Checks the transport's settings and fills in their defaults; throws a `TypeError`
 * naming the first bad one. Every setting is listed here, defaults included.
 */
export function resolveTransportSettings(settings: TransportSettings): ResolvedTransportSettings {
  const resolved: ResolvedTransportSettings = {
    path: settings.path ?? '/',
    maxPayload: settings.maxPayload ?? 1024 * 1024,
    heartbeatInterval: settings.heartbeatInterval ?? 30_000,
    maxClients: settings.maxClients,
    allowedOrigins: settings.allowedOrigins,
    authenticate: settings.authenticate,
    authenticateTimeout: settings.authenticateTimeout ?? 10_000,
    requestHeaders: settings.requestHeaders ?? ['origin', 'user-agent', 'x-forwarded-for'],
  };
  const { path, maxPayload, heartbeatInterval, maxClients, allowedOrigins, authenticate } = resolved;
  checkOption('path', typeof path === 'string' && path.startsWith('/'), 'a string starting with "/"', path);
  checkOption('maxPayload', isPositiveInteger(maxPayload), 'a positive integer (bytes)', maxPayload);
  checkOption(
    'heartbeatInterval',
    heartbeatInterval === 0 || (isWhole(heartbeatInterval) && heartbeatInterval >= MIN_HEARTBEAT_INTERVAL),
    `0 (off) or a whole number of milliseconds of at least ${MIN_HEARTBEAT_INTERVAL}`,
    heartbeatInterval,
  );
  checkOption('maxClients', maxClients === undefined || isPositiveInteger(maxClients), 'a positive integer', maxClients);
  checkOption('allowedOrigins', isOrigins(allowedOrigins), 'a list of origins or a function', allowedOrigins);
  checkOption('authenticate', authenticate === undefined || typeof authenticate === 'function', 'a function', authenticate);
  checkOption('authenticateTimeout', isPositiveInteger(resolved.authenticateTimeout), 'a positive number of milliseconds', resolved.authenticateTimeout);
  checkOption(
    'requestHeaders',
    Array.isArray(resolved.requestHeaders) && resolved.requestHeaders.every((name) => typeof name === 'string'),
    'a list of header names',
    resolved.requestHeaders,
  );
  return resolved;
}

function isOrigins(value: unknown): boolean {
  return value === undefined || typeof value === 'function' || (Array.isArray(value) && value.every((o) => typeof o === 'string'));
}
