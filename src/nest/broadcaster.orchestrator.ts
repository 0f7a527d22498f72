// The order of start-up and shutdown of the core, the transport and the cluster.
import { Inject, Injectable, type BeforeApplicationShutdown, type OnApplicationBootstrap } from '@nestjs/common';
import type { BroadcasterCore } from '../core/broadcaster-core.js';
import type { WsTransport } from '../ws/ws-transport.js';
import { BROADCASTER_CORE, RESOLVED_OPTIONS, WS_TRANSPORT } from './broadcaster.constants.js';
import type { ResolvedBroadcasterOptions } from './options-validation.js';

/**
 * Owns the order of start-up and shutdown. Nest starts a gateway's server before the
 * lifecycle hooks run; the door opens only once every `onModuleInit` hook has, so every
 * handler is installed. On shutdown, undecided connect requests are refused first, then
 * the core finishes what is in flight and closes its clients.
 */
@Injectable()
export class BroadcasterOrchestrator implements OnApplicationBootstrap, BeforeApplicationShutdown {
  constructor(
    @Inject(RESOLVED_OPTIONS) private readonly options: ResolvedBroadcasterOptions,
    @Inject(BROADCASTER_CORE) private readonly core: BroadcasterCore,
    @Inject(WS_TRANSPORT) private readonly transport: WsTransport,
  ) {}

  onApplicationBootstrap(): void {
    this.transport.open();
  }

  async beforeApplicationShutdown(): Promise<void> {
    this.transport.close();
    await this.core.shutdown(this.options.shutdownTimeout);
  }
}
