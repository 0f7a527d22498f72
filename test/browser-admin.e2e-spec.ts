import type { ChildProcess } from 'node:child_process';
import { get as httpGet } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { RedisBackplane } from '../src/redis/index.js';
import { AppModule, SAMPLE_ADMIN } from '../sample/app.module.js';
import { ECHO } from '../sample/chat.handlers.js';
import { JOIN_ROOM, SAY } from '../sample/room.handlers.js';
import { startApp, type RunningApp } from './support/app.js';
import { CHROMIUM, CHROMIUM_ARGS, describeInBrowser } from './support/chromium.js';
import { findRedis, redisForSuite } from './support/redis-server.js';
import { startFixture, stopWorkers } from './support/worker-cluster.js';
import { TestClient } from './support/ws-client.js';

const root = join(__dirname, '..');
// The tracked docs/admin.png is rewritten only when asked (SCREENSHOT_DOCS=1).
const SCREENSHOT = process.env.SCREENSHOT_DOCS === '1' ? join(root, 'docs', 'admin.png') : join(tmpdir(), `admin-${process.pid}.png`);
const b64 = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64');
const credentials = { username: SAMPLE_ADMIN.username, password: SAMPLE_ADMIN.password };

/** `count` clients of `url` that join `room` and talk in it `messages` times each. */
async function swarm(url: string, count: number, room: string, messages: number): Promise<TestClient[]> {
  const clients: TestClient[] = [];
  for (let i = 0; i < count; i++) {
    const { client } = await TestClient.join(`${url}?user=swarm${i}`);
    client.send({ HandlerID: JOIN_ROOM, Body: b64({ room }) });
    clients.push(client);
  }
  for (let n = 0; n < messages; n++) {
    for (const client of clients) client.send({ HandlerID: SAY, Body: b64({ room, text: `message ${n}` }) });
  }
  clients[0].send({ HandlerID: ECHO, Body: Buffer.from('hello all').toString('base64') });
  return clients;
}

const cardValue = (page: Page, id: string) => page.evaluate<number>(`Number(document.getElementById(${JSON.stringify(id)}).textContent.replace(/,/g, ''))`);
const tableText = (page: Page, id: string) => page.evaluate<string>(`document.getElementById(${JSON.stringify(id)}).innerText`);

describeInBrowser('the live admin page in a real browser (headless Chromium)', () => {
  jest.setTimeout(120_000);
  let browser: Browser;
  let running: RunningApp;

  beforeAll(async () => {
    running = await startApp(AppModule.withEndpoint('/'));
    browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS });
  });
  afterAll(async () => {
    await browser?.close();
    await running?.app.close();
  });

  it('refuses without credentials, or with wrong ones, asking for them (page and events alike)', async () => {
    for (const path of ['/broadcaster-admin', '/broadcaster-admin/events']) {
      const none = await fetch(`http://127.0.0.1:${running.port}${path}`);
      expect([path, none.status, none.headers.get('www-authenticate')]).toEqual([path, 401, 'Basic realm="broadcaster admin", charset="UTF-8"']);
      expect(await none.text()).toBe('not authorized');
      const wrong = await fetch(`http://127.0.0.1:${running.port}${path}`, { headers: { authorization: `Basic ${Buffer.from('admin:guess').toString('base64')}` } });
      expect(wrong.status).toBe(401);
    }
    // A browser without credentials to give cannot get past the challenge.
    const page = await browser.newPage();
    await expect(page.goto(`http://127.0.0.1:${running.port}/broadcaster-admin`)).rejects.toThrow(/ERR_INVALID_AUTH_CREDENTIALS/);
    await page.close();
  });

  it('shows the figures live: they change as a swarm connects, joins a room and casts', async () => {
    const context = await browser.newContext({ httpCredentials: credentials, viewport: { width: 1200, height: 900 } });
    const page = await context.newPage();
    const problems: string[] = [];
    page.on('pageerror', (error) => problems.push(error.message));
    await page.goto(`http://127.0.0.1:${running.port}/broadcaster-admin`);
    await page.waitForSelector('#state.live', { timeout: 10_000 });
    expect(await cardValue(page, 'clients')).toBe(0);

    const clients = await swarm(running.url, 30, 'lobby', 20);
    await page.waitForFunction(`document.getElementById('clients').textContent === '30'`, undefined, { timeout: 15_000 });
    await page.waitForFunction(`Number(document.getElementById('out').textContent.replace(/,/g, '')) > 0`, undefined, { timeout: 15_000 });
    // The page shows each second's sample: wait for the one taken after every join and cast was handled.
    await page.waitForFunction(`/lobby\\s+30/.test(document.getElementById('rooms').innerText)`, undefined, { timeout: 15_000 });
    // The sample's handlers by HandlerID: JOIN_ROOM, SAY and ECHO were called.
    const called = [JOIN_ROOM, SAY, ECHO].map((id) => `new RegExp('^${id}\\\\s', 'm').test(document.getElementById('handlers').innerText)`).join(' && ');
    await page.waitForFunction(called, undefined, { timeout: 15_000 });
    expect(await tableText(page, 'instances')).toMatch(/this instance\s+30/);
    await page.screenshot({ path: SCREENSHOT });

    for (const client of clients.slice(0, 10)) await client.close();
    await page.waitForFunction(`document.getElementById('clients').textContent === '20'`, undefined, { timeout: 15_000 });
    for (const client of clients.slice(10)) await client.close();
    expect(problems).toEqual([]);
    await context.close();
  });
});

const redis = findRedis();
const withRedis = redis.kind === 'none' ? describeInBrowser.skip : describeInBrowser;

withRedis('the admin page of one instance shows the whole cluster (two instances over a private redis-server)', () => {
  jest.setTimeout(120_000);
  const suite = redisForSuite(redis);
  let browser: Browser;
  const running: RunningApp[] = [];

  beforeAll(async () => {
    const cluster = () => ({ backplane: new RedisBackplane({ url: suite.url(), channel: 'admin-page' }), clusterSecret: 'the admin page test, shared', clusterHeartbeatInterval: 200 });
    running.push(await startApp(AppModule.withEndpoint('/', cluster())));
    running.push(await startApp(AppModule.withEndpoint('/', cluster())));
    browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS });
  });
  afterAll(async () => {
    await browser?.close();
    for (const app of running) await app.app.close();
  });

  it('lists both instances with their clients, and the rooms with members on both', async () => {
    const here = await swarm(running[0].url, 4, 'shared', 1);
    const there = await swarm(running[1].url, 6, 'shared', 1);
    const context = await browser.newContext({ httpCredentials: credentials });
    const page = await context.newPage();
    await page.goto(`http://127.0.0.1:${running[0].port}/broadcaster-admin`);
    await page.waitForFunction(`document.getElementById('cluster-clients').textContent === '10'`, undefined, { timeout: 15_000 });
    expect(await cardValue(page, 'clients')).toBe(4);
    expect(await page.evaluate<string>(`document.getElementById('where').textContent`)).toBe('2 instances, link up');
    const instances = await tableText(page, 'instances');
    expect(instances).toMatch(/\(this one\)\s+4\s+up/);
    expect(instances).toMatch(/\s6\s+alive/);
    await page.waitForFunction(`/shared\\s+10/.test(document.getElementById('rooms').innerText)`, undefined, { timeout: 15_000 });
    for (const client of [...here, ...there]) await client.close();
    await context.close();
  });
});

describe('the admin page’s events on worker processes: any worker shows the whole cluster', () => {
  jest.setTimeout(30_000);
  let primary: ChildProcess | null = null;
  let url = '';
  beforeAll(async () => {
    ({ primary, url } = await startFixture('worker-cluster.cjs', ['2', 'admin']));
  });
  afterAll(() => stopWorkers(primary));

  /** The first sample of `<path>/events` from whichever worker takes the request. */
  const firstSample = (port: string) =>
    new Promise<{ clients: number; clusterClients: number; instances: unknown[] }>((resolve, reject) => {
      const request = httpGet(`http://127.0.0.1:${port}/broadcaster-admin/events`, (response) => {
        let text = '';
        response.on('data', (chunk: Buffer) => {
          text += chunk.toString();
          const end = text.indexOf('\n\n');
          if (end < 0) return;
          request.destroy();
          resolve(JSON.parse(text.slice('data: '.length, end)) as { clients: number; clusterClients: number; instances: unknown[] });
        });
      });
      request.on('error', reject);
    });

  it('counts every worker’s clients and lists both workers, whichever serves it', async () => {
    const clients: TestClient[] = [];
    for (let i = 0; i < 6; i++) clients.push((await TestClient.join(url)).client);
    const port = new URL(url).port;
    let sample = await firstSample(port);
    // The workers learn of each other's clients over the primary: wait until both views agree.
    for (let tries = 0; sample.clusterClients !== 6 && tries < 50; tries++) {
      await new Promise((resolve) => setTimeout(resolve, 100));
      sample = await firstSample(port);
    }
    expect(sample.clusterClients).toBe(6);
    expect(sample.instances).toHaveLength(2);
    for (const client of clients) await client.close();
  });
});
