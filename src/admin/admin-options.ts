// The `admin` option: where the live admin page is served, and who may see it.
import { timingSafeEqual } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import { checkOption } from '../core/option-checks.js';

/** The live admin page (served on the app's own HTTP server, Express platform). */
export interface BroadcasterAdminOptions {
  /**
   * Whether a request may see the page and its updates. Required: without it nobody may.
   * See {@link adminBasicAuth} for a username and password.
   */
  authorize: (request: IncomingMessage) => boolean | Promise<boolean>;
  /**
   * Where the page is served; its updates come from `<path>/events`.
   * @default '/broadcaster-admin'
   */
  path?: string;
}

/** The `admin` option checked: `null` when there is no admin page. */
export interface ResolvedAdminOptions {
  authorize: (request: IncomingMessage) => boolean | Promise<boolean>;
  path: string;
}

/** Checks the `admin` option and fills in its defaults. */
export function resolveAdminOptions(option: BroadcasterAdminOptions | undefined): ResolvedAdminOptions | null {
  if (option === undefined) return null;
  checkOption('admin', typeof option === 'object' && option !== null, '{ authorize, path? }', option);
  const { authorize, path = '/broadcaster-admin' } = option;
  checkOption('admin.authorize', typeof authorize === 'function', 'a function (request) => boolean deciding who may see the page', authorize);
  checkOption('admin.path', typeof path === 'string' && /^\/[A-Za-z0-9._~\-/]*$/.test(path) && !path.endsWith('/events'), 'a path such as "/broadcaster-admin"', path);
  return { authorize, path: path.length > 1 && path.endsWith('/') ? path.slice(0, -1) : path };
}

/**
 * An `authorize` for the admin page that asks for a username and password (HTTP Basic
 * authentication; the browser prompts for them). Use it over HTTPS only.
 */
export function adminBasicAuth(username: string, password: string): (request: IncomingMessage) => boolean {
  const expected = Buffer.from(`Basic ${Buffer.from(`${username}:${password}`).toString('base64')}`);
  return (request) => {
    const given = Buffer.from(request.headers.authorization ?? '');
    return given.length === expected.length && timingSafeEqual(given, expected);
  };
}
