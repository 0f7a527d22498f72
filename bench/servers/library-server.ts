import 'reflect-metadata';
import {
  Injectable,
  Module,
  UseGuards,
  UseInterceptors,
  UsePipes,
  type CallHandler,
  type CanActivate,
  type DynamicModule,
  type ExecutionContext,
  type NestInterceptor,
  type PipeTransform,
} from '@nestjs/common';
import { MessageBody } from '@nestjs/websockets';
import { map, type Observable } from 'rxjs';
import { NestFactory } from '@nestjs/core';
import { WsAdapter } from '@nestjs/platform-ws';
import type { AddressInfo } from 'node:net';
import {
  BroadcasterModule,
  CastType,
  MessageHandler,
  newResponseMessage,
  WorkerBackplane,
  type HandlerContext,
  type RequestMessage,
  type ResponseMessage,
} from 'nestjs-message-broadcaster';
import { RedisBackplane } from 'nestjs-message-broadcaster/redis';
import { register } from 'prom-client';
import { trace } from '@opentelemetry/api';
import { BasicTracerProvider } from '@opentelemetry/sdk-trace-base';
import { serve, type ServerSettings } from './child.js';
import { ECHO_ALL, ECHO_EXCLUSIVE, ECHO_ROOM, ECHO_SELF, ECHO_SELF_ENHANCED, JOIN_ROOM } from './handler-ids.js';

// One of each enhancer, each doing the least a real one does: read the context, check the
// value, touch the result.
class ConnectedGuard implements CanActivate {
  canActivate(context: ExecutionContext): boolean {
    return context.switchToWs().getClient<HandlerContext>().clientId !== '';
  }
}

class BytesPipe implements PipeTransform {
  transform(value: unknown): Buffer {
    if (!Buffer.isBuffer(value)) throw new TypeError('expected bytes');
    return value;
  }
}

class PassThroughInterceptor implements NestInterceptor {
  intercept(_context: ExecutionContext, next: CallHandler): Observable<unknown> {
    return next.handle().pipe(map((response: unknown) => response));
  }
}

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

  @MessageHandler(ECHO_SELF_ENHANCED)
  @UseGuards(ConnectedGuard)
  @UsePipes(BytesPipe)
  @UseInterceptors(PassThroughInterceptor)
  selfEnhanced(@MessageBody() body: Buffer): ResponseMessage {
    return newResponseMessage(CastType.Self, body);
  }

  @MessageHandler(ECHO_ROOM)
  room(request: RequestMessage): ResponseMessage {
    const body = request.body;
    const first = body.indexOf(0x7c);
    const second = body.indexOf(0x7c, first + 1);
    const castType = Number(body.toString('latin1', 0, first)) as CastType;
    return newResponseMessage(castType, body.subarray(second + 1), body.toString('utf8', first + 1, second));
  }

  @MessageHandler(JOIN_ROOM)
  joinRoom(request: RequestMessage, ctx: HandlerContext): void {
    ctx.join(request.body.toString('utf8'));
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
          ...(settings.workerBackplane === true ? { backplane: new WorkerBackplane() } : {}),
          ...(settings.history === true ? { history: () => ({ size: 1000, ttl: 600_000 }) } : {}),
          ...(settings.metrics === true ? { metrics: true } : {}),
          ...(settings.tracing === true ? { tracing: true } : {}),
        }),
      ],
      providers: [BenchHandlers],
    };
  }
}

/** Starts the library's contender (L): a Nest app like the sample, on a free port. */
export async function startLibraryServer(settings: ServerSettings): Promise<void> {
  // Every span is made and recorded, and dropped: the cost of tracing without that of exporting.
  if (settings.tracing === true) trace.setGlobalTracerProvider(new BasicTracerProvider());
  const app = await NestFactory.create(BenchAppModule.with(settings), { logger: false });
  app.useWebSocketAdapter(new WsAdapter(app));
  await app.listen(0, '127.0.0.1');
  const { port } = app.getHttpServer().address() as AddressInfo;
  if (settings.metrics === true) {
    const scraping = setInterval(() => void register.metrics(), 1000);
    scraping.unref();
  }
  serve(port, () => app.close());
}
