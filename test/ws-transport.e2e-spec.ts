import type { AddressInfo } from 'node:net';
import { WebSocketServer } from 'ws';
import { All, BroadcasterCore, newResponseMessage } from '../src/core/index.js';
import { resolveTransportSettings, WsTransport, type BroadcasterSocket } from '../src/ws/index.js';
import { RawClient } from './support/raw-client.js';
import { bodyText, TestClient } from './support/ws-client.js';

const quiet = { log: () => undefined, warn: () => undefined, error: () => undefined };

describe('WsTransport on a plain ws server, without Nest', () => {
  let server: WebSocketServer;
  let transport: WsTransport;
  let port: number;

  beforeEach(async () => {
    const core = new BroadcasterCore({ messageHandlers: new Map([[1, (msg) => newResponseMessage(All, msg.body)]]), logger: quiet });
    transport = new WsTransport(core, resolveTransportSettings({ path: '/chat' }), { logger: quiet, enforcePath: true });
    server = new WebSocketServer({ port: 0, host: '127.0.0.1', ...transport.serverOptions() });
    await new Promise((resolve) => server.once('listening', resolve));
    port = (server.address() as AddressInfo).port;
    transport.start(server);
    server.on('connection', (socket, request) => transport.connect(socket as BroadcasterSocket, request));
  });
  afterEach(async () => {
    transport.close();
    for (const client of server.clients) client.terminate();
    await new Promise((resolve) => server.close(resolve));
  });

  it('holds connect requests until opened, then speaks the protocol', async () => {
    const early = TestClient.join(`ws://127.0.0.1:${port}/chat`);
    await new Promise((resolve) => setTimeout(resolve, 100));
    transport.open();
    const alice = await early;
    const bob = await TestClient.join(`ws://127.0.0.1:${port}/chat`);
    expect(await alice.client.nextJson()).toEqual({ EventType: 1, ClientID: bob.id });
    bob.client.request(1, 'hello');
    expect(bodyText(await alice.client.nextJson())).toBe('hello');
    expect(bodyText(await bob.client.nextJson())).toBe('hello');
    await Promise.all([alice.client.close(), bob.client.close()]);
  });

  it('refuses another path with 404 and counts it', async () => {
    transport.open();
    expect((await RawClient.open(port, '/elsewhere')).status).toBe(404);
    expect(transport.stats()).toEqual({ heartbeatTimeouts: 0, refusedUpgrades: { 404: 1 }, bytesOut: 0 });
  });
});
