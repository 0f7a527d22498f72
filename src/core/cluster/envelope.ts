// The cluster's messages: their shapes, their encoding, and their checked decoding.
import type { Audience } from '../audience.js';
import { isStrictBase64 } from '../../protocol/canonical-request.js';
import { CastType, type ClientId } from '../message.js';
import { isRoomName, type MembershipOp } from '../rooms.js';
import { isCloseCode, isCloseReason } from '../disconnect.js';
import type { Change } from './change-log.js';
import { isPresenceStateText } from '../presence/presence-state.js';
import { MAX_TOKEN_LENGTH } from '../session/session-token.js';
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
}

/** The cluster's own bookkeeping between nodes. */
export type ControlEnvelope =
  /** A client joined or left the sending node: its membership change number `seq`. */
  | { kind: 'join' | 'leave'; node: NodeId; clientId: ClientId; seq: number }
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

/**
 * A session resumed on another node than the one holding it: the connection stays on the
 * node it reached (`link` names it there), the session on its node, and these carry what
 * passes between the two (see `SessionRelay`).
 */
export type RelayEnvelope =
  /** Asks `to`, which holds the session the token names, to resume it over a relayed connection. */
  | { kind: 'session-resume'; node: NodeId; to: NodeId; link: string; token: string; received: number }
  /** The session could not be resumed: the connection goes on as a new client where it is. */
  | { kind: 'session-refused'; node: NodeId; to: NodeId; link: string }
  /** Frames for the relayed connection, numbered per link from 1 (a gap ends the connection). */
  | { kind: 'session-out'; node: NodeId; to: NodeId; link: string; seq: number; frames: string[] }
  /** A frame the client sent on the relayed connection, numbered per link from 1. */
  | { kind: 'session-in'; node: NodeId; to: NodeId; link: string; seq: number; data: string }
  /** The relayed connection was lost (`ended`: the client closed it normally). */
  | { kind: 'session-lost'; node: NodeId; to: NodeId; link: string; ended: boolean }
  /** The session's node closes the relayed connection with `code` and `reason`. */
  | { kind: 'session-close'; node: NodeId; to: NodeId; link: string; code: number; reason: string };

export type Envelope = CastEnvelope | ControlEnvelope | RelayEnvelope;

/** Whether an envelope is traffic (casts and relayed frames), checked for age only, not remembered. */
export function isTraffic(kind: Envelope['kind']): boolean {
  return kind === 'cast' || kind === 'session-out' || kind === 'session-in';
}

/** A client and its presence state, in a node's lists. */
export type PresenceListing = readonly [clientId: ClientId, state: string];

const MAX_ID_LENGTH = 64;
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
      return isClientId(header.clientId) && isSeq(header.seq) ? { kind: header.kind, node, clientId: header.clientId, seq: header.seq } : null;
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
      return relayOf(header, node);
  }
}

const MAX_RELAYED_FRAMES = 100_000;

function relayOf(header: Record<string, unknown>, node: NodeId): RelayEnvelope | null {
  const { to, link } = header;
  if (!isNodeId(to) || !isClientId(link)) return null;
  switch (header.kind) {
    case 'session-resume': {
      const { token, received } = header;
      return typeof token === 'string' && token.length <= MAX_TOKEN_LENGTH && isCount(received)
        ? { kind: 'session-resume', node, to, link, token, received }
        : null;
    }
    case 'session-refused':
      return { kind: 'session-refused', node, to, link };
    case 'session-out': {
      const { seq, frames } = header;
      const listed = Array.isArray(frames) && frames.length > 0 && frames.length <= MAX_RELAYED_FRAMES && frames.every((frame) => typeof frame === 'string');
      return isSeq(seq) && listed ? { kind: 'session-out', node, to, link, seq, frames: frames as string[] } : null;
    }
    case 'session-in': {
      const { seq, data } = header;
      return isSeq(seq) && typeof data === 'string' ? { kind: 'session-in', node, to, link, seq, data } : null;
    }
    case 'session-lost':
      return typeof header.ended === 'boolean' ? { kind: 'session-lost', node, to, link, ended: header.ended } : null;
    case 'session-close': {
      const { code, reason } = header;
      return isWebSocketCloseCode(code) && isCloseReason(reason) ? { kind: 'session-close', node, to, link, code, reason } : null;
    }
    default:
      return null;
  }
}

/** A close code a server may send: 1000–1014 (not the reserved 1004–1006) or 3000–4999. */
function isWebSocketCloseCode(value: unknown): value is number {
  if (!Number.isInteger(value)) return false;
  const code = value as number;
  return (code >= 1000 && code <= 1014 && (code < 1004 || code > 1006)) || (code >= 3000 && code <= 4999);
}

function castOf(header: Record<string, unknown>, body: string): CastEnvelope | null {
  const { node, audience, handlerId } = header;
  if (typeof audience !== 'object' || audience === null || Array.isArray(audience) || !Number.isSafeInteger(handlerId)) return null;
  const { castType, senderId, targets } = audience as Record<string, unknown>;
  // Self never leaves its node; every other cast type is published.
  const rooms = castType === CastType.Room || castType === CastType.RoomOthers;
  const published = rooms || castType === CastType.All || castType === CastType.Exclusive || castType === CastType.Others;
  if (!published || !(senderId === '' || isClientId(senderId))) return null;
  if (rooms ? !isRoomList(targets) : castType === CastType.Exclusive ? !isIdList(targets) : targets !== null) return null;
  return {
    kind: 'cast',
    node: node as NodeId,
    audience: { castType, senderId, targets: targets as string[] | null },
    handlerId: handlerId as number,
    body,
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

function isClientId(value: unknown): value is ClientId {
  return typeof value === 'string' && value.length > 0 && value.length <= MAX_ID_LENGTH;
}

const isNodeId: (value: unknown) => value is NodeId = isClientId;

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
  if (value.length === 2) return value[0] === 'join' || value[0] === 'leave';
  if (value.length !== 3) return false;
  if (value[0] === 'presence') return isPresenceStateText(value[2]);
  return (value[0] === 'join-room' || value[0] === 'leave-room') && isRoomName(value[2]);
}

/** A change number: changes are numbered from 1. */
function isSeq(value: unknown): value is number {
  return isCount(value) && value > 0;
}

function isCount(value: unknown): value is number {
  return Number.isSafeInteger(value) && (value as number) >= 0;
}
