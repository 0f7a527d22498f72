// The live admin page of the module's broadcaster, served on the app's HTTP server (the `admin` option).
import { Inject, Injectable, type OnModuleDestroy, type OnModuleInit } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import { AdminEndpoint } from '../admin/admin-endpoint.js';
import { AdminSampler } from '../admin/admin-sampler.js';
import type { BroadcasterCore } from '../core/broadcaster-core.js';
import type { BroadcasterLogger } from '../core/handlers.js';
import { withFacts } from '../core/log-facts.js';
import { BROADCASTER_CORE, MODULE_LOGGER, RESOLVED_OPTIONS } from './broadcaster.constants.js';
import { Broadcaster } from './broadcaster.service.js';
import type { ResolvedBroadcasterOptions } from './options-validation.js';
import { rawGetRoutes } from './raw-routes.js';

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
    @Inject(MODULE_LOGGER) private readonly logger: BroadcasterLogger,
    private readonly broadcaster: Broadcaster,
    private readonly adapterHost: HttpAdapterHost,
  ) {}

  onModuleInit(): void {
    const admin = this.options.admin;
    if (admin === null) return;
    const get = rawGetRoutes(this.adapterHost, 'admin: the page', (error) =>
      this.logger.error(withFacts('admin page: a request failed', { event: 'admin_failed' }), String(error)),
    );
    const core = this.core;
    const sampler = new AdminSampler({
      stats: () => this.broadcaster.stats(),
      meter: core.measureHandlers(),
      largestRooms: (count) => core.largestRooms(count),
      instances: () => core.instances(),
    });
    const endpoint = new AdminEndpoint(admin, sampler, this.logger);
    get(admin.path, (request, response) => endpoint.page(request, response));
    get(endpoint.eventsPath, (request, response) => endpoint.events(request, response));
    this.endpoint = endpoint;
  }

  onModuleDestroy(): void {
    this.endpoint?.close();
  }
}
