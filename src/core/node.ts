// The node: the one place where joins, leaves, room changes and casts are put in order, whatever their origin.
import { withFacts } from './log-facts.js';
import { v4 as uuidv4 } from 'uuid';
import { Caster } from './caster.js';
import { HistoryDesk } from './history/history-desk.js';
import { Client, type RoomMembership } from './client.js';
import { clusterEventsFor } from './cluster-events.js';
import { Cluster } from './cluster/cluster.js';
import { encodeEvent } from './codec.js';
import { OutgoingFrame, type ClientSession, type Conn } from './conn.js';
import { clusterOptions, type ResolvedSettings } from './core-options.js';
import type { HandlerMeter } from './handler-meter.js';
import { Dispatcher } from './dispatcher.js';
import { CloseCode } from './errors.js';
import type { BroadcasterLogger, ClientIdentity, EventHandlers, MessageHandlers } from './handlers.js';
import { Hub } from './hub.js';
import { LeaveQueue } from './leave-queue.js';
import { EventType, type ClientId, type ResponseMessage } from './message.js';
import { TokenBucket } from './rate-limiter.js';
import { assertRoomName, type MembershipOp } from './rooms.js';
import type { CoreStats } from './stats.js';
import { ThrottledLog } from './throttled-log.js';
import { settlesWithin } from './timing.js';
import { userRoomOf } from './user-room.js';
import { hasPresence, presenceStateOf } from './presence/local-presence.js';
import { presenceOf } from './presence/presence-info.js';
import { roomMembershipOf } from './room-membership.js';
import { SessionDesk, type DeskNode } from './session/session-desk.js';
import type { SessionRequest } from './session/session-request.js';

/**
 * Puts in order everything that happens to the clients of this node: a join and a leave,
 * a room change, a cast, whether it starts with a client here, the app, or another node
 * of the cluster (whose events it answers like its own). The {@link Hub} holds the
 * clients and delivers to them, the dispatcher runs handlers, the caster casts, the
 * cluster speaks to the other nodes.
 */
export class Node {
  readonly hub: Hub;
  readonly cluster: Cluster | null;
  readonly desk: SessionDesk;
  private readonly caster: Caster;
  /** Room history (protocol 1.2): publications and recoveries. */
  readonly publications: HistoryDesk;
  private readonly dispatcher: Dispatcher;
  private readonly leaves: LeaveQueue;
  private readonly warnings: ThrottledLog;
  private readonly membership: RoomMembership;
  private closing = false;
  private onEmpty: (() => void) | null = null;

  constructor(
    private readonly settings: ResolvedSettings,
    private readonly counters: CoreStats,
    private readonly logger: BroadcasterLogger,
  ) {
    this.warnings = new ThrottledLog(logger);
    this.membership = roomMembershipOf((op, client, room) => this.changeMembership(op, client, room), settings.maxRoomsPerClient);
    const limits = { maxBufferedBytes: settings.maxBufferedBytes, maxBufferedMessages: settings.maxBufferedMessages };
    this.hub = new Hub({ limits, slowClientPolicy: settings.slowClientPolicy, announceClients: settings.announceClients }, counters, (client) =>
      this.evict(client, CloseCode.TryAgainLater, 'slow client', 'fell too far behind reading'),
    );
    this.leaves = new LeaveQueue((client) => this.left(client), logger);
    // The other nodes' casts, joins, leaves and requests are put in order here like this node's own.
    const events = clusterEventsFor(this.hub, {
      remoteCast: (audience, handlerId, encodedBody) => this.caster.castHere(audience, handlerId, encodedBody),
      publication: (audience, handlerId, encodedBody, stamp) => this.publications.arrived(audience, handlerId, encodedBody, stamp),
      changeMembership: (op, client, room) => this.changeMembership(op, client, room),
      kick: (client, code, reason) => this.kick(client, code, reason),
      relay: (envelope) => this.desk.receive(envelope),
      nodeGone: (nodeId) => this.desk.nodeGone(nodeId),
    });
    this.cluster = settings.backplane === undefined ? null : new Cluster(events, clusterOptions(settings, settings.backplane, logger));
    this.publications = new HistoryDesk(settings, this.hub, this.cluster, this.warnings);
    this.caster = new Caster(this.hub, this.cluster, this.publications.history);
    const deskNode: DeskNode = {
      hub: this.hub,
      membership: this.membership,
      has: (client) => this.hub.has(client),
      remove: (client) => this.remove(client),
      runEventHandler: (client, eventType) => this.dispatcher.runEventHandler(client, eventType),
      handleOn: (client, conn) => this.handleOn(client, conn),
      closing: () => this.closing,
    };
    this.desk = new SessionDesk(settings, deskNode, this.cluster, limits, counters, logger);
    this.dispatcher = new Dispatcher(
      this.hub,
      (client, code, reason, why) => this.evict(client, code, reason, why),
      this.caster,
      counters,
      logger,
      settings.handlerTimeout,
      settings.maxRequestsInFlight,
      this.warnings,
      () => this.closing,
      (client, request) => this.publications.recover(client, request),
    );
  }

  setHandlers(messageHandlers: MessageHandlers, eventHandlers: EventHandlers): void {
    this.dispatcher.setHandlers(messageHandlers, eventHandlers);
  }

  /** Counts per handler from now on (see `BroadcasterCore.measureHandlers`). */
  measureHandlers(meter: HandlerMeter): void {
    this.dispatcher.measureWith(meter);
  }

  /**
   * A new client on `conn` (see {@link joined}), or, for `session` with a resume that
   * holds, the client of that session, back on `conn`.
   */
  attach(conn: Conn, identity: ClientIdentity, session?: SessionRequest): ClientSession {
    return this.desk.attach(conn, session, (withSession) => this.attachNew(conn, identity, withSession));
  }

  private attachNew(conn: Conn, identity: ClientIdentity, withSession: boolean): ClientSession {
    const { rateLimit } = this.settings;
    const session = withSession ? this.desk.open(conn) : null;
    const limiter = rateLimit === undefined ? null : new TokenBucket(rateLimit);
    const client = new Client(uuidv4(), session?.conn ?? conn, this.logger, identity, limiter, this.membership);
    this.counters.clientsJoined += 1;
    const sessionFrame = session?.start(client) ?? null;
    const userRoom = userRoomOf(this.settings.userRoom, client.id, identity, this.logger);
    client.presence = presenceOf(this.settings.presenceInfo, client.id, identity, userRoom, this.logger);
    this.joined(client, userRoom, () => {
      if (sessionFrame !== null) session!.conn.sendUnnumbered(sessionFrame.text, sessionFrame);
    });
    return this.handleOn(client, conn);
  }

  /** The transport's handle on `client` over `conn`. */
  private handleOn(client: Client, conn: Conn): ClientSession {
    let detached = false;
    return {
      id: client.id,
      receive: (data) => this.dispatcher.receive(client, data),
      control: () => this.dispatcher.receiveControl(client),
      detach: (ended = false) => {
        if (detached) return;
        detached = true;
        // A session client is away for the grace period, unless it ended the session or the node is going down.
        if (ended || this.closing || !this.desk.door.lost(client, conn)) this.remove(client);
      },
    };
  }

  /**
   * A client's join: it gets its own OnAddClient first, then the others here are told,
   * then the other nodes, then its handlers run. The user's room is joined before anyone
   * hears of the client, so that no cast to the user can miss it.
   */
  private joined(client: Client, userRoom: string | undefined, afterOwnJoin: () => void): void {
    if (userRoom !== undefined) this.hub.rooms.join(client, userRoom);
    this.hub.add(client);
    this.hub.send(client, new OutgoingFrame(encodeEvent(EventType.OnAddClient, client.id)));
    afterOwnJoin();
    this.hub.announce(EventType.OnAddClient, client.id, client);
    this.cluster?.publishJoin(client.id);
    if (userRoom !== undefined) this.cluster?.publishMembership('join', client.id, userRoom);
    if (hasPresence(client)) this.cluster?.publishPresence(client.id, presenceStateOf(client));
    this.dispatcher.runEventHandler(client, EventType.OnAddClient);
    if (userRoom !== undefined) this.dispatcher.runEventHandler(client, EventType.OnJoinRoom, userRoom);
  }

  /**
   * Takes a client out at once (nothing more is cast to it, its running calls are given
   * up); its leave follows its pending replies.
   */
  private remove(client: Client): void {
    if (!this.hub.remove(client)) return;
    this.desk.sessions.forget(client);
    client.abandonCalls();
    if (this.hub.clients.size === 0) this.onEmpty?.();
    client.whenSettled(() => this.leaves.push(client));
  }

  /**
   * A client's leave, once its pending replies are out: the others here are told, then
   * the other nodes, then its handlers run (its leave, then each room it was in).
   */
  private left(client: Client): void {
    this.counters.clientsLeft += 1;
    this.hub.announce(EventType.OnDelClient, client.id);
    this.cluster?.publishLeave(client.id, client.rooms ?? []);
    this.dispatcher.runEventHandler(client, EventType.OnDelClient);
    for (const room of client.rooms ?? []) this.dispatcher.runEventHandler(client, EventType.OnLeaveRoom, room);
  }

  /** Disconnects a misbehaving client: its leave is announced, then it is closed. */
  private evict(client: Client, code: number, reason: string, why: string): void {
    this.logger.warn(withFacts(`client ${client.id} ${why}: disconnecting it`, { event: 'client_evicted', clientId: client.id, code }));
    this.remove(client);
    client.close(code, reason);
  }

  /** Disconnects a client of any node (see `BroadcasterCore.disconnect`); false when no node holds it. */
  disconnect(clientId: ClientId, code: number, reason: string): boolean {
    const client = this.hub.clients.get(clientId);
    if (client !== undefined) this.kick(client, code, reason);
    else if (this.cluster?.remote.knowsRemoteClient(clientId) === true) this.cluster.requestDisconnect(clientId, code, reason);
    else return false;
    return true;
  }

  private kick(client: Client, code: number, reason: string): void {
    this.logger.log(withFacts(`client ${client.id} disconnected by the server (${code}${reason === '' ? '' : ` ${reason}`})`, { event: 'client_kicked', clientId: client.id, code }));
    this.remove(client);
    client.close(code, reason);
  }

  /** Puts a client of any node in a room or takes it out; false when no node holds it. */
  requestMembership(op: MembershipOp, clientId: ClientId, room: string): boolean {
    assertRoomName(room);
    const client = this.hub.clients.get(clientId);
    if (client !== undefined) return this.changeMembership(op, client, room);
    if (this.cluster?.remote.knowsRemoteClient(clientId) !== true) return false;
    this.cluster.requestMembership(op, clientId, room);
    return true;
  }

  /**
   * Changes a local client's rooms, tells the cluster, then runs the room event handler.
   * Returns false only for a join refused because the client is in `maxRoomsPerClient`
   * rooms already (logged, and counted in `roomLimitRefusals`).
   */
  private changeMembership(op: MembershipOp, client: Client, room: string): boolean {
    if (!this.hub.has(client)) return true;
    const { maxRoomsPerClient } = this.settings;
    if (op === 'join' && (client.rooms?.size ?? 0) >= maxRoomsPerClient && !client.rooms?.has(room)) {
      this.counters.roomLimitRefusals += 1;
      this.warnings.warn('room-limit', `client ${client.id} is in ${maxRoomsPerClient} rooms (maxRoomsPerClient): a join was refused`, { clientId: client.id });
      return false;
    }
    const changed = op === 'join' ? this.hub.rooms.join(client, room) : this.hub.rooms.leave(client, room);
    if (!changed) return true;
    this.cluster?.publishMembership(op, client.id, room);
    this.dispatcher.runEventHandler(client, op === 'join' ? EventType.OnJoinRoom : EventType.OnLeaveRoom, room);
    return true;
  }

  /** Casts checked server responses, all of them or none (see `Caster.castAll`). */
  castFromServer(responses: readonly ResponseMessage[]): void | Promise<void> {
    return this.caster.castAll('', null, responses)?.promise();
  }

  get isShuttingDown(): boolean {
    return this.closing;
  }

  /** See `BroadcasterCore.shutdown`. */
  async shutdown(timeoutMs: number): Promise<void> {
    this.closing = true;
    this.hub.silence();
    const emptied = this.hub.clients.size === 0 ? Promise.resolve() : new Promise<void>((resolve) => (this.onEmpty = resolve));
    const clients = [...this.hub.clients.values()];
    await settlesWithin(Promise.all(clients.map((client) => client.settled())), timeoutMs);
    await this.desk.handOverSessions([...this.hub.clients.values()]);
    if (this.hub.clients.size > 0) {
      for (const client of this.hub.clients.values()) client.close(CloseCode.GoingAway, 'server shutting down');
      await settlesWithin(emptied, timeoutMs);
    }
    await settlesWithin(this.cluster?.stop() ?? Promise.resolve(), timeoutMs);
    this.publications.close();
  }
}
