// The cluster's link to the backplane: envelopes signed and published, messages opened and checked, the link watched.
import { withFacts } from '../log-facts.js';
import type { BroadcasterLogger } from '../handlers.js';
import { stackOf } from '../thrown-text.js';
import type { Backplane, BackplaneHistory, PublicationStamp } from './backplane.js';
import { EnvelopeSigner } from './envelope-signer.js';
import { decodeEnvelope, encodeEnvelope, isTraffic, type CastEnvelope, type Envelope, type NodeId } from './envelope.js';
import type { Clock } from './cluster-types.js';
import { ReplayGuard } from './replay-guard.js';

/** Leeway for a beat that comes back late through a busy event loop, in milliseconds. */
const STALL_SLACK = 50;
/** How far a signed message's signing time may be from this instance's clock. */
const REPLAY_WINDOW_MS = 60_000;
/** Signed control messages remembered to refuse their replays. */
const MAX_REMEMBERED_MESSAGES = 200_000;
/** What signing adds to a message, at most. */
const SIGNATURE_ALLOWANCE = 128;

/** What the link reports to the cluster it serves. */
export interface LinkListener {
  /** A valid, fresh envelope of another node, published from `origin` where the backplane tells. */
  envelope(envelope: Envelope, origin: string | undefined): void;
  /** A publication to a room with history, of any node (this one included), with its place in the room's history. */
  publication(envelope: CastEnvelope, stamp: PublicationStamp): void;
  /**
   * The link came up, or carries this node's messages again after a stall: nobody could
   * be heard meanwhile.
   */
  resynchronize(): void;
  /** The process behind `origin` is gone for certain. */
  originGone(origin: string): void;
}

/** How the link is set up. */
export interface LinkSettings {
  backplane: Backplane;
  logger: BroadcasterLogger;
  /** Signs every message and drops those not signed with it. */
  secret?: string;
  /** The longest message published or taken, in characters. */
  maxMessageBytes: number;
  /** Milliseconds between this node's heartbeats: its own come back within two while the link carries. */
  heartbeatInterval: number;
  now: Clock;
}

/** The link's counters, part of the cluster's stats. */
export interface LinkCounters {
  outages: number;
  stalls: number;
  published: number;
  publishFailures: number;
  rejected: number;
}

/**
 * Publishes this node's envelopes and takes the others', signed and checked. It knows
 * when the link is up, and whether it carries: this node hears its own messages back
 * within a heartbeat or two while it does. Nothing in a message taken from the
 * backplane can throw out of the backplane's listener.
 */
export class ClusterLink {
  readonly counters: LinkCounters = { outages: 0, stalls: 0, published: 0, publishFailures: 0, rejected: 0 };
  private readonly signer: EnvelopeSigner | null;
  private readonly replays = new ReplayGuard(REPLAY_WINDOW_MS, MAX_REMEMBERED_MESSAGES);
  private linkUp = false;
  private closing = false;
  /** When this node last heard one of its own messages back: proof that the link carries. */
  private lastOwnEcho = 0;
  private stalled = false;

  constructor(
    private readonly nodeId: NodeId,
    private readonly settings: LinkSettings,
    private readonly listener: LinkListener,
  ) {
    this.signer = settings.secret === undefined ? null : new EnvelopeSigner(settings.secret);
  }

  /** Connects the backplane; resolves once the link is up. */
  connect(): Promise<void> {
    return this.settings.backplane.connect({
      message: (message, origin, stamp) => this.receive(message, origin, stamp),
      originGone: (origin) => {
        if (!this.closing) this.listener.originGone(origin);
      },
      up: () => this.onUp(),
      down: (reason) => this.onDown(reason),
    });
  }

  /** Whether the link is up now. */
  get up(): boolean {
    return this.linkUp;
  }

  /** Whether the link is closing or closed: it takes nothing in, and sends only goodbyes and leaves. */
  get closed(): boolean {
    return this.closing;
  }

  /** Publishes `envelope`; one that cannot go out is counted as a publish failure. */
  publish(envelope: Envelope): void {
    // After its goodbye a node only tells of clients still leaving.
    if (this.closing && envelope.kind !== 'bye' && envelope.kind !== 'leave') return;
    const message = encodeEnvelope(envelope);
    const { maxMessageBytes, backplane } = this.settings;
    if (message.length > maxMessageBytes) {
      this.counters.publishFailures += 1;
      this.settings.logger.error(
        withFacts(`cluster: a ${envelope.kind} message of ${message.length} characters is longer than maxClusterMessageBytes (${maxMessageBytes}): not published`, {
          event: 'cluster_message_too_long',
        }),
      );
      return;
    }
    if (this.linkUp && backplane.publish(this.signer === null ? message : this.signer.sign(message, this.settings.now()))) {
      this.counters.published += 1;
    } else {
      this.counters.publishFailures += 1;
    }
  }

  /**
   * Appends the publication `envelope` to its room's history through the backplane, which
   * numbers it and publishes it to every node. Rejects when that could not be done (no
   * history on this backplane, the link down, the message too long).
   */
  async append(envelope: CastEnvelope, size: number, ttl: number): Promise<void> {
    const history = this.history();
    const message = encodeEnvelope(envelope);
    if (!this.linkUp || message.length > this.settings.maxMessageBytes) {
      this.counters.publishFailures += 1;
      throw new Error(this.linkUp ? 'the publication is longer than maxClusterMessageBytes' : 'the cluster backplane is down');
    }
    try {
      await history.append(envelope.audience.targets![0], size, ttl, this.signer === null ? message : this.signer.sign(message, this.settings.now()));
      this.counters.published += 1;
    } catch (error) {
      this.counters.publishFailures += 1;
      throw error;
    }
  }

  /** The backplane's room history; throws when it has none. */
  history(): BackplaneHistory {
    const history = this.settings.backplane.history;
    if (history === undefined) throw new Error('this backplane keeps no room history');
    return history;
  }

  /**
   * A publication read back from a room's history: its signature is checked (not its age:
   * it may be old), and `null` is returned for anything that is not a valid publication.
   */
  openStored(message: string): CastEnvelope | null {
    const opened = this.signer === null ? { message } : this.signer.open(message);
    const envelope = opened === null ? null : decodeEnvelope(opened.message);
    return envelope?.kind === 'cast' && envelope.publication !== undefined ? envelope : null;
  }

  /** Publishes `goodbye` as the last message, then disconnects. */
  async close(goodbye: Envelope): Promise<void> {
    this.closing = true;
    this.publish(goodbye);
    await this.settings.backplane.close();
  }

  /**
   * Whether this node's own messages came back lately. When they have not for two
   * heartbeats, the silence of the others may be ours: the stall is counted and logged
   * once, and nobody should be timed out for it.
   */
  carries(): boolean {
    const now = this.settings.now();
    if (now - this.lastOwnEcho <= 2 * this.settings.heartbeatInterval + STALL_SLACK) return true;
    if (!this.stalled) {
      this.stalled = true;
      this.counters.stalls += 1;
      this.settings.logger.warn(
        withFacts(
          `cluster backplane stalled: this node's own messages have not come back for ${now - this.lastOwnEcho} ms; no other node is timed out until they do`,
          { event: 'cluster_link_stalled' },
        ),
      );
    }
    return false;
  }

  /** Counts a message dropped for `what`; the first, and every thousandth, is logged. */
  reject(what: string): void {
    this.counters.rejected += 1;
    // The first one tells the operator; a flood of them must not flood the log.
    if (this.counters.rejected === 1 || this.counters.rejected % 1000 === 0) {
      this.settings.logger.warn(withFacts(`cluster: dropped ${what} (${this.counters.rejected} so far)`, { event: 'cluster_message_rejected' }));
    }
  }

  /** Counts a message dropped where the reason was logged already. */
  countDropped(): void {
    this.counters.rejected += 1;
  }

  private onUp(): void {
    if (this.linkUp || this.closing) return;
    const { outages, publishFailures } = this.counters;
    const after = outages > 0 ? ` after an outage; ${publishFailures} messages were lost so far` : '';
    this.settings.logger.log(withFacts(`cluster backplane up${after}`, { event: 'cluster_link_up' }));
    this.linkUp = true;
    this.lastOwnEcho = this.settings.now();
    this.listener.resynchronize();
  }

  private onDown(reason: string): void {
    if (!this.linkUp) return;
    this.linkUp = false;
    this.counters.outages += 1;
    this.settings.logger.warn(
      withFacts(`cluster backplane down (${reason}): serving local clients only; casts to other nodes are lost until it is back`, { event: 'cluster_link_down' }),
    );
  }

  private receive(message: string, origin?: string, stamp?: PublicationStamp): void {
    if (this.closing) return;
    // Checked before anything is parsed: a signature adds a few dozen characters.
    if (message.length > this.settings.maxMessageBytes + SIGNATURE_ALLOWANCE) {
      this.reject(`a backplane message of ${message.length} characters, longer than maxClusterMessageBytes`);
      return;
    }
    try {
      this.open(message, origin, stamp);
    } catch (error) {
      this.counters.rejected += 1;
      this.settings.logger.error(withFacts('cluster: handling a backplane message failed; it was dropped', { event: 'cluster_message_failed' }), stackOf(error));
    }
  }

  private open(message: string, origin: string | undefined, stamp: PublicationStamp | undefined): void {
    const opened = this.signer === null ? { message, mac: '', signedAt: 0 } : this.signer.open(message);
    const envelope = opened === null ? null : decodeEnvelope(opened.message);
    if (opened === null || envelope === null) {
      this.reject('a backplane message that is not a valid, signed message of this cluster');
      return;
    }
    // Signed control messages act once; traffic (casts, relayed frames) is only checked for
    // age (remembering all of it would cost memory in proportion to the traffic; relayed
    // frames are numbered, so a replayed one is out of sequence anyway).
    // A publication is taken only as the history's keeper stamped it, and each one once:
    // the stamp is outside the signature, so a copy with another stamp is a replay.
    const publication = envelope.kind === 'cast' && envelope.publication !== undefined;
    if (publication !== (stamp !== undefined)) {
      this.reject(publication ? 'a publication that did not come through the room history' : 'a stamped message that is not a publication');
      return;
    }
    const verdict = this.signer === null ? 'fresh' : this.replays.check(opened.mac, opened.signedAt, publication || !isTraffic(envelope.kind), this.settings.now());
    if (verdict !== 'fresh') {
      this.reject(
        verdict === 'stale'
          ? `a signed message signed more than ${REPLAY_WINDOW_MS / 1000} s away from this instance's clock (replayed, or the clocks disagree)`
          : 'a signed message received before (replayed)',
      );
      return;
    }
    if (publication) {
      if (envelope.node === this.nodeId) this.heardOwnEcho();
      this.listener.publication(envelope as CastEnvelope, stamp!);
      return;
    }
    if (envelope.node === this.nodeId) {
      this.heardOwnEcho();
      return;
    }
    this.listener.envelope(envelope, origin);
  }

  private heardOwnEcho(): void {
    this.lastOwnEcho = this.settings.now();
    if (!this.stalled) return;
    this.stalled = false;
    this.settings.logger.log(withFacts("cluster backplane carries this node's messages again", { event: 'cluster_link_recovered' }));
    this.listener.resynchronize();
  }
}
