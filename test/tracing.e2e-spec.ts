import { Injectable, Module, UseGuards, type CanActivate } from '@nestjs/common';
import { trace } from '@opentelemetry/api';
import { BasicTracerProvider, InMemorySpanExporter, SimpleSpanProcessor, type ReadableSpan } from '@opentelemetry/sdk-trace-base';
import {
  All,
  Broadcaster,
  BroadcasterException,
  BroadcasterModule,
  ErrorCode,
  MessageHandler,
  Room,
  newResponseMessage,
  Self,
  type RequestMessage,
} from '../src/index.js';
import { startApp, type RunningApp } from './support/app.js';
import { until } from './support/until.js';
import { TestClient } from './support/ws-client.js';

const b64 = (text: string) => Buffer.from(text).toString('base64');

/** Takes 40 ms to let a call through: its time is the handler span's. */
@Injectable()
class SlowGuard implements CanActivate {
  async canActivate(): Promise<boolean> {
    await new Promise((resolve) => setTimeout(resolve, 40));
    return true;
  }
}

@Injectable()
class Handlers {
  @MessageHandler(1)
  echo(msg: RequestMessage) {
    return newResponseMessage(All, msg.body);
  }

  @MessageHandler(2)
  @UseGuards(SlowGuard)
  guarded(msg: RequestMessage) {
    return newResponseMessage(Self, msg.body);
  }

  @MessageHandler(3)
  refuses(): never {
    throw new BroadcasterException('not you', ErrorCode.Forbidden);
  }

  @MessageHandler(4)
  async fails(): Promise<never> {
    await Promise.resolve();
    throw new Error('broken');
  }
}

describe('OpenTelemetry traces (tracing: true), with an SDK registered', () => {
  const exporter = new InMemorySpanExporter();
  const provider = new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(exporter)] });
  let running: RunningApp;

  beforeAll(async () => {
    trace.setGlobalTracerProvider(provider);
    @Module({ imports: [BroadcasterModule.forRoot({ tracing: true })], providers: [Handlers, SlowGuard] })
    class AppModule {}
    running = await startApp(AppModule);
  });
  afterAll(async () => {
    await running.app.close();
    trace.disable();
    await provider.shutdown();
  });
  beforeEach(() => exporter.reset());

  const spans = (): ReadableSpan[] => exporter.getFinishedSpans();

  it('makes a consumer span per handler call, named by its HandlerID, with the client as an attribute', async () => {
    const { client, id } = await TestClient.join(running.url);
    client.send({ HandlerID: 1, Body: b64('hello'), RequestID: 1 });
    await client.nextReply(1);
    await until(() => spans().length === 1, 'the span');
    const [span] = spans();
    expect(span.name).toBe('process 1');
    expect(span.kind).toBe(4); // SpanKind.CONSUMER
    expect(span.instrumentationScope.name).toBe('nestjs-message-broadcaster');
    expect(span.attributes).toEqual({
      'messaging.system': 'nestjs-message-broadcaster',
      'messaging.operation.type': 'process',
      'messaging.operation.name': 'handle',
      'messaging.destination.name': '1',
      'messaging.client.id': id,
      'messaging.message.body.size': 5,
    });
    expect(span.status.code).toBe(0); // UNSET: a success
    await client.close();
  });

  it('has the guards’ time inside the handler’s span', async () => {
    const { client } = await TestClient.join(running.url);
    client.send({ HandlerID: 2, Body: b64('guarded'), RequestID: 1 });
    await client.nextReply(2);
    await until(() => spans().length === 1, 'the span');
    const [seconds, nanos] = spans()[0].duration;
    expect(seconds * 1000 + nanos / 1e6).toBeGreaterThanOrEqual(39);
    await client.close();
  });

  it('marks a refusal and a failure as errors, with the code the client was sent', async () => {
    const { client } = await TestClient.join(running.url);
    client.send({ HandlerID: 3, Body: b64('x'), RequestID: 1 });
    expect(await client.nextReply(3)).toMatchObject({ Code: 'forbidden' });
    client.send({ HandlerID: 4, Body: b64('x'), RequestID: 2 });
    expect(await client.nextReply(4)).toMatchObject({ Code: 'handler_error' });
    await until(() => spans().length === 2, 'both spans');
    const [refused, failed] = spans();
    expect([refused.name, refused.status, refused.attributes['error.type']]).toEqual(['process 3', { code: 2, message: 'not you' }, 'forbidden']);
    expect([failed.name, failed.status, failed.attributes['error.type']]).toEqual(['process 4', { code: 2, message: 'broken' }, 'handler_error']);
    await client.close();
  });

  it('makes a producer span per server cast, with its cast types and no room names', async () => {
    const broadcaster = running.app.get(Broadcaster);
    await broadcaster.cast([newResponseMessage(All, 'to all'), newResponseMessage(Room, 'to a room', 'secret-room')]);
    await expect(broadcaster.cast(newResponseMessage(Self, 'nobody'))).rejects.toThrow();
    expect(spans().map((span) => [span.name, span.kind, span.attributes['messaging.batch.message_count'], span.status.code])).toEqual([
      ['send All,Room', 3, 2, 0],
      ['send Self', 3, 1, 2],
    ]);
    expect(JSON.stringify(spans().map((span) => span.attributes))).not.toContain('secret-room');
  });
});

describe('tracing off', () => {
  it('makes no span, even with an SDK registered', async () => {
    const exporter = new InMemorySpanExporter();
    const provider = new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(exporter)] });
    trace.setGlobalTracerProvider(provider);
    @Module({ imports: [BroadcasterModule.forRoot({})], providers: [Handlers, SlowGuard] })
    class AppModule {}
    const running = await startApp(AppModule);
    const { client } = await TestClient.join(running.url);
    client.send({ HandlerID: 1, Body: b64('hello'), RequestID: 1 });
    await client.nextReply(1);
    await running.app.get(Broadcaster).cast(newResponseMessage(All, 'from the server'));
    expect(exporter.getFinishedSpans()).toEqual([]);
    await client.close();
    await running.app.close();
    trace.disable();
    await provider.shutdown();
  });
});
