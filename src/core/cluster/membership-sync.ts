// Keeping the nodes' views of each other's membership in step: numbered changes, beats, and answers to what was missed.
import { withFacts } from '../log-facts.js';
import type { BroadcasterLogger } from '../handlers.js';
import type { ClientId } from '../message.js';
import type { MembershipOp } from '../rooms.js';
import { ChangeLog, type Change } from './change-log.js';
import type { Clock, LocalMembership } from './cluster-types.js';
import { MAX_SYNC_PARTS, type Envelope, type NodeId } from './envelope.js';
import { toggleDigest } from './membership-digest.js';
import type { RemoteNode } from './remote-node.js';
import { toggleMembershipDigest } from './room-index.js';
import { splitLists } from './sync-parts.js';

/** The most recent membership changes a node keeps to answer for those others missed. */
const CHANGE_LOG_CAPACITY = 4096;

/** How the sync is timed and sized. */
export interface MembershipSyncSettings {
  logger: BroadcasterLogger;
  /** Milliseconds between heartbeats: a question is asked, and lists are shipped, at most about once per beat. */
  heartbeatInterval: number;
  /** Room for the lists in one message, in characters. */
  maxListsSize: number;
  now: Clock;
}

/**
 * Numbers every join, leave and room change of this node's clients, and tells them to the
 * other nodes; each beat carries the latest number and digests of the lists. A node
 * whose view of another is behind (a change came early, a beat is ahead) or wrong (a
 * count or digest differs) asks; the answer is the changes since, when the log still
 * holds them and they are fewer than the lists, else the lists. Answers go to every node,
 * so one serves all that missed the same changes.
 */
export class MembershipSync {
  private readonly log = new ChangeLog(CHANGE_LOG_CAPACITY);
  private localCount = 0;
  private localDigest = 0;
  private localMemberships = 0;
  private localRoomDigest = 0;
  /** When this node last published its lists in answer to a request. */
  private lastSyncAt = 0;
  /** The last `changes` answer: from which version, and when. */
  private lastChanges = { since: 0, version: 0, at: Number.NEGATIVE_INFINITY };
  /** The lowest `since` asked for while the last answer of changes is too recent to send another. */
  private pendingSince: number | null = null;

  /**
   * @param publish sends an envelope to every node
   * @param closed whether the cluster is closing: a deferred answer is not sent then
   */
  constructor(
    private readonly nodeId: NodeId,
    private readonly local: LocalMembership,
    private readonly settings: MembershipSyncSettings,
    private readonly publish: (envelope: Envelope) => void,
    private readonly closed: () => boolean,
  ) {}

  /** The number of this node's latest change. */
  get version(): number {
    return this.log.version;
  }

  /** A client of this node joined (`moved`: it was handed over to this node). */
  joined(clientId: ClientId, moved = false): void {
    this.localCount += 1;
    this.localDigest = toggleDigest(this.localDigest, clientId);
    const seq = this.log.append([moved ? 'arrive' : 'join', clientId]);
    this.publish({ kind: 'join', node: this.nodeId, clientId, seq, ...(moved ? { moved: true } : {}) });
  }

  /**
   * A client of this node left (`moved`: it was handed over to another node); `rooms` are
   * the rooms it was in, which it leaves with it.
   */
  left(clientId: ClientId, rooms: Iterable<string>, moved = false): void {
    this.localCount -= 1;
    this.localDigest = toggleDigest(this.localDigest, clientId);
    for (const room of rooms) this.countMembership(clientId, room, -1);
    const seq = this.log.append([moved ? 'depart' : 'leave', clientId]);
    this.publish({ kind: 'leave', node: this.nodeId, clientId, seq, ...(moved ? { moved: true } : {}) });
  }

  /** A client of this node has a new presence state. */
  presenceChanged(clientId: ClientId, state: string): void {
    const seq = this.log.append(['presence', clientId, state]);
    this.publish({ kind: 'presence', node: this.nodeId, clientId, state, seq });
  }

  /** A client of this node joined or left a room. */
  roomChanged(op: MembershipOp, clientId: ClientId, room: string): void {
    this.countMembership(clientId, room, op === 'join' ? 1 : -1);
    const seq = this.log.append([op === 'join' ? 'join-room' : 'leave-room', clientId, room]);
    this.publish({ kind: 'room', node: this.nodeId, op, clientId, room, seq });
  }

  /** Publishes this node's beat: its version, and the counts and digests of its lists. */
  beat(): void {
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

  /** Asks every node for its membership (this node joins the cluster). */
  askEveryone(): void {
    this.publish({ kind: 'sync-request', node: this.nodeId, to: null, since: 0 });
  }

  /** Applies a numbered change of `node`; one that shows a gap asks for what is missing. */
  receiveChange(nodeId: NodeId, node: RemoteNode, seq: number, change: Change): void {
    if (node.receive(seq, change) === 'early') this.askFor(nodeId, node, node.version);
  }

  /**
   * A beat tells the node's version: ahead of this view means changes were lost at its
   * end (none came after them to show the gap). At the same version, a count or digest
   * that differs means the view went wrong some other way: the lists are asked for.
   */
  checkBeat(node: RemoteNode, beat: Extract<Envelope, { kind: 'beat' }>): void {
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
  askFor(nodeId: NodeId, node: RemoteNode, since: number | null): void {
    const now = this.settings.now();
    if (since === node.asked.since && now - node.asked.at < this.settings.heartbeatInterval) return;
    node.asked = { since, at: now };
    this.publish({ kind: 'sync-request', node: this.nodeId, to: nodeId, since });
  }

  /**
   * Answers with the changes after `since` while the log holds them and they are fewer
   * than the lists' entries, else with the lists. Several nodes that missed the same
   * changes ask at about the same time; answers go to every node, so one serves them all:
   * at most one answer of changes goes out per half heartbeat, and requests that come
   * meanwhile are answered together, from the lowest `since` asked (a request counting
   * down cannot make each one an answer of its own).
   */
  answer(since: number | null): void {
    const changes = since === null ? null : this.log.since(since);
    if (since === null || changes === null || changes.length > this.localCount + this.localMemberships) {
      this.answerWithLists();
      return;
    }
    if (changes.length === 0) return;
    const window = this.settings.heartbeatInterval / 2;
    const wait = this.lastChanges.at + window - this.settings.now();
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
        if (lowest !== null && !this.closed()) this.answer(lowest);
      }, wait);
      timer.unref();
    }
    this.pendingSince = Math.min(this.pendingSince ?? since, since);
  }

  private answerWithChanges(since: number): void {
    const changes = this.log.since(since);
    if (changes === null || changes.length === 0) return;
    this.lastChanges = { since, version: this.log.version, at: this.settings.now() };
    this.publish({ kind: 'changes', node: this.nodeId, since, version: this.log.version, changes });
  }

  private answerWithLists(): void {
    const now = this.settings.now();
    if (now - this.lastSyncAt < this.settings.heartbeatInterval / 2) return;
    this.lastSyncAt = now;
    const version = this.log.version;
    const parts = splitLists(this.local.localClientIds(), this.local.localMemberships(), this.local.localPresence(), this.settings.maxListsSize);
    if (parts.length > MAX_SYNC_PARTS) {
      this.settings.logger.error(withFacts(`cluster: this instance's lists need ${parts.length} messages, more than ${MAX_SYNC_PARTS}: not published`, { event: 'cluster_sync_too_large' }));
      return;
    }
    parts.forEach((lists, part) => this.publish({ kind: 'sync', node: this.nodeId, version, ...lists, part, parts: parts.length }));
  }

  private countMembership(clientId: ClientId, room: string, change: 1 | -1): void {
    this.localMemberships += change;
    this.localRoomDigest = toggleMembershipDigest(this.localRoomDigest, clientId, room);
  }
}
