import { createHmac, timingSafeEqual } from 'node:crypto';

/** Base64 of an HMAC-SHA256: 32 bytes. */
const MAC_LENGTH = 44;

/**
 * Signs the messages a node publishes with the cluster's shared secret (HMAC-SHA256),
 * and opens those it receives: `<base64 MAC>.<message>`.
 */
export class EnvelopeSigner {
  constructor(private readonly secret: string) {}

  sign(message: string): string {
    return `${this.mac(message).toString('base64')}.${message}`;
  }

  /** The message inside `signed`, or `null` when its signature is missing or wrong. */
  open(signed: string): string | null {
    if (signed.length <= MAC_LENGTH || signed[MAC_LENGTH] !== '.') return null;
    const message = signed.slice(MAC_LENGTH + 1);
    const given = Buffer.from(signed.slice(0, MAC_LENGTH), 'base64');
    const expected = this.mac(message);
    return given.length === expected.length && timingSafeEqual(given, expected) ? message : null;
  }

  private mac(message: string): Buffer {
    return createHmac('sha256', this.secret).update(message).digest();
  }
}
