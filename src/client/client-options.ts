// What a client SDK user configures: the options of connect(), and the WebSocket it may bring.
import type { Backoff } from './backoff.js';

/** `connecting` until the first join, `open`, `reconnecting` after a loss, `closed` for good. */
export type ClientState = 'connecting' | 'open' | 'reconnecting' | 'closed';

/** What the client needs of a WebSocket: the browser's, Node 22's global one, or `ws`'s. */
export interface WebSocketLike {
  readonly readyState: number;
  binaryType: string;
  onopen: EventHandler<unknown> | null;
  onmessage: EventHandler<{ data: unknown }> | null;
  onclose: EventHandler<{ code: number; reason: string }> | null;
  onerror: EventHandler<unknown> | null;
  send(data: string): void;
  close(code?: number, reason?: string): void;
  /** Node's `ws` only: lets the watchdog count the server's pings. */
  on?(event: 'ping', listener: () => void): unknown;
}

/**
 * A handler property of a WebSocket. Checked like a method (its parameter either way), so
 * that a class whose events carry more than the client reads — `ws`'s, typed by
 * `@types/ws` — is accepted as it is.
 */
type EventHandler<E> = { bivarianceHack(event: E): void }['bivarianceHack'];

export type WebSocketConstructor = new (url: string) => WebSocketLike;

/** What {@link ClientOptions.onReconnect} is told of a reconnection. */
export interface ReconnectInfo {
  /** Whether the connection took the session back: same `id`, nothing missed. */
  resumed: boolean;
}

/** Options of {@link connect}. */
export interface ClientOptions {
  /** The WebSocket class; required where there is no global one (Node 20: `ws`'s). */
  WebSocket?: WebSocketConstructor;
  /** Reconnect after a lost connection, with this backoff (`false`: never). @default { min: 500, max: 20000 } */
  reconnect?: Backoff | false;
  /** A connection open this long resets the backoff, in milliseconds. @default 10000 */
  stableAfter?: number;
  /**
   * Called after each reconnection, once the connection is ready. `resumed` says whether
   * it took the session back (same `id`, rooms kept, every frame missed delivered: nothing
   * to redo) or is a new client (new `id`: join rooms again, reload state). When it is a
   * new client, the rooms with history it got publications from are recovered once this
   * returns (or the promise it returns settles): rejoin them here.
   */
  // Typed as returning void so that any function fits (an async one included); a promise
  // it returns is awaited before rooms are recovered.
  onReconnect?: (info: ReconnectInfo) => void;
  /**
   * Ask the server for a session (protocol 1.2), and take it back after a lost
   * connection. A server without sessions just ignores the request. @default true
   */
  session?: boolean;
  /** Messages `send()` keeps while disconnected, sent once connected; beyond, it throws. @default 0 */
  offlineQueue?: number;
  /**
   * A connection whose server has not sent its join this long after the connection was
   * made is given up, and another is tried (a server that accepts and never speaks).
   * In milliseconds; `0` waits forever. @default 10000
   */
  openTimeout?: number;
  /** Default timeout of `request()`, in milliseconds. @default 10000 */
  requestTimeout?: number;
  /**
   * Closes and reconnects a connection that has received no frame (and, with `ws`, no
   * ping) for this long, in milliseconds. Browsers hide pings: set it above the longest
   * quiet time of your app there. `0` turns it off. @default 0
   */
  heartbeatTimeout?: number;
}
