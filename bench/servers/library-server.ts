import 'reflect-metadata';
import { Injectable, Module, type DynamicModule } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { WsAdapter } from '@nestjs/platform-ws';
import type { AddressInfo } from 'node:net';
import {
  BroadcasterModule,
  CastType,
  MessageHandler,
  newResponseMessage,
  type RequestMessage,
  type ResponseMessage,
} from 'nestjs-message-broadcaster';
import { RedisBackplane } from 'nestjs-message-broadcaster/redis';
import { serve, type ServerSettings } from './child.js';
import { ECHO_ALL, ECHO_EXCLUSIVE, ECHO_SELF } from './handler-ids.js';


/** The benchmark's handlers, written as an application would write them. */
@Injectable()
class BenchHandlers {
  @MessageHandler(ECHO_ALL)
  all(request: RequestMessage): ResponseMessage {
    return newResponseMessage(CastType.All, request.body);
  }

  @MessageHandler(ECHO_SELF)
  self(request: RequestMessage): ResponseMessage {
    return newResponseMessage(CastType.Self, request.body);
  }

  /** The body is a JSON list of the client IDs to reach. */
  @MessageHandler(ECHO_EXCLUSIVE)
  exclusive(request: RequestMessage): ResponseMessage {
    const targets = JSON.parse(request.body.toString('utf8')) as string[];
    return newResponseMessage(CastType.Exclusive, request.body, ...targets);
  }
}

@Module({})
class BenchAppModule {
  static with(settings: ServerSettings): DynamicModule {
    return {
      module: BenchAppModule,
      imports: [
        BroadcasterModule.forRoot({
          path: '/',
          announceClients: settings.announceClients,
          heartbeatInterval: 0,
          // The swarm reads as fast as it can; 64 KiB payloads need room to be in flight.
          maxBufferedBytes: 64 * 1024 * 1024,
          maxBufferedMessages: 100_000,
          ...(settings.redisUrl === undefined
            ? {}
            : { backplane: new RedisBackplane({ url: settings.redisUrl, channel: 'bench' }) }),
        }),
      ],
      providers: [BenchHandlers],
    };
  }
}

/** Starts the library's contender (L): a Nest app like the sample, on a free port. */
export async function startLibraryServer(settings: ServerSettings): Promise<void> {
  const app = await NestFactory.create(BenchAppModule.with(settings), { logger: false });
  app.useWebSocketAdapter(new WsAdapter(app));
  await app.listen(0, '127.0.0.1');
  const { port } = app.getHttpServer().address() as AddressInfo;
  serve(port, () => app.close());
}
