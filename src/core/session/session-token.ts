// Session tokens: what names a session, signed so that a client cannot forge or alter one.
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import type { ClientId } from '../message.js';

/** What a session token says: whose session, which one, and which of its tokens this is. */
export interface SessionClaim {
  clientId: ClientId;
  /** The session's own random name, so that a token outlives no session of the same client. */
  key: string;
  /** Counts the tokens issued for this session: only the latest resumes it. */
  generation: number;
}

/** Tokens are at most this long (the protocol allows 512 characters). */
export const MAX_TOKEN_LENGTH = 512;

/**
 * Issues and reads session tokens: the claim, then an HMAC-SHA256 of it, both base64url.
 * The secret is the sessions' (or the cluster's) secret; instances that must resume each
 * other's sessions share it.
 */
export class SessionTokens {
  private readonly secret: Buffer;

  /** @param secret the signing key; random (good for this process only) when not given */
  constructor(secret: string | undefined) {
    this.secret = secret === undefined ? randomBytes(32) : Buffer.from(`mb-session\0${secret}`, 'utf8');
  }

  /** A random session key. */
  newKey(): string {
    return randomBytes(12).toString('base64url');
  }

  issue(claim: SessionClaim): string {
    const payload = Buffer.from(JSON.stringify([claim.clientId, claim.key, claim.generation]), 'utf8').toString('base64url');
    return `${payload}.${this.sign(payload)}`;
  }

  /** The claim of a token this server signed; `null` for anything else. */
  read(token: string): SessionClaim | null {
    if (token.length > MAX_TOKEN_LENGTH) return null;
    const dot = token.indexOf('.');
    if (dot <= 0) return null;
    const payload = token.slice(0, dot);
    const given = Buffer.from(token.slice(dot + 1), 'base64url');
    const expected = Buffer.from(this.sign(payload), 'base64url');
    if (given.length !== expected.length || !timingSafeEqual(given, expected)) return null;
    try {
      const [clientId, key, generation] = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as unknown[];
      if (typeof clientId !== 'string' || typeof key !== 'string' || !Number.isSafeInteger(generation)) return null;
      return { clientId, key, generation: generation as number };
    } catch {
      return null;
    }
  }

  private sign(payload: string): string {
    return createHmac('sha256', this.secret).update(payload).digest('base64url');
  }
}
