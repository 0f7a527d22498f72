// The error of a failed request in the client SDK.
/**
 * Why a request failed: a server's error code (`forbidden`, `bad_request`,
 * `handler_error`…), or the client's own: `timeout`, `disconnected`, `closed`, `offline`.
 */
export class BroadcastError extends Error {
  constructor(
    readonly code: string,
    message: string,
    readonly handlerId: number,
  ) {
    super(message);
    this.name = 'BroadcastError';
  }
}
