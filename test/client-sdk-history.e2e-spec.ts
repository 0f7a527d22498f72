import { Injectable } from '@nestjs/common';
import WebSocket from 'ws';
import { connect, type BroadcastClient, type Response, type WebSocketConstructor } from '../src/client/index.js';
import { Broadcaster, MessageHandler, Room, newResponseMessage, type HandlerContext, type RequestMessage } from '../src/index.js';
import { appModule, startApp, type RunningApp } from './support/app.js';
import { TcpProxy } from './support/tcp-proxy.js';
import { until } from './support/until.js';

const WS = WebSocket as unknown as WebSocketConstructor;
const JOIN = 1;

@Injectable()
class Rooms {
  @MessageHandler(JOIN)
  join(msg: RequestMessage, ctx: HandlerContext): void {
    ctx.join(msg.body.toString());
  }
}

describe('the client SDK recovers room history after a reconnection that did not take its session back', () => {
  jest.setTimeout(30_000);
  let running: RunningApp;
  let proxy: TcpProxy;
  let broadcaster: Broadcaster;
  const clients: BroadcastClient[] = [];
  beforeAll(async () => {
    running = await startApp(appModule([Rooms], { history: (room) => (room === 'small' ? { size: 3, ttl: 60_000 } : { size: 100, ttl: 60_000 }) }));
    broadcaster = running.app.get(Broadcaster);
    proxy = await TcpProxy.start(running.port);
  });
  afterAll(async () => {
    for (const client of clients) client.close();
    await proxy.close();
    await running.app.close();
  });

  /** A client through the proxy, without sessions (a reconnection is a new client), in `room`, rejoining it on reconnection. */
  async function follower(room: string) {
    const heard: Response[] = [];
    const recovered: [string, boolean][] = [];
    let rejoins = 0;
    const client: BroadcastClient = connect(`ws://127.0.0.1:${proxy.port}/`, {
      WebSocket: WS,
      session: false,
      reconnect: { min: 20, max: 50 },
      // Rejoining takes a round trip: the recovery waits for it.
      onReconnect: async () => {
        await client.request(JOIN, room);
        rejoins += 1;
      },
    });
    clients.push(client);
    client.on(0, (response) => heard.push(response));
    client.onRecovered((name, ok) => recovered.push([name, ok]));
    await until(() => client.state === 'open', 'the client open');
    await client.request(JOIN, room);
    return { client, heard, recovered, rejoins: () => rejoins, texts: () => heard.map((response) => response.text()) };
  }

  const publish = (room: string, ...texts: string[]) => Promise.all(texts.map((text) => broadcaster.cast(newResponseMessage(Room, text, room))));

  it('gets what was published while it was gone, once and in order before what comes after, and says the room was recovered', async () => {
    const ana = await follower('news');
    await publish('news', 'p1', 'p2', 'p3');
    await until(() => ana.heard.length === 3, 'the first publications');
    const firstId = ana.client.id;

    proxy.down();
    await until(() => !broadcaster.clientIds().includes(firstId!), 'the server to see the cut');
    await publish('news', 'p4', 'p5', 'p6', 'p7');
    proxy.up();
    await until(() => ana.rejoins() === 1 && ana.recovered.length === 1, 'the rejoin and the recovery');
    await publish('news', 'p8');
    await until(() => ana.heard.length === 8, 'every publication');

    expect(ana.client.id).not.toBe(firstId);
    expect(ana.texts()).toEqual(['p1', 'p2', 'p3', 'p4', 'p5', 'p6', 'p7', 'p8']);
    expect(ana.heard.map((response) => response.offset)).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
    expect(ana.recovered).toEqual([['news', true]]);
    // Up to date: nothing to send, nothing delivered twice.
    expect(await ana.client.recover()).toEqual({ news: true });
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(ana.heard).toHaveLength(8);
  });

  it('says a room was not recovered when its history no longer reaches back, and goes on from where the room stands', async () => {
    const ben = await follower('small');
    await publish('small', 's1');
    await until(() => ben.heard.length === 1, 'the first publication');
    const firstId = ben.client.id!;
    proxy.down();
    await until(() => !broadcaster.clientIds().includes(firstId), 'the server to see the cut');
    // Five while away: the history keeps the newest three.
    await publish('small', 's2', 's3', 's4', 's5', 's6');
    proxy.up();
    await until(() => ben.recovered.length === 1, 'the recovery');
    expect(ben.recovered).toEqual([['small', false]]);
    await publish('small', 's7');
    await until(() => ben.texts().includes('s7'), 'the next publication');
    // Nothing of what it missed was delivered as if whole; the app reloads the room instead.
    expect(ben.texts()).toEqual(['s1', 's7']);
  });

  it('drops a publication it already has (a duplicate offset), however it comes', async () => {
    const eve = await follower('dups');
    await publish('dups', 'd1', 'd2');
    await until(() => eve.heard.length === 2, 'the publications');
    // Asking again from the start: the server sends 1 and 2 again; the client has them.
    const position = { Offset: 0, Epoch: eve.heard[0].epoch };
    (eve.client as unknown as { write(frame: string): void }).write(JSON.stringify({ Recover: { dups: position }, RequestID: 'again' }));
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(eve.texts()).toEqual(['d1', 'd2']);
  });
});
