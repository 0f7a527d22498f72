// The cluster's messages: their shapes, their encoding, and their checked decoding.
import type { Audience } from '../audience.js';
import { isStrictBase64 } from '../../protocol/canonical-request.js';
import { CastType, type ClientId } from '../message.js';
import { isRoomName, type MembershipOp } from '../rooms.js';
import { isCloseCode, isCloseReason } from '../disconnect.js';
import type { Change } from './change-log.js';
import { isPresenceStateText } from '../presence/presence-state.js';
import { isClientId, isCount, isNodeId, isSeq } from './field-checks.js';
import { decodeRelay, type RelayEnvelope } from './relay-envelope.js';
import type { Membership } from './room-index.js';

/** The ID of one node (one broadcaster process) of a cluster. */
export type NodeId = string;

/**
 * A response cast on another node. It carries the response's parts, not a frame: every
 * node builds the frame itself, so a message on the backplane can never put arbitrary
 * text in front of clients.
 */
export interface CastEnvelope {
  kind: 'cast';
  node: NodeId;
  /** Who the cast is for, as the casting node resolved it from the response. */
  audience: Audience;
  handlerId: number;
  /** The frame's `Body` value as JSON: `null`, or a quoted base64 string. */
  body: string;
  /** The node's casts are numbered from 1 (absent from a version that did not number them). */
  seq?: number;
  /**
   * A publication (protocol 1.2): a Room or RoomOthers cast to one room with history,
   * appended to the room's history and numbered there; this is the node's own count of
   * its publications, from 1 (by which it knows its own when they come back).
   */
  publication?: number;
}

/** The cluster's own bookkeeping between nodes. */
export type ControlEnvelope =
  /**
   * A client joined or left the sending node: its membership change number `seq`.
   * `moved`: it was handed over to or by that node, and neither joined nor left.
   */
  | { kind: 'join' | 'leave'; node: NodeId; clientId: ClientId; seq: number; moved?: true }
  /**
   * "I am alive, at membership change `version`, and have this many clients, whose IDs
   * hash to `digest`, in this many room memberships, which hash to `roomDigest`"; sent
   * every heartbeat.
   */
  | { kind: 'beat'; node: NodeId; version: number; clients: number; digest: number; memberships: number; roomDigest: number }
  /**
   * Asks `to` (or every node, when null) for its changes after version `since`, or for
   * its full lists when `since` is null.
   */
  | { kind: 'sync-request'; node: NodeId; to: NodeId | null; since: number | null }
  /**
   * The sending node's full lists, as of its change `version`, in `parts` messages (lists
   * too long for one message are split): this is part `part`, from 0.
   */
  | {
      kind: 'sync';
      node: NodeId;
      version: number;
      clientIds: ClientId[];
      memberships: Membership[];
      /** The presence states of its clients that have one. */
      presence: PresenceListing[];
      part: number;
      parts: number;
    }
  /** The sending node's changes after version `since`, up to `version`, oldest first. */
  | { kind: 'changes'; node: NodeId; since: number; version: number; changes: Change[] }
  /** A client of the sending node has a new presence state: its membership change number `seq`. */
  | { kind: 'presence'; node: NodeId; clientId: ClientId; state: string; seq: number }
  /** A client of the sending node joined or left a room: its membership change number `seq`. */
  | { kind: 'room'; node: NodeId; op: MembershipOp; clientId: ClientId; room: string; seq: number }
  /** Asks the node holding `clientId` to make it join or leave a room. */
  | { kind: 'room-request'; node: NodeId; op: MembershipOp; clientId: ClientId; room: string }
  /** Asks the node holding `clientId` to disconnect it with `code` and `reason`. */
  | { kind: 'disconnect-request'; node: NodeId; clientId: ClientId; code: number; reason: string }
  /** A node shutting down cleanly: its clients are gone. */
  | { kind: 'bye'; node: NodeId };

export type { RelayEnvelope } from './relay-envelope.js';

export type Envelope = CastEnvelope | ControlEnvelope | RelayEnvelope;

/** Whether an envelope is traffic (casts and relayed frames), checked for age only, not remembered. */
export function isTraffic(kind: Envelope['kind']): boolean {
  return kind === 'cast' || kind === 'session-out' || kind === 'session-in';
}

/** A client and its presence state, in a node's lists. */
export type PresenceListing = readonly [clientId: ClientId, state: string];

const MAX_LISTED_IDS = 1_000_000;
/** The most messages one node's lists are split into. */
export const MAX_SYNC_PARTS = 4096;

/**
 * Encodes an envelope. A cast is a JSON header, a newline, then the body's JSON value as
 * it stands in the frame: the body, usually the bulk, is neither escaped by the sender
 * nor parsed by the receivers (they check it is quoted base64).
 */
export function encodeEnvelope(envelope: Envelope): string {
  if (envelope.kind !== 'cast') return JSON.stringify(envelope);
  const { body, ...header } = envelope;
  return `${JSON.stringify(header)}\n${body}`;
}

/**
 * Decodes what {@link encodeEnvelope} made, checking every field; anything else
 * (another program's message, a newer or older version's, a forgery) yields `null`.
 */
export function decodeEnvelope(message: string): Envelope | null {
  const split = message.indexOf('\n');
  const header = parseObject(split < 0 ? message : message.slice(0, split));
  if (header === null || !isNodeId(header.node)) return null;
  if (split >= 0) {
    const body = message.slice(split + 1);
    return header.kind === 'cast' && (body === 'null' || isQuotedBase64(body)) ? castOf(header, body) : null;
  }
  const node = header.node;
  switch (header.kind) {
    case 'join':
    case 'leave':
      if (!isClientId(header.clientId) || !isSeq(header.seq)) return null;
      return { kind: header.kind, node, clientId: header.clientId, seq: header.seq, ...(header.moved === true ? { moved: true } : {}) };
    case 'beat': {
      const { version, clients, digest, memberships, roomDigest } = header;
      return isCount(version) && isCount(clients) && isCount(digest) && isCount(memberships) && isCount(roomDigest)
        ? { kind: 'beat', node, version, clients, digest, memberships, roomDigest }
        : null;
    }
    case 'sync-request': {
      const { to, since } = header;
      return (to === null || isNodeId(to)) && (since === null || isCount(since)) ? { kind: 'sync-request', node, to, since } : null;
    }
    case 'sync': {
      const { version, clientIds, memberships, part, parts } = header;
      // An instance of a version without presence lists none.
      const presence = header.presence ?? [];
      const split = isCount(part) && isSeq(parts) && parts <= MAX_SYNC_PARTS && part < parts;
      return split && isCount(version) && isIdList(clientIds) && isMembershipList(memberships) && isPresenceList(presence)
        ? { kind: 'sync', node, version, clientIds, memberships, presence, part, parts }
        : null;
    }
    case 'presence': {
      const { clientId, state, seq } = header;
      return isClientId(clientId) && isPresenceStateText(state) && isSeq(seq) ? { kind: 'presence', node, clientId, state, seq } : null;
    }
    case 'changes': {
      const { since, version, changes } = header;
      return isCount(since) && isSeq(version) && version > since && isChangeList(changes) && changes.length === version - since
        ? { kind: 'changes', node, since, version, changes }
        : null;
    }
    case 'room':
    case 'room-request': {
      const { op, clientId, room, seq } = header;
      if (!((op === 'join' || op === 'leave') && isClientId(clientId) && isRoomName(room))) return null;
      if (header.kind === 'room-request') return { kind: 'room-request', node, op, clientId, room };
      return isSeq(seq) ? { kind: 'room', node, op, clientId, room, seq } : null;
    }
    case 'disconnect-request': {
      const { clientId, code, reason } = header;
      return isClientId(clientId) && isCloseCode(code) && isCloseReason(reason)
        ? { kind: 'disconnect-request', node, clientId, code, reason }
        : null;
    }
    case 'bye':
      return { kind: 'bye', node };
    default:
      return decodeRelay(header, node);
  }
}

function castOf(header: Record<string, unknown>, body: string): CastEnvelope | null {
  const { node, audience, handlerId, seq, publication } = header;
  if (seq !== undefined && !isSeq(seq)) return null;
  if (publication !== undefined && (!isSeq(publication) || seq !== undefined)) return null;
  if (typeof audience !== 'object' || audience === null || Array.isArray(audience) || !Number.isSafeInteger(handlerId)) return null;
  const { castType, senderId, targets } = audience as Record<string, unknown>;
  // Self never leaves its node; every other cast type is published.
  const rooms = castType === CastType.Room || castType === CastType.RoomOthers;
  const published = rooms || castType === CastType.All || castType === CastType.Exclusive || castType === CastType.Others;
  if (!published || !(senderId === '' || isClientId(senderId))) return null;
  if (rooms ? !isRoomList(targets) : castType === CastType.Exclusive ? !isIdList(targets) : targets !== null) return null;
  if (publication !== undefined && !(rooms && (targets as string[]).length === 1)) return null;
  return {
    kind: 'cast',
    node: node as NodeId,
    audience: { castType, senderId, targets: targets as string[] | null },
    handlerId: handlerId as number,
    body,
    ...(seq === undefined ? {} : { seq }),
    ...(publication === undefined ? {} : { publication }),
  };
}

/** `"<standard base64>"`, checked in one pass: a body may be megabytes long. */
function isQuotedBase64(text: string): boolean {
  const last = text.length - 1;
  return last > 0 && text.charCodeAt(0) === QUOTE && text.charCodeAt(last) === QUOTE && isStrictBase64(text.slice(1, last));
}

const QUOTE = 34;

function parseObject(text: string): Record<string, unknown> | null {
  try {
    const value: unknown = JSON.parse(text);
    return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : null;
  } catch {
    return null;
  }
}

function isIdList(value: unknown): value is ClientId[] {
  return Array.isArray(value) && value.length <= MAX_LISTED_IDS && value.every(isClientId);
}

function isRoomList(value: unknown): value is string[] {
  return Array.isArray(value) && value.length <= MAX_LISTED_IDS && value.every(isRoomName);
}

function isMembershipList(value: unknown): value is Membership[] {
  return (
    Array.isArray(value) &&
    value.length <= MAX_LISTED_IDS &&
    value.every((pair) => Array.isArray(pair) && pair.length === 2 && isClientId(pair[0]) && isRoomName(pair[1]))
  );
}

function isPresenceList(value: unknown): value is PresenceListing[] {
  return (
    Array.isArray(value) &&
    value.length <= MAX_LISTED_IDS &&
    value.every((pair) => Array.isArray(pair) && pair.length === 2 && isClientId(pair[0]) && isPresenceStateText(pair[1]))
  );
}

function isChangeList(value: unknown): value is Change[] {
  return Array.isArray(value) && value.length <= MAX_LISTED_IDS && value.every(isChange);
}

function isChange(value: unknown): value is Change {
  if (!Array.isArray(value) || !isClientId(value[1])) return false;
  if (value.length === 2) return value[0] === 'join' || value[0] === 'leave' || value[0] === 'arrive' || value[0] === 'depart';
  if (value.length !== 3) return false;
  if (value[0] === 'presence') return isPresenceStateText(value[2]);
  return (value[0] === 'join-room' || value[0] === 'leave-room') && isRoomName(value[2]);
}
