// BroadcasterModule: the broadcaster behind a Nest WebSocket gateway.
import { Logger, Module } from '@nestjs/common';
import { DiscoveryModule } from '@nestjs/core';
import { BroadcasterCore } from '../core/broadcaster-core.js';
import { withInstance } from '../core/log-facts.js';
import { BroadcasterMetadataAccessor } from './broadcaster-metadata.accessor.js';
import { BROADCASTER_CORE, LOGGER_CONTEXT, MODULE_LOGGER, RESOLVED_OPTIONS, TRACER, WS_TRANSPORT } from './broadcaster.constants.js';
import type { BroadcasterLogger } from '../core/handlers.js';
import { openTelemetryTracer, type Tracer } from '../tracing/tracer.js';
import { BroadcasterAdmin } from './broadcaster.admin.js';
import { BroadcasterAsyncApi } from './broadcaster.asyncapi.js';
import { BroadcasterMetrics } from './broadcaster.metrics.js';
import { BroadcasterOrchestrator } from './broadcaster.orchestrator.js';
import { WsTransport } from '../ws/ws-transport.js';
import { BroadcasterExplorer } from './broadcaster.explorer.js';
import { HandlerFactory } from './handlers/handler-factory.js';
import { BROADCASTER_OPTIONS, ConfigurableBroadcasterModule } from './broadcaster.module-definition.js';
import { Broadcaster } from './broadcaster.service.js';
import type { BroadcasterModuleOptions } from './broadcaster-options.interface.js';
import { resolveOptions, type ResolvedBroadcasterOptions } from './options-validation.js';

/**
 * Runs a message broadcaster behind a WebSocket gateway. Import it once, in the root
 * module, with `BroadcasterModule.forRoot(options)` or `forRootAsync({ useFactory, inject })`;
 * handlers are found on any provider through `@MessageHandler` and `@OnEvent`, and
 * {@link Broadcaster} can be injected anywhere.
 */
@Module({
  imports: [DiscoveryModule],
  providers: [
    {
      provide: RESOLVED_OPTIONS,
      useFactory: (options: BroadcasterModuleOptions) => resolveOptions(options),
      inject: [BROADCASTER_OPTIONS],
    },
    {
      provide: BROADCASTER_CORE,
      useFactory: async (options: ResolvedBroadcasterOptions) => {
        // The resolved options are passed through: the core reads its own settings.
        const core = new BroadcasterCore({ ...options, logger: new Logger(LOGGER_CONTEXT) });
        await core.start();
        return core;
      },
      inject: [RESOLVED_OPTIONS],
    },
    {
      provide: TRACER,
      useFactory: async (options: ResolvedBroadcasterOptions): Promise<Tracer | null> => (options.tracing ? await openTelemetryTracer() : null),
      inject: [RESOLVED_OPTIONS],
    },
    {
      provide: MODULE_LOGGER,
      useFactory: (core: BroadcasterCore): BroadcasterLogger => withInstance(new Logger(LOGGER_CONTEXT), () => core.instanceId),
      inject: [BROADCASTER_CORE],
    },
    {
      provide: WS_TRANSPORT,
      useFactory: (options: ResolvedBroadcasterOptions, core: BroadcasterCore, logger: BroadcasterLogger) =>
        new WsTransport(core, options, { logger, enforcePath: options.port !== undefined }),
      inject: [RESOLVED_OPTIONS, BROADCASTER_CORE, MODULE_LOGGER],
    },
    BroadcasterMetadataAccessor,
    HandlerFactory,
    BroadcasterExplorer,
    BroadcasterOrchestrator,
    BroadcasterMetrics,
    BroadcasterAdmin,
    BroadcasterAsyncApi,
    Broadcaster,
  ],
  exports: [Broadcaster],
})
export class BroadcasterModule extends ConfigurableBroadcasterModule {}
