// Casting a response: its frame made once, delivered here, published to the other nodes.
import { audienceOf, isRoomCast, type Audience } from './audience.js';
import { assembleResponse, encodeBody } from './codec.js';
import { OutgoingFrame } from './conn.js';
import { InvalidResponseError } from './errors.js';
import { Appending } from './history/appending.js';
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
   * casts). Returns the publications appended to the cluster's history, if any.
   */
  castAll(senderId: ClientId, handlerId: number | null, responses: readonly ResponseMessage[]): Appending | undefined {
    return this.castChecked(senderId, handlerId, responses, this.assertCastable(senderId, responses));
  }

  /**
   * Casts `responses` as {@link castAll} does when every one of them is a publication
   * appended to the cluster's history (nothing of theirs is delivered before they come
   * back); casts nothing and returns `null` otherwise.
   */
  castPublications(senderId: ClientId, handlerId: number, responses: readonly ResponseMessage[]): Appending | null {
    const histories = this.assertCastable(senderId, responses);
    if (histories === null || responses.length === 0 || !this.history!.appendsToCluster || histories.includes(undefined)) return null;
    return this.castChecked(senderId, handlerId, responses, histories)!;
  }

  private castChecked(
    senderId: ClientId,
    handlerId: number | null,
    responses: readonly ResponseMessage[],
    histories: (RoomHistoryConfig | undefined)[] | null,
  ): Appending | undefined {
    const appending = histories !== null && this.history!.appendsToCluster && histories.some((h) => h !== undefined) ? new Appending() : null;
    for (const [i, response] of responses.entries()) {
      this.cast(senderId, handlerId ?? response.handlerId ?? 0, response, histories?.[i], appending);
    }
    return appending ?? undefined;
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
   * it is a publication, and `appending` tracks it when it goes round the cluster's history.
   */
  private cast(senderId: ClientId, handlerId: number, response: ResponseMessage, history: RoomHistoryConfig | undefined, appending: Appending | null): void {
    const audience = audienceOf(response, senderId);
    const body = encodeBody(response.body ?? null);
    if (history !== undefined) {
      // A publication: stored and numbered first, so that its frame carries its Offset and Epoch.
      this.history!.publish(audience, history, handlerId, body, appending);
      return;
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
