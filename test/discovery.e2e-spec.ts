import { Injectable, Module, type Provider } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { WsAdapter } from '@nestjs/platform-ws';
import {
  Broadcaster,
  BroadcasterModule,
  MessageHandler,
  OnAddClient,
  OnDelClient,
  OnEvent,
  Self,
  newResponseMessage,
  type EventMessage,
  type RequestMessage,
} from '../src/index.js';
import { appModule, CapturingLogger, startApp } from './support/app.js';
import { bodyText, TestClient } from './support/ws-client.js';

async function initWith(providers: Provider[], logger: CapturingLogger | false = false) {
  const app = await NestFactory.create(appModule(providers), { logger, abortOnError: false });
  app.useWebSocketAdapter(new WsAdapter(app));
  try {
    await app.init();
    return app;
  } catch (error) {
    await app.close();
    throw error;
  }
}

@Injectable()
class FirstEcho {
  @MessageHandler(1)
  echo() {}
}

@Injectable()
class SecondEcho {
  @MessageHandler(1)
  shout() {}
}

@Injectable()
class FirstGreeter {
  @OnEvent(OnAddClient)
  greet() {}
}

@Injectable()
class SecondGreeter {
  @OnEvent(OnAddClient)
  hello() {}
}

@Injectable()
class Stacked {
  readonly seen: string[] = [];

  @MessageHandler(20)
  @MessageHandler(21)
  either(msg: RequestMessage) {
    return newResponseMessage(Self, `handled ${msg.handlerId}`);
  }

  @OnEvent(OnAddClient)
  @OnEvent(OnDelClient)
  presence(ev: EventMessage) {
    this.seen.push(`${ev.eventType}:${ev.clientId}`);
  }
}

@Injectable()
class Dependency {
  readonly greeting = 'from a dependency';
}

@Injectable()
class WithDependency {
  constructor(private readonly dependency: Dependency) {}

  @MessageHandler(30)
  answer() {
    return newResponseMessage(Self, this.dependency.greeting);
  }
}

@Injectable()
class ClientCounter {
  constructor(private readonly broadcaster: Broadcaster) {}

  @MessageHandler(31)
  count() {
    return newResponseMessage(Self, String(this.broadcaster.clientIds().length));
  }
}

describe('handler discovery', () => {
  it('fails app.init() on a duplicate HandlerID, naming both places', async () => {
    await expect(initWith([FirstEcho, SecondEcho])).rejects.toThrow(
      'HandlerID 1 has two handlers: FirstEcho#echo and SecondEcho#shout. Each HandlerID needs exactly one.',
    );
  });

  it('fails app.init() on two handlers for one event type, naming both places', async () => {
    await expect(initWith([FirstGreeter, SecondGreeter])).rejects.toThrow(
      'OnAddClient has two handlers: FirstGreeter#greet and SecondGreeter#hello.',
    );
  });

  it('lets one method serve several HandlerIDs and both events', async () => {
    const running = await startApp(appModule([Stacked]));
    const { client, id } = await TestClient.join(running.url);
    client.request(20);
    client.request(21);
    expect(bodyText(await client.nextJson())).toBe('handled 20');
    expect(bodyText(await client.nextJson())).toBe('handled 21');
    await client.close();
    await running.app.close();
    expect(running.app.get(Stacked).seen).toEqual([`1:${id}`, `2:${id}`]);
  });

  it('refuses a non-integer HandlerID or an unknown event type when the class is declared', () => {
    expect(() => MessageHandler(1.5)).toThrow('@MessageHandler() needs an integer HandlerID, got 1.5.');
    expect(() => MessageHandler(Number.NaN)).toThrow(TypeError);
    expect(() => OnEvent(3 as never)).toThrow('@OnEvent() needs OnAddClient (1), OnDelClient (2), OnJoinRoom (101), OnLeaveRoom (102), OnAway (103) or OnResume (104), got 3.');
  });

  it('finds handlers in providers of any module, with the broadcaster imported once at the root', async () => {
    @Module({ providers: [WithDependency, Dependency, ClientCounter] })
    class FeatureModule {}
    @Module({ imports: [BroadcasterModule.forRoot({}), FeatureModule] })
    class RootModule {}
    const running = await startApp(RootModule);
    const { client } = await TestClient.join(running.url);
    client.request(30);
    expect(bodyText(await client.nextJson())).toBe('from a dependency');
    // Broadcaster is injectable in a feature module without importing BroadcasterModule there.
    client.request(31);
    expect(bodyText(await client.nextJson())).toBe('1');
    await client.close();
    await running.app.close();
  });
});
