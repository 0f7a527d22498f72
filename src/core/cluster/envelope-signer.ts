import { createHmac, timingSafeEqual } from 'node:crypto';

/** Base64 of an HMAC-SHA256: 32 bytes. */
const MAC_LENGTH = 44;
/** The longest a signing time in milliseconds is written (decimal). */
const MAX_TIME_LENGTH = 16;

/** A message whose signature holds, with the signature and the time it was signed at. */
export interface OpenedMessage {
  message: string;
  /** The signature, base64: unique to this message and time. */
  mac: string;
  /** When the sender signed it, in milliseconds since the epoch (the sender's clock). */
  signedAt: number;
}

/**
 * Signs the messages a node publishes with the cluster's shared secret (HMAC-SHA256),
 * and opens those it receives: `<base64 MAC>.<signing time>.<message>`, the MAC covering
 * the time and the message, so that a replay can be told by its age and its MAC.
 */
export class EnvelopeSigner {
  constructor(private readonly secret: string) {}

  sign(message: string, now = Date.now()): string {
    const signed = `${now}.${message}`;
    return `${this.mac(signed).toString('base64')}.${signed}`;
  }

  /** The message inside `signed`, or `null` when its signature is missing or wrong. */
  open(signed: string): OpenedMessage | null {
    if (signed.length <= MAC_LENGTH || signed[MAC_LENGTH] !== '.') return null;
    const timeEnd = signed.indexOf('.', MAC_LENGTH + 1);
    if (timeEnd < 0 || timeEnd - MAC_LENGTH - 1 > MAX_TIME_LENGTH) return null;
    const signedAt = Number(signed.slice(MAC_LENGTH + 1, timeEnd));
    if (!Number.isSafeInteger(signedAt)) return null;
    const mac = signed.slice(0, MAC_LENGTH);
    const given = Buffer.from(mac, 'base64');
    const expected = this.mac(signed.slice(MAC_LENGTH + 1));
    if (given.length !== expected.length || !timingSafeEqual(given, expected)) return null;
    return { message: signed.slice(timeEnd + 1), mac, signedAt };
  }

  private mac(message: string): Buffer {
    return createHmac('sha256', this.secret).update(message).digest();
  }
}
