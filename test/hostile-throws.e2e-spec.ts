import { Catch, Injectable, UseFilters, UseGuards, UseInterceptors, type CanActivate, type ExceptionFilter, type NestInterceptor } from '@nestjs/common';
import { interval, map, Observable, tap } from 'rxjs';
import { MessageHandler, Self, newResponseMessage } from '../src/index.js';
import { appModule, CapturingLogger, startApp, type RunningApp } from './support/app.js';
import { bodyText, TestClient } from './support/ws-client.js';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const bare = () => Object.create(null) as Error;

class BareThrowingGuard implements CanActivate {
  canActivate(): boolean {
    throw bare();
  }
}

@Catch()
class BareThrowingFilter implements ExceptionFilter {
  catch(): void {
    throw bare();
  }
}

/** Counts the live subscriptions of the streams below. */
const live = { handler: 0, interceptor: 0 };

class EndlessInterceptor implements NestInterceptor {
  intercept(): Observable<unknown> {
    return interval(5).pipe(map(() => newResponseMessage(Self, 'tick')), counted('interceptor'));
  }
}

function counted<T>(key: keyof typeof live) {
  return (source: Observable<T>) =>
    new Observable<T>((subscriber) => {
      live[key] += 1;
      const subscription = source.pipe(tap(() => undefined)).subscribe(subscriber);
      return () => {
        live[key] -= 1;
        subscription.unsubscribe();
      };
    });
}

@Injectable()
class HostileHandlers {
  @MessageHandler(1)
  plain(): never {
    throw bare();
  }

  @MessageHandler(2)
  async asynchronous(): Promise<never> {
    await sleep(1);
    throw bare();
  }

  @MessageHandler(3)
  @UseGuards(BareThrowingGuard)
  guarded(): string {
    return 'never reached';
  }

  @MessageHandler(4)
  @UseFilters(BareThrowingFilter)
  filtered(): never {
    throw new Error('caught by a filter that throws');
  }

  @MessageHandler(5)
  endless(): Observable<unknown> {
    return interval(5).pipe(map(() => newResponseMessage(Self, 'tick')), counted('handler'));
  }

  @MessageHandler(6)
  @UseInterceptors(EndlessInterceptor)
  intercepted(): string {
    return 'replaced by the interceptor';
  }

  @MessageHandler(9)
  alive() {
    return newResponseMessage(Self, 'alive');
  }
}

describe('hostile throws and endless streams (real Nest app)', () => {
  let running: RunningApp;
  const logger = new CapturingLogger();
  beforeAll(async () => {
    running = await startApp(appModule([HostileHandlers], { handlerTimeout: 150 }), { logger });
  });
  afterAll(async () => {
    await running.app.close();
  });

  it.each([
    [1, 'a handler without enhancers'],
    [2, 'an async handler'],
    [3, 'a guard'],
    [4, 'an exception filter'],
  ])('answers handler %i (%s) throwing an object with no prototype with handler_error, logs it, and serves on', async (handlerId) => {
    const { client, id } = await TestClient.join(running.url);
    client.send({ HandlerID: handlerId, Body: null, RequestID: 'r1' });
    client.request(9);
    expect(await client.nextJson()).toEqual({
      EventType: 3,
      ClientID: id,
      HandlerID: handlerId,
      Code: 'handler_error',
      Error: 'internal error',
      RequestID: 'r1',
    });
    expect(bodyText(await client.nextJson())).toBe('alive');
    expect(logger.lines.some((line) => line.level === 'error' && line.text.includes(`failed for client ${id}`))).toBe(true);
    await client.close();
  });

  it.each([
    [5, 'handler'],
    [6, 'interceptor'],
  ] as const)('unsubscribes a stream that never completes (handler %i, from the %s) at the deadline', async (handlerId, key) => {
    const { client } = await TestClient.join(running.url);
    client.request(handlerId);
    await sleep(50);
    expect(live[key]).toBe(1);
    expect(await client.nextJson(1000)).toMatchObject({ Code: 'handler_timeout' });
    await sleep(20);
    expect(live[key]).toBe(0);
    await client.close();
  });

  it('unsubscribes a stream that never completes when its client leaves', async () => {
    const { client } = await TestClient.join(running.url);
    client.request(5);
    client.request(6);
    await sleep(50);
    expect(live).toEqual({ handler: 1, interceptor: 1 });
    await client.close();
    await sleep(50);
    expect(live).toEqual({ handler: 0, interceptor: 0 });
  });
});
