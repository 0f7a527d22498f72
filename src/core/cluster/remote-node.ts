// This node's view of another node: its clients and rooms, changes applied strictly in order.
import type { ClientId } from '../message.js';
import type { Change } from './change-log.js';
import type { NodeId, PresenceListing } from './envelope.js';
import { CHANGE_STREAM, fromOrigin } from './frame-origin.js';
import { toggleDigest } from './membership-digest.js';
import { RoomIndex, type Membership } from './room-index.js';
import { ListsAssembly } from './sync-parts.js';

/** What a remote node's view tells when its membership changes. */
export interface RemoteMembershipListener {
  remoteClientJoined(clientId: ClientId): void;
  remoteClientLeft(clientId: ClientId): void;
  /** A node is gone, after its clients' leaves. */
  remoteNodeGone?(nodeId: string): void;
}

/** How much of one other node's claims is believed. */
export interface RemoteNodeLimits {
  /** Clients one node may claim; joins past it are refused. */
  maxClients: number;
  /** Room memberships one node may claim; room joins past it are refused. */
  maxMemberships: number;
  /** Called once for each claim refused. */
  refused(what: 'client' | 'membership'): void;
}

/** What becomes of a numbered change on arrival. */
export type ChangeOutcome = 'applied' | 'already-applied' | 'early';

/**
 * Changes that came before the ones missing, kept until those arrive; past this many,
 * dropped (the lists are asked for instead). Bounded per node, since a forged node costs
 * nothing to make up: 256 nodes hold at most a quarter of a million.
 */
const MAX_EARLY_CHANGES = 1_000;

/**
 * This node's view of another node: its clients and their rooms, as of the numbered
 * change `version` of that node. Changes are applied strictly in their order; one that
 * comes early (some before it were lost) waits until the missing ones are filled in,
 * from a `changes` answer or a full list.
 */
export class RemoteNode {
  readonly clients = new Set<ClientId>();
  /** The digest of `clients`, compared with the node's beats. */
  digest = 0;
  readonly rooms = new RoomIndex();
  /** The presence states of its clients that have one. */
  readonly presence = new Map<ClientId, string>();
  lastSeen = 0;
  /** The process its messages come from, where the backplane tells (see `BackplaneListener.originGone`). */
  origin: string | undefined = undefined;
  /** The number of the last change applied. */
  version = 0;
  /** The number of the last cast applied (0: none, or a node that does not number them). */
  lastCast = 0;
  /** The last request for its changes (since a version) or lists (since null), and when. */
  asked: { since: number | null; at: number } = { since: null, at: Number.NEGATIVE_INFINITY };
  private readonly early = new Map<number, Change>();
  /** The parts of its lists received so far, when they come in several messages. */
  readonly lists: ListsAssembly;

  constructor(
    readonly id: NodeId,
    private readonly listener: RemoteMembershipListener,
    private readonly limits: RemoteNodeLimits,
  ) {
    this.lists = new ListsAssembly(limits.maxClients, limits.maxMemberships);
  }

  /** Takes change number `seq`: applies it if it is the next one, keeps it if it is early. */
  receive(seq: number, change: Change): ChangeOutcome {
    if (seq <= this.version) return 'already-applied';
    if (seq > this.version + 1) {
      if (this.early.size < MAX_EARLY_CHANGES) this.early.set(seq, change);
      return 'early';
    }
    this.apply(change, seq);
    this.version = seq;
    this.applyEarlyChanges();
    return 'applied';
  }

  /**
   * Takes the node's changes after `since` up to `version` (an answer to some node's
   * request); useless, and ignored, unless this view is somewhere in that span.
   */
  catchUp(since: number, version: number, changes: readonly Change[]): void {
    if (since > this.version || version <= this.version) return;
    for (let i = this.version - since; i < changes.length; i++) this.apply(changes[i], since + i + 1);
    this.version = version;
    this.applyEarlyChanges();
  }

  /** Takes the node's full lists, as of its change `version`. */
  replaceWith(clientIds: readonly ClientId[], memberships: readonly Membership[], presence: readonly PresenceListing[], version: number): void {
    const listed = new Set(clientIds);
    for (const clientId of this.clients) {
      if (!listed.has(clientId)) this.apply(['leave', clientId], version);
    }
    for (const clientId of listed) this.apply(['join', clientId], version);
    this.rooms.replaceWith([]);
    for (const [clientId, room] of memberships) this.apply(['join-room', clientId, room], version);
    this.presence.clear();
    for (const [clientId, state] of presence) this.apply(['presence', clientId, state], version);
    this.version = version;
    this.applyEarlyChanges();
  }

  /** Whether changes wait for missing ones before them. */
  get waiting(): boolean {
    return this.early.size > 0;
  }

  /** The node is gone: every client of it has left. */
  forget(): void {
    for (const clientId of this.clients) this.listener.remoteClientLeft(clientId);
  }

  private applyEarlyChanges(): void {
    for (const seq of this.early.keys()) if (seq <= this.version) this.early.delete(seq);
    for (let next = this.early.get(this.version + 1); next !== undefined; next = this.early.get(this.version + 1)) {
      this.early.delete(this.version + 1);
      this.apply(next, this.version + 1);
      this.version += 1;
    }
  }

  /** Applies change number `version`; the joins and leaves it announces come from that change. */
  private apply(change: Change, version: number): void {
    const [op, clientId] = change;
    switch (op) {
      case 'join':
      case 'arrive':
        if (this.clients.has(clientId)) return;
        if (this.clients.size >= this.limits.maxClients) {
          this.limits.refused('client');
          return;
        }
        this.clients.add(clientId);
        this.digest = toggleDigest(this.digest, clientId);
        // A client handed over by another node arrives unannounced: it never left.
        if (op === 'join') fromOrigin(this.id, CHANGE_STREAM, version, () => this.listener.remoteClientJoined(clientId));
        return;
      case 'leave':
      case 'depart':
        if (!this.clients.delete(clientId)) return;
        this.digest = toggleDigest(this.digest, clientId);
        this.rooms.removeClient(clientId);
        this.presence.delete(clientId);
        if (op === 'leave') fromOrigin(this.id, CHANGE_STREAM, version, () => this.listener.remoteClientLeft(clientId));
        return;
      case 'join-room':
        // A room change always follows its client's join in the node's order.
        if (!this.clients.has(clientId)) return;
        if (this.rooms.size >= this.limits.maxMemberships) {
          this.limits.refused('membership');
          return;
        }
        this.rooms.add(clientId, change[2]);
        return;
      case 'leave-room':
        this.rooms.remove(clientId, change[2]);
        return;
      case 'presence':
        // Bounded like the clients: only a client of the node has a state.
        if (this.clients.has(clientId)) this.presence.set(clientId, change[2]);
        return;
    }
  }
}
