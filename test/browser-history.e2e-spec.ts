import { chromium, type Browser, type Page } from 'playwright-core';
import { AppModule } from '../sample/app.module.js';
import { startApp, type RunningApp } from './support/app.js';
import { CHROMIUM, CHROMIUM_ARGS, describeInBrowser } from './support/chromium.js';
import { ensureBuilt } from './support/child-server.js';
import { freePort } from './support/free-port.js';
import { TcpProxy } from './support/tcp-proxy.js';

describeInBrowser('room history on the chat page (headless Chromium)', () => {
  jest.setTimeout(120_000);
  let browser: Browser;
  let port: number;
  let running: RunningApp;
  let proxy: TcpProxy;

  beforeAll(async () => {
    ensureBuilt();
    port = await freePort();
    // Sessions held 300 ms: a page away for longer comes back as a new client.
    running = await startApp(AppModule.withEndpoint('/', {}, { sessionGrace: 300 }), { port });
    proxy = await TcpProxy.start(port);
    browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS });
  });
  afterAll(async () => {
    await browser?.close();
    await proxy?.close();
    await running?.app.close();
  });

  async function open(user: string, through = port): Promise<Page> {
    const page = await browser.newPage({ viewport: { width: 1000, height: 640 } });
    await page.goto(`http://127.0.0.1:${through}/?user=${user}`);
    await page.waitForSelector('#state.open', { timeout: 10_000 });
    return page;
  }

  // Page-side code is given as text: it runs in the browser, and the tests' own program has no DOM types.
  const lines = (page: Page) => page.evaluate<string[]>(`[...document.querySelectorAll('#log li')].map((item) => item.textContent)`);
  const roomLines = async (page: Page, room: string) => (await lines(page)).filter((line) => line.includes(`#${room}`) && line.includes('says '));
  const hasLine = (page: Page, text: string) =>
    page.waitForFunction(`[...document.querySelectorAll('#log li')].some((item) => item.textContent.includes(${JSON.stringify(text)}))`, undefined, { timeout: 15_000 });

  async function joinRoom(page: Page, room: string): Promise<void> {
    await page.fill('#room-name', room);
    await page.click('#join-room');
    await page.waitForSelector(`#rooms li[data-room="${room}"]`);
  }

  async function say(page: Page, room: string, text: string): Promise<void> {
    await page.selectOption('#target', `room:${room}`);
    await page.fill('#text', text);
    await page.click('#send');
  }

  it('shows a room’s latest messages to a page that joins it, and again after a reload', async () => {
    const ana = await open('ana');
    await joinRoom(ana, 'books');
    for (const n of [1, 2, 3]) await say(ana, 'books', `says ${n}`);
    await hasLine(ana, 'says 3');

    // A late joiner sees what was said before it came.
    const ben = await open('ben');
    await joinRoom(ben, 'books');
    await hasLine(ben, 'says 3');
    expect((await roomLines(ben, 'books')).map((line) => line.slice(-6))).toEqual(['says 1', 'says 2', 'says 3']);

    // A reload joins the page's rooms again and shows their latest messages, once each.
    await ana.reload();
    await ana.waitForSelector('#rooms li[data-room="books"]', { timeout: 10_000 });
    await hasLine(ana, 'says 3');
    expect((await roomLines(ana, 'books')).map((line) => line.slice(-6))).toEqual(['says 1', 'says 2', 'says 3']);
    await ana.close();
    await ben.close();
  });

  it('catches a room up after a disconnection longer than the session: the missed messages appear in order, and the page says so', async () => {
    const cleo = await open('cleo');
    await joinRoom(cleo, 'news');
    const dora = await open('dora', proxy.port);
    await joinRoom(dora, 'news');
    await say(cleo, 'news', 'says before');
    await hasLine(dora, 'says before');

    proxy.down();
    await hasLine(dora, 'connection lost');
    // Longer than the 300 ms the session is held: dora comes back as a new client.
    await dora.waitForTimeout(800);
    for (const n of [1, 2, 3]) await say(cleo, 'news', `says while away ${n}`);
    await hasLine(cleo, 'says while away 3');
    proxy.up();

    await hasLine(dora, 'caught up');
    const seen = (await roomLines(dora, 'news')).map((line) => line.replace(/^.*says /, 'says '));
    expect(seen).toEqual(['says before', 'says while away 1', 'says while away 2', 'says while away 3']);
    expect((await lines(dora)).join('\n')).toMatch(/as a new client: rooms catch up/);
    await cleo.close();
    await dora.close();
  });
});
