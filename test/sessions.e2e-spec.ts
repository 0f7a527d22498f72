import { Injectable } from '@nestjs/common';
import {
  All,
  Broadcaster,
  Exclusive,
  MessageHandler,
  OnAway,
  OnDelClient,
  OnEvent,
  OnResume,
  Self,
  newResponseMessage,
  type BroadcasterModuleOptions,
  type EventMessage,
  type RequestMessage,
} from '../src/index.js';
import { appModule, startApp, type RunningApp } from './support/app.js';
import { SessionSocket } from './support/session-socket.js';
import { until } from './support/until.js';
import { TestClient } from './support/ws-client.js';

@Injectable()
class SessionEvents {
  readonly seen: string[] = [];

  @OnEvent(OnAway)
  away(ev: EventMessage): void {
    this.seen.push(`away ${ev.clientId}`);
  }

  @OnEvent(OnResume)
  resume(ev: EventMessage): void {
    this.seen.push(`resume ${ev.clientId}`);
  }

  @OnEvent(OnDelClient)
  left(ev: EventMessage): void {
    this.seen.push(`left ${ev.clientId}`);
  }

  @MessageHandler(2)
  echo(msg: RequestMessage) {
    return newResponseMessage(Self, msg.body);
  }
}

async function start(options: BroadcasterModuleOptions): Promise<{ running: RunningApp; events: SessionEvents; broadcaster: Broadcaster }> {
  const running = await startApp(appModule([SessionEvents], options));
  return { running, events: running.app.get(SessionEvents), broadcaster: running.app.get(Broadcaster) };
}

const cast = (broadcaster: Broadcaster, text: string, castType = All, ...castFor: string[]) =>
  broadcaster.cast(newResponseMessage(castType, Buffer.from(text), ...castFor));

describe('sessions that survive a reconnect (protocol 1.2)', () => {
  let running: RunningApp;
  let events: SessionEvents;
  let broadcaster: Broadcaster;
  beforeAll(async () => {
    ({ running, events, broadcaster } = await start({ sessionGrace: 2000, maxBufferedMessages: 50 }));
  });
  afterAll(() => running.app.close());
  beforeEach(() => events.seen.splice(0));

  it('sends a v1 client no session frame, and a 1.2 client one right after its join, keys in order', async () => {
    const plain = await TestClient.connect(running.url);
    const join = await plain.next();
    expect(join).toMatch(/^\{"EventType":1,"ClientID":"[0-9a-f-]{36}"\}$/);
    expect(await plain.drain(100)).toEqual([]);

    const raw = await TestClient.connect(`${running.url}?mb=1.2`);
    const ownJoin = JSON.parse(await raw.next()) as { ClientID: string };
    const sessionFrame = await raw.next();
    expect(sessionFrame).toMatch(new RegExp(`^\\{"EventType":5,"ClientID":"${ownJoin.ClientID}","Session":"[A-Za-z0-9_.-]{1,512}","Resumed":false\\}$`));
    expect(JSON.parse(await plain.next())).toEqual({ EventType: 1, ClientID: ownJoin.ClientID });
    // A client that closes normally (1000) has ended its session: it leaves at once.
    await raw.close();
    expect(JSON.parse(await plain.next())).toEqual({ EventType: 2, ClientID: ownJoin.ClientID });
    expect(events.seen).toEqual([`left ${ownJoin.ClientID}`]);
    await plain.close();
  });

  it('makes a session client away, not gone, when its socket closes any other way (going away, an abnormal end)', async () => {
    const watcher = await TestClient.join(running.url);
    const ana = await SessionSocket.open(running.url);
    const ben = await SessionSocket.open(running.url);
    await watcher.client.nextJson();
    await watcher.client.nextJson();
    ana.socket.close(1001);
    ben.socket.terminate();
    await until(() => events.seen.length === 2, 'OnAway twice');
    expect(events.seen.sort()).toEqual([`away ${ana.id}`, `away ${ben.id}`].sort());
    expect(await watcher.client.drain(100)).toEqual([]);
    await watcher.client.close();
  });

  it('keeps an away client for the grace period and resumes it with every frame it missed, telling nobody', async () => {
    const watcher = await TestClient.join(running.url);
    const ana = await SessionSocket.open(running.url);
    expect(JSON.parse(await watcher.client.next())).toEqual({ EventType: 1, ClientID: ana.id });
    const { away, resumed } = broadcaster.stats().sessions;
    await cast(broadcaster, 'before');
    await ana.until(() => ana.bodies().includes('before'), 'the first cast');

    ana.cut();
    await until(() => events.seen.includes(`away ${ana.id}`), 'OnAway');
    expect(broadcaster.clientIds()).toContain(ana.id);
    expect(broadcaster.stats().sessions.away).toBe(away + 1);
    for (let i = 1; i <= 5; i++) await cast(broadcaster, `missed ${i}`);
    await cast(broadcaster, 'for ana only', Exclusive, ana.id);

    const back = await SessionSocket.open(running.url, { token: ana.token, received: ana.received });
    expect(back.sessionFrames).toEqual([{ EventType: 5, ClientID: ana.id, Session: expect.any(String), Resumed: true }]);
    expect(back.token).not.toBe(ana.token);
    await back.until(() => back.frames.length >= 6, 'the missed frames');
    expect(back.bodies()).toEqual(['missed 1', 'missed 2', 'missed 3', 'missed 4', 'missed 5', 'for ana only']);
    await cast(broadcaster, 'live');
    await back.until(() => back.bodies().includes('live'), 'a live frame');
    expect(back.bodies()).toHaveLength(7);
    expect(events.seen).toEqual([`away ${ana.id}`, `resume ${ana.id}`]);
    // The watcher heard the casts, and of ana nothing at all.
    const heard = (await watcher.client.drain(100)).map((text) => JSON.parse(text) as Record<string, unknown>);
    expect(heard.filter((frame) => frame.SenderID === undefined)).toEqual([]);
    expect(broadcaster.stats().sessions).toMatchObject({ away, resumed: resumed + 1 });
    await back.close();
    await watcher.client.close();
  });

  it('also resumes a socket the server has not seen die, closing the old one (4001) without duplicating a frame', async () => {
    const ana = await SessionSocket.open(running.url);
    await cast(broadcaster, 'one');
    await ana.until(() => ana.bodies().includes('one'), 'a cast');
    // The client stops believing in its connection, though the server still holds it.
    const received = ana.received;
    const back = await SessionSocket.open(running.url, { token: ana.token, received });
    expect(back.session.Resumed).toBe(true);
    expect(await ana.closed).toEqual({ code: 4001, reason: 'session resumed elsewhere' });
    await cast(broadcaster, 'two');
    await back.until(() => back.bodies().includes('two'), 'a live cast');
    expect(back.bodies()).toEqual(['two']);
    expect(events.seen).toEqual([]);
    await back.close();
  });

  it('announces the leave once when the grace period ends; a resume after it is a new client', async () => {
    const quick = await start({ sessionGrace: 150 });
    try {
      const watcher = await TestClient.join(quick.running.url);
      const ana = await SessionSocket.open(quick.running.url);
      await watcher.client.nextJson();
      ana.cut();
      expect(await watcher.client.nextJson(3000)).toEqual({ EventType: 2, ClientID: ana.id });
      expect(quick.events.seen).toEqual([`away ${ana.id}`, `left ${ana.id}`]);
      expect(quick.broadcaster.stats().sessions).toMatchObject({ away: 0, expired: 1 });

      const later = await SessionSocket.open(quick.running.url, { token: ana.token, received: ana.received });
      expect(later.session.Resumed).toBe(false);
      expect(later.id).not.toBe(ana.id);
      expect(await watcher.client.nextJson()).toEqual({ EventType: 1, ClientID: later.id });
      expect(await watcher.client.drain(100)).toEqual([]);
      await later.close();
      await watcher.client.close();
    } finally {
      await quick.running.app.close();
    }
  });

  it('starts a new client for a tampered token, a token rewritten for another client, or a count beyond what was sent', async () => {
    const ana = await SessionSocket.open(running.url);
    const ben = await SessionSocket.open(running.url);
    const [payload, signature] = ana.token.split('.');
    const claim = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as unknown[];
    const forBen = `${Buffer.from(JSON.stringify([ben.id, ...claim.slice(1)])).toString('base64url')}.${signature}`;
    const altered = `${payload}.${signature.slice(0, -2)}${signature.endsWith('AA') ? 'BB' : 'AA'}`;
    for (const token of [altered, forBen, 'not a token', 'x'.repeat(600)]) {
      const attempt = await SessionSocket.open(running.url, { token, received: 0 });
      expect(attempt.session.Resumed).toBe(false);
      expect([ana.id, ben.id]).not.toContain(attempt.id);
      await attempt.close();
    }
    // Both sessions are untouched by the attempts: ana can still take hers back.
    ana.cut();
    await until(() => events.seen.includes(`away ${ana.id}`), 'OnAway');
    const lying = await SessionSocket.open(running.url, { token: ana.token, received: ana.received + 5 });
    expect(lying.session.Resumed).toBe(false);
    expect(lying.id).not.toBe(ana.id);
    // A genuine token with an impossible count ends its session: the leave is announced.
    await until(() => events.seen.includes(`left ${ana.id}`), 'the old session to end');
    expect(broadcaster.clientIds()).not.toContain(ana.id);
    await lying.close();
    await ben.close();
  });

  it('gives a session to one of two simultaneous resumes of the same token; the other is a new client', async () => {
    const ana = await SessionSocket.open(running.url);
    ana.cut();
    await until(() => events.seen.includes(`away ${ana.id}`), 'OnAway');
    await cast(broadcaster, 'while away');
    const both = await Promise.all([
      SessionSocket.open(running.url, { token: ana.token, received: ana.received }),
      SessionSocket.open(running.url, { token: ana.token, received: ana.received }),
    ]);
    const resumed = both.filter((socket) => socket.session.Resumed === true);
    expect(resumed).toHaveLength(1);
    expect(resumed[0].id).toBe(ana.id);
    const fresh = both.find((socket) => socket.session.Resumed === false)!;
    expect(fresh.id).not.toBe(ana.id);
    await resumed[0].until(() => resumed[0].bodies().length === 1, 'the missed cast');
    expect(resumed[0].bodies()).toEqual(['while away']);
    expect(fresh.bodies()).toEqual([]);
    await Promise.all(both.map((socket) => socket.close()));
  });

  it('ends an away session cast more than the backlog limits allow, as a leave', async () => {
    const watcher = await TestClient.join(running.url);
    const ana = await SessionSocket.open(running.url);
    await watcher.client.nextJson();
    ana.cut();
    await until(() => events.seen.includes(`away ${ana.id}`), 'OnAway');
    for (let i = 0; i < 60; i++) await cast(broadcaster, `flood ${i}`, Exclusive, ana.id);
    expect(await watcher.client.nextJson()).toEqual({ EventType: 2, ClientID: ana.id });
    expect(broadcaster.stats().sessions.overflowed).toBe(1);
    const late = await SessionSocket.open(running.url, { token: ana.token, received: ana.received });
    expect(late.session.Resumed).toBe(false);
    await late.close();
    await watcher.client.close();
  });

  it('ends a session at once when the server disconnects it, away or not', async () => {
    const ana = await SessionSocket.open(running.url);
    expect(broadcaster.disconnect(ana.id, { code: 4403, reason: 'banned' })).toBe(true);
    expect(await ana.closed).toEqual({ code: 4403, reason: 'banned' });
    await until(() => events.seen.includes(`left ${ana.id}`), 'the leave');
    const ben = await SessionSocket.open(running.url);
    ben.cut();
    await until(() => events.seen.includes(`away ${ben.id}`), 'OnAway');
    expect(broadcaster.disconnect(ben.id)).toBe(true);
    await until(() => events.seen.includes(`left ${ben.id}`), 'the away session to end');
    expect(broadcaster.clientIds()).not.toContain(ben.id);
  });

  it('treats a 1.2 client as a v1.1 client when sessions are off (sessionGrace 0)', async () => {
    const off = await start({ sessionGrace: 0 });
    try {
      const raw = await TestClient.connect(`${off.running.url}?mb=1.2`);
      expect(JSON.parse(await raw.next())).toMatchObject({ EventType: 1 });
      expect(await raw.drain(100)).toEqual([]);
      await raw.close();
    } finally {
      await off.running.app.close();
    }
  });
});
