import { InvalidResponseError } from './errors.js';
import { CastType, type ResponseMessage } from './message.js';

/**
 * Turns what a handler returned into a list of responses, or throws
 * {@link InvalidResponseError} so that nothing of a bad result is delivered.
 */
export function toResponses(result: unknown): ResponseMessage[] {
  if (result === undefined || result === null) return [];
  const list = Array.isArray(result) ? result : [result];
  for (const response of list) assertResponse(response);
  return list as ResponseMessage[];
}

function assertResponse(value: unknown): asserts value is ResponseMessage {
  if (typeof value !== 'object' || value === null) {
    throw new InvalidResponseError(`a handler returned ${describe(value)} instead of a ResponseMessage`);
  }
  const { castType, castFor, body } = value as Partial<ResponseMessage>;
  if (!isCastType(castType)) {
    throw new InvalidResponseError(`a handler returned a ResponseMessage with unknown cast type ${String(castType)}`);
  }
  if (castFor !== undefined && !(Array.isArray(castFor) && castFor.every((id) => typeof id === 'string'))) {
    throw new InvalidResponseError('a handler returned a ResponseMessage whose castFor is not a list of client IDs');
  }
  if (body !== undefined && body !== null && typeof body !== 'string' && !(body instanceof Uint8Array)) {
    throw new InvalidResponseError(`a handler returned a ResponseMessage whose body is ${describe(body)}`);
  }
}

/** Whether `value` is one of the protocol's cast types (1–4). */
export function isCastType(value: unknown): value is CastType {
  return value === CastType.All || value === CastType.Self || value === CastType.Exclusive || value === CastType.Others;
}

function describe(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  return typeof value === 'object' ? `a ${value.constructor?.name ?? 'plain'} object` : `a ${typeof value}`;
}
