import { v4 as uuidv4 } from 'uuid';
import type { Audience } from '../audience.js';
import { assembleResponse } from '../codec.js';
import { stackOf } from '../thrown-text.js';
import { settlesWithin } from '../timing.js';
import type { BroadcasterLogger } from '../handlers.js';
import type { ClientId } from '../message.js';
import type { Backplane } from './backplane.js';
import { EnvelopeSigner } from './envelope-signer.js';
import { ReplayGuard } from './replay-guard.js';
import { decodeEnvelope, encodeEnvelope, MAX_SYNC_PARTS, type Envelope, type NodeId } from './envelope.js';
import { splitLists } from './sync-parts.js';
import { ChangeLog, type Change } from './change-log.js';
import { toggleDigest } from './membership-digest.js';
import { RemoteNode, type RemoteNodeLimits } from './remote-node.js';
import { toggleMembershipDigest, type Membership } from './room-index.js';
import type { MembershipOp } from '../rooms.js';

/** What the cluster needs from the broadcaster it belongs to. */
export interface ClusterHost {
  localClientIds(): ClientId[];
  /** Every room membership of this node's clients. */
  localMemberships(): Membership[];
  /** Another node asks: make `clientId`, if it is a client here, join or leave `room`. */
  applyMembership(op: MembershipOp, clientId: ClientId, room: string): void;
  /** Another node asks: disconnect `clientId`, if it is a client here. */
  applyDisconnect(clientId: ClientId, code: number, reason: string): void;
  /** A cast from another node: deliver `frame` to the local clients `audience` matches. */
  deliverRemoteCast(audience: Audience, frame: string): void;
  /** A client of another node joined. */
  remoteClientJoined(clientId: ClientId): void;
  /** A client of another node left, or its node is gone. */
  remoteClientLeft(clientId: ClientId): void;
}

export interface ClusterOptions {
  backplane: Backplane;
  /** Milliseconds between this node's heartbeats. */
  heartbeatInterval: number;
  /** Milliseconds of silence after which another node counts as dead. */
  nodeTimeout: number;
  /** How long `start()` waits for the backplane before serving local clients anyway. */
  connectTimeout: number;
  logger: BroadcasterLogger;
  /** Signs every message and drops those not signed with it; see `clusterSecret`. */
  secret?: string;
  /** The most other nodes kept track of. */
  maxNodes: number;
  /** The longest message published or taken from the backplane, in characters. */
  maxMessageBytes: number;
  /** Clients one other node may claim. */
  maxClientsPerNode: number;
  /** Room memberships one other node may claim. */
  maxMembershipsPerNode: number;
}

/** Counters of the cluster link, part of `stats()`. */
export interface ClusterStats {
  /** This node's ID. */
  nodeId: NodeId;
  /** Nodes known to be alive, this one included. */
  nodes: number;
  /** Clients connected to other nodes. */
  remoteClients: number;
  /** Whether the backplane link is up now. */
  linkUp: boolean;
  /** Times the link went down. */
  outages: number;
  /** Times this node's own messages stopped coming back while the link was up. */
  stalls: number;
  /** Messages published. */
  published: number;
  /**
   * Messages not published because the link was down or too much was still in flight
   * (lost for the other nodes).
   */
  publishFailures: number;
  /**
   * Messages received and dropped: malformed, too long, not signed with the secret, or
   * from a node past `maxClusterNodes`.
   */
  rejected: number;
  /** Nodes dropped for missing their heartbeats. */
  nodesTimedOut: number;
}

/** Leeway for a beat that comes back late through a busy event loop, in milliseconds. */
const STALL_SLACK = 50;
/** Room for a message's header (IDs, cast type, handler, versions) in `maxMessageBytes`. */
const CAST_HEADER_ALLOWANCE = 1024;
/** How far a signed message's signing time may be from this instance's clock. */
const REPLAY_WINDOW_MS = 60_000;
/** Signed control messages remembered to refuse their replays. */
const MAX_REMEMBERED_MESSAGES = 200_000;
/** What signing adds to a message, at most. */
const SIGNATURE_ALLOWANCE = 128;
/** A node heard of again after this many others said goodbye is taken for alive. */
const DEPARTED_MEMORY_FACTOR = 4;
/** The most recent membership changes a node keeps to answer for those others missed. */
const CHANGE_LOG_CAPACITY = 4096;

/**
 * One node's view of the cluster: it publishes this node's casts, joins and leaves,
 * applies the other nodes', and keeps the membership of every node. A node that stops
 * beating for `nodeTimeout` is taken for dead and its clients announced as left, as long
 * as this node's own messages are getting through (else the silence may be ours).
 */
export class Cluster {
  readonly nodeId: NodeId = uuidv4();
  private readonly nodes = new Map<NodeId, RemoteNode>();
  /** Nodes that said goodbye: their stragglers (leaves sent while closing) are ignored. */
  private readonly departed = new Set<NodeId>();
  private readonly backplane: Backplane;
  private readonly logger: BroadcasterLogger;
  private readonly signer: EnvelopeSigner | null;
  private readonly replays = new ReplayGuard(REPLAY_WINDOW_MS, MAX_REMEMBERED_MESSAGES);
  private timer: NodeJS.Timeout | undefined;
  private linkUp = false;
  private stopped = false;
  /** When this node last heard one of its own messages back: proof that the link carries. */
  private lastOwnEcho = 0;
  private stalled = false;
  private localCount = 0;
  private localDigest = 0;
  private everUp = false;
  /** When this node last published its lists in answer to a request. */
  private lastSyncAt = 0;
  /** The last `changes` answer: from which version, and when. */
  private lastChanges = { since: 0, version: 0, at: Number.NEGATIVE_INFINITY };
  /** The lowest `since` asked for while the last answer of changes is too recent to send another. */
  private pendingSince: number | null = null;
  private readonly log = new ChangeLog(CHANGE_LOG_CAPACITY);
  private localMemberships = 0;
  private localRoomDigest = 0;
  private warnedAboutPeers = false;
  private readonly counters = { outages: 0, stalls: 0, published: 0, publishFailures: 0, rejected: 0, nodesTimedOut: 0 };

  private readonly remoteLimits: RemoteNodeLimits;

  constructor(
    private readonly host: ClusterHost,
    private readonly options: ClusterOptions,
  ) {
    this.remoteLimits = {
      maxClients: options.maxClientsPerNode,
      maxMemberships: options.maxMembershipsPerNode,
      refused: (what) =>
        this.reject(
          what === 'client'
            ? `a client claimed past maxClientsPerInstance (${options.maxClientsPerNode}) by one instance`
            : `a room membership claimed past maxRoomMembershipsPerInstance (${options.maxMembershipsPerNode}) by one instance`,
        ),
    };
    this.backplane = options.backplane;
    this.logger = options.logger;
    this.signer = options.secret === undefined ? null : new EnvelopeSigner(options.secret);
  }

  /**
   * Connects the backplane. If it is not up within `connectTimeout`, local clients are
   * served anyway and the cluster joins when the link comes up.
   */
  async start(): Promise<void> {
    const connected = this.backplane.connect({
      message: (message, origin) => this.receive(message, origin),
      originGone: (origin) => this.originGone(origin),
      up: () => this.onLinkUp(),
      down: (reason) => this.onLinkDown(reason),
    });
    connected.catch((error: unknown) => this.logger.error(`cluster backplane failed to connect: ${String(error)}`));
    this.timer = setInterval(() => this.tick(), this.options.heartbeatInterval);
    this.timer.unref();
    if (!(await settlesWithin(connected, this.options.connectTimeout))) {
      this.logger.warn('cluster backplane not reachable yet: serving local clients, retrying in the background');
    }
  }

  /** Says goodbye to the other nodes and disconnects. */
  async stop(): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    clearInterval(this.timer);
    this.publish({ kind: 'bye', node: this.nodeId });
    await this.backplane.close();
  }

  /** Room left in a message for a cast's header, beside its body and targets. */
  get maxCastSize(): number {
    return this.options.maxMessageBytes - CAST_HEADER_ALLOWANCE;
  }

  publishCast({ castType, senderId, targets }: Audience, handlerId: number, encodedBody: string): void {
    this.publish({ kind: 'cast', node: this.nodeId, castType, senderId, handlerId, castFor: targets, body: encodedBody });
  }

  publishJoin(clientId: ClientId): void {
    this.localCount += 1;
    this.localDigest = toggleDigest(this.localDigest, clientId);
    this.publish({ kind: 'join', node: this.nodeId, clientId, seq: this.log.append(['join', clientId]) });
  }

  /** A client of this node left; `rooms` are the rooms it was in, which it leaves with it. */
  publishLeave(clientId: ClientId, rooms: Iterable<string>): void {
    this.localCount -= 1;
    this.localDigest = toggleDigest(this.localDigest, clientId);
    for (const room of rooms) this.countMembership(clientId, room, -1);
    this.publish({ kind: 'leave', node: this.nodeId, clientId, seq: this.log.append(['leave', clientId]) });
  }

  /** A client of this node joined or left a room. */
  publishMembership(op: MembershipOp, clientId: ClientId, room: string): void {
    this.countMembership(clientId, room, op === 'join' ? 1 : -1);
    const seq = this.log.append([op === 'join' ? 'join-room' : 'leave-room', clientId, room]);
    this.publish({ kind: 'room', node: this.nodeId, op, clientId, room, seq });
  }

  /** Asks the node holding `clientId` to make it join or leave `room`. */
  requestMembership(op: MembershipOp, clientId: ClientId, room: string): void {
    this.publish({ kind: 'room-request', node: this.nodeId, op, clientId, room });
  }

  /** Asks the node holding `clientId` to disconnect it. */
  requestDisconnect(clientId: ClientId, code: number, reason: string): void {
    this.publish({ kind: 'disconnect-request', node: this.nodeId, clientId, code, reason });
  }

  remoteClientIds(): ClientId[] {
    return [...this.nodes.values()].flatMap((node) => [...node.clients]);
  }

  knowsRemoteClient(clientId: ClientId): boolean {
    for (const node of this.nodes.values()) if (node.clients.has(clientId)) return true;
    return false;
  }

  remoteMembersOf(room: string): ClientId[] {
    return [...this.nodes.values()].flatMap((node) => [...node.rooms.membersOf(room)]);
  }

  remoteRoomsOf(clientId: ClientId): string[] {
    for (const node of this.nodes.values()) {
      if (node.clients.has(clientId)) return [...node.rooms.roomsOf(clientId)];
    }
    return [];
  }

  remoteRoomNames(): string[] {
    return [...new Set([...this.nodes.values()].flatMap((node) => [...node.rooms.roomNames()]))];
  }

  stats(): ClusterStats {
    let remoteClients = 0;
    for (const node of this.nodes.values()) remoteClients += node.clients.size;
    return { nodeId: this.nodeId, nodes: this.nodes.size + 1, remoteClients, linkUp: this.linkUp, ...this.counters };
  }

  private publish(envelope: Envelope): void {
    // After its goodbye a node only tells of clients still leaving.
    if (this.stopped && envelope.kind !== 'bye' && envelope.kind !== 'leave') return;
    const message = encodeEnvelope(envelope);
    if (message.length > this.options.maxMessageBytes) {
      this.counters.publishFailures += 1;
      this.logger.error(
        `cluster: a ${envelope.kind} message of ${message.length} characters is longer than maxClusterMessageBytes ` +
          `(${this.options.maxMessageBytes}): not published`,
      );
      return;
    }
    if (this.linkUp && this.backplane.publish(this.signer === null ? message : this.signer.sign(message))) {
      this.counters.published += 1;
    } else {
      this.counters.publishFailures += 1;
    }
  }

  private onLinkUp(): void {
    if (this.linkUp || this.stopped) return;
    const after = this.counters.outages > 0 ? ` after an outage; ${this.counters.publishFailures} messages were lost so far` : '';
    this.logger.log(`cluster backplane up${after}`);
    this.linkUp = true;
    this.lastOwnEcho = Date.now();
    this.resynchronize();
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
    const now = Date.now();
    for (const node of this.nodes.values()) node.lastSeen = now;
    if (!this.everUp) {
      this.everUp = true;
      this.publish({ kind: 'sync-request', node: this.nodeId, to: null, since: 0 });
    }
    this.publishBeat();
  }

  private onLinkDown(reason: string): void {
    if (!this.linkUp) return;
    this.linkUp = false;
    this.counters.outages += 1;
    this.logger.warn(
      `cluster backplane down (${reason}): serving local clients only; casts to other nodes are lost until it is back`,
    );
  }

  private publishBeat(): void {
    this.publish({
      kind: 'beat',
      node: this.nodeId,
      version: this.log.version,
      clients: this.localCount,
      digest: this.localDigest,
      memberships: this.localMemberships,
      roomDigest: this.localRoomDigest,
    });
  }

  private tick(): void {
    if (!this.linkUp) return;
    this.publishBeat();
    const now = Date.now();
    // Our own beats come back within a heartbeat or two while the link carries; when they
    // do not, the silence of the others may be ours, and nobody is timed out for it.
    if (now - this.lastOwnEcho > 2 * this.options.heartbeatInterval + STALL_SLACK) {
      if (!this.stalled) {
        this.stalled = true;
        this.counters.stalls += 1;
        this.logger.warn(
          `cluster backplane stalled: this node's own messages have not come back for ${now - this.lastOwnEcho} ms; ` +
            'no other node is timed out until they do',
        );
      }
      return;
    }
    const deadline = now - this.options.nodeTimeout;
    for (const [nodeId, node] of this.nodes) {
      if (node.lastSeen >= deadline) continue;
      this.counters.nodesTimedOut += 1;
      const count = node.clients.size;
      this.logger.warn(`cluster node ${nodeId} silent for ${this.options.nodeTimeout} ms: its ${count} ${count === 1 ? 'client is' : 'clients are'} gone`);
      this.dropNode(nodeId);
    }
  }

  /**
   * Takes a message from the backplane. Nothing in it may throw out of the backplane's
   * listener: whatever fails while handling it is logged, and the message counted as
   * rejected.
   */
  private receive(message: string, origin?: string): void {
    if (this.stopped) return;
    // Checked before anything is parsed: a signature adds a few dozen characters.
    if (message.length > this.options.maxMessageBytes + SIGNATURE_ALLOWANCE) {
      this.reject(`a backplane message of ${message.length} characters, longer than maxClusterMessageBytes`);
      return;
    }
    try {
      this.handle(message, origin);
    } catch (error) {
      this.counters.rejected += 1;
      this.logger.error('cluster: handling a backplane message failed; it was dropped', stackOf(error));
    }
  }

  private handle(message: string, origin: string | undefined): void {
    const opened = this.signer === null ? { message, mac: '', signedAt: 0 } : this.signer.open(message);
    const envelope = opened === null ? null : decodeEnvelope(opened.message);
    if (opened === null || envelope === null) {
      this.reject('a backplane message that is not a valid, signed message of this cluster');
      return;
    }
    // Signed control messages act once; casts are only checked for age (remembering every
    // cast would cost memory in proportion to the traffic).
    const verdict = this.signer === null ? 'fresh' : this.replays.check(opened.mac, opened.signedAt, envelope.kind !== 'cast');
    if (verdict !== 'fresh') {
      this.reject(
        verdict === 'stale'
          ? `a signed message signed more than ${REPLAY_WINDOW_MS / 1000} s away from this instance's clock (replayed, or the clocks disagree)`
          : 'a signed message received before (replayed)',
      );
      return;
    }
    if (envelope.node === this.nodeId) {
      this.heardOwnEcho();
      return;
    }
    if (this.departed.has(envelope.node)) {
      if (envelope.kind === 'leave' || envelope.kind === 'bye') return;
      // Still talking after a goodbye: the goodbye was not its own (a forgery, or a
      // replay), so it is taken back.
      this.departed.delete(envelope.node);
    }
    const node = this.touch(envelope.node, envelope.kind);
    if (node === null) return;
    if (origin !== undefined) node.origin = origin;
    switch (envelope.kind) {
      case 'cast': {
        const audience: Audience = { castType: envelope.castType, senderId: envelope.senderId, targets: envelope.castFor };
        this.host.deliverRemoteCast(audience, assembleResponse(audience, envelope.handlerId, envelope.body));
        break;
      }
      case 'join':
      case 'leave':
        this.receiveChange(envelope.node, node, envelope.seq, [envelope.kind, envelope.clientId]);
        break;
      case 'room':
        this.receiveChange(envelope.node, node, envelope.seq, [envelope.op === 'join' ? 'join-room' : 'leave-room', envelope.clientId, envelope.room]);
        break;
      case 'beat':
        this.checkBeat(node, envelope);
        break;
      case 'sync-request':
        if (envelope.to === null || envelope.to === this.nodeId) this.answerSyncRequest(envelope.since);
        break;
      case 'sync': {
        const whole = node.lists.add(envelope.version, envelope.part, envelope.parts, envelope);
        if (whole === 'too-large') this.reject('lists of an instance past maxClientsPerInstance or maxRoomMembershipsPerInstance');
        else if (whole !== null) node.replaceWith(whole.clientIds, whole.memberships, envelope.version);
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
        this.rememberDeparted(envelope.node);
        this.dropNode(envelope.node);
        break;
    }
  }

  /** The process behind `origin` is gone: its nodes are dropped now, as if they had said goodbye. */
  private originGone(origin: string): void {
    if (this.stopped) return;
    for (const [nodeId, node] of this.nodes) {
      if (node.origin !== origin) continue;
      const count = node.clients.size;
      this.logger.warn(`cluster node ${nodeId} is gone (${origin} exited): its ${count} ${count === 1 ? 'client is' : 'clients are'} gone`);
      this.rememberDeparted(nodeId);
      this.dropNode(nodeId);
    }
  }

  private heardOwnEcho(): void {
    this.lastOwnEcho = Date.now();
    if (!this.stalled) return;
    this.stalled = false;
    this.logger.log('cluster backplane carries this node\'s messages again');
    this.resynchronize();
  }

  private reject(what: string): void {
    this.counters.rejected += 1;
    // The first one tells the operator; a flood of them must not flood the log.
    if (this.counters.rejected === 1 || this.counters.rejected % 1000 === 0) {
      this.logger.warn(`cluster: dropped ${what} (${this.counters.rejected} so far)`);
    }
  }

  /** Applies a numbered change of `node`; one that shows a gap asks for what is missing. */
  private receiveChange(nodeId: NodeId, node: RemoteNode, seq: number, change: Change): void {
    if (node.receive(seq, change) === 'early') this.askFor(nodeId, node, node.version);
  }

  /**
   * A beat tells the node's version: ahead of this view means changes were lost at its
   * end (none came after them to show the gap). At the same version, a count or digest
   * that differs means the view went wrong some other way: the lists are asked for.
   */
  private checkBeat(node: RemoteNode, beat: Extract<Envelope, { kind: 'beat' }>): void {
    if (beat.version !== node.version) {
      this.askFor(beat.node, node, beat.version > node.version ? node.version : null);
      return;
    }
    const clientsDiffer = beat.clients !== node.clients.size || beat.digest !== node.digest;
    if (clientsDiffer || beat.memberships !== node.rooms.size || beat.roomDigest !== node.rooms.digest) {
      this.askFor(beat.node, node, null);
    }
  }

  /**
   * Asks `nodeId` for its changes after `since`, or for its lists (`since` null). The
   * same question goes out at most once a heartbeat: the answer takes a round trip, and
   * the gap keeps showing meanwhile.
   */
  private askFor(nodeId: NodeId, node: RemoteNode, since: number | null): void {
    const now = Date.now();
    if (since === node.asked.since && now - node.asked.at < this.options.heartbeatInterval) return;
    node.asked = { since, at: now };
    this.publish({ kind: 'sync-request', node: this.nodeId, to: nodeId, since });
  }

  /**
   * Notes a sign of life; a node heard of for the first time is asked for its membership,
   * unless the message is its membership, a goodbye, or a beat (whose check asks).
   * Returns `null` for a new node past `maxNodes`, whose message is dropped.
   */
  private touch(nodeId: NodeId, kind: Envelope['kind']): RemoteNode | null {
    let node = this.nodes.get(nodeId);
    if (node === undefined) {
      if (kind === 'bye') return new RemoteNode(this.host, this.remoteLimits);
      if (this.nodes.size >= this.options.maxNodes) {
        if (!this.warnedAboutPeers) {
          this.warnedAboutPeers = true;
          this.logger.warn(`cluster: more than maxClusterNodes (${this.options.maxNodes}) other nodes; messages from further ones are dropped`);
        }
        this.counters.rejected += 1;
        return null;
      }
      node = new RemoteNode(this.host, this.remoteLimits);
      this.nodes.set(nodeId, node);
      if (kind !== 'sync' && kind !== 'changes' && kind !== 'beat') this.askFor(nodeId, node, 0);
    }
    node.lastSeen = Date.now();
    return node;
  }

  /**
   * Answers with the changes after `since` while the log holds them and they are fewer
   * than the lists' entries, else with the lists. Several nodes that missed the same
   * changes ask at about the same time; answers go to every node, so one serves them all:
   * at most one answer of changes goes out per half heartbeat, and requests that come
   * meanwhile are answered together, from the lowest `since` asked (a request counting
   * down cannot make each one an answer of its own).
   */
  private answerSyncRequest(since: number | null): void {
    const changes = since === null ? null : this.log.since(since);
    if (since === null || changes === null || changes.length > this.localCount + this.localMemberships) {
      this.answerWithLists();
      return;
    }
    if (changes.length === 0) return;
    const window = this.options.heartbeatInterval / 2;
    const wait = this.lastChanges.at + window - Date.now();
    if (wait <= 0) {
      this.answerWithChanges(since);
      return;
    }
    // An answer went out lately: a request it covers needs nothing more.
    if (this.lastChanges.since <= since && this.lastChanges.version === this.log.version) return;
    if (this.pendingSince === null) {
      const timer = setTimeout(() => {
        const lowest = this.pendingSince;
        this.pendingSince = null;
        if (lowest !== null && !this.stopped) this.answerSyncRequest(lowest);
      }, wait);
      timer.unref();
    }
    this.pendingSince = Math.min(this.pendingSince ?? since, since);
  }

  private answerWithChanges(since: number): void {
    const changes = this.log.since(since);
    if (changes === null || changes.length === 0) return;
    this.lastChanges = { since, version: this.log.version, at: Date.now() };
    this.publish({ kind: 'changes', node: this.nodeId, since, version: this.log.version, changes });
  }

  private answerWithLists(): void {
    const now = Date.now();
    if (now - this.lastSyncAt < this.options.heartbeatInterval / 2) return;
    this.lastSyncAt = now;
    const version = this.log.version;
    const parts = splitLists(this.host.localClientIds(), this.host.localMemberships(), this.options.maxMessageBytes - CAST_HEADER_ALLOWANCE);
    if (parts.length > MAX_SYNC_PARTS) {
      this.logger.error(`cluster: this instance's lists need ${parts.length} messages, more than ${MAX_SYNC_PARTS}: not published`);
      return;
    }
    parts.forEach((lists, part) => this.publish({ kind: 'sync', node: this.nodeId, version, ...lists, part, parts: parts.length }));
  }

  private countMembership(clientId: ClientId, room: string, change: 1 | -1): void {
    this.localMemberships += change;
    this.localRoomDigest = toggleMembershipDigest(this.localRoomDigest, clientId, room);
  }

  private rememberDeparted(nodeId: NodeId): void {
    this.departed.add(nodeId);
    // Bounded, oldest first out: goodbyes from made-up nodes must not grow it forever.
    if (this.departed.size > this.options.maxNodes * DEPARTED_MEMORY_FACTOR) {
      this.departed.delete(this.departed.values().next().value as NodeId);
    }
  }

  private dropNode(nodeId: NodeId): void {
    const node = this.nodes.get(nodeId);
    if (node === undefined) return;
    this.nodes.delete(nodeId);
    node.forget();
  }
}
