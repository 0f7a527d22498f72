import type { CastType, ClientId } from '../message.js';

/** The ID of one node (one broadcaster process) of a cluster. */
export type NodeId = string;

/** A response cast on another node, with the frame that node built for it. */
export interface CastEnvelope {
  kind: 'cast';
  node: NodeId;
  castType: CastType;
  senderId: ClientId;
  castFor: readonly ClientId[] | null;
  frame: string;
}

/** The cluster's own bookkeeping between nodes. */
export type ControlEnvelope =
  | { kind: 'join' | 'leave'; node: NodeId; clientId: ClientId }
  /** "I am alive and have this many clients"; sent every heartbeat. */
  | { kind: 'beat'; node: NodeId; clients: number }
  /** Asks `to` (or every node, when null) to publish its client list. */
  | { kind: 'sync?'; node: NodeId; to: NodeId | null }
  | { kind: 'sync'; node: NodeId; clientIds: ClientId[] }
  /** A node shutting down cleanly: its clients are gone. */
  | { kind: 'bye'; node: NodeId };

export type Envelope = CastEnvelope | ControlEnvelope;

/**
 * Encodes an envelope. A cast is a JSON header, a newline, then the frame as it goes to
 * clients (frames are compact JSON, so they hold no raw newline): the frame is neither
 * escaped by the sender nor parsed by the receivers.
 */
export function encodeEnvelope(envelope: Envelope): string {
  if (envelope.kind !== 'cast') return JSON.stringify(envelope);
  const { frame, ...header } = envelope;
  return `${JSON.stringify(header)}\n${frame}`;
}

/** Decodes what {@link encodeEnvelope} made; anything else yields `null`. */
export function decodeEnvelope(message: string): Envelope | null {
  const split = message.indexOf('\n');
  try {
    if (split < 0) {
      const envelope = JSON.parse(message) as ControlEnvelope;
      return typeof envelope?.kind === 'string' && typeof envelope.node === 'string' ? envelope : null;
    }
    const header = JSON.parse(message.slice(0, split)) as Omit<CastEnvelope, 'frame'>;
    if (header?.kind !== 'cast' || typeof header.node !== 'string') return null;
    return { ...header, frame: message.slice(split + 1) };
  } catch {
    return null;
  }
}
