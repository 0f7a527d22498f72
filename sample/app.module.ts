import { Module, type DynamicModule } from '@nestjs/common';
import type { IncomingMessage } from 'node:http';
import { adminBasicAuth, BroadcasterModule, type BroadcasterModuleOptions } from 'nestjs-message-broadcaster';
import { AnnouncementsController } from './announcements.controller.js';
import { ChatHandlers } from './chat.handlers.js';
import { ChatPageController } from './chat-page.controller.js';
import { PresenceLogger } from './presence.logger.js';
import { isUserRoom, RoomHandlers, userRoomOf } from './room.handlers.js';

/**
 * Who a client is, for the sample: the `user` of its connect URL (`ws://…/?user=ana`),
 * taken on trust. A real application verifies a token here instead.
 */
function sampleUser(request: IncomingMessage): { user: string | undefined } {
  const user = new URL(request.url ?? '/', 'http://localhost').searchParams.get('user');
  return { user: user === null || user === '' ? undefined : user.slice(0, 100) };
}

/** What the sample's contract document says of it. */
export const SAMPLE_CONTRACT = {
  title: 'nestjs-message-broadcaster sample chat',
  version: '1.0.0',
  description: 'A chat: echo, presence, direct messages, and rooms that keep their last 100 messages.',
  host: 'localhost:9218',
} as const;

/** Who may see the sample's admin page: for trying the sample only. */
export const SAMPLE_ADMIN = { username: 'admin', password: 'admin' } as const;

/** The options that make an instance one node of a cluster; see `main.ts --redis`. */
export type ClusterOptions = Pick<BroadcasterModuleOptions, 'backplane' | 'clusterSecret' | 'clusterHeartbeatInterval' | 'nodeTimeout'>;

/** Options a test may shorten (how long a lost connection's session is held). */
export type Tuning = Pick<BroadcasterModuleOptions, 'sessionGrace'>;

@Module({})
export class AppModule {
  /** The sample app with its WebSocket endpoint at `path`, alone or as a node of a cluster. */
  static withEndpoint(path = '/', cluster: ClusterOptions = {}, tuning: Tuning = {}): DynamicModule {
    return {
      module: AppModule,
      imports: [
        BroadcasterModule.forRoot({
          path,
          authenticate: sampleUser,
          // Every connection of a named user joins that user's room.
          userRoom: (principal) => {
            const { user } = principal as ReturnType<typeof sampleUser>;
            return user === undefined ? undefined : userRoomOf(user);
          },
          // What everyone's online list shows of a client (Broadcaster.presence()).
          presenceInfo: (principal) => {
            const { user } = principal as ReturnType<typeof sampleUser>;
            return user === undefined ? undefined : { name: user };
          },
          // Rooms named by clients keep their last 100 messages for an hour: a page that is
          // reloaded, or away for long, gets them back. Per-user rooms keep nothing.
          history: (room) => (isUserRoom(room) ? undefined : { size: 100, ttl: 3_600_000 }),
          // The live admin page at /broadcaster-admin. This username and password are for
          // trying the sample only: a real deployment checks its own credentials (over HTTPS).
          admin: { authorize: adminBasicAuth(SAMPLE_ADMIN.username, SAMPLE_ADMIN.password) },
          // The contract, as AsyncAPI 3.0, at /asyncapi.json and /asyncapi.yaml (a copy is in docs/).
          asyncapi: SAMPLE_CONTRACT,
          ...cluster,
          ...tuning,
        }),
      ],
      providers: [ChatHandlers, RoomHandlers, PresenceLogger],
      controllers: [AnnouncementsController, ChatPageController],
    };
  }
}
