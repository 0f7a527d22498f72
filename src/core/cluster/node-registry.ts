// The other nodes of a cluster as this node knows them: who is alive, who said goodbye, and their clients.
import { withFacts } from '../log-facts.js';
import type { BroadcasterLogger } from '../handlers.js';
import type { ClientId } from '../message.js';
import type { Clock } from './cluster-types.js';
import type { Envelope, NodeId } from './envelope.js';
import { RemoteNode, type RemoteMembershipListener, type RemoteNodeLimits } from './remote-node.js';

/** A node heard of again after this many others said goodbye is taken for alive. */
const DEPARTED_MEMORY_FACTOR = 4;

/** How the registry is bounded and timed. */
export interface NodeRegistrySettings {
  logger: BroadcasterLogger;
  /** The most other nodes kept track of. */
  maxNodes: number;
  /** Milliseconds of silence after which another node counts as dead. */
  nodeTimeout: number;
  now: Clock;
}

/**
 * Every other node heard of, each with its clients and their rooms ({@link RemoteNode}).
 * A node that stops beating for `nodeTimeout` is dropped and its clients announced as
 * left; so is one that says goodbye, whose stragglers are then ignored. At most
 * `maxNodes` are kept: messages from further ones are dropped.
 */
export class NodeRegistry {
  private readonly nodes = new Map<NodeId, RemoteNode>();
  /** Nodes that said goodbye: their stragglers (leaves sent while closing) are ignored. */
  private readonly departed = new Set<NodeId>();
  private warnedAboutPeers = false;
  /** Nodes dropped for missing their heartbeats. */
  timedOut = 0;

  /**
   * @param membership told of every client of another node joining or leaving
   * @param limits how much of one node's claims is believed
   * @param dropped counts a message dropped from a node past `maxNodes`
   */
  constructor(
    private readonly membership: RemoteMembershipListener,
    private readonly limits: RemoteNodeLimits,
    private readonly settings: NodeRegistrySettings,
    private readonly dropped: () => void,
  ) {}

  /** Nodes known to be alive, this one not included. */
  get size(): number {
    return this.nodes.size;
  }

  /**
   * Whether a message of `kind` from `nodeId` is heard. A node that said goodbye and still
   * talks is taken back (the goodbye was not its own: a forgery, or a replay), except for
   * the leaves and goodbyes it sends while closing.
   */
  admits(nodeId: NodeId, kind: Envelope['kind']): boolean {
    if (!this.departed.has(nodeId)) return true;
    if (kind === 'leave' || kind === 'bye') return false;
    this.departed.delete(nodeId);
    return true;
  }

  /**
   * Notes a sign of life from `nodeId`. Returns its view (`isNew` when first heard of), or
   * `null` for a new node past `maxNodes`, whose message is dropped. A goodbye from a node
   * never heard of gets a view that is not kept.
   */
  heardFrom(nodeId: NodeId, kind: Envelope['kind']): { node: RemoteNode; isNew: boolean } | null {
    let node = this.nodes.get(nodeId);
    let isNew = false;
    if (node === undefined) {
      if (kind === 'bye') return { node: new RemoteNode(nodeId, this.membership, this.limits), isNew: false };
      if (this.nodes.size >= this.settings.maxNodes) {
        if (!this.warnedAboutPeers) {
          this.warnedAboutPeers = true;
          this.settings.logger.warn(
            withFacts(`cluster: more than maxClusterNodes (${this.settings.maxNodes}) other nodes; messages from further ones are dropped`, {
              event: 'cluster_too_many_nodes',
              node: nodeId,
            }),
          );
        }
        this.dropped();
        return null;
      }
      node = new RemoteNode(nodeId, this.membership, this.limits);
      this.nodes.set(nodeId, node);
      isNew = true;
    }
    node.lastSeen = this.settings.now();
    return { node, isNew };
  }

  /** Nobody could be heard for a while (the link was down or stalled): everyone gets a full timeout anew. */
  heardEveryoneNow(): void {
    const now = this.settings.now();
    for (const node of this.nodes.values()) node.lastSeen = now;
  }

  /** Drops every node silent for `nodeTimeout`: its clients are gone. */
  timeOutSilent(): void {
    const { nodeTimeout, logger } = this.settings;
    const deadline = this.settings.now() - nodeTimeout;
    for (const [nodeId, node] of this.nodes) {
      if (node.lastSeen >= deadline) continue;
      this.timedOut += 1;
      logger.warn(withFacts(`cluster node ${nodeId} silent for ${nodeTimeout} ms: ${clientsOf(node)} gone`, { event: 'cluster_node_timed_out', node: nodeId }));
      this.drop(nodeId);
    }
  }

  /** `nodeId` said goodbye: it is dropped, and what it still sends while closing is ignored. */
  departedNode(nodeId: NodeId): void {
    this.rememberDeparted(nodeId);
    this.drop(nodeId);
  }

  /** The process behind `origin` is gone: its nodes are dropped now, as if they had said goodbye. */
  originGone(origin: string): void {
    for (const [nodeId, node] of this.nodes) {
      if (node.origin !== origin) continue;
      this.settings.logger.warn(withFacts(`cluster node ${nodeId} is gone (${origin} exited): ${clientsOf(node)} gone`, { event: 'cluster_node_gone', node: nodeId }));
      this.departedNode(nodeId);
    }
  }

  /** Every other node, by ID. */
  entries(): IterableIterator<[NodeId, RemoteNode]> {
    return this.nodes.entries();
  }

  remoteClientIds(): ClientId[] {
    return [...this.nodes.values()].flatMap((node) => [...node.clients]);
  }

  /** How many clients the other nodes hold. */
  remoteClientCount(): number {
    let count = 0;
    for (const node of this.nodes.values()) count += node.clients.size;
    return count;
  }

  knowsRemoteClient(clientId: ClientId): boolean {
    return this.holderOf(clientId) !== undefined;
  }

  /** The node holding `clientId`, if another node does. */
  holderOf(clientId: ClientId): NodeId | undefined {
    for (const [nodeId, node] of this.nodes) if (node.clients.has(clientId)) return nodeId;
    return undefined;
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

  /** The other nodes' clients (or a room's members there), each with its presence state (`null`: none). */
  remotePresence(room?: string): Array<readonly [ClientId, string | null]> {
    return [...this.nodes.values()].flatMap((node) => {
      const clients = room === undefined ? node.clients : node.rooms.membersOf(room);
      return [...clients].map((clientId) => [clientId, node.presence.get(clientId) ?? null] as const);
    });
  }

  private rememberDeparted(nodeId: NodeId): void {
    this.departed.add(nodeId);
    // Bounded, oldest first out: goodbyes from made-up nodes must not grow it forever.
    if (this.departed.size > this.settings.maxNodes * DEPARTED_MEMORY_FACTOR) {
      this.departed.delete(this.departed.values().next().value as NodeId);
    }
  }

  private drop(nodeId: NodeId): void {
    const node = this.nodes.get(nodeId);
    if (node === undefined) return;
    this.nodes.delete(nodeId);
    node.forget();
    this.membership.remoteNodeGone?.(nodeId);
  }
}

function clientsOf(node: RemoteNode): string {
  const count = node.clients.size;
  return `its ${count} ${count === 1 ? 'client is' : 'clients are'}`;
}
