// The arguments of an enhanced handler call, in the order of Nest's 'ws' context.
import type { ParamsFactory } from '@nestjs/core';
import type { HandlerContext } from '../../core/handlers.js';
import type { EventMessage, RequestMessage } from '../../core/message.js';

/**
 * The arguments every enhanced handler call carries, in the order Nest's `'ws'` context
 * reads them: `switchToWs().getClient()` is the first, `switchToWs().getData()` the second.
 */
export type HandlerArgs = [client: HandlerContext, data: unknown, message: RequestMessage | EventMessage];

// The parameter types @nestjs/websockets' @ConnectedSocket() and @MessageBody() record.
const SOCKET_PARAM = 0;
export const PAYLOAD_PARAM = 3;

/** Gives `@ConnectedSocket()` the client's context and `@MessageBody(field?)` the body. */
export const handlerParamsFactory: ParamsFactory = {
  exchangeKeyForValue(type: number, field: unknown, args: HandlerArgs): unknown {
    if (type === SOCKET_PARAM) return args[0];
    if (type !== PAYLOAD_PARAM) return undefined;
    const data = args[1];
    if (field === undefined || field === null || field === '') return data;
    return typeof data === 'object' && data !== null ? (data as Record<string, unknown>)[String(field)] : undefined;
  },
};
