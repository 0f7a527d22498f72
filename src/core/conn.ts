import type { ClientId } from './message.js';

/**
 * One client connection, as the routing core sees it — the original's `Conn` interface,
 * turned around for Node: the core pushes encoded frames into it, and the transport
 * pushes what it receives into the {@link ClientSession} that `attach` returns.
 */
export interface Conn {
  /** Writes one server frame (a JSON text). Frames must leave in the order given. */
  send(frame: string): void;
  /** Closes the connection; the transport then calls {@link ClientSession.detach}. */
  close(code?: number, reason?: string): void;
  /**
   * What was sent but has not left the process yet. Optional: without it the core
   * cannot protect itself from clients that stop reading. It is called for every
   * delivery, so it may return the same object each time, updated: read it at once.
   */
  backlog?(): Backlog;
}

/** Data waiting to be written to one client. */
export interface Backlog {
  bytes: number;
  messages: number;
}

/** The core's side of an attached connection, driven by the transport. */
export interface ClientSession {
  /** The ID the server assigned to this client. */
  readonly id: ClientId;
  /** Hands the core one frame received from the client (text, or UTF-8 JSON bytes). */
  receive(data: string | Uint8Array): void;
  /**
   * Tells the core a control frame (a ping) arrived. It counts against the client's
   * rate limit; the answer says whether the transport should reply to it (`false` while
   * the client is over its rate limit or not reading what it is sent).
   */
  control(): boolean;
  /** Tells the core the connection is gone; it is removed and announced as left. */
  detach(): void;
}
