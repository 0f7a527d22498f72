// The module's forRoot/forRootAsync definition.
import { ConfigurableModuleBuilder } from '@nestjs/common';
import type { BroadcasterModuleOptions } from './broadcaster-options.interface.js';
import { createBroadcasterGateway } from './broadcaster.gateway.js';

export const {
  ConfigurableModuleClass: ConfigurableBroadcasterModule,
  MODULE_OPTIONS_TOKEN: BROADCASTER_OPTIONS,
  ASYNC_OPTIONS_TYPE: BROADCASTER_ASYNC_OPTIONS_TYPE,
} = new ConfigurableModuleBuilder<BroadcasterModuleOptions>({ moduleName: 'Broadcaster' })
  .setClassMethodName('forRoot')
  .setFactoryMethodName('createBroadcasterOptions')
  // Every registration gets its own gateway class, because a gateway's port and path
  // are metadata on its class rather than on an instance.
  .setExtras({}, (definition) => ({
    ...definition,
    global: true,
    providers: [...(definition.providers ?? []), createBroadcasterGateway()],
  }))
  .build();

/** Options of `BroadcasterModule.forRootAsync()`: `useFactory`/`inject`/`imports`, `useClass` or `useExisting`. */
export type BroadcasterModuleAsyncOptions = typeof BROADCASTER_ASYNC_OPTIONS_TYPE;
