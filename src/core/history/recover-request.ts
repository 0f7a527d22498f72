// A `Recover` frame (protocol 1.2) read and checked: per room, a position to continue from or a count of the latest.
import { ErrorCode, FrameRejection } from '../errors.js';
import { isRoomName } from '../rooms.js';
import type { RequestId } from '../codec.js';
import type { HistoryQuery } from './memory-history.js';

/** The most rooms one `Recover` frame may ask for. */
export const MAX_RECOVER_ROOMS = 100;
const MAX_EPOCH_LENGTH = 64;

/** A checked `Recover` request: what it asks of each room, and its `RequestID`. */
export interface RecoverRequest {
  readonly rooms: ReadonlyMap<string, HistoryQuery>;
  readonly requestId: RequestId;
}

/**
 * Reads the value of a frame's `Recover` key; `requestId` is the frame's (already checked)
 * `RequestID`, which a recovery requires. Keys inside match case-insensitively, like a
 * request's.
 */
export function readRecover(value: unknown, requestId: RequestId | undefined): RecoverRequest | FrameRejection {
  const reject = (why: string) => new FrameRejection(ErrorCode.InvalidMessage, why, 0, requestId);
  if (requestId === undefined) return reject('a Recover frame needs a RequestID');
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return reject(`Recover must be an object of 1 to ${MAX_RECOVER_ROOMS} rooms`);
  const entries = Object.entries(value);
  if (entries.length === 0 || entries.length > MAX_RECOVER_ROOMS) return reject(`Recover must be an object of 1 to ${MAX_RECOVER_ROOMS} rooms`);
  const rooms = new Map<string, HistoryQuery>();
  for (const [room, asked] of entries) {
    if (!isRoomName(room)) return reject('a room name in Recover must have 1 to 200 characters');
    const query = readQuery(asked);
    if (query === null) return reject(`Recover["${room}"] must be {"Offset": integer >= 0, "Epoch": "<1 to 64 characters>"} or {"Last": integer >= 1}`);
    rooms.set(room, query);
  }
  return { rooms, requestId };
}

function readQuery(asked: unknown): HistoryQuery | null {
  if (typeof asked !== 'object' || asked === null || Array.isArray(asked)) return null;
  let offset: unknown;
  let epoch: unknown;
  let last: unknown;
  for (const [key, value] of Object.entries(asked)) {
    const folded = key.toLowerCase();
    if (folded === 'offset') offset = value;
    else if (folded === 'epoch') epoch = value;
    else if (folded === 'last') last = value;
  }
  if (last !== undefined) {
    if (offset !== undefined || epoch !== undefined || !Number.isSafeInteger(last) || (last as number) < 1) return null;
    return { last: last as number };
  }
  if (!Number.isSafeInteger(offset) || (offset as number) < 0) return null;
  if (typeof epoch !== 'string' || epoch.length < 1 || epoch.length > MAX_EPOCH_LENGTH) return null;
  return { since: { offset: offset as number, epoch } };
}
