// What a cast by the server itself (not a handler's reply) may be.
import { describeValue } from './describe-value.js';
import { InvalidResponseError } from './errors.js';
import { CastType, type ResponseMessage } from './message.js';
import { toResponses } from './response-validation.js';

/**
 * The responses of a server cast, checked: each must be a valid response, not Self (a
 * server cast has no sender), with an integer `handlerId` if it has one. Throws
 * {@link InvalidResponseError} otherwise.
 */
export function checkServerCast(responses: ResponseMessage | readonly ResponseMessage[]): readonly ResponseMessage[] {
  const list = toResponses(responses, 'a server cast');
  for (const { castType, handlerId } of list) {
    if (castType === CastType.Self) {
      throw new InvalidResponseError('a server cast has no sender, so it cannot use CastType.Self');
    }
    if (handlerId !== undefined && !Number.isSafeInteger(handlerId)) {
      throw new InvalidResponseError(`a server cast needs an integer handlerId, got ${describeValue(handlerId)}`);
    }
  }
  return list;
}
