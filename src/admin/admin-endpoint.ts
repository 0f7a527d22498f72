// The admin page's two routes: the page, and its stream of samples (server-sent events).
import { withFacts } from '../core/log-facts.js';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { BroadcasterLogger } from '../core/handlers.js';
import type { ResolvedAdminOptions } from './admin-options.js';
import { adminPage } from './admin-page.js';
import type { AdminSampler } from './admin-sampler.js';

/** How many pages may watch at once; more are refused with 503. */
export const MAX_ADMIN_VIEWERS = 20;
const SAMPLE_INTERVAL_MS = 1000;
/** What a page may leave unread of its events before it is dropped. */
const MAX_UNSENT_BYTES = 1 << 20;

/**
 * Serves the admin page and its events. Every request is authorized first (401 with a
 * Basic challenge otherwise). While at least one page watches, a sample is taken each
 * second and sent to every one; with none, nothing runs.
 */
export class AdminEndpoint {
  private readonly viewers = new Set<ServerResponse>();
  private timer: NodeJS.Timeout | null = null;
  readonly eventsPath: string;

  constructor(
    private readonly options: ResolvedAdminOptions,
    private readonly sampler: AdminSampler,
    private readonly logger: BroadcasterLogger,
  ) {
    this.eventsPath = `${options.path === '/' ? '' : options.path}/events`;
  }

  /** GET of the page. */
  async page(request: IncomingMessage, response: ServerResponse): Promise<void> {
    if (!(await this.authorized(request, response))) return;
    response.writeHead(200, { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store' });
    response.end(adminPage(this.eventsPath));
  }

  /** GET of the events: a sample now, then one a second, until the page goes. */
  async events(request: IncomingMessage, response: ServerResponse): Promise<void> {
    if (!(await this.authorized(request, response))) return;
    if (this.viewers.size >= MAX_ADMIN_VIEWERS) {
      this.logger.warn(withFacts(`admin page: more than ${MAX_ADMIN_VIEWERS} pages watching at once; refused with 503`, { event: 'admin_busy', code: 503 }));
      response.writeHead(503, { 'content-type': 'text/plain' });
      response.end('too many admin pages open');
      return;
    }
    response.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-store', connection: 'keep-alive' });
    this.viewers.add(response);
    response.on('close', () => {
      this.viewers.delete(response);
      if (this.viewers.size === 0) this.stop();
    });
    response.write(`data: ${JSON.stringify(this.sampler.sample())}\n\n`);
    if (this.timer === null) {
      this.timer = setInterval(() => this.broadcast(), SAMPLE_INTERVAL_MS);
      this.timer.unref();
    }
  }

  /** Ends every page's events (the app is closing). */
  close(): void {
    this.stop();
    for (const viewer of this.viewers) viewer.end();
    this.viewers.clear();
  }

  private broadcast(): void {
    const data = `data: ${JSON.stringify(this.sampler.sample())}\n\n`;
    // A page that does not read its events is not written to without bound.
    for (const viewer of this.viewers) {
      if (viewer.writableLength <= MAX_UNSENT_BYTES) {
        viewer.write(data);
        continue;
      }
      this.logger.warn(withFacts(`admin page: a page left more than ${MAX_UNSENT_BYTES} bytes of its events unread; dropped`, { event: 'admin_viewer_dropped' }));
      viewer.destroy();
    }
  }

  private stop(): void {
    if (this.timer !== null) clearInterval(this.timer);
    this.timer = null;
  }

  private async authorized(request: IncomingMessage, response: ServerResponse): Promise<boolean> {
    let allowed = false;
    try {
      allowed = (await this.options.authorize(request)) === true;
    } catch (error) {
      this.logger.warn(withFacts(`admin page: authorize threw, so the request was refused: ${error instanceof Error ? error.message : String(error)}`, { event: 'admin_authorize_failed', code: 401 }));
    }
    if (!allowed) {
      response.writeHead(401, { 'content-type': 'text/plain', 'www-authenticate': 'Basic realm="broadcaster admin", charset="UTF-8"' });
      response.end('not authorized');
    }
    return allowed;
  }
}
