// One node's view of the cluster: the link, the other nodes and the membership sync, put together.
import { withFacts } from '../log-facts.js';
import { v4 as uuidv4 } from 'uuid';
import type { Audience } from '../audience.js';
import { settlesWithin } from '../timing.js';
import type { ClientId } from '../message.js';
import type { MembershipOp } from '../rooms.js';
import { ClusterLink } from './cluster-link.js';
import type { ClusterHost, ClusterOptions, ClusterStats } from './cluster-types.js';
import type { CastEnvelope, Envelope, NodeId, RelayEnvelope } from './envelope.js';
import type { BackplaneHistoryRead, PublicationStamp } from './backplane.js';
import type { DistributiveOmit } from './cluster-types.js';

export type { ClusterHost, ClusterOptions, ClusterStats, DistributiveOmit } from './cluster-types.js';
import { MembershipSync } from './membership-sync.js';
import { PendingEchoes, type EchoListener } from './pending-echoes.js';
import { NodeRegistry } from './node-registry.js';
import type { RemoteNodeLimits } from './remote-node.js';
import { CAST_STREAM, fromOrigin, type StreamPositions } from './frame-origin.js';

/** How long a publication waits to come back to its own node before its request is acked anyway. */
const PUBLICATION_ECHO_TIMEOUT = 5000;

/** Room for a message's header (IDs, cast type, handler, versions) in `maxMessageBytes`. */
const CAST_HEADER_ALLOWANCE = 1024;

/**
 * One node's view of the cluster: it publishes this node's casts, joins and leaves,
 * applies the other nodes', and keeps the membership of every node. A node that stops
 * beating for `nodeTimeout` is taken for dead and its clients announced as left, as long
 * as this node's own messages are getting through (else the silence may be ours).
 */
export class Cluster {
  readonly nodeId: NodeId = uuidv4();
  private readonly link: ClusterLink;
  /** The other nodes, their clients and rooms, as this node knows them. */
  readonly remote: NodeRegistry;
  private readonly sync: MembershipSync;
  private timer: NodeJS.Timeout | undefined;
  private stopped = false;
  private everUp = false;
  /** When this node started, then when its link first came up: the start of what it knows of the others. */
  private knowingSince = Number.POSITIVE_INFINITY;
  /** The number of this node's last cast published. */
  private castSeq = 0;
  /** This node's publications appended but not yet back. */
  private readonly ownPublications = new PendingEchoes(PUBLICATION_ECHO_TIMEOUT);

  constructor(
    private readonly host: ClusterHost,
    private readonly options: ClusterOptions,
  ) {
    const { logger } = options;
    const now = options.now ?? Date.now;
    this.link = new ClusterLink(this.nodeId, { ...options, now }, {
      envelope: (envelope, origin) => this.handle(envelope, origin),
      publication: (envelope, stamp) => {
        this.host.publication(envelope.audience, envelope.handlerId, envelope.body, stamp);
        if (envelope.node === this.nodeId) this.ownPublications.cameBack(envelope.publication!);
      },
      resynchronize: () => this.resynchronize(),
      originGone: (origin) => this.remote.originGone(origin),
    });
    const limits: RemoteNodeLimits = {
      maxClients: options.maxClientsPerNode,
      maxMemberships: options.maxMembershipsPerNode,
      refused: (what) =>
        this.link.reject(
          what === 'client'
            ? `a client claimed past maxClientsPerInstance (${options.maxClientsPerNode}) by one instance`
            : `a room membership claimed past maxRoomMembershipsPerInstance (${options.maxMembershipsPerNode}) by one instance`,
        ),
    };
    this.remote = new NodeRegistry(host, limits, { ...options, now }, () => this.link.countDropped());
    this.sync = new MembershipSync(
      this.nodeId,
      host,
      { logger, heartbeatInterval: options.heartbeatInterval, maxListsSize: this.maxCastSize, now },
      (envelope) => this.link.publish(envelope),
      () => this.link.closed,
    );
  }

  /**
   * Connects the backplane. If it is not up within `connectTimeout`, local clients are
   * served anyway and the cluster joins when the link comes up.
   */
  async start(): Promise<void> {
    this.knowingSince = this.now();
    const connected = this.link.connect();
    connected.catch((error: unknown) => this.options.logger.error(withFacts(`cluster backplane failed to connect: ${String(error)}`, { event: 'cluster_connect_failed' })));
    this.timer = setInterval(() => this.tick(), this.options.heartbeatInterval);
    this.timer.unref();
    if (!(await settlesWithin(connected, this.options.connectTimeout))) {
      this.options.logger.warn(withFacts('cluster backplane not reachable yet: serving local clients, retrying in the background', { event: 'cluster_connect_slow' }));
    }
  }

  /** Says goodbye to the other nodes and disconnects. */
  async stop(): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    clearInterval(this.timer);
    await this.link.close({ kind: 'bye', node: this.nodeId });
  }

  /**
   * Whether this node may not know every other node's clients yet: until two heartbeats
   * after its link first came up (every node has beaten by then, and been asked for its
   * lists where this node had none).
   */
  get learning(): boolean {
    return this.now() - this.knowingSince < 2 * this.options.heartbeatInterval;
  }

  private now(): number {
    return (this.options.now ?? Date.now)();
  }

  /** Room left in a message for a cast's header, beside its body and targets. */
  get maxCastSize(): number {
    return this.options.maxMessageBytes - CAST_HEADER_ALLOWANCE;
  }

  publishCast(audience: Audience, handlerId: number, encodedBody: string): void {
    const { castType, senderId, targets } = audience;
    this.castSeq += 1;
    this.link.publish({ kind: 'cast', node: this.nodeId, audience: { castType, senderId, targets }, handlerId, body: encodedBody, seq: this.castSeq });
  }

  /**
   * Appends a publication (a cast to one room with history) to the cluster's room history,
   * which numbers it and delivers it to every node, this one included. `done` is told,
   * synchronously, once this node delivered it (or after a while, if it never came back),
   * or with the error when it could not be appended (then nobody is sent it).
   */
  publishPublication(audience: Audience, handlerId: number, encodedBody: string, size: number, ttl: number, done: EchoListener): void {
    const { castType, senderId, targets } = audience;
    const number = this.ownPublications.expect(done);
    const envelope: CastEnvelope = { kind: 'cast', node: this.nodeId, audience: { castType, senderId, targets }, handlerId, body: encodedBody, publication: number };
    // Appends are not awaited one by one: the backplane keeps their order, and each one
    // is settled when it comes back.
    this.link.append(envelope, size, ttl).catch((error: unknown) => this.ownPublications.failed(number, error));
  }

  /** Reads a room's history kept for the cluster (see `BackplaneHistory.read`); `null` when this backplane keeps none. */
  readHistory(room: string, query: { since: PublicationStamp } | { last: number }): Promise<BackplaneHistoryRead> {
    return this.link.history().read(room, query);
  }

  /** The publication in a message read back from a room's history, or `null` when it is not a valid one. */
  openStored(message: string): CastEnvelope | null {
    return this.link.openStored(message);
  }

  /** Whether the backplane keeps room history for the cluster. */
  get keepsHistory(): boolean {
    return this.options.backplane.history !== undefined;
  }

  /**
   * Where this node stands in every node's casts and changes (its own included): what a
   * session handed over from here has been sent (see `SessionHandover`).
   */
  positions(): StreamPositions {
    const positions: StreamPositions = { [this.nodeId]: [this.castSeq, this.sync.version] };
    for (const [nodeId, node] of this.remote.entries()) positions[nodeId] = [node.lastCast, node.version];
    return positions;
  }

  /** A client joined this node (`moved`: it was handed over to it, and is not announced). */
  publishJoin(clientId: ClientId, moved = false): void {
    this.sync.joined(clientId, moved);
  }

  /**
   * A client of this node left (`moved`: it was handed over to another node, and is not
   * announced); `rooms` are the rooms it was in, which it leaves with it.
   */
  publishLeave(clientId: ClientId, rooms: Iterable<string>, moved = false): void {
    this.sync.left(clientId, rooms, moved);
  }

  /** A client of this node has a new presence state (see `encodePresenceState`). */
  publishPresence(clientId: ClientId, state: string): void {
    this.sync.presenceChanged(clientId, state);
  }

  /** A client of this node joined or left a room. */
  publishMembership(op: MembershipOp, clientId: ClientId, room: string): void {
    this.sync.roomChanged(op, clientId, room);
  }

  /** Asks the node holding `clientId` to make it join or leave `room`. */
  requestMembership(op: MembershipOp, clientId: ClientId, room: string): void {
    this.link.publish({ kind: 'room-request', node: this.nodeId, op, clientId, room });
  }

  /** Asks the node holding `clientId` to disconnect it. */
  requestDisconnect(clientId: ClientId, code: number, reason: string): void {
    this.link.publish({ kind: 'disconnect-request', node: this.nodeId, clientId, code, reason });
  }

  /** Whether this cluster's messages are signed (`clusterSecret`): only then may frames be relayed. */
  get signs(): boolean {
    return this.options.secret !== undefined;
  }

  /** Drops a claim of another node past a bound (counted in `rejected`, logged now and then). */
  reject(what: string): void {
    this.link.reject(what);
  }

  /** Publishes a relayed session's message (see `SessionRelay`). */
  publishRelay(envelope: DistributiveOmit<RelayEnvelope, 'node'>): void {
    this.link.publish({ ...envelope, node: this.nodeId } as RelayEnvelope);
  }

  stats(): ClusterStats {
    return {
      nodeId: this.nodeId,
      nodes: this.remote.size + 1,
      remoteClients: this.remote.remoteClientCount(),
      linkUp: this.link.up,
      ...this.link.counters,
      nodesTimedOut: this.remote.timedOut,
    };
  }

  /**
   * Nobody could be heard while the link was down or stalled: everyone gets a full
   * timeout anew. A node joining for the first time asks every node for its membership.
   * After an outage only what is out of step is shipped: this node's beat goes out at
   * once, and each node whose view of it is at an older version asks for the changes
   * since, as this node asks of every node whose next beat is ahead of its view. A blip
   * during which nothing changed ships nothing.
   */
  private resynchronize(): void {
    this.remote.heardEveryoneNow();
    if (!this.everUp) {
      this.everUp = true;
      this.knowingSince = this.now();
      this.sync.askEveryone();
    }
    this.sync.beat();
  }

  private tick(): void {
    if (!this.link.up) return;
    this.sync.beat();
    // While this node's own beats do not come back, the silence of the others may be
    // ours, and nobody is timed out for it.
    if (this.link.carries()) this.remote.timeOutSilent();
  }

  /** An envelope of another node, valid and fresh. */
  private handle(envelope: Envelope, origin: string | undefined): void {
    if (!this.remote.admits(envelope.node, envelope.kind)) return;
    const heard = this.remote.heardFrom(envelope.node, envelope.kind);
    if (heard === null) return;
    const { node, isNew } = heard;
    // A node heard of for the first time is asked for its membership, unless the message
    // is its membership or a beat (whose check asks).
    if (isNew && envelope.kind !== 'sync' && envelope.kind !== 'changes' && envelope.kind !== 'beat') {
      this.sync.askFor(envelope.node, node, 0);
    }
    if (origin !== undefined) node.origin = origin;
    switch (envelope.kind) {
      case 'cast': {
        const { audience, handlerId, body, seq } = envelope;
        if (seq === undefined) {
          this.host.remoteCast(audience, handlerId, body);
          break;
        }
        node.lastCast = seq;
        fromOrigin(envelope.node, CAST_STREAM, seq, () => this.host.remoteCast(audience, handlerId, body));
        break;
      }
      case 'join':
      case 'leave': {
        const op = envelope.moved === true ? (envelope.kind === 'join' ? 'arrive' : 'depart') : envelope.kind;
        this.sync.receiveChange(envelope.node, node, envelope.seq, [op, envelope.clientId]);
        break;
      }
      case 'presence':
        this.sync.receiveChange(envelope.node, node, envelope.seq, ['presence', envelope.clientId, envelope.state]);
        break;
      case 'room':
        this.sync.receiveChange(envelope.node, node, envelope.seq, [envelope.op === 'join' ? 'join-room' : 'leave-room', envelope.clientId, envelope.room]);
        break;
      case 'beat':
        this.sync.checkBeat(node, envelope);
        break;
      case 'sync-request':
        if (envelope.to === null || envelope.to === this.nodeId) this.sync.answer(envelope.since);
        break;
      case 'sync': {
        const whole = node.lists.add(envelope.version, envelope.part, envelope.parts, envelope);
        if (whole === 'too-large') this.link.reject('lists of an instance past maxClientsPerInstance or maxRoomMembershipsPerInstance');
        else if (whole !== null) node.replaceWith(whole.clientIds, whole.memberships, whole.presence, envelope.version);
        break;
      }
      case 'changes':
        node.catchUp(envelope.since, envelope.version, envelope.changes);
        break;
      case 'room-request':
        this.host.applyMembership(envelope.op, envelope.clientId, envelope.room);
        break;
      case 'disconnect-request':
        this.host.applyDisconnect(envelope.clientId, envelope.code, envelope.reason);
        break;
      case 'bye':
        this.remote.departedNode(envelope.node);
        break;
      default:
        if (envelope.to === this.nodeId) this.host.relay(envelope);
    }
  }
}
