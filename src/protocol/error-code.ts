// The codes of the protocol's error frame.

/** Codes of the protocol's error frame (`EventType` 3). */
export enum ErrorCode {
  InvalidMessage = 'invalid_message',
  InvalidBody = 'invalid_body',
  UnknownHandler = 'unknown_handler',
  HandlerError = 'handler_error',
  /** The client sent faster than `rateLimit` allows; the frame was not processed. */
  RateLimited = 'rate_limited',
  /** The server is shutting down; the frame was not processed. */
  ShuttingDown = 'shutting_down',
  /** The handler did not settle within `handlerTimeout`. */
  HandlerTimeout = 'handler_timeout',
  /** A guard refused the request, or the handler refused it as unauthorized (401/403). */
  Forbidden = 'forbidden',
  /** A pipe or validation refused the request (400); the text says why. */
  BadRequest = 'bad_request',
}

/**
 * Refusals decided before a frame is read (a rate limit, a shutdown): their error frames
 * carry no `RequestID`, and answer the oldest frame still unanswered.
 */
export const REFUSED_UNREAD: readonly string[] = [ErrorCode.RateLimited, ErrorCode.ShuttingDown];
