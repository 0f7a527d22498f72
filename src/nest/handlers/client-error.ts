// What a client is told of an exception that reached the end of the Nest pipeline.
import { HttpException, HttpStatus } from '@nestjs/common';
import { WsException } from '@nestjs/websockets';
import { BroadcasterException, ErrorCode } from '../../core/errors.js';

/**
 * What a client is told about an exception that reached the end of the Nest pipeline:
 * a refusal it can act on becomes a {@link BroadcasterException} with the protocol's code;
 * anything else is returned unchanged, to be logged in full and reported as "internal error".
 */
export function toClientError(error: unknown): unknown {
  if (error instanceof BroadcasterException) return error;
  if (error instanceof WsException) return new BroadcasterException(readableMessage(error.getError(), error.message));
  if (!(error instanceof HttpException)) return error;

  const status = error.getStatus();
  const message = readableMessage(error.getResponse(), error.message);
  if (status === HttpStatus.UNAUTHORIZED || status === HttpStatus.FORBIDDEN) {
    return new BroadcasterException(message, ErrorCode.Forbidden);
  }
  if (status === HttpStatus.BAD_REQUEST) return new BroadcasterException(message, ErrorCode.BadRequest);
  if (status >= 400 && status < 500) return new BroadcasterException(message, ErrorCode.HandlerError);
  return error;
}

/** The text of an exception's response: a string, or its `message` (a list is joined). */
function readableMessage(response: unknown, fallback: string): string {
  if (typeof response === 'string') return response;
  const message = (response as { message?: unknown } | null)?.message;
  if (Array.isArray(message)) return message.map(String).join('; ');
  if (typeof message === 'string') return message;
  return fallback;
}
