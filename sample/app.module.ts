import { Module, type DynamicModule } from '@nestjs/common';
import { BroadcasterModule, type BroadcasterModuleOptions } from 'nestjs-message-broadcaster';
import { AnnouncementsController } from './announcements.controller.js';
import { ChatHandlers } from './chat.handlers.js';
import { PresenceLogger } from './presence.logger.js';

/** The options that make an instance one node of a cluster; see `main.ts --redis`. */
export type ClusterOptions = Pick<BroadcasterModuleOptions, 'backplane' | 'clusterHeartbeatInterval' | 'nodeTimeout'>;

@Module({})
export class AppModule {
  /** The sample app with its WebSocket endpoint at `path`, alone or as a node of a cluster. */
  static withEndpoint(path = '/', cluster: ClusterOptions = {}): DynamicModule {
    return {
      module: AppModule,
      imports: [BroadcasterModule.forRoot({ path, ...cluster })],
      providers: [ChatHandlers, PresenceLogger],
      controllers: [AnnouncementsController],
    };
  }
}
