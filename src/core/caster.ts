import { audienceOf, isRoomCast, type Audience } from './audience.js';
import type { ClientRegistry } from './client-registry.js';
import { assembleResponse, encodeBody } from './codec.js';
import { OutgoingFrame } from './conn.js';
import type { Delivery } from './delivery.js';
import { CastType, type ClientId, type ResponseMessage } from './message.js';
import { selectRecipients } from './recipients.js';

/** Where casts that reach other nodes go: the cluster, when there is one. */
export interface CastPublisher {
  publishCast(audience: Audience, handlerId: number, encodedBody: string): void;
}

/**
 * Casts a response: its frame is made once, written to every matching client of this
 * node, and published once to the other nodes when it may reach any of theirs.
 */
export class Caster {
  /** Set when the node joins a cluster. */
  publisher: CastPublisher | null = null;
  private readonly membersOf = (room: string) => this.registry.rooms.membersOf(room);

  constructor(
    private readonly registry: ClientRegistry,
    private readonly delivery: Delivery,
  ) {}

  cast(senderId: ClientId, handlerId: number, response: ResponseMessage): void {
    const audience = audienceOf(response, senderId);
    const body = encodeBody(response.body ?? null);
    this.deliverLocally(audience, new OutgoingFrame(assembleResponse(audience, handlerId, body)));
    if (this.publisher !== null && this.reachesOtherNodes(audience)) {
      this.publisher.publishCast(audience, handlerId, body);
    }
  }

  /** Writes a frame to the clients of this node that `audience` matches. */
  deliverLocally(audience: Audience, frame: OutgoingFrame): void {
    for (const target of selectRecipients(audience, this.registry.clients, this.membersOf)) {
      this.delivery.send(target, frame);
    }
  }

  private reachesOtherNodes({ castType, targets }: Audience): boolean {
    if (castType === CastType.Self) return false;
    // Room membership lives on the node holding each member: every node resolves its own.
    if (targets === null || isRoomCast(castType)) return true;
    return targets.some((id) => !this.registry.clients.has(id));
  }
}
