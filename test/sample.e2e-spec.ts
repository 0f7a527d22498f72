import { AppModule } from '../sample/app.module.js';
import { DIRECT, RELAY, WHO } from '../sample/chat.handlers.js';
import { startApp, type RunningApp } from './support/app.js';
import { ensureBuilt } from './support/child-server.js';
import { bodyText, TestClient } from './support/ws-client.js';

describe('the sample app', () => {
  let running: RunningApp;
  let a: { client: TestClient; id: string };
  let b: { client: TestClient; id: string };
  let c: { client: TestClient; id: string };
  const http = (path: string) => `http://127.0.0.1:${running.port}${path}`;

  beforeEach(async () => {
    running = await startApp(AppModule.withEndpoint('/'));
    a = await TestClient.join(running.url);
    b = await TestClient.join(running.url);
    c = await TestClient.join(running.url);
    await a.client.next();
    await a.client.next();
    await b.client.next();
  });

  afterEach(async () => {
    await Promise.all([a, b, c].map(({ client }) => client.close()));
    await running.app.close();
  });

  it('answers "who" to the sender alone (Self)', async () => {
    b.client.request(WHO);
    const reply = await b.client.nextJson();
    expect(reply.CastType).toBe(2);
    const people = [a.id, b.id, c.id].map((id) => ({ id, name: null, away: false }));
    expect(JSON.parse(bodyText(reply) as string)).toEqual({ you: b.id, clients: [a.id, b.id, c.id], people });
    expect(await a.client.drain()).toEqual([]);
  });

  it('relays to everyone but the sender (Others)', async () => {
    a.client.request(RELAY, 'typing');
    expect(bodyText(await b.client.nextJson())).toBe('typing');
    expect(bodyText(await c.client.nextJson())).toBe('typing');
    expect(await a.client.drain()).toEqual([]);
  });

  it('sends a direct message to the listed clients only (Exclusive), and explains a bad body', async () => {
    a.client.request(DIRECT, JSON.stringify({ to: [c.id], text: 'hi c' }));
    const got = await c.client.nextJson();
    expect(got).toMatchObject({ SenderID: a.id, CastType: 3, CastFor: [c.id] });
    expect(bodyText(got)).toBe('hi c');
    expect(await b.client.drain()).toEqual([]);

    a.client.request(DIRECT, 'not json');
    expect(await a.client.nextJson()).toMatchObject({ Code: 'handler_error', Error: expect.stringContaining('"to"') });
  });

  it('casts an HTTP announcement to every client and lists clients over HTTP', async () => {
    const response = await fetch(http('/announce'), {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ text: 'maintenance at noon' }),
    });
    expect(response.status).toBe(202);
    expect(await response.json()).toEqual({ clients: 3 });
    for (const { client } of [a, b, c]) {
      const frame = await client.nextJson();
      expect(frame).toMatchObject({ SenderID: '', HandlerID: 0, CastType: 1 });
      expect(bodyText(frame)).toBe('maintenance at noon');
    }
    expect(await (await fetch(http('/clients'))).json()).toEqual([a.id, b.id, c.id]);
  });

  it('serves the chat page and the client SDK modules over HTTP, beside the WebSocket on the same path', async () => {
    ensureBuilt();
    const page = await fetch(http('/'));
    expect(page.status).toBe(200);
    expect(page.headers.get('content-type')).toMatch(/^text\/html/);
    expect(await page.text()).toContain('<script type="module" src="/chat.js"></script>');
    const sdk = await fetch(http('/client/index.js'));
    expect(sdk.headers.get('content-type')).toMatch(/^text\/javascript/);
    expect(await sdk.text()).toContain("from './broadcast-client.js'");
    expect((await fetch(http('/chat.js'))).status).toBe(200);
    for (const path of ['/client/nope.js', '/client/..%2F..%2Fpackage.json', '/client/index.d.ts']) {
      expect((await fetch(http(path))).status).toBe(404);
    }
  });
});
