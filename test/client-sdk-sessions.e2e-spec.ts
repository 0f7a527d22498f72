import { Injectable } from '@nestjs/common';
import { setTimeout as sleep } from 'node:timers/promises';
import WebSocket from 'ws';
import { connect, type ClientOptions, type ReconnectInfo, type WebSocketConstructor } from '../src/client/index.js';
import { All, Broadcaster, MessageHandler, Self, newResponseMessage, type RequestMessage } from '../src/index.js';
import { appModule, startApp, type RunningApp } from './support/app.js';
import { TcpProxy } from './support/tcp-proxy.js';
import { until } from './support/until.js';

const WS = WebSocket as unknown as WebSocketConstructor;

@Injectable()
class SlowEcho {
  /** Answers after 150 ms: long enough to cut the connection in between. */
  @MessageHandler(7)
  async slow(msg: RequestMessage) {
    await sleep(150);
    return newResponseMessage(Self, msg.body);
  }
}

describe('the client SDK takes its session back after a cut connection', () => {
  let running: RunningApp;
  let proxy: TcpProxy;
  let broadcaster: Broadcaster;
  const reconnects: ReconnectInfo[] = [];
  const options = (): ClientOptions => ({ WebSocket: WS, reconnect: { min: 20, max: 50 }, onReconnect: (info) => reconnects.push(info) });

  beforeAll(async () => {
    running = await startApp(appModule([SlowEcho], { sessionGrace: 5000 }));
    broadcaster = running.app.get(Broadcaster);
    proxy = await TcpProxy.start(running.port);
  });
  afterAll(async () => {
    await proxy.close();
    await running.app.close();
  });
  beforeEach(() => reconnects.splice(0));

  it('keeps its ID and receives every cast made while it was away, once and in order; nobody sees it leave', async () => {
    const watcher = connect(running.url, { WebSocket: WS });
    const leaves: string[] = [];
    watcher.onLeave((id) => leaves.push(id));
    const client = connect(`ws://127.0.0.1:${proxy.port}/`, options());
    await until(() => client.state === 'open' && watcher.state === 'open', 'both clients');
    const id = client.id;
    const heard: string[] = [];
    client.on(0, (response) => heard.push(response.text()));

    await broadcaster.cast(newResponseMessage(All, 'one'));
    await until(() => heard.length === 1, 'the first cast');
    proxy.cutAll();
    for (const text of ['two', 'three', 'four']) await broadcaster.cast(newResponseMessage(All, text));
    await until(() => reconnects.length === 1 && client.state === 'open', 'the reconnection');
    await broadcaster.cast(newResponseMessage(All, 'five'));
    await until(() => heard.length === 5, 'every cast');

    expect(reconnects).toEqual([{ resumed: true }]);
    expect(client.id).toBe(id);
    expect(heard).toEqual(['one', 'two', 'three', 'four', 'five']);
    await sleep(50);
    expect(heard).toHaveLength(5);
    expect(leaves).toEqual([]);
    client.close();
    await until(() => leaves.length === 1, 'the leave of a client that closed');
    expect(leaves).toEqual([id]);
    watcher.close();
  });

  it('settles a request whose answer came while it was away, from the frames it missed', async () => {
    const client = connect(`ws://127.0.0.1:${proxy.port}/`, options());
    await until(() => client.state === 'open', 'the client');
    const answer = client.request(7, 'slow one');
    await sleep(30);
    proxy.cutAll();
    const responses = await answer;
    expect(responses.map((response) => response.text())).toEqual(['slow one']);
    expect(reconnects).toEqual([{ resumed: true }]);
    client.close();
  });

  it('reports a new client (resumed: false, new ID) when the session is gone, and works unchanged without sessions', async () => {
    const plain = await startApp(appModule([], { sessionGrace: 0 }));
    const plainProxy = await TcpProxy.start(plain.port);
    try {
      const client = connect(`ws://127.0.0.1:${plainProxy.port}/`, options());
      await until(() => client.state === 'open', 'the client');
      const id = client.id;
      plainProxy.cutAll();
      await until(() => reconnects.length === 1 && client.state === 'open', 'the reconnection');
      expect(reconnects).toEqual([{ resumed: false }]);
      expect(client.id).not.toBe(id);
      client.close();
    } finally {
      await plainProxy.close();
      await plain.app.close();
    }
  });
});
