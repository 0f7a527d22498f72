// What server code reads of a room's history (`Broadcaster.history()`): publications as values, and where the room stands.
import { assertRoomName } from '../rooms.js';
import type { CastType, ClientId } from '../message.js';
import type { HistoryQuery } from './memory-history.js';
import type { HistoryPosition, StoredPublication } from './room-log.js';
import type { RoomHistory } from './room-history.js';

/** One publication of a room, as it was cast. */
export interface HistoryPublication {
  offset: number;
  epoch: string;
  senderId: ClientId;
  handlerId: number;
  castType: CastType;
  /** The body's bytes; `null` when it had none. */
  body: Buffer | null;
  /** The frame exactly as clients received it (JSON). */
  frame: string;
}

/** A read of a room's history. */
export interface HistoryPage {
  /** The publications asked for, oldest first. */
  publications: HistoryPublication[];
  /**
   * Whether they are all there: `false` when `since` is of another epoch or the history no
   * longer reaches back to it (then `publications` is empty), or the room has no history.
   */
  complete: boolean;
  /** The room's latest offset and epoch; `null` when it has no history now. */
  position: HistoryPosition | null;
}

/** What `Broadcaster.history()` asks for: after a position, or the latest `last` (default: all that is kept). */
export interface HistoryOptions {
  since?: HistoryPosition;
  last?: number;
}

/** Reads `room`'s history for server code; throws `TypeError` on a bad room name or options. */
export async function readHistoryPage(history: RoomHistory | null, room: string, options: HistoryOptions = {}): Promise<HistoryPage> {
  assertRoomName(room);
  const query = queryOf(options);
  const read = history === null ? null : await history.read(room, query);
  if (read === null) return { publications: [], complete: false, position: null };
  return { publications: read.publications.map(toPublication), complete: read.complete, position: read.position };
}

function queryOf({ since, last }: HistoryOptions): HistoryQuery {
  if (since !== undefined && last !== undefined) throw new TypeError('history(): give `since` or `last`, not both');
  if (since !== undefined) {
    const { offset, epoch } = since;
    if (!Number.isSafeInteger(offset) || offset < 0 || typeof epoch !== 'string') {
      throw new TypeError('history(): `since` must be { offset: integer >= 0, epoch: string }');
    }
    return { since: { offset, epoch } };
  }
  if (last !== undefined && (!Number.isSafeInteger(last) || last < 1)) throw new TypeError('history(): `last` must be a positive integer');
  return { last: last ?? Number.MAX_SAFE_INTEGER };
}

function toPublication({ offset, frame }: StoredPublication): HistoryPublication {
  const parsed = JSON.parse(frame.text) as { SenderID: string; HandlerID: number; CastType: CastType; Body: string | null; Epoch: string };
  return {
    offset,
    epoch: parsed.Epoch,
    senderId: parsed.SenderID,
    handlerId: parsed.HandlerID,
    castType: parsed.CastType,
    body: parsed.Body === null ? null : Buffer.from(parsed.Body, 'base64'),
    frame: frame.text,
  };
}
