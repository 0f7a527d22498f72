import { Injectable, Module } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { WsAdapter } from '@nestjs/platform-ws';
import { freePort } from './support/free-port.js';
import {
  All,
  BroadcasterModule,
  MessageHandler,
  newResponseMessage,
  type BroadcasterModuleOptions,
  type BroadcasterOptionsFactory,
  type RequestMessage,
} from '../src/index.js';
import { appModule, startApp, type RunningApp } from './support/app.js';
import { bodyText, TestClient } from './support/ws-client.js';

@Injectable()
class Echo {
  @MessageHandler(1)
  echo(msg: RequestMessage) {
    return newResponseMessage(All, msg.body);
  }
}

@Injectable()
class Settings {
  readonly path = '/from-settings';
}

@Module({ providers: [Settings], exports: [Settings] })
class SettingsModule {}

@Injectable()
class OptionsFromClass implements BroadcasterOptionsFactory {
  constructor(private readonly settings: Settings) {}
  createBroadcasterOptions(): BroadcasterModuleOptions {
    return { path: this.settings.path, announceClients: false };
  }
}


async function roundTrip(url: string): Promise<void> {
  const { client } = await TestClient.join(url);
  client.request(1, 'ping');
  expect(bodyText(await client.nextJson())).toBe('ping');
  await client.close();
}

describe('BroadcasterModule options', () => {
  let running: RunningApp | undefined;
  afterEach(async () => {
    await running?.app.close();
    running = undefined;
  });

  it('serves on the path given to forRoot', async () => {
    running = await startApp(appModule([Echo], { path: '/chat' }), { path: '/chat' });
    await roundTrip(running.url);
  });

  it("spares each connection Nest's per-connection message routing (rxjs subscriptions it never uses)", async () => {
    const bindMessageHandlers = jest.spyOn(WsAdapter.prototype, 'bindMessageHandlers');
    const bindClientDisconnect = jest.spyOn(WsAdapter.prototype, 'bindClientDisconnect');
    try {
      for (const options of [{ path: '/' }, { port: await freePort() }]) {
        running = await startApp(appModule([Echo], options));
        const url = 'port' in options ? `ws://127.0.0.1:${options.port}/` : running.url;
        await roundTrip(url);
        await roundTrip(url);
        await running.app.close();
        running = undefined;
      }
      expect(bindMessageHandlers).not.toHaveBeenCalled();
      expect(bindClientDisconnect).not.toHaveBeenCalled();
    } finally {
      bindMessageHandlers.mockRestore();
      bindClientDisconnect.mockRestore();
    }
  });

  it('serves on a dedicated port when one is given', async () => {
    const port = await freePort();
    running = await startApp(appModule([Echo], { port, path: '/ws' }));
    await roundTrip(`ws://127.0.0.1:${port}/ws`);
    await expect(TestClient.connect(`ws://127.0.0.1:${running.port}/ws`)).rejects.toThrow();
  });

  it('takes its options from forRootAsync with useFactory, inject and imports', async () => {
    @Module({
      imports: [
        BroadcasterModule.forRootAsync({
          imports: [SettingsModule],
          inject: [Settings],
          useFactory: async (settings: Settings) => ({ path: settings.path }),
        }),
      ],
      providers: [Echo],
    })
    class AsyncApp {}
    running = await startApp(AsyncApp, { path: '/from-settings' });
    await roundTrip(running.url);
  });

  it('takes its options from forRootAsync with useClass', async () => {
    @Module({
      imports: [BroadcasterModule.forRootAsync({ imports: [SettingsModule], useClass: OptionsFromClass })],
      providers: [Echo],
    })
    class ClassApp {}
    running = await startApp(ClassApp, { path: '/from-settings' });
    const a = await TestClient.join(running.url);
    const b = await TestClient.join(running.url);
    // announceClients: false came from the class: nobody hears of anybody else.
    await b.client.close();
    expect(await a.client.drain()).toEqual([]);
    await a.client.close();
  });

  it('keeps client IDs private with announceClients: false, yet tells each joiner its own ID', async () => {
    running = await startApp(appModule([Echo], { announceClients: false }));
    const a = await TestClient.join(running.url);
    const b = await TestClient.join(running.url);
    expect(a.id).not.toBe(b.id);
    await b.client.close();
    a.client.request(1, 'x');
    const frame = await a.client.nextJson();
    expect(frame.SenderID).toBe(a.id);
    await a.client.close();
  });

  it('accepts a frame of exactly the default maxPayload (1 MiB) and closes with 1009 above it', async () => {
    running = await startApp(appModule([Echo]));
    const { client } = await TestClient.join(running.url);
    const prefix = '{"HandlerID":1,"Body":"';
    const fits = prefix + 'A'.repeat(1024 * 1024 - prefix.length - 4) + '==' + '"}';
    expect(Buffer.byteLength(fits)).toBe(1024 * 1024);
    client.send(fits);
    expect((await client.nextJson(10000)).HandlerID).toBe(1);
    client.send(fits + ' ');
    expect((await client.closed).code).toBe(1009);
  });

  it.each<[string, BroadcasterModuleOptions, RegExp]>([
    ['a core setting', { announceClients: 'yes' as never }, /"announceClients" must be a boolean/],
    ['a transport setting', { path: 'chat' }, /"path" must be a string starting with "\/"/],
    ['an endpoint setting', { port: 70000 }, /"port" must be an integer from 1 to 65535/],
    ['an unknown key', { maxClient: 5 } as never, /has no option "maxClient"/],
  ])('refuses a bad value of %s when the app is created (every value is checked in options-validation.spec)', async (_name, options, message) => {
    @Module({ imports: [BroadcasterModule.forRoot(options)] })
    class BadApp {}
    const creating = NestFactory.create(BadApp, { logger: false, abortOnError: false }).then((app) => {
      app.useWebSocketAdapter(new WsAdapter(app));
      return app.init();
    });
    await expect(creating).rejects.toThrow(message);
  });
});
