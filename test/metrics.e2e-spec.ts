import { Injectable, Module } from '@nestjs/common';
import { PrometheusModule } from '@willsoto/nestjs-prometheus';
import { execFileSync, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { Registry, register as globalRegistry } from 'prom-client';
import { All, BroadcasterModule, MessageHandler, newResponseMessage, Self, type HandlerContext, type RequestMessage } from '../src/index.js';
import { startApp, type RunningApp } from './support/app.js';
import { ensureBuilt } from './support/child-server.js';
import { until } from './support/until.js';
import { startFixture, stopWorkers } from './support/worker-cluster.js';
import { TestClient } from './support/ws-client.js';

const b64 = (text: string) => Buffer.from(text).toString('base64');

/** 1 echoes to everyone; 2 joins the room named by the body; 3 takes 30 ms to answer; 4 throws. */
@Injectable()
class Handlers {
  @MessageHandler(1)
  echo(msg: RequestMessage) {
    return newResponseMessage(All, msg.body);
  }

  @MessageHandler(2)
  join(msg: RequestMessage, ctx: HandlerContext): void {
    ctx.join(msg.body.toString());
  }

  @MessageHandler(3)
  async slow(msg: RequestMessage) {
    await new Promise((resolve) => setTimeout(resolve, 30));
    return newResponseMessage(Self, msg.body);
  }

  @MessageHandler(4)
  fails(): never {
    throw new Error('this handler always fails');
  }
}

/** The samples of a Prometheus text exposition: `name{labels}` → value. */
function samples(text: string): Map<string, number> {
  const found = new Map<string, number>();
  for (const line of text.split('\n')) {
    if (line === '' || line.startsWith('#')) continue;
    const at = line.lastIndexOf(' ');
    found.set(line.slice(0, at), Number(line.slice(at + 1)));
  }
  return found;
}

async function scrape(port: number): Promise<{ text: string; values: Map<string, number> }> {
  const response = await fetch(`http://127.0.0.1:${port}/metrics`);
  expect(response.status).toBe(200);
  const text = await response.text();
  return { text, values: samples(text) };
}

/** A connected client, with every frame it got since. */
interface Seen {
  client: TestClient;
  id: string;
  frames: Record<string, unknown>[];
}

async function connect(url: string): Promise<Seen> {
  const { client, id } = await TestClient.join(url);
  const seen: Seen = { client, id, frames: [] };
  client.socket.on('message', (data: Buffer) => seen.frames.push(JSON.parse(data.toString()) as Record<string, unknown>));
  return seen;
}

describe('Prometheus metrics with @willsoto/nestjs-prometheus (metrics: true, prom-client’s global registry)', () => {
  let running: RunningApp;
  const clients: Seen[] = [];

  beforeAll(async () => {
    @Module({ imports: [PrometheusModule.register(), BroadcasterModule.forRoot({ metrics: true })], providers: [Handlers] })
    class AppModule {}
    running = await startApp(AppModule);
  });
  afterAll(async () => {
    for (const { client } of clients) await client.close();
    await running.app.close();
  });

  it('serves them at /metrics with no code of its own, and they follow what clients do', async () => {
    const before = (await scrape(running.port)).values;
    expect(before.get('message_broadcaster_clients')).toBe(0);
    expect(before.get('message_broadcaster_clients_joined_total')).toBe(0);

    for (let i = 0; i < 3; i++) clients.push(await connect(running.url));
    const [ana, bob, eve] = clients.map(({ client }) => client);
    const [, bobSeen, eveSeen] = clients;
    ana.send({ HandlerID: 2, Body: b64('lobby'), RequestID: 1 });
    bob.send({ HandlerID: 2, Body: b64('lobby'), RequestID: 1 });
    for (let i = 0; i < 5; i++) ana.send({ HandlerID: 1, Body: b64(`hello ${i}`) });
    bob.send({ HandlerID: 3, Body: b64('slowly'), RequestID: 2 });
    eve.send({ HandlerID: 4, Body: b64('x'), RequestID: 3 });
    eve.send({ HandlerID: 99, Body: b64('x'), RequestID: 4 });
    eve.send('not json');
    await until(() => bobSeen.frames.some((frame) => frame.RequestID === 2) && eveSeen.frames.filter((frame) => frame.EventType === 3).length === 3, 'every answer');
    await eve.close();

    let scraped = await scrape(running.port);
    // eve's leave is counted once its connection's end reached the server.
    for (let tries = 0; scraped.values.get('message_broadcaster_clients') !== 2 && tries < 100; tries++) {
      await new Promise((resolve) => setTimeout(resolve, 20));
      scraped = await scrape(running.port);
    }
    const { text, values } = scraped;
    expect(values.get('message_broadcaster_clients')).toBe(2);
    expect(values.get('message_broadcaster_clients_joined_total')).toBe(3);
    expect(values.get('message_broadcaster_clients_left_total')).toBe(1);
    expect(values.get('message_broadcaster_rooms')).toBe(1);
    expect(values.get('message_broadcaster_frames_received_total{handler_id="1"}')).toBe(5);
    expect(values.get('message_broadcaster_frames_received_total{handler_id="2"}')).toBe(2);
    expect(values.get('message_broadcaster_frames_received_total{handler_id="3"}')).toBe(1);
    expect(values.get('message_broadcaster_frames_received_total{handler_id="4"}')).toBe(1);
    // The unknown HandlerID and the malformed frame reached no handler.
    expect(values.get('message_broadcaster_frames_received_total{handler_id="none"}')).toBe(2);
    expect(values.get('message_broadcaster_errors_total{code="handler_error"}')).toBe(1);
    expect(values.get('message_broadcaster_errors_total{code="unknown_handler"}')).toBe(1);
    expect(values.get('message_broadcaster_errors_total{code="invalid_message"}')).toBe(1);
    // 5 casts to 3 clients, 3 announcements of joins seen by the others, acks, replies, errors.
    expect(values.get('message_broadcaster_frames_sent_total')).toBeGreaterThanOrEqual(15);
    expect(values.get('message_broadcaster_bytes_sent_total')).toBeGreaterThan(values.get('message_broadcaster_frames_sent_total')! * 20);
    // The slow handler took 30 ms or more: it is past the 25 ms bucket, within the 50 ms one... or later on a busy machine.
    expect(values.get('message_broadcaster_handler_duration_seconds_count{handler_id="3"}')).toBe(1);
    expect(values.get('message_broadcaster_handler_duration_seconds_bucket{le="0.025",handler_id="3"}')).toBe(0);
    expect(values.get('message_broadcaster_handler_duration_seconds_bucket{le="+Inf",handler_id="3"}')).toBe(1);
    expect(values.get('message_broadcaster_handler_duration_seconds_sum{handler_id="3"}')).toBeGreaterThanOrEqual(0.029);
    expect(values.get('message_broadcaster_handler_duration_seconds_count{handler_id="1"}')).toBe(5);

    // Counters end in _total; no client ID and no room name is ever a label.
    expect(text).toMatch(/# TYPE message_broadcaster_frames_received_total counter/);
    expect(text).toMatch(/# TYPE message_broadcaster_handler_duration_seconds histogram/);
    for (const line of text.split('\n').filter((l) => l.startsWith('# TYPE') && l.endsWith(' counter'))) expect(line).toMatch(/_total counter$/);
    for (const { id } of clients) expect(text).not.toContain(id);
    expect(text).not.toContain('lobby');
  });
});

describe('metrics in a registry of the app’s own, with a prefix of its own', () => {
  it('registers them there, and takes them out when the app closes (a new app may register them again)', async () => {
    const registry = new Registry();
    @Module({ imports: [BroadcasterModule.forRoot({ metrics: { registry, prefix: 'chat_' } })], providers: [Handlers] })
    class AppModule {}
    for (let round = 0; round < 2; round++) {
      const running = await startApp(AppModule);
      const { client } = await TestClient.join(running.url);
      const values = samples(await registry.metrics());
      expect(values.get('chat_clients')).toBe(1);
      expect(values.has('message_broadcaster_clients')).toBe(false);
      await client.close();
      await running.app.close();
      expect(registry.getSingleMetric('chat_clients')).toBeUndefined();
      expect(await registry.metrics()).toBe('\n');
    }
    // Nothing went into the global registry.
    expect(globalRegistry.getSingleMetric('chat_clients')).toBeUndefined();
  });
});

describe('metrics and tracing off', () => {
  it('loads neither prom-client nor @opentelemetry/api (the built package, in a process of its own)', () => {
    ensureBuilt();
    const loaded = execFileSync(process.execPath, [join(__dirname, 'fixtures/observability-off.cjs')], { encoding: 'utf8' }).trim();
    expect(JSON.parse(loaded)).toEqual({ started: true, promClientLoaded: false, openTelemetryLoaded: false });
  });
});

describe('metrics of worker processes, added up in the primary by prom-client’s AggregatorRegistry', () => {
  jest.setTimeout(30_000);
  let primary: ChildProcess | null = null;
  let url = '';
  beforeAll(async () => {
    ({ primary, url } = await startFixture('worker-cluster.cjs', ['2', 'metrics']));
  });
  afterAll(() => stopWorkers(primary));

  const scrapeCluster = () =>
    new Promise<Map<string, number>>((resolve) => {
      const onMessage = (message: { scraped?: string }) => {
        if (message.scraped === undefined) return;
        primary!.off('message', onMessage);
        resolve(samples(message.scraped));
      };
      primary!.on('message', onMessage);
      primary!.send('scrape');
    });

  it('sums what the workers count, and takes the cluster’s own figures once', async () => {
    const clients: TestClient[] = [];
    for (let i = 0; i < 6; i++) clients.push((await TestClient.join(url)).client);
    for (const client of clients) client.request(1, 'to everyone');
    // Each client gets the 6 casts, wherever it is.
    for (const client of clients) for (let i = 0; i < 6; i++) await client.nextReply(1);
    const values = await scrapeCluster();
    expect(values.get('message_broadcaster_clients')).toBe(6);
    expect(values.get('message_broadcaster_frames_received_total{handler_id="1"}')).toBe(6);
    expect(values.get('message_broadcaster_handler_duration_seconds_count{handler_id="1"}')).toBe(6);
    expect(values.get('message_broadcaster_frames_sent_total')).toBeGreaterThanOrEqual(36);
    expect(values.get('message_broadcaster_cluster_nodes')).toBe(2);
    expect(values.get('message_broadcaster_cluster_link_up')).toBe(1);
    for (const client of clients) await client.close();
  });
});
