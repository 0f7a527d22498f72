import { Injectable } from '@nestjs/common';
import type { Socket } from 'node:net';
import {
  All,
  Broadcaster,
  MessageHandler,
  Self,
  newResponseMessage,
  type BroadcasterModuleOptions,
  type RequestMessage,
} from '../src/index.js';
import { appModule, startApp, type RunningApp } from './support/app.js';
import { RawClient } from './support/raw-client.js';
import { TestClient } from './support/ws-client.js';
import { setTimeout as sleep } from 'node:timers/promises';

@Injectable()
class Handlers {
  @MessageHandler(1)
  echo(msg: RequestMessage) {
    return newResponseMessage(All, msg.body);
  }

  @MessageHandler(2)
  async slow(msg: RequestMessage) {
    await sleep(200);
    return newResponseMessage(Self, msg.body);
  }
}

describe('production hardening', () => {
  let running: RunningApp;
  const start = async (options: BroadcasterModuleOptions) => {
    running = await startApp(appModule([Handlers], options));
    return running.app.get(Broadcaster);
  };
  afterEach(() => running?.app.close());

  describe('a client that stops reading', () => {
    it.each<['close' | 'drop']>([['close'], ['drop']])(
      'is bounded (%s policy) while the others receive every message in order',
      async (policy) => {
        const maxBufferedBytes = 256 * 1024;
        const broadcaster = await start({ maxBufferedBytes, slowClientPolicy: policy });
        const stalled = await RawClient.open(running.port);
        stalled.client.socket.pause();
        const { client: reader } = await TestClient.join(running.url);
        try {
          const stalledId = broadcaster.clientIds()[0];

          const counts: number[] = [];
          const events: unknown[] = [];
          reader.socket.on('message', (data: Buffer) => {
            const frame = JSON.parse(data.toString());
            if (frame.HandlerID === 5) counts.push(Buffer.from(frame.Body, 'base64').readUInt32BE(0));
            else if (frame.EventType) events.push(frame);
          });
          const messages = 800;
          const body = Buffer.alloc(32 * 1024);
          let peakBuffered = 0;
          for (let seq = 0; seq < messages; seq++) {
            body.writeUInt32BE(seq, 0);
            await broadcaster.cast({ ...newResponseMessage(All, body), handlerId: 5 });
            peakBuffered = Math.max(peakBuffered, broadcaster.stats().bufferedBytes);
            if (seq % 8 === 7) await sleep(1);
          }
          while (counts.length < messages) await sleep(10);

          expect(counts).toEqual(Array.from({ length: messages }, (_, i) => i));
          // 25 MiB were cast (33 MiB as base64). Unbounded, the stalled client's queue keeps
          // what the kernel does not take (tens of MiB); bounded, the limit and a frame at most,
          // besides what the reading client has in flight.
          expect(peakBuffered).toBeLessThan(maxBufferedBytes + 1024 * 1024);
          const stats = broadcaster.stats();
          if (policy === 'close') {
            expect(stats.slowClientDisconnects).toBe(1);
            expect(broadcaster.clientIds()).not.toContain(stalledId);
            expect(events).toEqual([{ EventType: 2, ClientID: stalledId }]);
          } else {
            expect(stats.drops).toBeGreaterThan(0);
            expect(broadcaster.clientIds()).toContain(stalledId);
          }
        } finally {
          stalled.client.destroy();
          await reader.close();
        }
      },
    );

    it('tells the slow client why with close code 1013 when it reads again', async () => {
      const broadcaster = await start({ maxBufferedBytes: 64 * 1024 });
      const stalled = await TestClient.join(running.url);
      (stalled.client.socket as unknown as { _socket: Socket })._socket.pause();
      for (let i = 0; broadcaster.clientIds().length > 0 && i < 2000; i++) {
        await broadcaster.cast(newResponseMessage(All, Buffer.alloc(16 * 1024)));
        if (i % 8 === 7) await sleep(1);
      }
      expect(broadcaster.clientIds()).toEqual([]);
      (stalled.client.socket as unknown as { _socket: Socket })._socket.resume();
      expect(await stalled.client.closed).toEqual({ code: 1013, reason: 'slow client' });
    });
  });

  it('terminates a client that never answers pings and announces it as left', async () => {
    const broadcaster = await start({ heartbeatInterval: 1000 });
    const silent = await RawClient.open(running.port);
    const watcher = await TestClient.join(running.url);
    const silentId = silent.client.json()[0].ClientID;
    // The watcher is a real ws client, which answers pings by itself.
    expect(await watcher.client.nextJson(5000)).toEqual({ EventType: 2, ClientID: silentId });
    await silent.client.ended;
    expect(silent.client.opcodes).toContain(9);
    expect(broadcaster.stats().heartbeatTimeouts).toBe(1);
    await sleep(2500);
    expect(broadcaster.clientIds()).toEqual([watcher.id]);
    await watcher.client.close();
  });

  it('answers messages over the rate limit with rate_limited, and disconnects a flooder with 1008', async () => {
    const broadcaster = await start({ rateLimit: { messagesPerSecond: 5, burst: 3, floodThreshold: 20 } });
    const { client, id } = await TestClient.join(running.url);
    for (let i = 0; i < 5; i++) client.request(1, String(i));
    const first = await Promise.all(Array.from({ length: 5 }, () => client.nextJson()));
    expect(first.slice(0, 3).map((frame) => frame.HandlerID)).toEqual([1, 1, 1]);
    expect(first.slice(3)).toEqual([
      { EventType: 3, ClientID: id, HandlerID: 0, Code: 'rate_limited', Error: 'too many messages: slow down' },
      { EventType: 3, ClientID: id, HandlerID: 0, Code: 'rate_limited', Error: 'too many messages: slow down' },
    ]);
    for (let i = 0; i < 50; i++) client.request(1, 'flood');
    expect((await client.closed).code).toBe(1008);
    expect(broadcaster.stats()).toMatchObject({ floodDisconnects: 1, errors: { rate_limited: 20 } });
    expect(broadcaster.clientIds()).toEqual([]);
  });

  it('on app.close() lets in-flight handlers answer, then closes every client with 1001', async () => {
    await start({ shutdownTimeout: 2000 });
    const { client } = await TestClient.join(running.url);
    const frames: string[] = [];
    client.socket.on('message', (data: Buffer) => frames.push(data.toString()));
    client.request(2, 'finishing');
    await sleep(20);
    await running.app.close();
    const closed = await client.closed;
    expect(closed.code).toBe(1001);
    expect(frames.map((frame) => JSON.parse(frame).HandlerID)).toEqual([2]);
  });
});
