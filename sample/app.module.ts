import { Module, type DynamicModule } from '@nestjs/common';
import { BroadcasterModule } from 'nestjs-message-broadcaster';
import { AnnouncementsController } from './announcements.controller.js';
import { ChatHandlers } from './chat.handlers.js';
import { PresenceLogger } from './presence.logger.js';

@Module({})
export class AppModule {
  /** The sample app with its WebSocket endpoint at `path`. */
  static withEndpoint(path = '/'): DynamicModule {
    return {
      module: AppModule,
      imports: [BroadcasterModule.forRoot({ path })],
      providers: [ChatHandlers, PresenceLogger],
      controllers: [AnnouncementsController],
    };
  }
}
