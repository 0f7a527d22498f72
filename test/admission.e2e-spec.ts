import { Injectable, Module } from '@nestjs/common';
import type { IncomingMessage } from 'node:http';
import {
  Broadcaster,
  BroadcasterModule,
  MessageHandler,
  Self,
  newResponseMessage,
  type BroadcasterModuleOptions,
  type HandlerContext,
} from '../src/index.js';
import { appModule, startApp, type RunningApp } from './support/app.js';
import { RawClient } from './support/raw-client.js';
import { bodyText, TestClient } from './support/ws-client.js';

@Injectable()
class WhoAmI {
  @MessageHandler(1)
  whoami(_msg: unknown, ctx: HandlerContext) {
    const headers = ctx.request?.headers ?? {};
    return newResponseMessage(Self, JSON.stringify({ principal: ctx.principal, agent: headers['x-agent'], kept: Object.keys(headers).sort() }));
  }
}

@Injectable()
class Tokens {
  private readonly users = new Map([['secret-a', { name: 'alice' }]]);
  async verify(token: string | undefined) {
    await new Promise((resolve) => setImmediate(resolve));
    return token === undefined ? undefined : this.users.get(token);
  }
}

@Module({ providers: [Tokens], exports: [Tokens] })
class TokensModule {}

const bearer = (request: IncomingMessage) => request.headers.authorization?.replace(/^Bearer /, '');

describe('admission at the upgrade', () => {
  let running: RunningApp;
  afterEach(() => running.app.close());

  async function start(options: BroadcasterModuleOptions) {
    running = await startApp(appModule([WhoAmI], options));
    return running;
  }

  it('refuses an unauthenticated upgrade with 401, announcing nothing', async () => {
    await start({
      authenticate: (request) => {
        const token = bearer(request);
        if (token === undefined) throw new Error('no token');
        return token === 'letmein' ? { user: 'bob' } : null;
      },
    });
    const insider = await TestClient.connect(running.url, { headers: { authorization: 'Bearer letmein' } });
    const insiderId = (await insider.nextJson()).ClientID;
    const refused = await RawClient.open(running.port, '/', { Authorization: 'Bearer wrong' });
    expect(refused.status).toBe(401);
    const thrown = await RawClient.open(running.port, '/');
    expect(thrown.status).toBe(401);
    expect(await insider.drain()).toEqual([]);
    expect(running.app.get(Broadcaster).clientIds()).toEqual([insiderId]);
    expect(running.app.get(Broadcaster).stats().refusedUpgrades).toEqual({ 401: 2 });
    await insider.close();
  });

  it('hands the principal and the request to handlers as ctx.principal and ctx.request', async () => {
    await start({
      authenticate: async (request) => (bearer(request) === 'letmein' ? { user: 'bob' } : undefined),
      requestHeaders: ['X-Agent'],
    });
    const client = await TestClient.connect(running.url, { headers: { authorization: 'Bearer letmein', 'x-agent': 'test/1' } });
    await client.next();
    client.request(1);
    expect(JSON.parse(bodyText(await client.nextJson()) as string)).toEqual({
      principal: { user: 'bob' },
      agent: 'test/1',
      kept: ['x-agent'],
    });
    await client.close();
  });

  it('keeps only the usual headers by default, not the credentials nor the bulk of a large request', async () => {
    await start({});
    const bulky = Object.fromEntries(Array.from({ length: 30 }, (_, i) => [`x-padding-${i}`, 'p'.repeat(500)]));
    const client = await TestClient.connect(running.url, {
      headers: { ...bulky, authorization: 'Bearer letmein', cookie: 'session=1', 'user-agent': 'agent/1', origin: 'http://o.test' },
    });
    await client.next();
    client.request(1);
    const { kept } = JSON.parse(bodyText(await client.nextJson()) as string);
    expect(kept).toEqual(['origin', 'user-agent']);
    await client.close();
  });

  it('uses injected services in authenticate through forRootAsync', async () => {
    @Module({
      imports: [
        BroadcasterModule.forRootAsync({
          imports: [TokensModule],
          inject: [Tokens],
          useFactory: (tokens: Tokens) => ({ authenticate: (request: IncomingMessage) => tokens.verify(bearer(request)) }),
        }),
      ],
      providers: [WhoAmI],
    })
    class AuthApp {}
    running = await startApp(AuthApp);
    expect((await RawClient.open(running.port, '/', { Authorization: 'Bearer secret-b' })).status).toBe(401);
    const client = await TestClient.connect(running.url, { headers: { authorization: 'Bearer secret-a' } });
    await client.next();
    client.request(1);
    expect(JSON.parse(bodyText(await client.nextJson()) as string).principal).toEqual({ name: 'alice' });
    await client.close();
  });

  it('refuses other origins with 403: by list, and by predicate', async () => {
    await start({ allowedOrigins: ['https://app.example'] });
    expect((await RawClient.open(running.port, '/', { Origin: 'https://evil.example' })).status).toBe(403);
    expect((await RawClient.open(running.port, '/')).status).toBe(403);
    const ok = await RawClient.open(running.port, '/', { Origin: 'https://app.example' });
    expect(ok.status).toBe(101);
    ok.client.destroy();
    await running.app.close();

    await start({ allowedOrigins: (origin) => origin === undefined || origin.endsWith('.example') });
    expect((await RawClient.open(running.port, '/', { Origin: 'https://evil.test' })).status).toBe(403);
    const fine = await RawClient.open(running.port, '/', { Origin: 'https://x.example' });
    expect(fine.status).toBe(101);
    fine.client.destroy();
  });

  it('refuses upgrades beyond maxClients with 503, and admits again once one leaves', async () => {
    await start({ maxClients: 2 });
    const a = await TestClient.join(running.url);
    const b = await TestClient.join(running.url);
    const third = await RawClient.open(running.port, '/');
    expect(third.status).toBe(503);
    expect(await a.client.drain()).toEqual([JSON.stringify({ EventType: 1, ClientID: b.id })]);
    await b.client.close();
    await a.client.next();
    const again = await TestClient.join(running.url);
    expect(running.app.get(Broadcaster).clientIds()).toEqual([a.id, again.id]);
    await Promise.all([a.client.close(), again.client.close()]);
  });
});
