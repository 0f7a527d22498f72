// The contract document served on the app's HTTP server (the `asyncapi` option).
import { Inject, Injectable, type OnModuleInit } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import type { ServerResponse } from 'node:http';
import { toYaml } from '../asyncapi/to-yaml.js';
import { RESOLVED_OPTIONS } from './broadcaster.constants.js';
import { Broadcaster } from './broadcaster.service.js';
import type { ResolvedBroadcasterOptions } from './options-validation.js';

/**
 * Adds `GET <path>.json` and `GET <path>.yaml` to the app's HTTP server when the
 * `asyncapi` option is set: the document of `Broadcaster.asyncapi()`, made at each request.
 */
@Injectable()
export class BroadcasterAsyncApi implements OnModuleInit {
  constructor(
    @Inject(RESOLVED_OPTIONS) private readonly options: ResolvedBroadcasterOptions,
    private readonly broadcaster: Broadcaster,
    private readonly adapterHost: HttpAdapterHost,
  ) {}

  onModuleInit(): void {
    const served = this.options.asyncapi;
    const http = this.adapterHost.httpAdapter;
    if (served === null) return;
    if (http === undefined || http === null) throw new Error('asyncapi: the document is served on the app’s HTTP server, and this app has none');
    const send = (type: string, body: () => string) => (_request: unknown, response: ServerResponse & { raw?: ServerResponse }) => {
      const raw = response.raw ?? response;
      raw.writeHead(200, { 'content-type': `${type}; charset=utf-8` });
      raw.end(body());
    };
    http.get(`${served.path}.json`, send('application/json', () => JSON.stringify(this.broadcaster.asyncapi(), null, 2)));
    http.get(`${served.path}.yaml`, send('application/yaml', () => toYaml(this.broadcaster.asyncapi())));
  }
}
