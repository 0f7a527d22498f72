// The node: the one place where joins, leaves, room changes and casts are put in order, whatever their origin.
import { consoleLogger } from './console-logger.js';
import { v4 as uuidv4 } from 'uuid';
import { Caster } from './caster.js';
import { Client, type RoomMembership } from './client.js';
import { Cluster } from './cluster/cluster.js';
import { clusterEventsFor } from './cluster-events.js';
import type { ClientSession, Conn } from './conn.js';
import { OutgoingFrame } from './conn.js';
import { encodeEvent } from './codec.js';
import { clusterOptions, resolveSettings, type BroadcasterCoreOptions, type UserRoomFn } from './core-options.js';
import { Directory } from './directory.js';
import { Dispatcher, NO_HANDLER_ID } from './dispatcher.js';
import { BroadcasterException, CloseCode } from './errors.js';
import type { BroadcasterLogger, ClientIdentity, EventHandlers, MessageHandlers } from './handlers.js';
import { Hub } from './hub.js';
import { LeaveQueue } from './leave-queue.js';
import { EventType, type ClientId, type ResponseMessage } from './message.js';
import { TokenBucket, type RateLimit } from './rate-limiter.js';
import { assertRoomName, type MembershipOp } from './rooms.js';
import { checkDisconnect, type DisconnectOptions } from './disconnect.js';
import { checkServerCast } from './server-cast.js';
import { emptyStats, type CoreStats } from './stats.js';
import { settlesWithin } from './timing.js';
import { ThrottledLog } from './throttled-log.js';
import { userRoomOf } from './user-room.js';

/**
 * The transport-agnostic routing core: attach any {@link Conn} to it. It is the one place
 * that puts in order a client's join and leave, room changes and casts, local or from
 * another node of the cluster; the {@link Hub} holds the clients here and delivers to
 * them, the dispatcher runs handlers, the caster casts, the cluster speaks to the others.
 */
export class BroadcasterCore {
  private readonly counters = emptyStats();
  private readonly logger: BroadcasterLogger;
  private readonly rateLimit: RateLimit | undefined;
  private readonly hub: Hub;
  private readonly leaves: LeaveQueue;
  private readonly dispatcher: Dispatcher;
  private readonly caster: Caster;
  private readonly cluster: Cluster | null;
  private readonly directory: Directory;
  private readonly userRoom: UserRoomFn | undefined;
  private readonly maxRoomsPerClient: number;
  private readonly warnings: ThrottledLog;
  private readonly membership: RoomMembership = {
    join: (client, room) => {
      assertRoomName(room);
      if (!this.changeMembership('join', client, room)) {
        throw new BroadcasterException(`cannot join room ${JSON.stringify(room)}: already in ${this.maxRoomsPerClient} rooms, the most allowed`);
      }
    },
    leave: (client, room) => {
      assertRoomName(room);
      this.changeMembership('leave', client, room);
    },
  };
  private closing = false;
  private onEmpty: (() => void) | null = null;

  constructor(options: BroadcasterCoreOptions = {}) {
    const settings = resolveSettings(options);
    this.logger = options.logger ?? consoleLogger;
    this.warnings = new ThrottledLog(this.logger);
    this.rateLimit = settings.rateLimit;
    const limits = { maxBufferedBytes: settings.maxBufferedBytes, maxBufferedMessages: settings.maxBufferedMessages };
    this.hub = new Hub({ limits, slowClientPolicy: settings.slowClientPolicy, announceClients: settings.announceClients }, this.counters, (client) =>
      this.evict(client, CloseCode.TryAgainLater, 'slow client', 'fell too far behind reading'),
    );
    this.leaves = new LeaveQueue((client) => this.left(client), this.logger);
    // The other nodes' casts, joins, leaves and requests are put in order here like this node's own.
    const events = clusterEventsFor(this.hub, {
      remoteCast: (audience, handlerId, encodedBody) => this.caster.castHere(audience, handlerId, encodedBody),
      changeMembership: (op, client, room) => this.changeMembership(op, client, room),
      kick: (client, code, reason) => this.kick(client, code, reason),
    });
    this.cluster = settings.backplane === undefined ? null : new Cluster(events, clusterOptions(settings, settings.backplane, this.logger));
    this.caster = new Caster(this.hub, this.cluster);
    this.directory = new Directory(this.hub, this.cluster);
    this.dispatcher = new Dispatcher(
      this.hub,
      (client, code, reason, why) => this.evict(client, code, reason, why),
      (senderId, handlerId, responses) => this.caster.castAll(senderId, handlerId, responses),
      this.counters,
      this.logger,
      settings.handlerTimeout,
      settings.maxRequestsInFlight,
      this.warnings,
      () => this.closing,
    );
    this.dispatcher.setHandlers(options.messageHandlers ?? new Map(), options.eventHandlers ?? new Map());
    this.userRoom = settings.userRoom;
    this.maxRoomsPerClient = settings.maxRoomsPerClient;
  }

  /** Joins the cluster, when there is a backplane; resolves at once for a single node. */
  async start(): Promise<void> {
    await this.cluster?.start();
  }

  /** Replaces the handler maps (the Nest module sets them once discovery is done). */
  setHandlers(messageHandlers: MessageHandlers, eventHandlers: EventHandlers): void {
    this.dispatcher.setHandlers(messageHandlers, eventHandlers);
  }

  /**
   * Adds a client on `conn`: it is given an ID, receives its own OnAddClient first, is
   * announced to the others, and the OnAddClient handler runs.
   */
  attach(conn: Conn, identity: ClientIdentity = {}): ClientSession {
    const rateLimiter = this.rateLimit === undefined ? null : new TokenBucket(this.rateLimit);
    const client = new Client(uuidv4(), conn, this.logger, identity, rateLimiter, this.membership);
    this.counters.clientsJoined += 1;
    this.joined(client, userRoomOf(this.userRoom, client.id, identity, this.logger));
    let detached = false;
    return {
      id: client.id,
      receive: (data) => this.dispatcher.receive(client, data),
      control: () => this.dispatcher.receiveControl(client),
      detach: () => {
        if (detached) return;
        detached = true;
        this.remove(client);
      },
    };
  }

  /**
   * A client's join: it gets its own OnAddClient first, then the others here are told,
   * then the other nodes, then its handlers run. The user's room is joined before anyone
   * hears of the client, so that no cast to the user can miss it.
   */
  private joined(client: Client, userRoom: string | undefined): void {
    if (userRoom !== undefined) this.hub.rooms.join(client, userRoom);
    this.hub.add(client);
    this.hub.send(client, new OutgoingFrame(encodeEvent(EventType.OnAddClient, client.id)));
    this.hub.announce(EventType.OnAddClient, client.id, client);
    this.cluster?.publishJoin(client.id);
    if (userRoom !== undefined) this.cluster?.publishMembership('join', client.id, userRoom);
    this.dispatcher.runEventHandler(client, EventType.OnAddClient);
    if (userRoom !== undefined) this.dispatcher.runEventHandler(client, EventType.OnJoinRoom, userRoom);
  }

  /**
   * Takes a client out at once (nothing more is cast to it, its running calls are given
   * up); its leave follows its pending replies.
   */
  private remove(client: Client): void {
    if (!this.hub.remove(client)) return;
    client.abandonCalls();
    if (this.hub.clients.size === 0) this.onEmpty?.();
    client.whenSettled(() => this.leaves.push(client));
  }

  /**
   * A client's leave, once its pending replies are out: the others here are told, then
   * the other nodes, then its handlers run (its leave, then each room it was in).
   */
  private left(client: Client): void {
    this.hub.announce(EventType.OnDelClient, client.id);
    this.cluster?.publishLeave(client.id, client.rooms ?? []);
    this.dispatcher.runEventHandler(client, EventType.OnDelClient);
    for (const room of client.rooms ?? []) this.dispatcher.runEventHandler(client, EventType.OnLeaveRoom, room);
  }

  /** Disconnects a misbehaving client: its leave is announced, then it is closed. */
  private evict(client: Client, code: number, reason: string, why: string): void {
    this.logger.warn(`client ${client.id} ${why}: disconnecting it`);
    this.remove(client);
    client.close(code, reason);
  }

  /**
   * IDs of the connected clients: this node's in order of joining, then those of the
   * other nodes of the cluster. Given a room, only its members, the same way.
   */
  clientIds(room?: string): ClientId[] {
    return this.directory.clientIds(room);
  }

  /**
   * Puts a client in a room. A client of another node is put there by its node, through
   * the backplane. Returns false when no node is known to hold that client.
   */
  join(clientId: ClientId, room: string): boolean {
    return this.requestMembership('join', clientId, room);
  }

  /** Takes a client out of a room, like {@link join}. */
  leave(clientId: ClientId, room: string): boolean {
    return this.requestMembership('leave', clientId, room);
  }

  /**
   * Disconnects a client of any node: it is announced as left and its connection closed
   * with `code` and `reason` (see {@link DisconnectOptions}). A client of another node is
   * disconnected by its node, through the backplane. Returns false when no node is known
   * to hold the client.
   */
  disconnect(clientId: ClientId, options: DisconnectOptions = {}): boolean {
    const { code, reason } = checkDisconnect(options);
    const client = this.hub.clients.get(clientId);
    if (client !== undefined) this.kick(client, code, reason);
    else if (this.directory.holds(clientId) === 'elsewhere') this.cluster?.requestDisconnect(clientId, code, reason);
    else return false;
    return true;
  }

  private kick(client: Client, code: number, reason: string): void {
    this.logger.log(`client ${client.id} disconnected by the server (${code}${reason === '' ? '' : ` ${reason}`})`);
    this.remove(client);
    client.close(code, reason);
  }

  /** The rooms a client (of any node) is in; empty for an unknown client. */
  roomsOf(clientId: ClientId): string[] {
    return this.directory.roomsOf(clientId);
  }

  /** Rooms with at least one member, on any node. */
  rooms(): string[] {
    return this.directory.rooms();
  }

  /** How many clients are connected to this node now. */
  get localClientCount(): number {
    return this.hub.clients.size;
  }

  /** The counters an operator needs; a fresh copy on each call. */
  stats(): CoreStats {
    let bufferedBytes = 0;
    for (const client of this.hub.clients.values()) bufferedBytes += client.unsentBytes();
    return {
      ...this.counters,
      clients: this.hub.clients.size,
      bufferedBytes,
      errors: { ...this.counters.errors },
      ...(this.cluster === null ? {} : { cluster: this.cluster.stats() }),
    };
  }

  private requestMembership(op: MembershipOp, clientId: ClientId, room: string): boolean {
    assertRoomName(room);
    const client = this.hub.clients.get(clientId);
    if (client !== undefined) return this.changeMembership(op, client, room);
    if (this.directory.holds(clientId) !== 'elsewhere') return false;
    this.cluster?.requestMembership(op, clientId, room);
    return true;
  }

  /**
   * Changes a local client's rooms, tells the cluster, then runs the room event handler.
   * Returns false only for a join refused because the client is in `maxRoomsPerClient`
   * rooms already (logged, and counted in `roomLimitRefusals`).
   */
  private changeMembership(op: MembershipOp, client: Client, room: string): boolean {
    if (!this.hub.has(client)) return true;
    if (op === 'join' && (client.rooms?.size ?? 0) >= this.maxRoomsPerClient && !client.rooms?.has(room)) {
      this.counters.roomLimitRefusals += 1;
      this.warnings.warn('room-limit', `client ${client.id} is in ${this.maxRoomsPerClient} rooms (maxRoomsPerClient): a join was refused`);
      return false;
    }
    const changed = op === 'join' ? this.hub.rooms.join(client, room) : this.hub.rooms.leave(client, room);
    if (!changed) return true;
    this.cluster?.publishMembership(op, client.id, room);
    this.dispatcher.runEventHandler(client, op === 'join' ? EventType.OnJoinRoom : EventType.OnLeaveRoom, room);
    return true;
  }

  /** Whether {@link shutdown} has begun; a transport stops accepting clients then. */
  get isShuttingDown(): boolean {
    return this.closing;
  }

  /**
   * Shuts down gracefully: new frames are refused with `shutting_down`, joins and leaves
   * are no longer announced, handlers in flight may finish and their responses go out,
   * then every client is closed with 1001, and the node leaves its cluster. Each wait is
   * bounded by `timeoutMs`.
   */
  async shutdown(timeoutMs: number): Promise<void> {
    this.closing = true;
    this.hub.silence();
    const emptied = this.hub.clients.size === 0 ? Promise.resolve() : new Promise<void>((resolve) => (this.onEmpty = resolve));
    const clients = [...this.hub.clients.values()];
    await settlesWithin(Promise.all(clients.map((client) => client.settled())), timeoutMs);
    if (this.hub.clients.size > 0) {
      for (const client of this.hub.clients.values()) client.close(CloseCode.GoingAway, 'server shutting down');
      await settlesWithin(emptied, timeoutMs);
    }
    await settlesWithin(this.cluster?.stop() ?? Promise.resolve(), timeoutMs);
  }

  /**
   * Casts server-originated responses: `SenderID` is `""`, `HandlerID` is the response's
   * `handlerId` or 0. Self has no sender here and is refused, as are malformed responses.
   */
  cast(responses: ResponseMessage | readonly ResponseMessage[]): void {
    const list = checkServerCast(responses);
    this.caster.assertFitCluster('', list);
    for (const response of list) this.caster.cast('', response.handlerId ?? NO_HANDLER_ID, response);
  }
}
