// Nearly every request is written the same way by every client: `{"HandlerID":<integer>,
// "Body":"<base64>"}` or `…"Body":null}`, no spaces, no other keys. Such a frame is read
// here without JSON.parse and without walking its keys; any other text, valid or not,
// goes the general way, so both ways always agree.

const PREFIX = '{"HandlerID":';
const BODY_KEY = ',"Body":';
const NULL_END = 'null}';
const MAX_DIGITS = 16;
const DIGIT_0 = 48;
const DIGIT_9 = 57;
const MINUS = 45;
const QUOTE = 34;

/** A request frame in its canonical form: its HandlerID and its base64 Body (or null). */
export interface CanonicalRequest {
  handlerId: number;
  body: string | null;
}

/** The frame read in its canonical form, or `undefined` when it is not in that form. */
export function readCanonicalRequest(text: string): CanonicalRequest | undefined {
  if (!text.startsWith(PREFIX)) return undefined;
  let at = PREFIX.length;
  const numberStart = at;
  if (text.charCodeAt(at) === MINUS) at += 1;
  const digitsStart = at;
  while (at < text.length && text.charCodeAt(at) >= DIGIT_0 && text.charCodeAt(at) <= DIGIT_9) at += 1;
  const digits = at - digitsStart;
  // JSON allows no leading zero; a long number may not be a safe integer.
  if (digits === 0 || digits > MAX_DIGITS || (digits > 1 && text.charCodeAt(digitsStart) === DIGIT_0)) return undefined;
  const handlerId = Number(text.slice(numberStart, at));
  if (!Number.isSafeInteger(handlerId) || !text.startsWith(BODY_KEY, at)) return undefined;
  at += BODY_KEY.length;
  if (text.length === at + NULL_END.length && text.endsWith(NULL_END)) return { handlerId, body: null };
  // A quoted body that ends the object: `"…"}`. Strict base64 has no quote, backslash or
  // control character, so its text is the string's value as JSON would read it.
  if (text.charCodeAt(at) !== QUOTE || !text.endsWith('"}')) return undefined;
  const body = text.slice(at + 1, text.length - 2);
  return isStrictBase64(body) ? { handlerId, body } : undefined;
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
