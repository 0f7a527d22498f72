import { chromium, type Browser, type Page } from 'playwright-core';
import { Broadcaster } from '../src/index.js';
import { RedisBackplane } from '../src/redis/index.js';
import { AppModule } from '../sample/app.module.js';
import { startApp, type RunningApp } from './support/app.js';
import { CHROMIUM, CHROMIUM_ARGS, describeInBrowser } from './support/chromium.js';
import { ensureBuilt } from './support/child-server.js';
import { findRedis, redisForSuite } from './support/redis-server.js';
import { TcpProxy } from './support/tcp-proxy.js';

const redis = findRedis();
const describeWithRedis = redis.kind === 'none' ? describe.skip : describeInBrowser;

describeWithRedis('the chat page across a restart of its instance (two sample instances over a private redis-server, in Chromium)', () => {
  jest.setTimeout(120_000);
  const suite = redisForSuite(redis);
  let browser: Browser;
  let first: RunningApp | null = null;
  let second: RunningApp;
  let balancer: TcpProxy;
  const cluster = () => ({
    backplane: new RedisBackplane({ url: suite.url(), channel: 'chat-restart' }),
    clusterSecret: 'the sample instances share this secret',
    clusterHeartbeatInterval: 200,
    nodeTimeout: 2000,
  });

  beforeAll(async () => {
    ensureBuilt();
    first = await startApp(AppModule.withEndpoint('/', cluster()));
    second = await startApp(AppModule.withEndpoint('/', cluster()));
    // The address the pages use, in front of the first instance.
    balancer = await TcpProxy.start(first.port);
    browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS });
  });
  afterAll(async () => {
    await browser?.close();
    await balancer?.close();
    await first?.app.close();
    await second?.app.close();
  });

  async function open(port: number, user: string): Promise<Page> {
    const page = await browser.newPage();
    await page.goto(`http://127.0.0.1:${port}/?user=${user}`);
    await page.waitForSelector('#state.open', { timeout: 10_000 });
    return page;
  }
  const names = (page: Page) => page.evaluate<string[]>(`[...document.querySelectorAll('#online li')].map((item) => item.textContent)`);
  const ids = (page: Page) => page.evaluate<string[]>(`[...document.querySelectorAll('#online li')].map((item) => item.dataset.id)`);
  const lines = (page: Page) => page.evaluate<string>(`[...document.querySelectorAll('#log li')].map((item) => item.textContent).join('\\n')`);
  const myId = async (page: Page) => (await page.evaluate<string>(`document.getElementById('me').textContent`)).split(' · ')[1];

  it('shows no one leaving or joining in the other pages while the instance restarts; the pages resume their sessions on the restarted instance and keep chatting', async () => {
    const ana = await open(balancer.port, 'ana');
    const ben = await open(balancer.port, 'ben');
    const cleo = await open(second.port, 'cleo');
    await cleo.waitForFunction(`['ana', 'ben'].every((name) => [...document.querySelectorAll('#online li')].some((item) => item.textContent === name))`);
    const [anaId, benId] = [await myId(ana), await myId(ben)];
    const before = await ids(cleo);

    // Cleo's page looks at its online list every 20 ms through the restart.
    await cleo.evaluate(`window.samples = []; window.sampler = setInterval(() => window.samples.push([...document.querySelectorAll('#online li')].map((item) => item.dataset.id)), 20)`);
    // The restart: the instance goes down (handing its sessions to the other one), and a new
    // process takes its place at the same address, where the pages reconnect.
    const port = first!.port;
    await first!.app.close();
    first = await startApp(AppModule.withEndpoint('/', cluster()), { port });
    for (const page of [ana, ben]) {
      await page.waitForFunction(`document.querySelector('#log').textContent.includes('same session: nothing cast meanwhile was missed')`, undefined, { timeout: 20_000 });
      await page.waitForSelector('#state.open');
    }
    await cleo.waitForFunction(`!document.querySelector('#online').textContent.includes('(away)')`, undefined, { timeout: 10_000 });
    const samples = await cleo.evaluate<string[][]>(`clearInterval(window.sampler), window.samples`);

    expect(samples.length).toBeGreaterThan(10);
    for (const sample of samples) expect(sample).toEqual(expect.arrayContaining([expect.stringMatching(`^${anaId}`), expect.stringMatching(`^${benId}`)]));
    expect(await ids(cleo)).toEqual(before);
    expect(await names(cleo)).toEqual(expect.arrayContaining(['ana', 'ben', 'you']));
    expect([await myId(ana), await myId(ben)]).toEqual([anaId, benId]);
    expect(await lines(ana)).not.toMatch(/as a new client/);
    // The sessions came back to the restarted instance.
    expect(first.app.get(Broadcaster).stats().sessions).toMatchObject({ takenOver: 2, resumed: 2 });

    // Chat goes on both ways.
    await cleo.fill('#text', 'said after the restart');
    await cleo.click('#send');
    await ana.waitForFunction(`document.querySelector('#log li:last-child')?.textContent?.endsWith('said after the restart')`);
    await ben.fill('#text', 'ben is still here');
    await ben.click('#send');
    await cleo.waitForFunction(`document.querySelector('#log li:last-child')?.textContent?.endsWith('ben is still here')`);
  });
});
