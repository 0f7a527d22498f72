import type { LoggerService } from '@nestjs/common';
import type { IncomingMessage } from 'node:http';
import type { BroadcasterCore } from '../core/broadcaster-core.js';
import type { ClientIdentity } from '../core/handlers.js';
import { stackOf } from '../core/client.js';
import type { ResolvedBroadcasterOptions } from './options-validation.js';

type VerifyCallback = (ok: boolean, status?: number, message?: string) => void;
type VerifyInfo = { origin: string; req: IncomingMessage; secure: boolean };

/**
 * Decides, before the WebSocket upgrade, whether a connect request may become a client:
 * capacity (503), origin (403), then authentication (401). Nothing is created or
 * announced for a refused request. The identity of an admitted one is kept for the
 * gateway, keyed by its request.
 */
export class Admission {
  private readonly identities = new WeakMap<IncomingMessage, ClientIdentity>();

  constructor(
    private readonly options: ResolvedBroadcasterOptions,
    private readonly core: BroadcasterCore,
    private readonly logger: LoggerService,
  ) {}

  /** The `verifyClient` hook handed to the `ws` server. */
  readonly verifyClient = (info: VerifyInfo, done: VerifyCallback): void => {
    this.decide(info.req).then(
      (status) => (status === 0 ? done(true) : this.refuse(done, status)),
      (error: unknown) => {
        this.logger.error(`admission failed unexpectedly: ${stackOf(error)}`);
        this.refuse(done, 500);
      },
    );
  };

  /** Who the admitted request's client is; read once, when its connection opens. */
  identityOf(request: IncomingMessage): ClientIdentity {
    const identity = this.identities.get(request) ?? {};
    this.identities.delete(request);
    return { ...identity, request: describeRequest(request) };
  }

  /** 0 to admit, else the HTTP status to refuse with. */
  private async decide(request: IncomingMessage): Promise<number> {
    const { maxClients, allowedOrigins, authenticate } = this.options;
    if (this.core.isShuttingDown) return 503;
    if (maxClients !== undefined && this.core.clientIds().length >= maxClients) return 503;
    if (allowedOrigins !== undefined && !(await this.originAllowed(request))) return 403;
    if (authenticate !== undefined) {
      let principal: unknown;
      try {
        principal = await authenticate(request);
      } catch (error) {
        this.logger.warn(`authenticate refused a connection by throwing: ${error instanceof Error ? error.message : String(error)}`);
        return 401;
      }
      if (!principal) return 401;
      this.identities.set(request, { principal });
    }
    return 0;
  }

  private async originAllowed(request: IncomingMessage): Promise<boolean> {
    const origin = request.headers.origin;
    const allowed = this.options.allowedOrigins;
    if (typeof allowed === 'function') return (await allowed(origin, request)) === true;
    return origin !== undefined && (allowed ?? []).includes(origin);
  }

  private refuse(done: VerifyCallback, status: number): void {
    this.core.noteRefusedUpgrade(status);
    done(false, status);
  }
}

function describeRequest(request: IncomingMessage) {
  return { url: request.url ?? '/', headers: { ...request.headers }, remoteAddress: request.socket.remoteAddress };
}
