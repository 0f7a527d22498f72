// The close code and reason of a server-side disconnect, checked.
import { FIRST_FINAL_APP_CODE } from '../protocol/close-code.js';

/** How {@link BroadcasterCore.disconnect} closes a client's connection. */
export interface DisconnectOptions {
  /**
   * The WebSocket close code: 1000, or an application's own from 3000 to 4999. The
   * client SDK reconnects after 1000 and 3000–3999, and stays away after 4000–4999.
   * @default 4000
   */
  code?: number;
  /** Why, for the client: at most 123 bytes of UTF-8. @default 'disconnected by the server' */
  reason?: string;
}

// The first code after which the client SDK stays away: a kicked client does not come straight back.
const DEFAULT_CODE = FIRST_FINAL_APP_CODE;
const DEFAULT_REASON = 'disconnected by the server';
/** A close frame's payload is at most 125 bytes, two of them the code. */
const MAX_REASON_BYTES = 123;

export function isCloseCode(value: unknown): value is number {
  return value === 1000 || (Number.isInteger(value) && (value as number) >= 3000 && (value as number) <= 4999);
}

export function isCloseReason(value: unknown): value is string {
  return typeof value === 'string' && Buffer.byteLength(value) <= MAX_REASON_BYTES;
}

/** The options with their defaults; throws a `TypeError` naming a bad one. */
export function checkDisconnect(options: DisconnectOptions): { code: number; reason: string } {
  const code = options.code ?? DEFAULT_CODE;
  const reason = options.reason ?? DEFAULT_REASON;
  if (!isCloseCode(code)) throw new TypeError(`disconnect needs a close code of 1000 or from 3000 to 4999, got ${String(code)}`);
  if (!isCloseReason(reason)) throw new TypeError('disconnect needs a reason of at most 123 bytes of UTF-8');
  return { code, reason };
}
