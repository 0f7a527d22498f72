// The WebSocket close codes of the protocol, and what a client does after each.

/** WebSocket close codes the server uses. */
export enum CloseCode {
  /** The server is shutting down. */
  GoingAway = 1001,
  /** The client kept flooding past its rate limit. */
  PolicyViolation = 1008,
  /** A frame was larger than `maxPayload`. */
  MessageTooBig = 1009,
  /** The server restarts: a session client resumes its session by reconnecting (on any instance of the cluster). */
  ServiceRestart = 1012,
  /** The client fell too far behind reading (`slowClientPolicy: 'close'`). */
  TryAgainLater = 1013,
}

/** A close the client or the app asked for. */
export const NORMAL_CLOSURE = 1000;
/** The code reported for a connection that ended without a close frame. */
export const ABNORMAL_CLOSURE = 1006;
/** The first of the application's own codes after which a client does not come back (to 4999). */
export const FIRST_FINAL_APP_CODE = 4000;

/**
 * Whether a client should stay away after a close with `code`: a policy violation, a
 * frame too big, or an application's own code from 4000 to 4999 (3000–3999 and 1000
 * leave it free to come back).
 */
export function isFinalClose(code: number): boolean {
  return code === CloseCode.PolicyViolation || code === CloseCode.MessageTooBig || (code >= FIRST_FINAL_APP_CODE && code <= 4999);
}
