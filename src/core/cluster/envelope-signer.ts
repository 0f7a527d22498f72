// Signing and checking the cluster's messages with its shared secret (HMAC-SHA256).
import { createHmac, timingSafeEqual } from 'node:crypto';

/** Base64 of an HMAC-SHA256: 32 bytes. */
const MAC_LENGTH = 44;
/** The longest a signing stamp (`<ms>:<count>`, decimal) may be. */
const MAX_STAMP_LENGTH = 40;

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
 * and opens those it receives: `<base64 MAC>.<ms>:<count>.<message>`, the MAC covering
 * the stamp and the message. The time tells a replay by its age; the count, which this
 * signer never repeats, makes two equal messages signed in the same millisecond two
 * different MACs, so that only a replay is ever seen twice.
 */
export class EnvelopeSigner {
  private signed = 0;

  constructor(private readonly secret: string) {}

  sign(message: string, now = Date.now()): string {
    this.signed += 1;
    const stamped = `${now}:${this.signed}.${message}`;
    return `${this.mac(stamped).toString('base64')}.${stamped}`;
  }

  /** The message inside `signed`, or `null` when its signature is missing or wrong. */
  open(signed: string): OpenedMessage | null {
    if (signed.length <= MAC_LENGTH || signed[MAC_LENGTH] !== '.') return null;
    const stampEnd = signed.indexOf('.', MAC_LENGTH + 1);
    if (stampEnd < 0 || stampEnd - MAC_LENGTH - 1 > MAX_STAMP_LENGTH) return null;
    const stamp = signed.slice(MAC_LENGTH + 1, stampEnd);
    const colon = stamp.indexOf(':');
    const signedAt = Number(stamp.slice(0, colon));
    if (colon < 1 || !Number.isSafeInteger(signedAt) || !/^\d+$/.test(stamp.slice(colon + 1))) return null;
    const mac = signed.slice(0, MAC_LENGTH);
    const given = Buffer.from(mac, 'base64');
    const expected = this.mac(signed.slice(MAC_LENGTH + 1));
    if (given.length !== expected.length || !timingSafeEqual(given, expected)) return null;
    return { message: signed.slice(stampEnd + 1), mac, signedAt };
  }

  private mac(message: string): Buffer {
    return createHmac('sha256', this.secret).update(message).digest();
  }
}
