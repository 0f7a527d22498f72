// The room history options (protocol 1.2): which rooms keep their publications, how many, how long.
import { checkOption, invalidOption, isPositiveInteger } from '../option-checks.js';

/** How much of one room's publications is kept. */
export interface RoomHistoryConfig {
  /** Publications kept, the newest (1 to 10,000). */
  size: number;
  /** Milliseconds the history lives after its last publication; then it is gone and the room's epoch changes. */
  ttl: number;
}

/** Which rooms have history, and how much: `undefined` for a room without. */
export type HistoryPolicy = (room: string) => RoomHistoryConfig | undefined;

/** Options of room history and recovery (protocol 1.2). */
export interface HistorySettings {
  /**
   * Which rooms keep their publications (single-room Room and RoomOthers casts), numbered
   * with an `Offset` and an `Epoch`, so that a client can recover what it missed (a
   * `Recover` frame) and server code can read them (`Broadcaster.history()`); e.g.
   * `` (room) => room.startsWith('chat:') ? { size: 100, ttl: 600_000 } : undefined ``.
   * @default undefined (no room has history)
   */
  history?: HistoryPolicy;
  /**
   * Rooms whose history this instance keeps at once. Past it the history of the room
   * published to longest ago is dropped (counted in `stats().history.roomsDropped`, logged):
   * its next publication starts a new epoch, and recovering it says `Recovered: false`.
   * @default 100000
   */
  maxHistoryRooms?: number;
  /**
   * Characters of publications this instance keeps in all rooms' history, like
   * {@link maxHistoryRooms}.
   * @default 268435456 (256 MiB)
   */
  maxHistoryBytes?: number;
}

/** The history options with their defaults. */
export type ResolvedHistorySettings = Required<Omit<HistorySettings, 'history'>> & Pick<HistorySettings, 'history'>;

export const MAX_HISTORY_SIZE = 10_000;

export function resolveHistorySettings(settings: HistorySettings): ResolvedHistorySettings {
  const resolved = {
    history: settings.history,
    maxHistoryRooms: settings.maxHistoryRooms ?? 100_000,
    maxHistoryBytes: settings.maxHistoryBytes ?? 256 * 1024 * 1024,
  };
  checkOption('history', resolved.history === undefined || typeof resolved.history === 'function', 'a function', resolved.history);
  checkOption('maxHistoryRooms', isPositiveInteger(resolved.maxHistoryRooms), 'a positive integer', resolved.maxHistoryRooms);
  checkOption('maxHistoryBytes', isPositiveInteger(resolved.maxHistoryBytes), 'a positive integer (bytes)', resolved.maxHistoryBytes);
  return resolved;
}

/** Checks what the `history` option gave for a room; throws a `TypeError` naming it. */
export function checkRoomHistory(room: string, config: unknown): RoomHistoryConfig {
  const candidate = config as Partial<RoomHistoryConfig> | null;
  const sizeOk = isPositiveInteger(candidate?.size) && candidate!.size! <= MAX_HISTORY_SIZE;
  if (typeof candidate !== 'object' || candidate === null || !sizeOk || !isPositiveInteger(candidate.ttl)) {
    throw invalidOption(`history("${room}")`, `undefined or { size: 1 to ${MAX_HISTORY_SIZE}, ttl: milliseconds }`, config);
  }
  return { size: candidate.size!, ttl: candidate.ttl! };
}
