// A node's room history put together: publications delivered (held for clients recovering), recoveries answered.
import type { Audience } from '../audience.js';
import type { Client } from '../client.js';
import type { Cluster } from '../cluster/cluster.js';
import type { PublicationStamp } from '../cluster/backplane.js';
import { assemblePublication } from '../codec.js';
import { OutgoingFrame } from '../conn.js';
import type { Hub } from '../hub.js';
import type { ThrottledLog } from '../throttled-log.js';
import type { ResolvedHistorySettings } from './history-settings.js';
import type { RecoverRequest } from './recover-request.js';
import { answerRecovery } from './recovery.js';
import { RecoveryHolds } from './recovery-holds.js';
import { RoomHistory } from './room-history.js';

/**
 * Room history on a node (protocol 1.2): the {@link RoomHistory} when the `history` option
 * is set, the delivery of numbered publications to this node's members, and the answers
 * to `Recover` frames.
 */
export class HistoryDesk {
  /** `null` when no room has history here. */
  readonly history: RoomHistory | null;
  private readonly holds: RecoveryHolds;

  constructor(
    settings: ResolvedHistorySettings & { maxBufferedMessages: number },
    private readonly hub: Hub,
    cluster: Cluster | null,
    private readonly warnings: ThrottledLog,
  ) {
    const deliver = (audience: Audience, frame: OutgoingFrame, stamp: PublicationStamp) => this.deliver(audience, frame, stamp);
    this.history = settings.history === undefined ? null : new RoomHistory(settings.history, settings, warnings, cluster, deliver);
    this.holds = new RecoveryHolds(settings.maxBufferedMessages, (client, room) =>
      warnings.warn(
        'recovery-held',
        `room history: more than ${settings.maxBufferedMessages} publications of "${room}" came for client ${client.id} while its recovery was answered: dropped, the room is answered as not recovered`,
        { clientId: client.id, room },
      ),
    );
  }

  /** A publication numbered by the cluster's history (of any node): delivered to the members here. */
  arrived(audience: Audience, handlerId: number, encodedBody: string, stamp: PublicationStamp): void {
    this.deliver(audience, new OutgoingFrame(assemblePublication(audience, handlerId, encodedBody, stamp.offset, stamp.epoch)), stamp);
  }

  /** Answers a client's `Recover` frame (see {@link answerRecovery}). */
  recover(client: Client, request: RecoverRequest): Promise<void> {
    return answerRecovery({ hub: this.hub, history: this.history, holds: this.holds, warnings: this.warnings }, client, request);
  }

  close(): void {
    this.history?.close();
  }

  private deliver(audience: Audience, frame: OutgoingFrame, stamp: PublicationStamp): void {
    if (this.holds.size === 0) return this.hub.deliver(audience, frame);
    const room = audience.targets![0];
    this.hub.deliver(audience, frame, (client) => this.holds.take(client, room, frame, stamp));
  }
}
