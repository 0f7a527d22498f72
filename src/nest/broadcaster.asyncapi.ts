// The contract document served on the app's HTTP server (the `asyncapi` option).
import { Inject, Injectable, type OnModuleInit } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import { toYaml } from '../asyncapi/to-yaml.js';
import { withFacts } from '../core/log-facts.js';
import type { BroadcasterLogger } from '../core/handlers.js';
import { MODULE_LOGGER, RESOLVED_OPTIONS } from './broadcaster.constants.js';
import { Broadcaster } from './broadcaster.service.js';
import type { ResolvedBroadcasterOptions } from './options-validation.js';
import { rawGetRoutes, type RawRoute } from './raw-routes.js';

/**
 * Adds `GET <path>.json` and `GET <path>.yaml` to the app's HTTP server when the
 * `asyncapi` option is set: the document of `Broadcaster.asyncapi()`, made at each request.
 */
@Injectable()
export class BroadcasterAsyncApi implements OnModuleInit {
  constructor(
    @Inject(RESOLVED_OPTIONS) private readonly options: ResolvedBroadcasterOptions,
    @Inject(MODULE_LOGGER) private readonly logger: BroadcasterLogger,
    private readonly broadcaster: Broadcaster,
    private readonly adapterHost: HttpAdapterHost,
  ) {}

  onModuleInit(): void {
    const served = this.options.asyncapi;
    if (served === null) return;
    const get = rawGetRoutes(this.adapterHost, 'asyncapi: the document', (error) =>
      this.logger.error(withFacts('asyncapi: a request failed', { event: 'asyncapi_failed' }), String(error)),
    );
    const send =
      (type: string, body: () => string): RawRoute =>
      (_request, response) => {
        response.writeHead(200, { 'content-type': `${type}; charset=utf-8` });
        response.end(body());
      };
    get(`${served.path}.json`, send('application/json', () => JSON.stringify(this.broadcaster.asyncapi(), null, 2)));
    get(`${served.path}.yaml`, send('application/yaml', () => toYaml(this.broadcaster.asyncapi())));
  }
}
