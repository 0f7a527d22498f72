// The session part of a connect request's URL (protocol 1.2): `?mb=1.2[&resume=<token>&received=<n>]`.
import type { SessionRequest } from '../core/session/session-request.js';
import { SESSION_QUERY } from '../protocol/frame-event.js';

/**
 * What the connect URL `url` asks of sessions: `undefined` for a client that did not ask
 * for one. A resume with a `received` that is not a count is passed on as `-1`, which
 * no session accepts.
 */
export function sessionRequestOf(url: string | undefined): SessionRequest | undefined {
  if (url === undefined || !url.includes('?')) return undefined;
  const query = new URLSearchParams(url.slice(url.indexOf('?') + 1));
  if (query.get(SESSION_QUERY.version) !== SESSION_QUERY.versionValue) return undefined;
  const token = query.get(SESSION_QUERY.resume);
  if (token === null || token === '') return {};
  const receivedText = query.get(SESSION_QUERY.received) ?? '';
  const received = /^\d{1,15}$/.test(receivedText) ? Number(receivedText) : -1;
  return { resume: { token, received } };
}
