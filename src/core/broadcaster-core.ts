import { consoleLogger } from './console-logger.js';
import { v4 as uuidv4 } from 'uuid';
import { Caster } from './caster.js';
import { Client, type RoomMembership } from './client.js';
import { stackOf } from './thrown-text.js';
import { ClientRegistry } from './client-registry.js';
import { Cluster, type ClusterHost } from './cluster/cluster.js';
import type { ClientSession, Conn } from './conn.js';
import { clusterOptions, resolveSettings, type BroadcasterCoreOptions, type UserRoomFn } from './core-options.js';
import { Delivery } from './delivery.js';
import { Dispatcher, NO_HANDLER_ID } from './dispatcher.js';
import { BroadcasterException, CloseCode, InvalidResponseError } from './errors.js';
import type { BroadcasterLogger, ClientIdentity, EventHandlers, MessageHandlers } from './handlers.js';
import { CastType, EventType, type ClientId, type ResponseMessage } from './message.js';
import { TokenBucket, type RateLimit } from './rate-limiter.js';
import { describeValue } from './describe-value.js';
import { toResponses } from './response-validation.js';
import { assertRoomName, roomNameProblem, type MembershipOp } from './rooms.js';
import { checkDisconnect, type DisconnectOptions } from './disconnect.js';
import { emptyStats, type CoreStats } from './stats.js';
import { settlesWithin } from './timing.js';
import { ThrottledLog } from './throttled-log.js';

/**
 * The transport-agnostic routing core: attach any {@link Conn} to it. It wires the
 * pieces that do the work — the client registry and its announcements, the dispatcher
 * that runs handlers, delivery within each client's limits, casting, and the cluster.
 */
export class BroadcasterCore {
  private readonly counters = emptyStats();
  private readonly logger: BroadcasterLogger;
  private readonly rateLimit: RateLimit | undefined;
  private readonly registry: ClientRegistry;
  private readonly dispatcher: Dispatcher;
  private readonly caster: Caster;
  private readonly cluster: Cluster | null;
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

  constructor(options: BroadcasterCoreOptions = {}) {
    const settings = resolveSettings(options);
    this.logger = options.logger ?? consoleLogger;
    this.warnings = new ThrottledLog(this.logger);
    this.rateLimit = settings.rateLimit;
    const limits = { maxBufferedBytes: settings.maxBufferedBytes, maxBufferedMessages: settings.maxBufferedMessages };
    const delivery = new Delivery(limits, settings.slowClientPolicy, this.counters, (client) =>
      this.registry.evict(client, CloseCode.TryAgainLater, 'slow client', 'fell too far behind reading'),
    );
    this.registry = new ClientRegistry(delivery, settings.announceClients, this.logger, (client) => {
      this.cluster?.publishLeave(client.id, client.rooms ?? []);
      this.dispatcher.runEventHandler(client, EventType.OnDelClient);
      for (const room of client.rooms ?? []) this.dispatcher.runEventHandler(client, EventType.OnLeaveRoom, room);
    });
    this.cluster =
      settings.backplane === undefined ? null : new Cluster(this.clusterHost(), clusterOptions(settings, settings.backplane, this.logger));
    this.caster = new Caster(this.registry, delivery, this.cluster);
    this.dispatcher = new Dispatcher(
      this.registry,
      delivery,
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

  /**
   * What the other nodes of the cluster do here: their casts take the local cast path
   * from their audience on, their clients' joins and leaves are announced, and their
   * requests about clients of this node are carried out.
   */
  private clusterHost(): ClusterHost {
    return {
      localClientIds: () => [...this.registry.clients.keys()],
      localMemberships: () =>
        [...this.registry.clients.values()].flatMap((client) => [...(client.rooms ?? [])].map((room) => [client.id, room] as const)),
      remoteCast: (audience, handlerId, encodedBody) => this.caster.castHere(audience, handlerId, encodedBody),
      remoteClientJoined: (clientId) => this.registry.announce(EventType.OnAddClient, clientId),
      remoteClientLeft: (clientId) => this.registry.announce(EventType.OnDelClient, clientId),
      applyMembership: (op, clientId, room) => {
        const client = this.registry.clients.get(clientId);
        if (client !== undefined) this.changeMembership(op, client, room);
      },
      applyDisconnect: (clientId, code, reason) => {
        const client = this.registry.clients.get(clientId);
        if (client !== undefined) this.kick(client, code, reason);
      },
    };
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
    // The user's room is joined before anyone hears of the client, so that no cast to the
    // user can miss it; the cluster hears of the membership right after the join itself.
    const userRoom = this.userRoomOf(client, identity);
    if (userRoom !== undefined) this.registry.rooms.join(client, userRoom);
    this.registry.add(client);
    this.cluster?.publishJoin(client.id);
    if (userRoom !== undefined) this.cluster?.publishMembership('join', client.id, userRoom);
    this.dispatcher.runEventHandler(client, EventType.OnAddClient);
    if (userRoom !== undefined) this.dispatcher.runEventHandler(client, EventType.OnJoinRoom, userRoom);

    let detached = false;
    return {
      id: client.id,
      receive: (data) => this.dispatcher.receive(client, data),
      control: () => this.dispatcher.receiveControl(client),
      detach: () => {
        if (detached) return;
        detached = true;
        this.registry.remove(client);
      },
    };
  }

  /**
   * IDs of the connected clients: this node's in order of joining, then those of the
   * other nodes of the cluster. Given a room, only its members, the same way.
   */
  clientIds(room?: string): ClientId[] {
    if (room === undefined) {
      const local = [...this.registry.clients.keys()];
      return this.cluster === null ? local : [...local, ...this.cluster.remoteClientIds()];
    }
    assertRoomName(room);
    const local = [...(this.registry.rooms.membersOf(room) ?? [])].map((client) => client.id);
    return this.cluster === null ? local : [...local, ...this.cluster.remoteMembersOf(room)];
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
    const client = this.registry.clients.get(clientId);
    if (client !== undefined) {
      this.kick(client, code, reason);
      return true;
    }
    if (this.cluster === null || !this.cluster.knowsRemoteClient(clientId)) return false;
    this.cluster.requestDisconnect(clientId, code, reason);
    return true;
  }

  private kick(client: Client, code: number, reason: string): void {
    this.logger.log(`client ${client.id} disconnected by the server (${code}${reason === '' ? '' : ` ${reason}`})`);
    this.registry.remove(client);
    client.close(code, reason);
  }

  /** The rooms a client (of any node) is in; empty for an unknown client. */
  roomsOf(clientId: ClientId): string[] {
    const client = this.registry.clients.get(clientId);
    if (client !== undefined) return client.rooms === null ? [] : [...client.rooms];
    return this.cluster?.remoteRoomsOf(clientId) ?? [];
  }

  /** Rooms with at least one member, on any node. */
  rooms(): string[] {
    const local = this.registry.rooms.names();
    if (this.cluster === null) return local;
    return [...new Set([...local, ...this.cluster.remoteRoomNames()])];
  }

  /** How many clients are connected to this node now. */
  get localClientCount(): number {
    return this.registry.clients.size;
  }

  /** The counters an operator needs; a fresh copy on each call. */
  stats(): CoreStats {
    let bufferedBytes = 0;
    for (const client of this.registry.clients.values()) bufferedBytes += client.unsentBytes();
    return {
      ...this.counters,
      clients: this.registry.clients.size,
      bufferedBytes,
      errors: { ...this.counters.errors },
      ...(this.cluster === null ? {} : { cluster: this.cluster.stats() }),
    };
  }

  private requestMembership(op: MembershipOp, clientId: ClientId, room: string): boolean {
    assertRoomName(room);
    const client = this.registry.clients.get(clientId);
    if (client !== undefined) return this.changeMembership(op, client, room);
    if (this.cluster === null || !this.cluster.knowsRemoteClient(clientId)) return false;
    this.cluster.requestMembership(op, clientId, room);
    return true;
  }

  /**
   * Changes a local client's rooms, tells the cluster, then runs the room event handler.
   * Returns false only for a join refused because the client is in `maxRoomsPerClient`
   * rooms already (logged, and counted in `roomLimitRefusals`).
   */
  private changeMembership(op: MembershipOp, client: Client, room: string): boolean {
    if (!this.registry.has(client)) return true;
    if (op === 'join' && (client.rooms?.size ?? 0) >= this.maxRoomsPerClient && !client.rooms?.has(room)) {
      this.counters.roomLimitRefusals += 1;
      this.warnings.warn('room-limit', `client ${client.id} is in ${this.maxRoomsPerClient} rooms (maxRoomsPerClient): a join was refused`);
      return false;
    }
    const changed = op === 'join' ? this.registry.rooms.join(client, room) : this.registry.rooms.leave(client, room);
    if (!changed) return true;
    this.cluster?.publishMembership(op, client.id, room);
    this.dispatcher.runEventHandler(client, op === 'join' ? EventType.OnJoinRoom : EventType.OnLeaveRoom, room);
    return true;
  }

  private userRoomOf(client: Client, identity: ClientIdentity): string | undefined {
    if (this.userRoom === undefined) return undefined;
    let room: unknown;
    try {
      room = this.userRoom(identity.principal, identity.request);
    } catch (error) {
      this.logger.error(`userRoom failed for client ${client.id}: it joins no user room`, stackOf(error));
      return undefined;
    }
    if (room === undefined) return undefined;
    const problem = roomNameProblem(room);
    if (problem === null) return room as string;
    this.logger.error(`userRoom gave no valid room for client ${client.id} (${problem}): it joins no user room`);
    return undefined;
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
    const emptied = this.registry.silenceUntilEmpty();
    const clients = [...this.registry.clients.values()];
    await settlesWithin(Promise.all(clients.map((client) => client.settled())), timeoutMs);
    if (this.registry.clients.size > 0) {
      for (const client of this.registry.clients.values()) client.close(CloseCode.GoingAway, 'server shutting down');
      await settlesWithin(emptied, timeoutMs);
    }
    await settlesWithin(this.cluster?.stop() ?? Promise.resolve(), timeoutMs);
  }

  /**
   * Casts server-originated responses: `SenderID` is `""`, `HandlerID` is the response's
   * `handlerId` or 0. Self has no sender here and is refused, as are malformed responses.
   */
  cast(responses: ResponseMessage | readonly ResponseMessage[]): void {
    const list = toResponses(responses, 'a server cast');
    for (const { castType, handlerId } of list) {
      if (castType === CastType.Self) {
        throw new InvalidResponseError('a server cast has no sender, so it cannot use CastType.Self');
      }
      if (handlerId !== undefined && !Number.isSafeInteger(handlerId)) {
        throw new InvalidResponseError(`a server cast needs an integer handlerId, got ${describeValue(handlerId)}`);
      }
    }
    this.caster.assertFitCluster('', list);
    for (const response of list) this.caster.cast('', response.handlerId ?? NO_HANDLER_ID, response);
  }
}

