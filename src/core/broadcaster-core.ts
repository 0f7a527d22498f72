// The routing core's public face: a node, checked inputs, and answers about the whole cluster.
import { consoleLogger } from './console-logger.js';
import type { ClientSession, Conn } from './conn.js';
import { resolveSettings, type BroadcasterCoreOptions } from './core-options.js';
import { Directory } from './directory.js';
import { checkDisconnect, type DisconnectOptions } from './disconnect.js';
import type { ClientIdentity, EventHandlers, MessageHandlers } from './handlers.js';
import type { ClientId, ResponseMessage } from './message.js';
import { v4 as uuidv4 } from 'uuid';
import { HandlerMeter } from './handler-meter.js';
import { withInstance } from './log-facts.js';
import { Node } from './node.js';
import { checkServerCast } from './server-cast.js';
import { readHistoryPage, type HistoryOptions, type HistoryPage } from './history/history-page.js';
import type { Presence } from './presence/presence.js';
import type { SessionRequest } from './session/session-request.js';
import { emptyStats, type CoreStats } from './stats.js';

/**
 * The transport-agnostic routing core: attach any {@link Conn} to it. Its {@link Node}
 * puts in order a client's join and leave, room changes and casts, local or from another
 * node of the cluster; this class checks what callers give it and answers about the
 * clients and rooms of the whole cluster.
 */
export class BroadcasterCore {
  private readonly counters = emptyStats();
  private readonly node: Node;
  private readonly directory: Directory;
  private meter: HandlerMeter | null = null;
  private readonly instanceOf: () => string;

  constructor(options: BroadcasterCoreOptions = {}) {
    // Every line it logs says which instance wrote it: its cluster node ID, or an ID of its own alone.
    const ownId = uuidv4();
    this.instanceOf = () => this.node?.cluster?.nodeId ?? ownId;
    this.node = new Node(resolveSettings(options), this.counters, withInstance(options.logger ?? consoleLogger, this.instanceOf));
    this.node.setHandlers(options.messageHandlers ?? new Map(), options.eventHandlers ?? new Map());
    this.directory = new Directory(this.node.hub, this.node.cluster);
  }

  /** Which instance this is, as its log lines say (`instance=`): its cluster node ID, or an ID of its own alone. */
  get instanceId(): string {
    return this.instanceOf();
  }

  /** Joins the cluster, when there is a backplane; resolves at once for a single node. */
  async start(): Promise<void> {
    await this.node.cluster?.start();
  }

  /**
   * Starts counting, per HandlerID, the frames given to handlers and how long their calls
   * take (for metrics); returns the counts, kept up to date. Until it is called nothing is
   * measured. Calling it again returns the same counts.
   */
  measureHandlers(): HandlerMeter {
    if (this.meter === null) {
      this.meter = new HandlerMeter();
      this.node.measureHandlers(this.meter);
    }
    return this.meter;
  }

  /** Replaces the handler maps (the Nest module sets them once discovery is done). */
  setHandlers(messageHandlers: MessageHandlers, eventHandlers: EventHandlers): void {
    this.node.setHandlers(messageHandlers, eventHandlers);
  }

  /**
   * Adds a client on `conn`: it is given an ID, receives its own OnAddClient first, is
   * announced to the others, and the OnAddClient handler runs. With `session` (the client
   * asked for one, protocol 1.2) it also gets a session frame, and a resume in it may
   * instead take an earlier session back on `conn` (the returned handle then has that
   * session's ID; nobody is told anything).
   */
  attach(conn: Conn, identity: ClientIdentity = {}, session?: SessionRequest): ClientSession {
    return this.node.attach(conn, identity, session);
  }

  /**
   * IDs of the connected clients: this node's in order of joining, then those of the
   * other nodes of the cluster. Given a room, only its members, the same way.
   */
  clientIds(room?: string): ClientId[] {
    return this.directory.clientIds(room);
  }

  /**
   * Who is connected, cluster-wide (or in `room`): each client with what `presenceInfo`
   * said of it and whether it is away (a session client within its grace period), and the
   * number of clients of each user (`userRoom`).
   */
  presence(room?: string): Presence {
    return this.directory.presence(room);
  }

  /**
   * Puts a client in a room. A client of another node is put there by its node, through
   * the backplane. Returns false when no node is known to hold that client.
   */
  join(clientId: ClientId, room: string): boolean {
    return this.node.requestMembership('join', clientId, room);
  }

  /** Takes a client out of a room, like {@link join}. */
  leave(clientId: ClientId, room: string): boolean {
    return this.node.requestMembership('leave', clientId, room);
  }

  /**
   * Disconnects a client of any node: it is announced as left and its connection closed
   * with `code` and `reason` (see {@link DisconnectOptions}). A client of another node is
   * disconnected by its node, through the backplane. Returns false when no node is known
   * to hold the client.
   */
  disconnect(clientId: ClientId, options: DisconnectOptions = {}): boolean {
    const { code, reason } = checkDisconnect(options);
    return this.node.disconnect(clientId, code, reason);
  }

  /** The rooms a client (of any node) is in; empty for an unknown client. */
  roomsOf(clientId: ClientId): string[] {
    return this.directory.roomsOf(clientId);
  }

  /** Rooms with at least one member, on any node. */
  rooms(): string[] {
    return this.directory.rooms();
  }

  /** The `count` rooms of the cluster with the most members, largest first (for the admin page). */
  largestRooms(count: number): Array<{ room: string; members: number }> {
    return this.directory.largestRooms(count);
  }

  /** The instances of the cluster, this one first, with their clients (for the admin page). */
  instances(): Array<{ nodeId: string | null; self: boolean; clients: number }> {
    return this.directory.instances();
  }

  /**
   * Reads `room`'s history (protocol 1.2; rooms the `history` option gives one): the
   * publications after `since`, or the latest `last` (default: every one kept), oldest
   * first, with where the room stands. Rejects with `TypeError` on a bad room name or options.
   */
  history(room: string, options?: HistoryOptions): Promise<HistoryPage> {
    return readHistoryPage(this.node.publications.history, room, options);
  }

  /** How many clients are connected to this node now. */
  get localClientCount(): number {
    return this.node.hub.clients.size;
  }

  /** The counters an operator needs; a fresh copy on each call. */
  stats(): CoreStats {
    const { hub, cluster } = this.node;
    let bufferedBytes = 0;
    for (const client of hub.clients.values()) bufferedBytes += client.unsentBytes();
    return {
      ...this.counters,
      clients: hub.clients.size,
      rooms: hub.rooms.size,
      bufferedBytes,
      errors: { ...this.counters.errors },
      sessions: { ...this.counters.sessions, ...this.node.desk.gauges() },
      ...(cluster === null ? {} : { cluster: cluster.stats() }),
      ...(this.node.publications.history === null ? {} : { history: this.node.publications.history.stats() }),
    };
  }

  /** Whether {@link shutdown} has begun; a transport stops accepting clients then. */
  get isShuttingDown(): boolean {
    return this.node.isShuttingDown;
  }

  /**
   * Shuts down gracefully: new frames are refused with `shutting_down`, joins and leaves
   * are no longer announced, handlers in flight may finish and their responses go out,
   * then every client is closed with 1001, and the node leaves its cluster. Each wait is
   * bounded by `timeoutMs`.
   */
  shutdown(timeoutMs: number): Promise<void> {
    return this.node.shutdown(timeoutMs);
  }

  /**
   * Casts server-originated responses: `SenderID` is `""`, `HandlerID` is the response's
   * `handlerId` or 0. Self has no sender here and is refused, as are malformed responses.
   */
  cast(responses: ResponseMessage | readonly ResponseMessage[]): void | Promise<void> {
    return this.node.castFromServer(checkServerCast(responses));
  }
}
