// The `asyncapi` option: serving the contract document, and what its info says.
import { checkOption } from '../core/option-checks.js';

/** What the contract document says of the app; see `Broadcaster.asyncapi()`. */
export interface AsyncApiInfo {
  /** @default 'nestjs-message-broadcaster endpoint' */
  title?: string;
  /** The contract's version. @default '1.0.0' */
  version?: string;
  description?: string;
  /** Where clients reach the server (host and port). @default 'localhost' */
  host?: string;
}

/** Serves the contract document at `<path>.json` and `<path>.yaml` on the app's HTTP server. */
export interface BroadcasterAsyncApiOptions extends AsyncApiInfo {
  /** @default '/asyncapi' */
  path?: string;
}

/** The `asyncapi` option checked: `null` when the document is not served. */
export interface ResolvedAsyncApiOptions extends AsyncApiInfo {
  path: string;
}

/** Checks the `asyncapi` option and fills in its defaults. */
export function resolveAsyncApiOptions(option: BroadcasterAsyncApiOptions | undefined): ResolvedAsyncApiOptions | null {
  if (option === undefined) return null;
  checkOption('asyncapi', typeof option === 'object' && option !== null, '{ path?, title?, version?, description?, host? }', option);
  const { path = '/asyncapi', ...info } = option;
  checkOption('asyncapi.path', typeof path === 'string' && /^\/[A-Za-z0-9._~\-/]*[A-Za-z0-9_~-]$/.test(path), 'a path such as "/asyncapi" (".json" and ".yaml" are added)', path);
  for (const key of ['title', 'version', 'description', 'host'] as const) {
    checkOption(`asyncapi.${key}`, info[key] === undefined || (typeof info[key] === 'string' && info[key] !== ''), 'a non-empty string', info[key]);
  }
  return { path, ...info };
}
