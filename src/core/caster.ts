// Casting a response: its frame made once, delivered here, published to the other nodes.
import { audienceOf, isRoomCast, type Audience } from './audience.js';
import { assembleResponse, encodeBody } from './codec.js';
import { OutgoingFrame } from './conn.js';
import { InvalidResponseError } from './errors.js';
import type { RoomHistoryConfig } from './history/history-settings.js';
import type { RoomHistory } from './history/room-history.js';
import type { Hub } from './hub.js';
import { CastType, type ClientId, type ResponseMessage } from './message.js';

/** Where casts that reach other nodes go: the cluster, when there is one. */
export interface CastPublisher {
  publishCast(audience: Audience, handlerId: number, encodedBody: string): void;
  /** The most characters a cast's encoded body and targets may take to reach the other nodes. */
  readonly maxCastSize: number;
}

/**
 * Casts a response: its frame is made once, written to every matching client of this
 * node, and published once to the other nodes when it may reach any of theirs. A cast
 * from another node takes the same way here, from its audience on.
 */
export class Caster {
  /** @param publisher the cluster, when the node is part of one */
  constructor(
    private readonly hub: Hub,
    private readonly publisher: CastPublisher | null,
    private readonly history: RoomHistory | null = null,
  ) {}

  /**
   * Casts `responses` in order, or none of them: in a cluster, one too large to reach
   * the other nodes throws {@link InvalidResponseError} before anything is delivered.
   * `handlerId` stamps them all (`null`: each its own `handlerId`, or 0, for the server's
   * casts). Returns a promise when publications were appended to the cluster's history.
   */
  castAll(senderId: ClientId, handlerId: number | null, responses: readonly ResponseMessage[]): void | Promise<void> {
    const histories = this.assertCastable(senderId, responses);
    let appending: Promise<void>[] | null = null;
    for (const [i, response] of responses.entries()) {
      const appended = this.cast(senderId, handlerId ?? response.handlerId ?? 0, response, histories?.[i]);
      if (appended !== undefined) (appending ??= []).push(appended);
    }
    if (appending !== null) return Promise.all(appending).then(() => undefined);
  }

  /**
   * Throws before anything is delivered when one of `responses` cannot be cast: too large
   * to reach the other nodes (see {@link assertFitCluster}), or to a room the `history`
   * option gives a bad config. Returns each response's history config (`undefined`: not a
   * publication), asked of the option once; `null` when no room has history.
   */
  private assertCastable(senderId: ClientId, responses: readonly ResponseMessage[]): (RoomHistoryConfig | undefined)[] | null {
    this.assertFitCluster(senderId, responses);
    const history = this.history;
    return history === null ? null : responses.map((response) => history.configFor(audienceOf(response, senderId)));
  }

  /**
   * Throws {@link InvalidResponseError} when, in a cluster, one of `responses` would be
   * published and is too large to reach the other nodes.
   */
  private assertFitCluster(senderId: ClientId, responses: readonly ResponseMessage[]): void {
    if (this.publisher === null) return;
    const maxSize = this.publisher.maxCastSize;
    for (const response of responses) {
      const size = encodedSize(response);
      if (size <= maxSize || !this.reachesOtherNodes(audienceOf(response, senderId))) continue;
      throw new InvalidResponseError(
        `a cast of about ${size} bytes encoded is larger than maxClusterMessageBytes allows (${maxSize}): ` +
          'the other instances could not receive it, so nobody was sent it',
      );
    }
  }

  /**
   * Casts one response, which fits the cluster; `history` is its room's history config when
   * it is a publication. A publication appended to the cluster's room history returns a
   * promise: it settles once appended (it reaches clients when it comes back numbered),
   * and rejects when it could not be.
   */
  private cast(senderId: ClientId, handlerId: number, response: ResponseMessage, history: RoomHistoryConfig | undefined): void | Promise<void> {
    const audience = audienceOf(response, senderId);
    const body = encodeBody(response.body ?? null);
    if (history !== undefined) {
      // A publication: stored and numbered first, so that its frame carries its Offset and Epoch.
      return this.history!.publish(audience, history, handlerId, body);
    }
    this.castHere(audience, handlerId, body);
    if (this.publisher !== null && this.reachesOtherNodes(audience)) {
      this.publisher.publishCast(audience, handlerId, body);
    }
  }

  /**
   * Writes a cast to the clients of this node that `audience` matches: its frame is made
   * here, once, from `handlerId` and the body as encoded (`null` or quoted base64).
   */
  castHere(audience: Audience, handlerId: number, encodedBody: string): void {
    this.hub.deliver(audience, new OutgoingFrame(assembleResponse(audience, handlerId, encodedBody)));
  }

  private reachesOtherNodes({ castType, targets }: Audience): boolean {
    if (castType === CastType.Self) return false;
    // Room membership lives on the node holding each member: every node resolves its own.
    if (targets === null || isRoomCast(castType)) return true;
    return targets.some((id) => !this.hub.clients.has(id));
  }
}

/** An upper bound of a response's body in base64 plus its listed targets, without encoding it. */
function encodedSize({ body, castFor }: ResponseMessage): number {
  const bytes = body === null || body === undefined ? 0 : typeof body === 'string' ? Buffer.byteLength(body) : body.byteLength;
  let listed = 0;
  for (const target of castFor ?? []) listed += target.length + 3;
  return 4 * Math.ceil(bytes / 3) + listed;
}
