// What a node would deliver to a client that is about to be handed over to it, kept until it arrives.
import type { Audience } from '../audience.js';
import type { BacklogLimits, OutgoingFrame } from '../conn.js';
import { currentOrigin, isCoveredBy, type OriginStream, type StreamPositions } from '../cluster/frame-origin.js';
import type { NodeId } from '../cluster/envelope.js';
import type { ClientId } from '../message.js';
import { reaches } from '../recipients.js';

/** A frame kept for a shadowed client, with the message of another node it came from (if any). */
interface ShadowedFrame {
  frame: OutgoingFrame;
  node: NodeId | null;
  stream: OriginStream;
  seq: number;
}

/** One client about to be handed over to this node. */
class Shadow {
  readonly frames: ShadowedFrame[] = [];
  bytes = 0;
  overflowed = false;

  constructor(
    readonly clientId: ClientId,
    readonly inRoom: (room: string) => boolean,
  ) {}
}

/**
 * Clients another node is handing over to this one. From the moment this node agrees to
 * take one until its session arrives, every frame this node delivers that would reach
 * that client is kept for it, marked with the message it came from. The session
 * arrives with what its old node had applied of every node's messages; the frames kept
 * here from messages it had not applied yet are the ones its session lacks (see
 * {@link Shadows.take}). Within the slow-client limits: past them, the handover fails.
 */
export class Shadows {
  private readonly shadows = new Map<ClientId, Shadow>();

  constructor(private readonly limits: BacklogLimits) {}

  get size(): number {
    return this.shadows.size;
  }

  /** Starts keeping what reaches `clientId`, whose rooms `inRoom` tells. */
  start(clientId: ClientId, inRoom: (room: string) => boolean): void {
    this.shadows.set(clientId, new Shadow(clientId, inRoom));
  }

  has(clientId: ClientId): boolean {
    return this.shadows.has(clientId);
  }

  /** Stops keeping for `clientId`. */
  drop(clientId: ClientId): void {
    this.shadows.delete(clientId);
  }

  /**
   * Ends the shadow of `clientId`: the frames kept for it that `positions` (what its old
   * node had applied) do not cover, in order; `null` when there was no shadow, or it
   * went past the limits.
   */
  take(clientId: ClientId, positions: StreamPositions): OutgoingFrame[] | null {
    const shadow = this.shadows.get(clientId);
    this.shadows.delete(clientId);
    if (shadow === undefined || shadow.overflowed) return null;
    return shadow.frames.filter(({ node, stream, seq }) => node === null || !isCoveredBy(positions, node, stream, seq)).map(({ frame }) => frame);
  }

  /** A cast delivered here: kept for each shadowed client it reaches. */
  offer(audience: Audience, frame: OutgoingFrame): void {
    for (const shadow of this.shadows.values()) {
      if (reaches(audience, shadow.clientId, shadow.inRoom)) this.keep(shadow, frame);
    }
  }

  /** A join or leave announced here: kept for each shadowed client but its subject. */
  offerAnnouncement(subject: ClientId, frame: OutgoingFrame): void {
    for (const shadow of this.shadows.values()) {
      if (shadow.clientId !== subject) this.keep(shadow, frame);
    }
  }

  private keep(shadow: Shadow, frame: OutgoingFrame): void {
    if (shadow.overflowed) return;
    const { node, stream, seq } = currentOrigin;
    shadow.frames.push({ frame, node, stream, seq });
    shadow.bytes += frame.text.length;
    if (shadow.frames.length > this.limits.maxBufferedMessages || shadow.bytes > this.limits.maxBufferedBytes) {
      shadow.overflowed = true;
      shadow.frames.length = 0;
    }
  }
}
