// The live admin page of the module's broadcaster, served on the app's HTTP server (the `admin` option).
import { Inject, Injectable, Logger, type OnModuleDestroy, type OnModuleInit } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { AdminEndpoint } from '../admin/admin-endpoint.js';
import { AdminSampler } from '../admin/admin-sampler.js';
import type { BroadcasterCore } from '../core/broadcaster-core.js';
import { withFacts, withInstance } from '../core/log-facts.js';
import type { WsTransport } from '../ws/ws-transport.js';
import { BROADCASTER_CORE, LOGGER_CONTEXT, RESOLVED_OPTIONS, WS_TRANSPORT } from './broadcaster.constants.js';
import type { ResolvedBroadcasterOptions } from './options-validation.js';

/** A platform's request or response, or the Node one inside it (Fastify keeps it as `raw`). */
type Wrapped<T> = T & { raw?: T };

/**
 * Adds the admin page's routes to the app's HTTP server when the `admin` option is set:
 * `GET <path>` (the page) and `GET <path>/events` (its samples, once a second).
 */
@Injectable()
export class BroadcasterAdmin implements OnModuleInit, OnModuleDestroy {
  private endpoint: AdminEndpoint | null = null;

  constructor(
    @Inject(RESOLVED_OPTIONS) private readonly options: ResolvedBroadcasterOptions,
    @Inject(BROADCASTER_CORE) private readonly core: BroadcasterCore,
    @Inject(WS_TRANSPORT) private readonly transport: WsTransport,
    private readonly adapterHost: HttpAdapterHost,
  ) {}

  onModuleInit(): void {
    const admin = this.options.admin;
    const http = this.adapterHost.httpAdapter;
    if (admin === null) return;
    if (http === undefined || http === null) throw new Error('admin: the page is served on the app’s HTTP server, and this app has none');
    const core = this.core;
    const sampler = new AdminSampler({
      stats: () => ({ ...core.stats(), ...this.transport.stats() }),
      meter: core.measureHandlers(),
      largestRooms: (count) => core.largestRooms(count),
      instances: () => core.instances(),
    });
    const logger = withInstance(new Logger(LOGGER_CONTEXT), () => core.instanceId);
    const endpoint = new AdminEndpoint(admin, sampler, logger);
    const serve = (route: (request: IncomingMessage, response: ServerResponse) => Promise<void>) => (request: Wrapped<IncomingMessage>, response: Wrapped<ServerResponse>) => {
      route(request.raw ?? request, response.raw ?? response).catch((error: unknown) => logger.error(withFacts('admin page: a request failed', { event: 'admin_failed' }), String(error)));
    };
    http.get(admin.path, serve((request, response) => endpoint.page(request, response)));
    http.get(endpoint.eventsPath, serve((request, response) => endpoint.events(request, response)));
    this.endpoint = endpoint;
  }

  onModuleDestroy(): void {
    this.endpoint?.close();
  }
}
