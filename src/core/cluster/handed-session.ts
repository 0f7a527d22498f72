// A session handed from one node to another: what it carries, and its checked decoding.
import { isPresenceStateText } from '../presence/presence-state.js';
import { isRoomName } from '../rooms.js';
import { isClientId, isCount, isNodeId } from './field-checks.js';
import type { StreamPositions } from './frame-origin.js';

/**
 * Everything a session client is, as its node hands it to another (see `SessionHandover`):
 * its ID, its session's key and token generation, the frames its session still keeps
 * (the newest `frames.length` of the `written` so far), its rooms, its presence, who it
 * is, how long it may still stay away, and what its node had applied of every node's
 * messages when it was handed over.
 */
export interface HandedSession {
  clientId: string;
  key: string;
  generation: number;
  written: number;
  frames: string[];
  rooms: string[];
  /** Its presence state (see `encodePresenceState`). */
  presence: string;
  /** Its principal as JSON text; `null` for none. */
  principal: string | null;
  /** The connect request it came with, as JSON text; `null` for none. */
  request: string | null;
  /** Milliseconds left of its grace period. */
  graceLeft: number;
  positions: StreamPositions;
}

const MAX_FRAMES = 1_000_000;
const MAX_ROOMS = 1_000_000;
const MAX_NODES = 65_536;

/** The handed session `value` is, checked; `null` for anything else. */
export function decodeHandedSession(value: unknown): HandedSession | null {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return null;
  const { clientId, key, generation, written, frames, rooms, presence, principal, request, graceLeft, positions } = value as Record<string, unknown>;
  const framesOk = Array.isArray(frames) && frames.length <= MAX_FRAMES && frames.every((frame) => typeof frame === 'string');
  const roomsOk = Array.isArray(rooms) && rooms.length <= MAX_ROOMS && rooms.every(isRoomName);
  const ok =
    isClientId(clientId) &&
    isClientId(key) &&
    isCount(generation) &&
    isCount(written) &&
    framesOk &&
    (frames as string[]).length <= (written as number) &&
    roomsOk &&
    isPresenceStateText(presence) &&
    isJsonTextOrNull(principal) &&
    isJsonTextOrNull(request) &&
    isCount(graceLeft) &&
    isPositions(positions);
  return ok
    ? {
        clientId,
        key,
        generation,
        written,
        frames: frames as string[],
        rooms: rooms as string[],
        presence,
        principal: principal as string | null,
        request: request as string | null,
        graceLeft,
        positions: positions as StreamPositions,
      }
    : null;
}

function isJsonTextOrNull(value: unknown): boolean {
  if (value === null) return true;
  if (typeof value !== 'string') return false;
  try {
    JSON.parse(value);
    return true;
  } catch {
    return false;
  }
}

function isPositions(value: unknown): value is StreamPositions {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return false;
  const entries = Object.entries(value);
  return (
    entries.length <= MAX_NODES &&
    entries.every(([node, position]) => isNodeId(node) && Array.isArray(position) && position.length === 2 && isCount(position[0]) && isCount(position[1]))
  );
}
