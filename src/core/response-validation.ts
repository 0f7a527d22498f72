// Checking what a handler returned before anything of it is cast.
import { InvalidResponseError } from './errors.js';
import { isRoomCast } from './audience.js';
import { CastType, type ResponseMessage } from './message.js';
import { describeValue } from './describe-value.js';
import { roomNameProblem } from './rooms.js';

/**
 * Turns what a handler returned into a list of responses, or throws
 * {@link InvalidResponseError} so that nothing of a bad result is delivered.
 */
export function toResponses(result: unknown, source = 'a handler'): ResponseMessage[] {
  if (result === undefined || result === null) return [];
  const list = Array.isArray(result) ? result : [result];
  for (const response of list) assertResponse(response, source);
  return list as ResponseMessage[];
}

function assertResponse(value: unknown, source: string): asserts value is ResponseMessage {
  if (typeof value !== 'object' || value === null) {
    throw new InvalidResponseError(`${source} gave ${describeValue(value)} instead of a ResponseMessage`);
  }
  const { castType, castFor, body } = value as Partial<ResponseMessage>;
  if (!isCastType(castType)) {
    throw new InvalidResponseError(`${source} gave a ResponseMessage with unknown cast type ${String(castType)}`);
  }
  if (castFor !== undefined && !(Array.isArray(castFor) && castFor.every((id) => typeof id === 'string'))) {
    throw new InvalidResponseError(`${source} gave a ResponseMessage whose castFor is not a list of strings`);
  }
  if (isRoomCast(castType)) {
    const problem = (castFor ?? []).map(roomNameProblem).find((found) => found !== null);
    if (problem !== undefined) throw new InvalidResponseError(`${source} gave a room cast whose castFor is wrong: ${problem}`);
  }
  if (body !== undefined && body !== null && typeof body !== 'string' && !(body instanceof Uint8Array)) {
    throw new InvalidResponseError(`${source} gave a ResponseMessage whose body is ${describeValue(body)}`);
  }
}

/** Whether `value` is one of the protocol's cast types (1–6). */
export function isCastType(value: unknown): value is CastType {
  return Number.isInteger(value) && (value as number) >= CastType.All && (value as number) <= CastType.RoomOthers;
}
