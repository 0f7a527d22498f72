import { mkdirSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { tmpdir } from 'node:os';
import { chromium, type Browser, type Page } from 'playwright-core';
import { AppModule } from '../sample/app.module.js';
import { startApp, type RunningApp } from './support/app.js';
import { CHROMIUM, CHROMIUM_ARGS, describeInBrowser } from './support/chromium.js';
import { ensureBuilt } from './support/child-server.js';
import { freePort } from './support/free-port.js';
import { TcpProxy } from './support/tcp-proxy.js';

const root = join(__dirname, '..');
// The tracked docs/chat.png is rewritten only when asked (SCREENSHOT_DOCS=1), so that a test
// run leaves the checkout as it found it.
const SCREENSHOT = process.env.SCREENSHOT_DOCS === '1' ? join(root, 'docs', 'chat.png') : join(tmpdir(), `chat-${process.pid}.png`);

describeInBrowser('the chat page in a real browser (headless Chromium)', () => {
  // About 40 s in all on a quiet machine; a loaded one needs more.
  jest.setTimeout(180_000);
  let browser: Browser;
  let port: number;
  let running: RunningApp;
  const pages: Page[] = [];

  beforeAll(async () => {
    ensureBuilt();
    port = await freePort();
    running = await startApp(AppModule.withEndpoint('/'), { port });
    browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS });
  });
  afterAll(async () => {
    await browser?.close();
    await running?.app.close();
  });

  async function open(user: string): Promise<Page> {
    const page = await browser.newPage({ viewport: { width: 1000, height: 640 } });
    const problems: string[] = [];
    page.on('pageerror', (error) => problems.push(error.message));
    await page.goto(`http://127.0.0.1:${port}/?user=${user}`);
    await page.waitForSelector('#state.open', { timeout: 10_000 }).catch((error: Error) => {
      throw new Error(`${user}'s page did not connect: ${error.message} ${problems.join('; ')}`);
    });
    pages.push(page);
    return page;
  }

  // Page-side code is given as text: it runs in the browser, and the tests' own program has
  // no DOM types.
  const ids = (page: Page) => page.evaluate<string[]>(`[...document.querySelectorAll('#online li')].map((item) => item.dataset.id)`);
  const lastLine = (page: Page) => page.evaluate<string>(`document.querySelector('#log li:last-child').textContent`);
  const allLines = (page: Page) => page.evaluate<string>(`[...document.querySelectorAll('#log li')].map((item) => item.textContent).join('\\n')`);
  const myId = (page: Page) => page.evaluate<string>(`document.getElementById('me').textContent`);
  const lastLineEndsWith = (page: Page, text: string) =>
    page.waitForFunction(`document.querySelector('#log li:last-child')?.textContent?.endsWith(${JSON.stringify(text)})`);
  const lastLineHas = (page: Page, text: string) =>
    page.waitForFunction(`document.querySelector('#log li:last-child')?.textContent?.includes(${JSON.stringify(text)})`);
  const onlineCount = (page: Page, count: number) => page.waitForFunction(`document.querySelectorAll('#online li').length === ${count}`);

  async function say(page: Page, text: string, target = 'all'): Promise<void> {
    await page.selectOption('#target', target);
    // fill() types nothing one key at a time: a 70 KiB text goes in at once.
    await page.fill('#text', text);
    await page.click('#send');
  }

  it('lets two pages chat, shows who is online to a late joiner, and carries rooms', async () => {
    const ana = await open('ana');
    const ben = await open('ben');
    await say(ana, 'hello from ana');
    await lastLineEndsWith(ben, 'hello from ana');
    expect(await lastLine(ben)).toMatch(/^[0-9a-f]{8}hello from ana$/);
    expect(await lastLine(ana)).toBe('youhello from ana');

    const cleo = await open('cleo');
    await onlineCount(cleo, 3);
    const [anaIds, cleoIds] = [await ids(ana), await ids(cleo)];
    expect(new Set(cleoIds)).toEqual(new Set(anaIds.length === 3 ? anaIds : cleoIds));
    expect(cleoIds).toHaveLength(3);

    for (const page of [ana, ben]) {
      await page.fill('#room-name', 'lobby');
      await page.click('#join-room');
      await page.waitForSelector('#rooms li[data-room="lobby"]');
    }
    // Each page lists who is in its rooms.
    await ana.waitForFunction(`document.querySelector('#rooms li[data-room="lobby"] .members')?.textContent.split(', ').length === 2`);
    expect(await ana.evaluate<string>(`document.querySelector('#rooms li[data-room="lobby"] .members').textContent`)).toMatch(/^(you, [0-9a-f]{8}|[0-9a-f]{8}, you)$/);
    await say(ben, 'only for the lobby', 'room:lobby');
    await lastLineHas(ana, 'only for the lobby');
    expect(await lastLine(ana)).toMatch(/#lobbyonly for the lobby$/);
    await cleo.waitForTimeout(200);
    expect(await allLines(cleo)).not.toContain('only for the lobby');

    mkdirSync(dirname(SCREENSHOT), { recursive: true });
    await ana.screenshot({ path: SCREENSHOT });
    expect(statSync(SCREENSHOT).size).toBeGreaterThan(10_000);
  });

  it('round-trips a message over 64 KiB and non-ASCII text', async () => {
    const [ana, ben] = pages;
    const big = `${'é😀界'.repeat(8000)}|end`;
    expect(Buffer.byteLength(big)).toBeGreaterThan(64 * 1024);
    await say(ana, big);
    await lastLineEndsWith(ben, '|end');
    const received = await lastLine(ben);
    expect(received?.slice(8)).toBe(big);
  });

  it('reconnects every page by itself after a server restart, and keeps working', async () => {
    const idsBefore = await Promise.all(pages.map(myId));
    await running.app.close();
    await Promise.all(pages.map((page) => page.waitForSelector('#state.reconnecting', { timeout: 10_000 })));
    running = await startApp(AppModule.withEndpoint('/'), { port });
    await Promise.all(pages.map((page) => page.waitForSelector('#state.open', { timeout: 30_000 })));
    const idsAfter = await Promise.all(pages.map(myId));
    idsAfter.forEach((id: string, i: number) => expect(id).not.toBe(idsBefore[i]));

    const [ana, ben, cleo] = pages;
    // The server restarted with its rooms' history in memory: the page says the room could not catch up.
    await ana.waitForFunction(`[...document.querySelectorAll('#log li')].some((item) => item.textContent.includes('no longer kept'))`, undefined, { timeout: 10_000 });
    // The outage is written in the log, both ways.
    const outage = await allLines(ana);
    expect(outage).toMatch(/connection lost: reconnecting; nothing sent until it is back is delivered/);
    expect(outage).toMatch(/back after \d+ s, as a new client: rooms catch up on what they missed; other messages cast while away were not received/);
    expect(outage).toMatch(/#lobbysome messages sent while you were away are no longer kept/);
    await onlineCount(cleo, 3);
    await say(cleo, 'back again');
    for (const page of [ana, ben]) await lastLineEndsWith(page, 'back again');
    // The pages joined their rooms again on their new connections.
    await say(ana, 'lobby still works', 'room:lobby');
    await lastLineHas(ben, 'lobby still works');
  });

  it('bridges a cut connection with its session: same ID, nothing missed, names kept, and the others see "away" and "back", not a leave', async () => {
    const proxy = await TcpProxy.start(port);
    try {
      const [ana] = pages;
      const dana = await browser.newPage({ viewport: { width: 1000, height: 640 } });
      await dana.goto(`http://127.0.0.1:${proxy.port}/?user=dana`);
      await dana.waitForSelector('#state.open', { timeout: 10_000 });
      const danaId = (await myId(dana)).split(' · ')[1];
      // The others list her by name.
      await ana.waitForFunction(`[...document.querySelectorAll('#online li')].some((item) => item.textContent === 'dana')`);
      expect(await dana.evaluate<string[]>(`[...document.querySelectorAll('#online li')].map((item) => item.textContent)`)).toEqual(
        expect.arrayContaining(['ana', 'you']),
      );

      proxy.cutAll();
      await ana.waitForFunction(`[...document.querySelectorAll('#online li')].some((item) => item.textContent === 'dana (away)')`);
      await say(ana, 'said while dana was away');
      await dana.waitForSelector('#state.open', { timeout: 15_000 });
      await lastLineEndsWith(dana, 'said while dana was away');
      expect(await allLines(dana)).toMatch(/back after \d+ s, same session: nothing cast meanwhile was missed/);
      expect((await myId(dana)).split(' · ')[1]).toBe(danaId);
      await ana.waitForFunction(`[...document.querySelectorAll('#online li')].some((item) => item.textContent === 'dana')`);
      const anaLog = await allLines(ana);
      expect(anaLog).toMatch(/dana is away/);
      expect(anaLog).toMatch(/dana is back/);
      expect((await ids(ana)).filter((id) => id.startsWith(danaId))).toHaveLength(1);
      await dana.close({ runBeforeUnload: true });
      await ana.waitForFunction(`![...document.querySelectorAll('#online li')].some((item) => item.dataset.id.startsWith(${JSON.stringify(danaId)}))`, undefined, { timeout: 5000 });
    } finally {
      await proxy.close();
    }
  });

  it('never widens a private message: a recipient who left makes the choice unusable, not "Everyone"', async () => {
    const dan = await open('dan');
    const eve = await open('eve');
    const fay = await open('fay');
    await onlineCount(dan, pages.length);
    const eveId = (await myId(eve)).split(' · ')[1];
    const target = (await dan.evaluate<string[]>(`[...document.querySelectorAll('#target option')].map((option) => option.value)`)).find(
      (value) => value.startsWith(`to:${eveId}`),
    );
    expect(target).toBeDefined();
    await dan.selectOption('#target', target as string);
    // Leaving the page ends its session at once.
    await eve.close({ runBeforeUnload: true });
    pages.splice(pages.indexOf(eve), 1);
    await dan.waitForFunction(`document.querySelector('#target').selectedOptions[0].disabled`, undefined, { timeout: 5000 });
    expect(await dan.evaluate<string>(`document.querySelector('#target').selectedOptions[0].text`)).toMatch(/^only [0-9a-f]{8} \(gone\)$/);

    await dan.fill('#text', 'for eve only');
    await dan.click('#send');
    await lastLineHas(dan, 'not sent');
    await fay.waitForTimeout(300);
    expect(await allLines(fay)).not.toContain('for eve only');
  });

  it('fits a 390 px wide phone screen, stamps each line with its time, and sets one\'s own messages apart', async () => {
    const page = await browser.newPage({ viewport: { width: 390, height: 800 } });
    await page.goto(`http://127.0.0.1:${port}/?user=phone`);
    await page.waitForSelector('#state.open', { timeout: 10_000 });
    expect(await page.evaluate<number>('document.documentElement.scrollWidth')).toBeLessThanOrEqual(390);
    await say(page, 'from a phone');
    await lastLineEndsWith(page, 'from a phone');
    const line = await page.evaluate<{ time: string; mine: boolean }>(
      `(() => { const li = document.querySelector('#log li:last-child'); return { time: li.dataset.time, mine: li.classList.contains('mine') }; })()`,
    );
    expect(line.time).toMatch(/\d{1,2}:\d{2}:\d{2}/);
    expect(line.mine).toBe(true);
    await page.close();
  });
});
