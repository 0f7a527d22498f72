import { Catch, Injectable, UseFilters, UseGuards, UseInterceptors, type CanActivate, type ExceptionFilter, type NestInterceptor } from '@nestjs/common';
import { interval, map, Observable, tap } from 'rxjs';
import { MessageHandler, Self, newResponseMessage } from '../src/index.js';
import { appModule, CapturingLogger, startApp, type RunningApp } from './support/app.js';
import { until } from './support/until.js';
import { bodyText, TestClient } from './support/ws-client.js';
import { setTimeout as sleep } from 'node:timers/promises';

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
    // Long enough for a loaded machine to see the stream run before its deadline.
    running = await startApp(appModule([HostileHandlers], { handlerTimeout: 1000 }), { logger });
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
    await until(() => live[key] === 1, 'the stream to run');
    expect(await client.nextJson(5000)).toMatchObject({ Code: 'handler_timeout' });
    await until(() => live[key] === 0, 'the stream to be unsubscribed');
    await client.close();
  });

  it('unsubscribes a stream that never completes when its client leaves (no deadline at all here)', async () => {
    const untimed = await startApp(appModule([HostileHandlers], { handlerTimeout: 0 }));
    try {
      const { client } = await TestClient.join(untimed.url);
      client.request(5);
      client.request(6);
      await until(() => live.handler === 1 && live.interceptor === 1, 'both streams to run');
      await client.close();
      await until(() => live.handler === 0 && live.interceptor === 0, 'both streams to be unsubscribed');
    } finally {
      await untimed.app.close();
    }
  });
});
