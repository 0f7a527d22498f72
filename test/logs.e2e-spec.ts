import { Injectable, Module } from '@nestjs/common';
import { BroadcasterModule, MessageHandler } from '../src/index.js';
import { BroadcasterCore } from '../src/core/index.js';
import { BROADCASTER_CORE } from '../src/nest/broadcaster.constants.js';
import { CapturingLogger, startApp, type RunningApp } from './support/app.js';
import { until } from './support/until.js';
import { TestClient } from './support/ws-client.js';

@Injectable()
class Failing {
  @MessageHandler(4)
  fails(): never {
    throw new Error('always');
  }
}

/** The `key=value` fields at the end of a log line. */
function fields(line: string): Record<string, string> {
  return Object.fromEntries([...line.matchAll(/ (\w+)=(\S+)/g)].map(([, key, value]) => [key, value]));
}

describe('log lines carry their facts as fields (event, clientId, code, instance…)', () => {
  let running: RunningApp;
  const logger = new CapturingLogger();

  beforeAll(async () => {
    @Module({ imports: [BroadcasterModule.forRoot({ rateLimit: { messagesPerSecond: 1, burst: 1, floodThreshold: 2 } })], providers: [Failing] })
    class AppModule {}
    running = await startApp(AppModule, { logger });
  });
  afterAll(() => running.app.close());

  it('a failing handler and a flooding client, each with its event, client, code and instance', async () => {
    const instance = running.app.get<BroadcasterCore>(BROADCASTER_CORE).instanceId;
    const { client, id } = await TestClient.join(running.url);
    client.send({ HandlerID: 4, Body: null });
    await until(() => logger.text('error').includes('event=handler_failed'), 'the error line');
    const failed = logger.lines.find((line) => line.text.includes('event=handler_failed'))!.text.split('\n')[0];
    expect(fields(failed)).toEqual({ event: 'handler_failed', clientId: id, handlerId: '4', code: 'handler_error', instance });

    for (let i = 0; i < 10; i++) client.send({ HandlerID: 4, Body: null });
    await client.closed;
    await until(() => logger.text('warn').includes('event=client_evicted'), 'the eviction line');
    const evicted = logger.lines.find((line) => line.text.includes('event=client_evicted'))!.text;
    expect(fields(evicted)).toEqual({ event: 'client_evicted', clientId: id, code: '1008', instance });
    // Every line the module wrote says which instance wrote it.
    for (const { text } of logger.lines.filter((line) => line.text.includes('event='))) expect(text.split('\n')[0]).toContain(` instance=${instance}`);
  });
});
