// Who may connect: path, capacity, origin and authentication, decided before the upgrade.
import { withFacts } from '../core/log-facts.js';
import type { IncomingMessage } from 'node:http';
import type { BroadcasterCore } from '../core/broadcaster-core.js';
import type { BroadcasterLogger, ClientIdentity, ClientRequestInfo } from '../core/handlers.js';
import { stackOf } from '../core/thrown-text.js';
import type { ResolvedTransportSettings } from './transport-options.js';

type VerifyCallback = (ok: boolean, status?: number, message?: string) => void;
type VerifyInfo = { origin: string; req: IncomingMessage; secure: boolean };

const ADMIT = 0;

/**
 * Decides, before the WebSocket upgrade, whether a connect request may become a client:
 * path (404, on a dedicated port), capacity (503), origin (403), then authentication
 * (401). Nothing is created or announced for a refused request. The door opens only once
 * the application has started (its handlers are installed); until then requests wait.
 * Every decision is bounded in time, and requests still being decided count against
 * `maxClients` and are refused when the server shuts down.
 */
export class Admission {
  private readonly identities = new WeakMap<IncomingMessage, ClientIdentity>();
  /** Refuses each request still being decided; see {@link close}. */
  private readonly undecided = new Set<() => void>();
  private openDoor: () => void = () => undefined;
  private readonly doorOpen = new Promise<void>((resolve) => (this.openDoor = resolve));
  private isOpen = false;
  private closed = false;
  private readonly keptHeaders: ReadonlySet<string>;

  constructor(
    private readonly options: ResolvedTransportSettings,
    private readonly core: BroadcasterCore,
    private readonly logger: BroadcasterLogger,
    /** The path to enforce, when the server serves every path; `null` when it filters. */
    private readonly enforcedPath: string | null,
    /** Told of each refusal, with its HTTP status. */
    private readonly onRefusal: (status: number) => void,
  ) {
    this.keptHeaders = new Set(options.requestHeaders.map((name) => name.toLowerCase()));
  }

  /** Lets requests in: the application has started and its handlers are installed. */
  open(): void {
    this.isOpen = true;
    this.openDoor();
  }

  /** Refuses every request still being decided, and every later one, with 503. */
  close(): void {
    this.closed = true;
    for (const refuse of [...this.undecided]) refuse();
  }

  /** The `verifyClient` hook handed to the `ws` server. */
  readonly verifyClient = (info: VerifyInfo, done: VerifyCallback): void => {
    if (this.enforcedPath !== null && pathOf(info.req) !== this.enforcedPath) {
      this.refuse(done, 404);
      return;
    }
    let decided = false;
    const decide = (status: number) => {
      if (decided) return;
      decided = true;
      clearTimeout(timer);
      this.undecided.delete(refuseNow);
      if (status === ADMIT && this.closed) status = 503;
      if (status === ADMIT) done(true);
      else this.refuse(done, status);
    };
    const refuseNow = () => decide(503);
    this.undecided.add(refuseNow);
    const timeoutMs = this.options.authenticateTimeout;
    const timer = setTimeout(() => {
      this.logger.warn(
        withFacts(`a connect request was not decided within authenticateTimeout (${timeoutMs} ms): refused with 503`, { event: 'connect_undecided', code: 503 }),
      );
      refuseNow();
    }, timeoutMs);
    this.decide(info.req).then(decide, (error: unknown) => {
      this.logger.error(withFacts('admission failed unexpectedly', { event: 'connect_failed', code: 500 }), stackOf(error));
      decide(500);
    });
  };

  /** Who the admitted request's client is; read once, when its connection opens. */
  identityOf(request: IncomingMessage): ClientIdentity {
    const identity = this.identities.get(request) ?? {};
    this.identities.delete(request);
    return { ...identity, request: this.describe(request) };
  }

  /** {@link ADMIT}, or the HTTP status to refuse with. */
  private async decide(request: IncomingMessage): Promise<number> {
    const { maxClients, allowedOrigins, authenticate } = this.options;
    if (this.closed || this.core.isShuttingDown) return 503;
    // Requests still being decided (this one included) hold a place, so that many
    // concurrent upgrades cannot all pass the check before any of them is a client.
    if (maxClients !== undefined && this.core.localClientCount + this.undecided.size > maxClients) return 503;
    if (!this.isOpen) await this.doorOpen;
    if (allowedOrigins !== undefined && !(await this.originAllowed(request))) return 403;
    if (authenticate !== undefined) {
      let principal: unknown;
      try {
        principal = await authenticate(request);
      } catch (error) {
        this.logger.warn(withFacts(`authenticate refused a connection by throwing: ${error instanceof Error ? error.message : String(error)}`, { event: 'connect_refused', code: 401 }));
        return 401;
      }
      if (!principal) return 401;
      this.identities.set(request, { principal });
    }
    return ADMIT;
  }

  private async originAllowed(request: IncomingMessage): Promise<boolean> {
    const origin = request.headers.origin;
    const allowed = this.options.allowedOrigins;
    if (typeof allowed === 'function') return (await allowed(origin, request)) === true;
    return origin !== undefined && (allowed ?? []).includes(origin);
  }

  private refuse(done: VerifyCallback, status: number): void {
    this.onRefusal(status);
    done(false, status);
  }

  /** The connect request as handlers see it: only the headers named in `requestHeaders`. */
  private describe(request: IncomingMessage): ClientRequestInfo {
    const headers: Record<string, string | string[] | undefined> = {};
    for (const name of this.keptHeaders) {
      const value = request.headers[name];
      if (value !== undefined) headers[name] = value;
    }
    return { url: request.url ?? '/', headers, remoteAddress: request.socket.remoteAddress };
  }
}

function pathOf(request: IncomingMessage): string {
  const url = request.url ?? '/';
  const query = url.indexOf('?');
  return query < 0 ? url : url.slice(0, query);
}
