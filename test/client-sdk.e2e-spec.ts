import { minify } from '@swc/core';
import { execFile, execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { promisify } from 'node:util';
import { gzipSync } from 'node:zlib';
import { once } from 'node:events';
import { createServer } from 'node:http';
import { join } from 'node:path';
import WebSocket from 'ws';
import {
  BroadcastError,
  CastType,
  connect,
  type BroadcastClient,
  type ClientOptions,
  type ClientState,
  type WebSocketConstructor,
} from '../src/client/index.js';
import { reconnectDelay } from '../src/client/backoff.js';
import type * as ClientModule from '../src/client/index.js';
import { AppModule } from '../sample/app.module.js';
import { DIRECT, ECHO, WHO } from '../sample/chat.handlers.js';
import { JOIN_ROOM, SAY } from '../sample/room.handlers.js';
import { ensureBuilt } from './support/child-server.js';
import { freePort } from './support/free-port.js';
import { startApp, type RunningApp } from './support/app.js';
import { until } from './support/until.js';
import { closeServer, rawServer } from './support/raw-ws-server.js';
import { setTimeout as sleep } from 'node:timers/promises';

const root = join(__dirname, '..');
const WS = WebSocket as unknown as WebSocketConstructor;
const fast: ClientOptions = { WebSocket: WS, reconnect: { min: 50, max: 200 } };

const opened = (client: BroadcastClient<never>) => until(() => client.state === 'open', 'the client to open');
const clients: Array<{ close(): void }> = [];
function track<T extends { close(): void }>(client: T): T {
  clients.push(client);
  return client;
}
afterEach(() => {
  for (const client of clients.splice(0)) client.close();
});

describe('the client SDK against the sample server', () => {
  let running: RunningApp;
  beforeAll(async () => {
    running = await startApp(AppModule.withEndpoint('/'));
  });
  afterAll(() => running.app.close());

  it('learns its ID from its own join, reports its state, and hears others join and leave', async () => {
    const states: ClientState[] = [];
    const ana = track(connect(running.url, fast));
    ana.onState((state) => states.push(state));
    expect(ana.state).toBe('connecting');
    await opened(ana as never);
    expect(ana.id).toMatch(/^[0-9a-f-]{36}$/);
    expect(states).toEqual(['open']);

    const joins: string[] = [];
    const leaves: string[] = [];
    ana.onJoin((id) => joins.push(id));
    const stopLeaves = ana.onLeave((id) => leaves.push(id));
    const ben = connect(running.url, fast);
    await opened(ben as never);
    await until(() => joins.length === 1, 'the join');
    expect(joins).toEqual([ben.id]);
    ben.close();
    expect(ben.state).toBe('closed');
    await until(() => leaves.length === 1, 'the leave');
    expect(leaves).toEqual([ben.id]);
    stopLeaves();
  });

  it('sends, and delivers responses by HandlerID with their fields and body helpers', async () => {
    const ana = track(connect(running.url, fast));
    const ben = track(connect(running.url, fast));
    await opened(ana as never);
    await opened(ben as never);
    const got: Array<{ senderId: string; castType: number; castFor: readonly string[] | null; text: string }> = [];
    const stop = ben.on(DIRECT, (response) => got.push({ ...response, text: response.text() }));
    ana.send(DIRECT, { json: { to: [ben.id], text: 'psst ✓' } });
    await until(() => got.length === 1, 'the direct message');
    expect(got[0]).toMatchObject({ senderId: ana.id, castType: CastType.Exclusive, castFor: [ben.id], text: 'psst ✓' });
    stop();
    ana.send(DIRECT, { json: { to: [ben.id], text: 'unheard' } });
    await sleep(100);
    expect(got).toHaveLength(1);
  });

  it('talks to the sample from the ten-line Node script, run by plain Node on the built package', async () => {
    ensureBuilt();
    const { stdout } = await promisify(execFile)(process.execPath, ['sample/node-client.mjs', `${running.url}?user=script`], { cwd: root });
    const [intro, echo] = stdout.trim().split('\n');
    expect(intro).toMatch(/^I am [0-9a-f-]{36}; online: \d+$/);
    expect(echo).toBe('me: hello from Node');
  });

  it('resolves request() with the responses addressed to this client, after the ack', async () => {
    const ana = track(connect(running.url, fast));
    await opened(ana as never);
    const [who] = await ana.request(WHO);
    expect(who.json()).toMatchObject({ you: ana.id });
    expect(who.castType).toBe(CastType.Self);

    const joined = await ana.request(JOIN_ROOM, { json: { room: 'sdk' } });
    expect(joined.map((r) => r.json())).toEqual([{ room: 'sdk', members: [ana.id] }]);
    const said = await ana.request(SAY, { json: { room: 'sdk', text: 'hi' } });
    expect(said).toHaveLength(1);
    expect(said[0]).toMatchObject({ castType: CastType.Room, castFor: ['sdk'], rooms: ['sdk'] });
    expect(said[0].json()).toEqual({ from: ana.id, text: 'hi' });

    const bytes = new Uint8Array(70 * 1024).map((_, i) => i % 251);
    const [echoed] = await ana.request(ECHO, bytes);
    expect(Buffer.from(echoed.body).equals(Buffer.from(bytes))).toBe(true);
    expect(await ana.request(ECHO)).toMatchObject([{ body: new Uint8Array(0) }]);
  });

  it('rejects request() with a typed BroadcastError on an error frame, and keeps order across many requests', async () => {
    const ana = track(connect(running.url, fast));
    await opened(ana as never);
    const failure = ana.request(SAY, { json: { room: 'not-joined', text: 'x' } });
    await expect(failure).rejects.toBeInstanceOf(BroadcastError);
    await expect(failure).rejects.toMatchObject({ code: 'forbidden', handlerId: SAY, message: 'join not-joined before talking in it' });
    await expect(ana.request(4242)).rejects.toMatchObject({ code: 'unknown_handler', handlerId: 4242 });

    const answers = await Promise.all(Array.from({ length: 30 }, (_, i) => ana.request(ECHO, `n${i}`)));
    expect(answers.map(([response]) => response.text())).toEqual(Array.from({ length: 30 }, (_, i) => `n${i}`));
  });

  it('reports error frames that answer no request through onError', async () => {
    const ana = track(connect(running.url, fast));
    await opened(ana as never);
    const errors: BroadcastError[] = [];
    ana.onError((error) => errors.push(error));
    ana.send(DIRECT, 'not json');
    await until(() => errors.length === 1, 'the error');
    expect(errors[0]).toMatchObject({ code: 'handler_error', handlerId: DIRECT });
  });

  it('times out a request, throws on send() while offline, and rejects everything once closed', async () => {
    const ana = connect(running.url, fast);
    expect(() => ana.send(ECHO, 'too early')).toThrow(new BroadcastError('offline', 'not connected (state: connecting): send() keeps nothing while offline (offlineQueue is 0)', ECHO));
    await opened(ana as never);
    ana.close();
    await expect(ana.request(ECHO, 'late')).rejects.toMatchObject({ code: 'closed' });
    expect(() => ana.send(ECHO, 'late')).toThrow('the client is closed');
  });
});

describe('the client SDK when the server goes away', () => {
  it('reconnects with a new ID, calls onReconnect, flushes its offline queue and waiting requests', async () => {
    const port = await freePort();
    let running = await startApp(AppModule.withEndpoint('/'), { port });
    const reconnects: string[] = [];
    const ana = track(connect(running.url, { ...fast, offlineQueue: 2, onReconnect: () => reconnects.push(ana.id ?? '') }));
    await opened(ana as never);
    const firstId = ana.id;
    const states: ClientState[] = [];
    ana.onState((state) => states.push(state));
    const echoes: string[] = [];
    ana.on(ECHO, (response) => echoes.push(response.text()));

    await running.app.close();
    await until(() => ana.state === 'reconnecting', 'the client to notice');
    ana.send(ECHO, 'queued 1');
    ana.send(ECHO, 'queued 2');
    expect(() => ana.send(ECHO, 'one too many')).toThrow(BroadcastError);
    const waiting = ana.request(WHO, undefined, { timeout: 10_000 });
    await sleep(300);

    running = await startApp(AppModule.withEndpoint('/'), { port });
    const [who] = await waiting;
    expect(ana.id).not.toBe(firstId);
    expect(who.json()).toMatchObject({ you: ana.id });
    await until(() => echoes.length === 2, 'the queued messages');
    expect(echoes).toEqual(['queued 1', 'queued 2']);
    expect(reconnects).toEqual([ana.id]);
    expect(states[0]).toBe('reconnecting');
    expect(states.at(-1)).toBe('open');
    ana.close();
    await running.app.close();
  });

  it('rejects a request in flight with "disconnected" when the connection drops', async () => {
    const server = await rawServer((socket) => {
      socket.send(JSON.stringify({ EventType: 1, ClientID: 'raw-1' }));
      socket.on('message', () => socket.terminate());
    });
    const ana = track(connect(server.url, fast));
    await opened(ana as never);
    await expect(ana.request(1, 'x')).rejects.toMatchObject({ code: 'disconnected' });
    await server.close();
  });

  it('keeps trying through 503 refusals, and gets in once the server is back', async () => {
    const port = await freePort();
    let refusals = 0;
    const refusing = createServer();
    refusing.on('upgrade', (_request, socket) => {
      refusals += 1;
      socket.end('HTTP/1.1 503 Service Unavailable\r\nContent-Length: 0\r\n\r\n');
    });
    refusing.listen(port, '127.0.0.1');
    await once(refusing, 'listening');
    const ana = track(connect(`ws://127.0.0.1:${port}/`, fast));
    await until(() => refusals >= 3, 'a few refusals');
    expect(ana.state).toBe('reconnecting');
    await closeServer(refusing);
    const running = await startApp(AppModule.withEndpoint('/'), { port });
    await opened(ana as never);
    expect(ana.id).toBeDefined();
    ana.close();
    await running.app.close();
  });

  it.each([
    [4001, 'closed'],
    [1008, 'closed'],
    [1009, 'closed'],
    [1011, 'reconnecting'],
    [1001, 'reconnecting'],
  ])('after close code %i the client is %s', async (code, expected) => {
    let connections = 0;
    const server = await rawServer((socket) => {
      connections += 1;
      socket.send(JSON.stringify({ EventType: 1, ClientID: `raw-${connections}` }));
      if (connections === 1) setTimeout(() => socket.close(code, 'bye'), 20);
    });
    const ana = track(connect(server.url, fast));
    await until(() => ana.state === expected || connections > 1, `the client to be ${expected}`);
    if (expected === 'reconnecting') {
      await until(() => connections === 2 && ana.state === 'open', 'the reconnection');
      expect(ana.id).toBe('raw-2');
    } else {
      await sleep(400);
      expect(connections).toBe(1);
    }
    await server.close();
  });

  it('closes and replaces a connection that went silent, when heartbeatTimeout is set', async () => {
    let connections = 0;
    // Joins, then says nothing, and (autoPong off) never answers: a dead peer.
    const server = await rawServer((socket) => {
      connections += 1;
      socket.send(JSON.stringify({ EventType: 1, ClientID: `silent-${connections}` }));
    });
    const ana = track(connect(server.url, { ...fast, heartbeatTimeout: 300 }));
    await until(() => connections >= 2, 'a second connection', 5000);
    expect(ana.id).toMatch(/^silent-/);
    await server.close();
  });

  it('counts the server’s pings as signs of life (ws in Node)', async () => {
    let connections = 0;
    const server = await rawServer((socket) => {
      connections += 1;
      socket.send(JSON.stringify({ EventType: 1, ClientID: `pinged-${connections}` }));
      const timer = setInterval(() => socket.ping(), 100);
      socket.on('close', () => clearInterval(timer));
    });
    const ana = track(connect(server.url, { ...fast, heartbeatTimeout: 300 }));
    await sleep(1000);
    expect(connections).toBe(1);
    expect(ana.state).toBe('open');
    await server.close();
  });
});

describe('the client SDK against a v1 server (the Go original speaks only v1)', () => {
  it('sends, receives by HandlerID, and hears joins; request() says that acks never came', async () => {
    const sockets = new Set<WebSocket>();
    let next = 0;
    const server = await rawServer((socket) => {
      const id = `v1-${(next += 1)}`;
      socket.send(JSON.stringify({ EventType: 1, ClientID: id }));
      for (const other of sockets) other.send(JSON.stringify({ EventType: 1, ClientID: id }));
      sockets.add(socket);
      socket.on('message', (data) => {
        // The original ignores keys it does not know, RequestID included.
        const { HandlerID, Body } = JSON.parse(String(data)) as { HandlerID: number; Body: string | null };
        const frame = JSON.stringify({ SenderID: id, HandlerID, CastType: 1, CastFor: null, Body });
        for (const target of sockets) target.send(frame);
      });
      socket.on('close', () => sockets.delete(socket));
    });
    const ana = track(connect(server.url, fast));
    await opened(ana as never);
    const joins: string[] = [];
    ana.onJoin((id) => joins.push(id));
    const ben = track(connect(server.url, fast));
    await opened(ben as never);
    await until(() => joins.length === 1, 'the join');
    const heard: string[] = [];
    ana.on(1, (response) => heard.push(`${response.senderId}: ${response.text()}`));
    ben.send(1, 'hello from v1');
    await until(() => heard.length === 1, 'the echo');
    expect(heard).toEqual([`${ben.id}: hello from v1`]);
    await expect(ana.request(1, 'x', { timeout: 300 })).rejects.toThrow(
      'no answer to HandlerID 1 within 300 ms: the server has acked nothing, so it may speak only protocol v1 (request() needs 1.1)',
    );
    await server.close();
  });
});

describe('the client SDK as a package', () => {
  it('backs off with full jitter: ceilings double from 0.5 s, never above 20 s, and a random wait below each', () => {
    const ceiling = (attempt: number) => reconnectDelay(attempt, undefined, () => 1);
    expect([0, 1, 2, 3, 4, 5, 6, 10].map(ceiling)).toEqual([500, 1000, 2000, 4000, 8000, 16000, 20000, 20000]);
    expect(reconnectDelay(3, undefined, () => 0)).toBe(0);
    expect(reconnectDelay(3, undefined, () => 0.25)).toBe(1000);
    expect(reconnectDelay(2, { min: 100, max: 300 }, () => 1)).toBe(300);
  });

  it('ships as browser-ready ES modules that import nothing but each other and the protocol vocabulary, under 6 kB minified and gzipped', async () => {
    ensureBuilt();
    const esm = join(root, 'dist/esm');
    // Every module index.js reaches, by relative imports only: the client's own, and the
    // dependency-free protocol modules beside it.
    const reached = new Set<string>();
    const pending = ['client/index.js'];
    let bundle = '';
    while (pending.length > 0) {
      const path = pending.pop()!;
      if (reached.has(path)) continue;
      reached.add(path);
      const code = readFileSync(join(esm, path), 'utf8');
      const imports = [...code.matchAll(/(?:import|export)[^'"]*from\s*['"]([^'"]+)['"]/g)].map((match) => match[1]);
      for (const specifier of imports) {
        expect(specifier).toMatch(path.startsWith('client/') ? /^(?:\.\/[\w-]+|\.\.\/protocol\/[\w-]+)\.js$/ : /^\.\/[\w-]+\.js$/);
        pending.push(join(path, '..', specifier));
      }
      expect(code).not.toMatch(/\brequire\(|\bprocess\.|\bBuffer\b|node:/);
      bundle += (await minify(code, { compress: true, mangle: true, module: true })).code;
    }
    expect([...reached].filter((path) => path.startsWith('client/'))).toEqual(expect.arrayContaining(['client/index.js', 'client/broadcast-client.js']));
    const size = gzipSync(bundle, { level: 9 }).length;
    expect(size).toBeLessThan(6000);
  });

  it('loads from the CommonJS build too', () => {
    ensureBuilt();
    const cjs = createRequire(__filename)(join(root, 'dist/cjs/client/index.js')) as typeof ClientModule;
    expect(typeof cjs.connect).toBe('function');
    expect(new cjs.BroadcastError('timeout', 'late', 1)).toMatchObject({ name: 'BroadcastError', code: 'timeout', handlerId: 1 });
  });

  it('type-checks handler IDs and bodies of a typed API (a fixture whose errors must all be reported)', () => {
    execFileSync(process.execPath, [require.resolve('typescript/bin/tsc'), '-p', 'test/fixtures/typed-client/tsconfig.json'], {
      cwd: root,
      stdio: 'pipe',
    });
  });
});

/** A bare WebSocket server on a free port, for peers the sample cannot play. */
