// The errors of the public API, and the error and close codes they carry.
import { CloseCode } from '../protocol/close-code.js';
import { ErrorCode } from '../protocol/error-code.js';

export { CloseCode, ErrorCode };

/** The codes a handler may answer with through {@link BroadcasterException}. */
export type RefusalCode = ErrorCode.HandlerError | ErrorCode.Forbidden | ErrorCode.BadRequest | ErrorCode.InvalidBody;

/**
 * The client-facing error: throw it from a handler and its message reaches the client
 * in an error frame with `code` (`handler_error` unless told otherwise). Any other error
 * is logged and reported as `handler_error` "internal error".
 */
export class BroadcasterException extends Error {
  constructor(
    message: string,
    readonly code: RefusalCode = ErrorCode.HandlerError,
  ) {
    super(message);
    this.name = 'BroadcasterException';
  }
}

/** A handler that did not settle within the handler timeout. */
export class HandlerTimeoutError extends Error {
  constructor(readonly timeoutMs: number) {
    super(`the handler did not answer within ${timeoutMs} ms`);
    this.name = 'HandlerTimeoutError';
  }
}

/** Why a handler call was given up: its client left before it settled. */
export class ClientGoneError extends Error {
  constructor(readonly clientId: string) {
    super(`client ${clientId} left before the handler settled`);
    this.name = 'ClientGoneError';
  }
}

/**
 * Why a request frame could not be turned into a request: the error frame's code and
 * text, and the HandlerID when the frame had one. A value returned by the decoder, not
 * thrown.
 */
export class FrameRejection {
  constructor(
    readonly code: ErrorCode,
    readonly message: string,
    readonly handlerId = 0,
    /** The frame's `RequestID`, when it had a valid one: the error frame echoes it. */
    readonly requestId?: number | string,
  ) {}
}

/** A handler result that breaks the rules; reported to the sender as `handler_error`. */
export class InvalidResponseError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'InvalidResponseError';
  }
}
