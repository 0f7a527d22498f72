// The core's view of one connection (the original's Conn), and a frame shared by its recipients.
import type { ClientId } from './message.js';

/** How much unsent data one client may have before it counts as slow. */
export interface BacklogLimits {
  maxBufferedBytes: number;
  maxBufferedMessages: number;
}

/**
 * Whether one more frame of `size` bytes, to a client that has `unsentFrames` frames and
 * `unsentBytes` bytes not taken yet, would take it past `limits`. Only what it left unread
 * counts: a client that has read everything may be sent a frame larger than the byte limit.
 */
export function exceedsBacklog(unsentFrames: number, unsentBytes: number, size: number, limits: BacklogLimits): boolean {
  if (unsentFrames >= limits.maxBufferedMessages) return true;
  return unsentBytes > 0 && unsentBytes + size > limits.maxBufferedBytes;
}

/**
 * One frame on its way to one or more clients, made once. A transport keeps its own
 * encoding of it here, made for the first recipient and shared by the others.
 */
export class OutgoingFrame {
  private encoding: unknown = undefined;

  constructor(readonly text: string) {}

  /** The transport's encoding of this frame; `encode` runs for the first recipient only. */
  encoded<T>(encode: (text: string) => T): T {
    if (this.encoding === undefined) this.encoding = encode(this.text);
    return this.encoding as T;
  }
}

/**
 * One client connection, as the routing core sees it — the original's `Conn` interface,
 * turned around for Node: the core pushes encoded frames into it, and the transport
 * pushes what it receives into the {@link ClientSession} that `attach` returns. One core
 * serves connections of one transport.
 */
export interface Conn {
  /**
   * Writes one server frame: `text` is its JSON, `frame` the same frame as shared by
   * every recipient of a cast. Frames must leave in the order given.
   */
  send(text: string, frame: OutgoingFrame): void;
  /** Closes the connection; the transport then calls {@link ClientSession.detach}. */
  close(code?: number, reason?: string): void;
  /**
   * Bytes sent but not yet taken by the client (left over from earlier event-loop
   * turns). Optional: without it the core cannot protect itself from clients that stop
   * reading. It is called for every delivery, so it must be cheap.
   */
  unsentBytes?(): number;
  /** Frames sent but not yet taken by the client, likewise; optional with {@link unsentBytes}. */
  unsentFrames?(): number;
  /**
   * Writes one frame unless the client is too far behind: returns `false`, having written
   * nothing, when the frames or bytes it has not taken yet are at `limits` (only what it
   * left unread counts, so a client that has read everything may be sent a frame larger
   * than the byte limit). Optional: a transport that has it is asked once per delivery,
   * in place of {@link unsentFrames}, {@link unsentBytes} and {@link send} in turn.
   */
  sendWithin?(frame: OutgoingFrame, limits: BacklogLimits): boolean;
  /**
   * Joins the transport's {@link CastLane}, if it has one: casts to everyone then reach this
   * connection through the lane, in order with its other frames (see {@link LaneSeat}).
   * Returns the lane, or `null` when the connection takes casts one by one. Optional.
   */
  joinLane?(seat: LaneSeat): CastLane | null;
  /** Leaves the lane: casts to everyone no longer reach it that way. */
  leaveLane?(): void;
  /**
   * Takes the lane casts made so far that it has not taken yet, in order, as if each had
   * been sent to it now (a session then numbers them before anything is read from it).
   */
  catchUpLane?(): void;
}

/**
 * A transport's shortcut for casts to everyone: a frame cast through it is queued once,
 * and each connection that joined it ({@link Conn.joinLane}) takes its share when the
 * transport writes, within its backlog limits.
 */
export interface CastLane {
  /** Casts `frame` to every connection of the lane. */
  cast(frame: OutgoingFrame): void;
}

/** What a connection in a {@link CastLane} is given by the core. */
export interface LaneSeat {
  /** The backlog limits: a connection further behind takes none of a batch of lane casts. */
  readonly limits: BacklogLimits;
  /** `frames` lane casts were not taken: the connection is too far behind. */
  missed(frames: number): void;
  /** Writing a lane cast to the connection threw: it is closed rather than written to again. */
  failed(error: unknown): void;
  /** Told of each lane cast the connection takes, in the order it takes them. Optional. */
  took?(frame: OutgoingFrame): void;
  /**
   * The connection left the lane (`null`) or joined it (`lane`) by itself, after
   * {@link Conn.joinLane}: casts to everyone reach it one by one, or through the lane, from now on.
   */
  moved?(lane: CastLane | null): void;
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
  /**
   * Tells the core the connection is gone; the client is removed and announced as left.
   * A session client (protocol 1.2) is away instead, for the grace period, unless
   * `ended`: the client ended the connection itself (a WebSocket close with 1000, or with no code).
   */
  detach(ended?: boolean): void;
}
