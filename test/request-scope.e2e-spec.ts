import { Inject, Injectable, Scope, UseGuards, type CanActivate } from '@nestjs/common';
import { ContextIdFactory, REQUEST, type ContextId, type ContextIdStrategy, type HostComponentInfo } from '@nestjs/core';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import {
  MessageHandler,
  OnDelClient,
  OnEvent,
  Self,
  newResponseMessage,
  type HandlerContext,
} from '../src/index.js';
import { appModule, startApp } from './support/app.js';
import { bodyText, TestClient } from './support/ws-client.js';

setFlagsFromString('--expose-gc');
const collectGarbage = runInNewContext('gc') as () => void;

@Injectable({ scope: Scope.REQUEST })
class PerConnectionCounter {
  static created = 0;
  static alive: Array<WeakRef<PerConnectionCounter>> = [];
  static left: string[] = [];
  readonly serial = (PerConnectionCounter.created += 1);
  private count = 0;

  constructor(@Inject(REQUEST) private readonly ctx: HandlerContext) {
    PerConnectionCounter.alive.push(new WeakRef(this));
  }

  @MessageHandler(1)
  increment() {
    this.count += 1;
    return newResponseMessage(Self, `instance ${this.serial} of ${this.ctx.clientId}: ${this.count}`);
  }

  @OnEvent(OnDelClient)
  leaving() {
    PerConnectionCounter.left.push(`${this.ctx.clientId} had ${this.count}`);
  }
}

@Injectable({ scope: Scope.REQUEST })
class ConnectionUser {
  constructor(@Inject(REQUEST) readonly ctx: HandlerContext) {}
}

/** Static in its declaration, request-scoped because of what it depends on. */
@Injectable()
class DependsOnConnection {
  constructor(private readonly user: ConnectionUser) {}

  @MessageHandler(2)
  whoAmI() {
    return newResponseMessage(Self, `you are ${this.user.ctx.clientId}`);
  }
}

class AllowAll implements CanActivate {
  canActivate(): boolean {
    return true;
  }
}

@Injectable({ scope: Scope.REQUEST })
class GuardedPerConnection {
  static created = 0;
  readonly serial = (GuardedPerConnection.created += 1);

  @MessageHandler(3)
  @UseGuards(AllowAll)
  guarded() {
    return newResponseMessage(Self, `guarded instance ${this.serial}`);
  }
}

async function released(refs: Array<WeakRef<object>>, timeoutMs = 5000): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    collectGarbage();
    if (refs.every((ref) => ref.deref() === undefined)) return true;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  return false;
}

describe('handlers on request-scoped providers: one instance per connection', () => {
  it('gives each connection its own instance, created on first use, with REQUEST as its HandlerContext', async () => {
    const running = await startApp(appModule([PerConnectionCounter, ConnectionUser, DependsOnConnection, GuardedPerConnection]));
    const first = await TestClient.join(running.url);
    expect(PerConnectionCounter.created).toBe(0);

    first.client.request(1);
    first.client.request(1);
    expect(bodyText(await first.client.nextJson())).toBe(`instance 1 of ${first.id}: 1`);
    expect(bodyText(await first.client.nextJson())).toBe(`instance 1 of ${first.id}: 2`);

    const second = await TestClient.join(running.url);
    await first.client.nextJson(); // the second client's join
    second.client.request(1);
    expect(bodyText(await second.client.nextJson())).toBe(`instance 2 of ${second.id}: 1`);

    second.client.request(2);
    expect(bodyText(await second.client.nextJson())).toBe(`you are ${second.id}`);
    second.client.request(3);
    second.client.request(3);
    expect(bodyText(await second.client.nextJson())).toBe('guarded instance 1');
    expect(bodyText(await second.client.nextJson())).toBe('guarded instance 1');
    first.client.request(3);
    expect(bodyText(await first.client.nextJson())).toBe('guarded instance 2');

    await first.client.close();
    await second.client.close();
    await running.app.close();
  });

  it('runs the leave handler on the leaving connection’s instance, then lets the instances go', async () => {
    PerConnectionCounter.alive = [];
    PerConnectionCounter.left = [];
    const running = await startApp(appModule([PerConnectionCounter]));
    const clients = await Promise.all([1, 2, 3].map(() => TestClient.join(running.url)));
    for (const { client } of clients) {
      client.request(1);
      await client.drain(50);
    }
    expect(PerConnectionCounter.alive).toHaveLength(3);
    const watcher = await TestClient.join(running.url);

    for (const { client } of clients) await client.close();
    await watcher.client.drain(200);
    const leftIds = clients.map(({ id }) => `${id} had 1`);
    expect(PerConnectionCounter.left.slice(0, 3).sort()).toEqual(leftIds.sort());
    const leaverRefs = PerConnectionCounter.alive.slice(0, 3);
    expect(await released(leaverRefs)).toBe(true);

    await watcher.client.close();
    await running.app.close();
  });
});

describe('durable providers', () => {
  // One context per tenant: durable providers are shared by the connections of a tenant.
  class TenantStrategy implements ContextIdStrategy {
    private readonly tenants = new Map<string, ContextId>();
    attach(contextId: ContextId, request: HandlerContext) {
      const tenant = new URL(request.request?.url ?? '/', 'http://localhost').searchParams.get('tenant') ?? 'none';
      let tenantContext = this.tenants.get(tenant);
      if (tenantContext === undefined) {
        tenantContext = ContextIdFactory.create();
        this.tenants.set(tenant, tenantContext);
      }
      return {
        resolve: (info: HostComponentInfo) => (info.isTreeDurable ? tenantContext : contextId),
        payload: { tenant },
      };
    }
  }

  @Injectable({ scope: Scope.REQUEST, durable: true })
  class TenantCounter {
    private count = 0;
    constructor(@Inject(REQUEST) private readonly payload: { tenant: string }) {}

    @MessageHandler(1)
    increment() {
      this.count += 1;
      return newResponseMessage(Self, `${this.payload.tenant}: ${this.count}`);
    }
  }

  it('shares one instance among the connections a ContextIdStrategy puts in one durable context', async () => {
    ContextIdFactory.apply(new TenantStrategy());
    const running = await startApp(appModule([TenantCounter]));
    const a1 = await TestClient.connect(`${running.url}?tenant=a`);
    const a2 = await TestClient.connect(`${running.url}?tenant=a`);
    const b1 = await TestClient.connect(`${running.url}?tenant=b`);
    for (const client of [a1, a2, b1]) await client.drain(100);

    a1.request(1);
    expect(bodyText(await a1.nextJson())).toBe('a: 1');
    a2.request(1);
    expect(bodyText(await a2.nextJson())).toBe('a: 2');
    b1.request(1);
    expect(bodyText(await b1.nextJson())).toBe('b: 1');

    for (const client of [a1, a2, b1]) await client.close();
    await running.app.close();
  });
});
