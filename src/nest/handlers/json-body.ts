// A request body read as JSON for `{ body: 'json' }` handlers.
import { BroadcasterException, ErrorCode } from '../../core/errors.js';

const utf8 = new TextDecoder('utf-8', { fatal: true });

/** A request body read as UTF-8 JSON, or an `invalid_body` refusal saying what is wrong. */
export function parseJsonBody(body: Uint8Array): unknown {
  if (body.length === 0) throw new BroadcasterException('the body is missing: this handler takes JSON', ErrorCode.InvalidBody);
  let text: string;
  try {
    text = utf8.decode(body);
  } catch {
    throw new BroadcasterException('the body is not valid UTF-8', ErrorCode.InvalidBody);
  }
  try {
    return JSON.parse(text) as unknown;
  } catch {
    throw new BroadcasterException('the body is not valid JSON', ErrorCode.InvalidBody);
  }
}
