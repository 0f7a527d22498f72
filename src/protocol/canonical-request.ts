// The usual request frame, read without JSON.parse; anything else is read the general way.
// Nearly every request is written the same way by every client: `{"HandlerID":<integer>,
// "Body":"<base64>"}` or `…"Body":null}`, no spaces, no other keys, and (protocol 1.1,
// as the client SDK writes it) maybe `,"RequestID":<integer>` last. Such a frame is read
// here without JSON.parse and without walking its keys; any other text, valid or not,
// goes the general way, so both ways always agree.

const PREFIX = '{"HandlerID":';
const BODY_KEY = ',"Body":';
const REQUEST_ID_KEY = ',"RequestID":';
const NULL = 'null';
const END = '}';
const MAX_DIGITS = 16;
const DIGIT_0 = 48;
const DIGIT_9 = 57;
const MINUS = 45;
const QUOTE = 34;

/** A request frame in its canonical form: its HandlerID, its base64 Body (or null), and its RequestID if any. */
export interface CanonicalRequest {
  handlerId: number;
  body: string | null;
  requestId?: number;
}

/** The frame read in its canonical form, or `undefined` when it is not in that form. */
export function readCanonicalRequest(text: string): CanonicalRequest | undefined {
  if (!text.startsWith(PREFIX)) return undefined;
  const handlerId = readInteger(text, PREFIX.length, true);
  if (handlerId === undefined || !text.startsWith(BODY_KEY, handlerId.end)) return undefined;
  const bodyStart = handlerId.end + BODY_KEY.length;
  let body: string | null;
  let at: number;
  if (text.startsWith(NULL, bodyStart)) {
    body = null;
    at = bodyStart + NULL.length;
  } else {
    // Strict base64 has no quote, backslash or control character: up to the next quote,
    // the text is the string's value as JSON would read it.
    if (text.charCodeAt(bodyStart) !== QUOTE) return undefined;
    const close = text.indexOf('"', bodyStart + 1);
    if (close < 0) return undefined;
    body = text.slice(bodyStart + 1, close);
    at = close + 1;
  }
  if (text.length === at + END.length) {
    if (!text.endsWith(END)) return undefined;
    return body === null || isStrictBase64(body) ? { handlerId: handlerId.value, body } : undefined;
  }
  if (!text.startsWith(REQUEST_ID_KEY, at)) return undefined;
  const requestId = readInteger(text, at + REQUEST_ID_KEY.length, false);
  if (requestId === undefined || text.length !== requestId.end + END.length || !text.endsWith(END)) return undefined;
  if (body !== null && !isStrictBase64(body)) return undefined;
  return { handlerId: handlerId.value, body, requestId: requestId.value };
}

/**
 * The JSON integer written at `start` (negative only if `signed`) and where it ends, or
 * `undefined` when there is none, it has a leading zero, or it is not a safe integer.
 */
function readInteger(text: string, start: number, signed: boolean): { value: number; end: number } | undefined {
  let at = start;
  if (signed && text.charCodeAt(at) === MINUS) at += 1;
  const digitsStart = at;
  while (at < text.length && text.charCodeAt(at) >= DIGIT_0 && text.charCodeAt(at) <= DIGIT_9) at += 1;
  const digits = at - digitsStart;
  if (digits === 0 || digits > MAX_DIGITS || (digits > 1 && text.charCodeAt(digitsStart) === DIGIT_0)) return undefined;
  const value = Number(text.slice(start, at));
  return Number.isSafeInteger(value) ? { value, end: at } : undefined;
}

// Which character codes are base64 digits (`=` is handled apart).
const BASE64_DIGIT = new Uint8Array(128);
for (const char of 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/') BASE64_DIGIT[char.charCodeAt(0)] = 1;
const PAD = 61;

/** Standard base64 with its padding, as Go's `StdEncoding` writes it; an empty string is. */
export function isStrictBase64(text: string): boolean {
  const length = text.length;
  if (length % 4 !== 0) return false;
  let end = length;
  if (length > 0 && text.charCodeAt(length - 1) === PAD) end = text.charCodeAt(length - 2) === PAD ? length - 2 : length - 1;
  for (let i = 0; i < end; i++) {
    const code = text.charCodeAt(i);
    if (code >= 128 || BASE64_DIGIT[code] === 0) return false;
  }
  return true;
}
