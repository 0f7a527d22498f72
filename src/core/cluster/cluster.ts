import { v4 as uuidv4 } from 'uuid';
import type { BroadcasterLogger } from '../handlers.js';
import type { CastType, ClientId } from '../message.js';
import type { Backplane } from './backplane.js';
import { decodeEnvelope, encodeEnvelope, type Envelope, type NodeId } from './envelope.js';

/** What the cluster needs from the broadcaster it belongs to. */
export interface ClusterHost {
  localClientIds(): ClientId[];
  /** A cast from another node: deliver `frame` to the matching local clients. */
  deliverRemoteCast(castType: CastType, senderId: ClientId, castFor: readonly ClientId[] | null, frame: string): void;
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
  /** Messages published. */
  published: number;
  /** Messages not published because the link was down (lost for the other nodes). */
  publishFailures: number;
  /** Nodes dropped for missing their heartbeats. */
  nodesTimedOut: number;
}

interface RemoteNode {
  clients: Set<ClientId>;
  lastSeen: number;
}

/**
 * One node's view of the cluster: it publishes this node's casts, joins and leaves,
 * applies the other nodes', and keeps the membership of every node. A node that stops
 * beating for `nodeTimeout` is taken for dead and its clients announced as left.
 */
export class Cluster {
  readonly nodeId: NodeId = uuidv4();
  private readonly nodes = new Map<NodeId, RemoteNode>();
  /** Nodes that said goodbye: their stragglers (leaves sent while closing) are ignored. */
  private readonly departed = new Set<NodeId>();
  private readonly backplane: Backplane;
  private readonly logger: BroadcasterLogger;
  private timer: NodeJS.Timeout | undefined;
  private linkUp = false;
  private stopped = false;
  private readonly counters = { outages: 0, published: 0, publishFailures: 0, nodesTimedOut: 0 };

  constructor(
    private readonly host: ClusterHost,
    private readonly options: ClusterOptions,
  ) {
    this.backplane = options.backplane;
    this.logger = options.logger;
  }

  /**
   * Connects the backplane. If it is not up within `connectTimeout`, local clients are
   * served anyway and the cluster joins when the link comes up.
   */
  async start(): Promise<void> {
    const connected = this.backplane.connect({
      message: (message) => this.receive(message),
      up: () => this.onLinkUp(),
      down: (reason) => this.onLinkDown(reason),
    });
    connected.catch((error: unknown) => this.logger.error(`cluster backplane failed to connect: ${String(error)}`));
    this.timer = setInterval(() => this.tick(), this.options.heartbeatInterval);
    this.timer.unref();
    let timeout: NodeJS.Timeout | undefined;
    const gaveUp = new Promise<boolean>((resolve) => (timeout = setTimeout(() => resolve(true), this.options.connectTimeout)));
    const late = await Promise.race([connected.then(() => false, () => true), gaveUp]);
    clearTimeout(timeout);
    if (late) this.logger.warn('cluster backplane not reachable yet: serving local clients, retrying in the background');
  }

  /** Says goodbye to the other nodes and disconnects. */
  async stop(): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    clearInterval(this.timer);
    this.publish({ kind: 'bye', node: this.nodeId });
    await this.backplane.close();
  }

  publishCast(castType: CastType, senderId: ClientId, castFor: readonly ClientId[] | null, frame: string): void {
    this.publish({ kind: 'cast', node: this.nodeId, castType, senderId, castFor, frame });
  }

  publishJoin(clientId: ClientId): void {
    this.publish({ kind: 'join', node: this.nodeId, clientId });
  }

  publishLeave(clientId: ClientId): void {
    this.publish({ kind: 'leave', node: this.nodeId, clientId });
  }

  remoteClientIds(): ClientId[] {
    return [...this.nodes.values()].flatMap((node) => [...node.clients]);
  }

  stats(): ClusterStats {
    let remoteClients = 0;
    for (const node of this.nodes.values()) remoteClients += node.clients.size;
    return { nodeId: this.nodeId, nodes: this.nodes.size + 1, remoteClients, linkUp: this.linkUp, ...this.counters };
  }

  private publish(envelope: Envelope): void {
    if (this.linkUp && this.backplane.publish(encodeEnvelope(envelope))) {
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
    // Nobody could be heard while the link was down: everyone gets a full timeout anew,
    // and every node's membership is asked for, to repair what the outage lost.
    const now = Date.now();
    for (const node of this.nodes.values()) node.lastSeen = now;
    this.publish({ kind: 'sync', node: this.nodeId, clientIds: this.host.localClientIds() });
    this.publish({ kind: 'sync?', node: this.nodeId, to: null });
  }

  private onLinkDown(reason: string): void {
    if (!this.linkUp) return;
    this.linkUp = false;
    this.counters.outages += 1;
    this.logger.warn(
      `cluster backplane down (${reason}): serving local clients only; casts to other nodes are lost until it is back`,
    );
  }

  private tick(): void {
    if (!this.linkUp) return;
    this.publish({ kind: 'beat', node: this.nodeId, clients: this.host.localClientIds().length });
    const deadline = Date.now() - this.options.nodeTimeout;
    for (const [nodeId, node] of this.nodes) {
      if (node.lastSeen >= deadline) continue;
      this.counters.nodesTimedOut += 1;
      this.logger.warn(`cluster node ${nodeId} silent for ${this.options.nodeTimeout} ms: its ${node.clients.size} clients are gone`);
      this.dropNode(nodeId);
    }
  }

  private receive(message: string): void {
    const envelope = decodeEnvelope(message);
    if (envelope === null) {
      this.logger.warn('cluster: ignored a backplane message that is not ours');
      return;
    }
    if (envelope.node === this.nodeId || this.stopped || this.departed.has(envelope.node)) return;
    const node = this.touch(envelope.node, envelope.kind);
    switch (envelope.kind) {
      case 'cast':
        this.host.deliverRemoteCast(envelope.castType, envelope.senderId, envelope.castFor, envelope.frame);
        break;
      case 'join':
        if (!node.clients.has(envelope.clientId)) {
          node.clients.add(envelope.clientId);
          this.host.remoteClientJoined(envelope.clientId);
        }
        break;
      case 'leave':
        if (node.clients.delete(envelope.clientId)) this.host.remoteClientLeft(envelope.clientId);
        break;
      case 'beat':
        // A count that differs means a join or leave was lost (an outage): ask for the list.
        if (envelope.clients !== node.clients.size) this.publish({ kind: 'sync?', node: this.nodeId, to: envelope.node });
        break;
      case 'sync?':
        if (envelope.to === null || envelope.to === this.nodeId) {
          this.publish({ kind: 'sync', node: this.nodeId, clientIds: this.host.localClientIds() });
        }
        break;
      case 'sync':
        this.reconcile(node, envelope.clientIds);
        break;
      case 'bye':
        this.departed.add(envelope.node);
        this.dropNode(envelope.node);
        break;
    }
  }

  /**
   * Notes a sign of life; a node heard of for the first time is asked for its clients,
   * unless the message is that list, a goodbye, or a beat (whose count check asks).
   */
  private touch(nodeId: NodeId, kind: Envelope['kind']): RemoteNode {
    let node = this.nodes.get(nodeId);
    if (node === undefined) {
      node = { clients: new Set(), lastSeen: 0 };
      this.nodes.set(nodeId, node);
      if (kind !== 'sync' && kind !== 'bye' && kind !== 'beat') {
        this.publish({ kind: 'sync?', node: this.nodeId, to: nodeId });
      }
    }
    node.lastSeen = Date.now();
    return node;
  }

  private reconcile(node: RemoteNode, clientIds: ClientId[]): void {
    const listed = new Set(clientIds);
    for (const clientId of node.clients) {
      if (!listed.has(clientId)) {
        node.clients.delete(clientId);
        this.host.remoteClientLeft(clientId);
      }
    }
    for (const clientId of listed) {
      if (!node.clients.has(clientId)) {
        node.clients.add(clientId);
        this.host.remoteClientJoined(clientId);
      }
    }
  }

  private dropNode(nodeId: NodeId): void {
    const node = this.nodes.get(nodeId);
    if (node === undefined) return;
    this.nodes.delete(nodeId);
    for (const clientId of node.clients) this.host.remoteClientLeft(clientId);
  }
}
