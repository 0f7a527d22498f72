import WebSocket from 'ws';
import { Broadcaster } from '../src/index.js';
import { connect, type WebSocketConstructor } from '../src/client/index.js';
import { appModule, startApp, type RunningApp } from './support/app.js';
import { until } from './support/until.js';
import { TestClient } from './support/ws-client.js';

describe('Broadcaster.disconnect over a real WebSocket', () => {
  let running: RunningApp;
  beforeAll(async () => {
    running = await startApp(appModule([]));
  });
  afterAll(() => running.app.close());

  it('closes the connection with the code and reason given, and the others hear it left', async () => {
    const watcher = await TestClient.join(running.url);
    const kicked = await TestClient.join(running.url);
    await watcher.client.nextJson();
    expect(running.app.get(Broadcaster).disconnect(kicked.id, { code: 4403, reason: 'banned' })).toBe(true);
    expect(await kicked.client.closed).toEqual({ code: 4403, reason: 'banned' });
    expect(await watcher.client.nextJson()).toEqual({ EventType: 2, ClientID: kicked.id });
    await watcher.client.close();
  });

  it('keeps the client SDK away after the default code (4000), where it would reconnect after a drop', async () => {
    const client = connect(running.url, { WebSocket: WebSocket as unknown as WebSocketConstructor, reconnect: { min: 20, max: 50 } });
    await until(() => client.state === 'open', 'the SDK to connect');
    running.app.get(Broadcaster).disconnect(client.id as string);
    await until(() => client.state === 'closed', 'the SDK to give up');
    expect(running.app.get(Broadcaster).clientIds()).toEqual([]);
  });
});
