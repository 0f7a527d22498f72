// The messages of a relayed session (see `SessionRelay`): their shapes and their checked decoding.
import { isCloseReason } from '../disconnect.js';
import { MAX_TOKEN_LENGTH } from '../session/session-token.js';
import { decodeHandedSession, type HandedSession } from './handed-session.js';
import { isClientId, isCount, isNodeId, isSeq } from './field-checks.js';

type NodeId = string;

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
  | { kind: 'session-close'; node: NodeId; to: NodeId; link: string; code: number; reason: string }
  /** Asks `to` to take over the session of `clientId` (see `SessionHandover`): it starts keeping what reaches the client. */
  | { kind: 'session-shadow'; node: NodeId; to: NodeId; link: string; clientId: string }
  /** `to` keeps what reaches the client from now on, and takes its session when it comes. */
  | { kind: 'session-shadowing'; node: NodeId; to: NodeId; link: string }
  /** The session itself, handed over: the client is `to`'s from now on. */
  | { kind: 'session-handover'; node: NodeId; to: NodeId; link: string; session: HandedSession };

const MAX_RELAYED_FRAMES = 100_000;

/** The relay message `header` (of `node`) is, checked; `null` for anything else. */
export function decodeRelay(header: Record<string, unknown>, node: NodeId): RelayEnvelope | null {
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
    case 'session-shadow':
      return isClientId(header.clientId) ? { kind: 'session-shadow', node, to, link, clientId: header.clientId } : null;
    case 'session-shadowing':
      return { kind: 'session-shadowing', node, to, link };
    case 'session-handover': {
      const session = decodeHandedSession(header.session);
      return session === null ? null : { kind: 'session-handover', node, to, link, session };
    }
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
