import {
  BadRequestException,
  Catch,
  createParamDecorator,
  ForbiddenException,
  HttpException,
  Injectable,
  InternalServerErrorException,
  NotFoundException,
  ParseIntPipe,
  SetMetadata,
  UnauthorizedException,
  UseFilters,
  UseGuards,
  UseInterceptors,
  UsePipes,
  ValidationPipe,
  type ArgumentsHost,
  type CallHandler,
  type CanActivate,
  type ExceptionFilter,
  type ExecutionContext,
  type NestInterceptor,
  type PipeTransform,
} from '@nestjs/common';
import { APP_FILTER, APP_GUARD, APP_INTERCEPTOR, APP_PIPE, Reflector } from '@nestjs/core';
import { ConnectedSocket, MessageBody, WsException } from '@nestjs/websockets';
import { IsInt, IsString, Max, MinLength } from 'class-validator';
import { catchError, delay, from, map, of, tap, throwError, type Observable } from 'rxjs';
import {
  BroadcasterException,
  MessageHandler,
  OnAddClient,
  OnEvent,
  Self,
  newResponseMessage,
  type HandlerContext,
  type RequestMessage,
} from '../src/index.js';
import { appModule, CapturingLogger, startApp, type RunningApp } from './support/app.js';
import { bodyText, TestClient } from './support/ws-client.js';
import { setTimeout as sleep } from 'node:timers/promises';

const reply = (text: string) => newResponseMessage(Self, text);

const authenticate = (request: { url?: string }) => {
  const user = new URL(request.url ?? '/', 'http://localhost').searchParams.get('user') ?? 'guest';
  return { user, roles: user === 'admin' ? ['admin'] : [] };
};

// ----- enhancers used below -----

const Roles = (...roles: string[]) => SetMetadata('roles', roles);

@Injectable()
class RolesGuard implements CanActivate {
  constructor(private readonly reflector: Reflector) {}
  canActivate(context: ExecutionContext): boolean {
    const roles = this.reflector.getAllAndOverride<string[] | undefined>('roles', [context.getHandler(), context.getClass()]);
    if (roles === undefined) return true;
    const client = context.switchToWs().getClient<HandlerContext>();
    const principal = client.principal as { roles: string[] };
    return roles.some((role) => principal.roles.includes(role));
  }
}

/** Records what a guard sees of the `'ws'` context. */
class ContextRecorder implements CanActivate {
  static seen: Array<Record<string, unknown>> = [];
  canActivate(context: ExecutionContext): boolean {
    const ws = context.switchToWs();
    ContextRecorder.seen.push({
      type: context.getType(),
      client: ws.getClient<HandlerContext>(),
      data: ws.getData<unknown>(),
      handler: context.getHandler(),
      class: context.getClass(),
    });
    return true;
  }
}

class SlowGuard implements CanActivate {
  async canActivate(): Promise<boolean> {
    await sleep(120);
    return true;
  }
}

class DenyAll implements CanActivate {
  canActivate(): boolean {
    return false;
  }
}

class ThrowsUnauthorized implements CanActivate {
  canActivate(): boolean {
    throw new UnauthorizedException('sign in first');
  }
}

class UpperCaseBody implements NestInterceptor {
  intercept(_context: ExecutionContext, next: CallHandler): Observable<unknown> {
    return next.handle().pipe(
      map((response: { body: Buffer }) => reply(Buffer.from(response.body).toString('utf8').toUpperCase())),
    );
  }
}

class Cached implements NestInterceptor {
  static handlerRan = 0;
  intercept(): Observable<unknown> {
    return of(reply('from the cache'));
  }
}

class Timing implements NestInterceptor {
  static timings: number[] = [];
  intercept(_context: ExecutionContext, next: CallHandler): Observable<unknown> {
    const started = Date.now();
    return next.handle().pipe(tap(() => Timing.timings.push(Date.now() - started)));
  }
}

class Recover implements NestInterceptor {
  intercept(_context: ExecutionContext, next: CallHandler): Observable<unknown> {
    return next.handle().pipe(catchError((error: Error) => of(reply(`recovered from ${error.message}`))));
  }
}

class TagPipe implements PipeTransform {
  transform(value: unknown): unknown {
    return typeof value === 'object' && value !== null ? { ...value, tagged: true } : value;
  }
}

@Catch(NotFoundException)
class NotFoundAnswers implements ExceptionFilter {
  catch(exception: NotFoundException, host: ArgumentsHost) {
    const client = host.switchToWs().getClient<HandlerContext>();
    return reply(`${host.getType()}: no such thing for ${client.clientId} (${exception.message})`);
  }
}

@Catch()
class SwallowEverything implements ExceptionFilter {
  static caught: unknown[] = [];
  catch(exception: unknown): void {
    SwallowEverything.caught.push(exception);
  }
}

const Principal = createParamDecorator((field: string, context: ExecutionContext) => {
  const principal = context.switchToWs().getClient<HandlerContext>().principal as Record<string, unknown>;
  return principal[field];
});

class CreateMessageDto {
  @IsString()
  @MinLength(1)
  text!: string;

  @IsInt()
  @Max(10)
  priority!: number;
}

// ----- handlers -----

@Injectable()
class GuardedHandlers {
  static ran: string[] = [];

  @MessageHandler(1)
  @UseGuards(DenyAll)
  denied() {
    GuardedHandlers.ran.push('denied');
    return reply('should not be sent');
  }

  @MessageHandler(2)
  @UseGuards(RolesGuard)
  @Roles('admin')
  adminOnly(msg: RequestMessage, ctx: HandlerContext) {
    GuardedHandlers.ran.push('adminOnly');
    return reply(`admin ${ctx.clientId} said ${msg.body.toString()}`);
  }

  @MessageHandler(3)
  @UseGuards(ContextRecorder)
  recorded(msg: RequestMessage) {
    return reply(`recorded ${msg.handlerId}`);
  }

  @MessageHandler(4, { body: 'json' })
  @UseGuards(ContextRecorder)
  recordedJson() {
    return reply('recorded json');
  }

  @MessageHandler(5)
  @UseGuards(SlowGuard)
  slow() {
    return reply('slow one');
  }

  @MessageHandler(6)
  fast() {
    return reply('fast one');
  }

  @MessageHandler(7)
  @UseGuards(ThrowsUnauthorized)
  unauthorized() {
    return reply('should not be sent');
  }
}

@Injectable()
@UseGuards(RolesGuard)
@Roles('admin')
class AdminArea {
  @MessageHandler(10)
  secret() {
    return reply('the secret');
  }

  @MessageHandler(11)
  @Roles('auditor')
  closedToAll() {
    return reply('nobody gets here');
  }
}

@Injectable()
class PipedHandlers {
  @MessageHandler(20, { body: 'json' })
  @UsePipes(new ValidationPipe({ whitelist: true, transform: true }))
  create(@MessageBody() dto: CreateMessageDto, @ConnectedSocket() client: HandlerContext) {
    const isDto = dto instanceof CreateMessageDto;
    return reply(`${client.clientId}|${isDto}|${JSON.stringify(dto)}`);
  }

  @MessageHandler(21, { body: 'json' })
  field(@MessageBody('count', ParseIntPipe) count: number, @Principal('user') user: string) {
    return reply(`${user} wants ${count + 1}`);
  }

  @MessageHandler(22)
  bytes(@MessageBody() body: Buffer) {
    return reply(`got ${Buffer.isBuffer(body)} ${body.length}`);
  }

  @MessageHandler(23, { body: 'json' })
  @UsePipes(TagPipe)
  tagged(@MessageBody() body: Record<string, unknown>) {
    return reply(JSON.stringify(body));
  }

  @MessageHandler(24, { body: 'json' })
  plainJson(msg: RequestMessage) {
    return reply(`raw ${Buffer.isBuffer(msg.body)} ${msg.body.toString()}`);
  }
}

@Injectable()
@UseInterceptors(Timing)
class IntercepedHandlers {
  @MessageHandler(30)
  @UseInterceptors(UpperCaseBody)
  shout(msg: RequestMessage) {
    return reply(`quiet ${msg.body.toString()}`);
  }

  @MessageHandler(31)
  @UseInterceptors(Cached)
  expensive() {
    Cached.handlerRan += 1;
    return reply('computed');
  }

  @MessageHandler(32)
  @UseInterceptors(Recover)
  fails(): never {
    throw new Error('a broken disk');
  }

  @MessageHandler(33)
  stream() {
    return from(['one', 'two', 'three']).pipe(
      delay(20),
      map((text) => reply(text)),
    );
  }

  @MessageHandler(34)
  @UseInterceptors(UpperCaseBody)
  mappedStream() {
    return from([reply('a'), reply('b')]);
  }

  @MessageHandler(35)
  brokenStream() {
    return from([1, 2, 3]).pipe(
      map((n) => {
        if (n === 3) throw new Error('the stream broke');
        return reply(`part ${n}`);
      }),
    );
  }

  @MessageHandler(36)
  lists() {
    return from([[reply('x'), reply('y')], undefined, reply('z')]);
  }
}

@Injectable()
class FailingHandlers {
  @MessageHandler(40)
  @UseFilters(NotFoundAnswers)
  missing(): never {
    throw new NotFoundException('no record 7');
  }

  @MessageHandler(41)
  @UseFilters(SwallowEverything)
  swallowed(): never {
    throw new Error('swallowed by its filter');
  }

  @MessageHandler(42)
  wsException(): never {
    throw new WsException('the room is full');
  }

  @MessageHandler(43)
  notFound(): never {
    throw new NotFoundException('no such room');
  }

  @MessageHandler(44)
  serverError(): never {
    throw new InternalServerErrorException('database password is hunter2');
  }

  @MessageHandler(45)
  async forbidden(): Promise<never> {
    await sleep(5);
    throw new ForbiddenException('not your room');
  }

  @MessageHandler(46)
  badRequest(): never {
    throw new BadRequestException(['first problem', 'second problem']);
  }

  @MessageHandler(47)
  teapot(): never {
    throw new HttpException({ message: 'short and stout' }, 418);
  }

  @MessageHandler(48)
  broadcasterException(): never {
    throw new BroadcasterException('plain refusal');
  }

  @MessageHandler(49)
  @UseFilters(NotFoundAnswers)
  notCaughtByItsFilter(): never {
    throw new BadRequestException('not the filter’s kind');
  }
}

@Injectable()
class EventGuarded {
  static events: Array<{ type: string; data: unknown }> = [];

  @OnEvent(OnAddClient)
  @UseGuards(ContextRecorder)
  joined() {
    EventGuarded.events.push({ type: 'join', data: ContextRecorder.seen.at(-1)?.data });
    return reply('welcome');
  }
}

// ----- helpers -----

async function connect(running: RunningApp, user = 'guest') {
  return TestClient.join(`${running.url}?user=${user}`);
}

async function ask(client: TestClient, handlerId: number, body?: string) {
  client.request(handlerId, body);
  return client.nextJson();
}

describe('Nest enhancers on broadcaster handlers', () => {
  let running: RunningApp;
  const logger = new CapturingLogger();

  beforeAll(async () => {
    running = await startApp(
      appModule([GuardedHandlers, AdminArea, PipedHandlers, IntercepedHandlers, FailingHandlers], { authenticate }),
      { logger },
    );
  });
  afterAll(() => running.app.close());

  describe('guards', () => {
    it('refuses with forbidden when a method guard says no, and the handler never runs', async () => {
      const { client, id } = await connect(running);
      expect(await ask(client, 1)).toMatchObject({
        ClientID: id,
        HandlerID: 1,
        EventType: 3,
        Code: 'forbidden',
        Error: 'Forbidden resource',
      });
      expect(GuardedHandlers.ran).not.toContain('denied');
      await client.close();
    });

    it('reads Reflector metadata and the principal through the ws context', async () => {
      const guest = await connect(running, 'guest');
      expect(await ask(guest.client, 2, 'hi')).toMatchObject({ Code: 'forbidden' });
      const admin = await connect(running, 'admin');
      expect(bodyText(await ask(admin.client, 2, 'hi'))).toBe(`admin ${admin.id} said hi`);
      expect(GuardedHandlers.ran.filter((name) => name === 'adminOnly')).toHaveLength(1);
      await guest.client.close();
      await admin.client.close();
    });

    it('applies class-level guards, with method metadata overriding the class', async () => {
      const guest = await connect(running, 'guest');
      expect(await ask(guest.client, 10)).toMatchObject({ Code: 'forbidden', HandlerID: 10 });
      const admin = await connect(running, 'admin');
      expect(bodyText(await ask(admin.client, 10))).toBe('the secret');
      expect(await ask(admin.client, 11)).toMatchObject({ Code: 'forbidden', HandlerID: 11 });
      await guest.client.close();
      await admin.client.close();
    });

    it("gives guards a 'ws' context: the client's HandlerContext, the body as the handler gets it, the method and class", async () => {
      ContextRecorder.seen = [];
      const { client, id } = await connect(running, 'admin');
      expect(bodyText(await ask(client, 3, 'raw bytes'))).toBe('recorded 3');
      expect(bodyText(await ask(client, 4, '{"a":[1,2]}'))).toBe('recorded json');
      const [bytesCall, jsonCall] = ContextRecorder.seen;
      expect(bytesCall.type).toBe('ws');
      expect(bytesCall.client).toMatchObject({ clientId: id, principal: { user: 'admin', roles: ['admin'] } });
      expect((bytesCall.client as HandlerContext).request?.url).toBe('/?user=admin');
      expect(Buffer.isBuffer(bytesCall.data)).toBe(true);
      expect(String(bytesCall.data)).toBe('raw bytes');
      // Without parameter decorators the handler is a stand-in carrying the method's name and metadata.
      expect((bytesCall.handler as () => void).name).toBe('recorded');
      expect(Reflect.getMetadata('__guards__', bytesCall.handler as object)).toEqual([ContextRecorder]);
      expect(bytesCall.class).toBe(GuardedHandlers);
      expect(jsonCall.data).toEqual({ a: [1, 2] });
      expect((jsonCall.handler as () => void).name).toBe('recordedJson');
      await client.close();
    });

    it('keeps the client’s order when a guard is slow: a later fast request waits its turn', async () => {
      const { client } = await connect(running);
      client.request(5);
      client.request(6);
      client.request(5);
      const texts = [];
      for (let i = 0; i < 3; i += 1) texts.push(bodyText(await client.nextJson()));
      expect(texts).toEqual(['slow one', 'fast one', 'slow one']);
      await client.close();
    });

    it('maps a 401 thrown by a guard to forbidden with its message', async () => {
      const { client } = await connect(running);
      expect(await ask(client, 7)).toMatchObject({ Code: 'forbidden', Error: 'sign in first' });
      await client.close();
    });

    it('echoes the RequestID on a guard’s refusal, and sends no ack', async () => {
      const { client } = await connect(running);
      client.send({ HandlerID: 1, Body: null, RequestID: 'r-1' });
      expect(await client.nextJson()).toMatchObject({ Code: 'forbidden', RequestID: 'r-1' });
      expect(await client.drain(100)).toEqual([]);
      await client.close();
    });
  });

  describe('pipes and parameter decorators', () => {
    it('validates a JSON body into a DTO (whitelist, transform) and passes the client', async () => {
      const { client, id } = await connect(running);
      const answer = await ask(client, 20, JSON.stringify({ text: 'hello', priority: 3, extra: 'dropped' }));
      expect(bodyText(answer)).toBe(`${id}|true|{"text":"hello","priority":3}`);
      await client.close();
    });

    it('refuses an invalid DTO with bad_request listing every message', async () => {
      const { client } = await connect(running);
      const answer = await ask(client, 20, JSON.stringify({ text: '', priority: 99 }));
      expect(answer).toMatchObject({ EventType: 3, HandlerID: 20, Code: 'bad_request' });
      expect(answer.Error).toBe('text must be longer than or equal to 1 characters; priority must not be greater than 10');
      await client.close();
    });

    it('refuses a body that is not JSON with invalid_body, before any pipe runs', async () => {
      const { client } = await connect(running);
      expect(await ask(client, 20, '{not json')).toMatchObject({ Code: 'invalid_body', Error: 'the body is not valid JSON' });
      client.send({ HandlerID: 20, Body: Buffer.from([0xff, 0xfe]).toString('base64') });
      expect(await client.nextJson()).toMatchObject({ Code: 'invalid_body', Error: 'the body is not valid UTF-8' });
      client.send({ HandlerID: 20, Body: null });
      expect(await client.nextJson()).toMatchObject({ Code: 'invalid_body', Error: 'the body is missing: this handler takes JSON' });
      await client.close();
    });

    it('supports @MessageBody(field, pipe) and custom parameter decorators', async () => {
      const { client } = await connect(running, 'ana');
      expect(bodyText(await ask(client, 21, '{"count":"41"}'))).toBe('ana wants 42');
      expect(await ask(client, 21, '{"count":"many"}')).toMatchObject({
        Code: 'bad_request',
        Error: 'Validation failed (numeric string is expected)',
      });
      await client.close();
    });

    it('gives @MessageBody() the bytes by default, and applies method pipes to JSON bodies', async () => {
      const { client } = await connect(running);
      expect(bodyText(await ask(client, 22, 'four'))).toBe('got true 4');
      expect(bodyText(await ask(client, 23, '{"n":1}'))).toBe('{"n":1,"tagged":true}');
      expect(bodyText(await ask(client, 24, '{"n":1}'))).toBe('raw true {"n":1}');
      await client.close();
    });
  });

  describe('interceptors and Observables', () => {
    it('lets an interceptor map the result, and class interceptors time the call', async () => {
      Timing.timings = [];
      const { client } = await connect(running);
      expect(bodyText(await ask(client, 30, 'voice'))).toBe('QUIET VOICE');
      expect(Timing.timings).toHaveLength(1);
      await client.close();
    });

    it('lets an interceptor short-circuit the handler', async () => {
      const { client } = await connect(running);
      expect(bodyText(await ask(client, 31))).toBe('from the cache');
      expect(Cached.handlerRan).toBe(0);
      await client.close();
    });

    it('lets an interceptor turn an error into a response', async () => {
      const { client } = await connect(running);
      expect(bodyText(await ask(client, 32))).toBe('recovered from a broken disk');
      await client.close();
    });

    it('casts every value an Observable emits, in order, before the next reply', async () => {
      const { client } = await connect(running);
      client.request(33);
      client.request(6);
      const texts = [];
      for (let i = 0; i < 4; i += 1) texts.push(bodyText(await client.nextJson()));
      expect(texts).toEqual(['one', 'two', 'three', 'fast one']);
      await client.close();
    });

    it('maps each emitted value through interceptors, and flattens lists and skips empty values', async () => {
      const { client } = await connect(running);
      client.request(34);
      expect([bodyText(await client.nextJson()), bodyText(await client.nextJson())]).toEqual(['A', 'B']);
      client.request(36);
      const texts = [];
      for (let i = 0; i < 3; i += 1) texts.push(bodyText(await client.nextJson()));
      expect(texts).toEqual(['x', 'y', 'z']);
      await client.close();
    });

    it('casts nothing from a stream that fails half-way: only the error frame', async () => {
      const { client } = await connect(running);
      expect(await ask(client, 35)).toMatchObject({ Code: 'handler_error', Error: 'internal error' });
      expect(await client.drain(100)).toEqual([]);
      await client.close();
    });
  });

  describe('exception filters and error codes', () => {
    it("casts what a filter returns; the filter gets a 'ws' host", async () => {
      const { client, id } = await connect(running);
      expect(bodyText(await ask(client, 40))).toBe(`ws: no such thing for ${id} (no record 7)`);
      await client.close();
    });

    it('sends nothing at all when a filter catches and returns nothing', async () => {
      SwallowEverything.caught = [];
      const { client } = await connect(running);
      client.send({ HandlerID: 41, Body: null, RequestID: 9 });
      expect(await client.nextJson()).toMatchObject({ EventType: 4, RequestID: 9 });
      expect(await client.drain(100)).toEqual([]);
      expect(SwallowEverything.caught).toHaveLength(1);
      await client.close();
    });

    it('maps exceptions a filter does not catch to the protocol’s codes', async () => {
      const { client } = await connect(running);
      expect(await ask(client, 49)).toMatchObject({ Code: 'bad_request', Error: 'not the filter’s kind' });
      expect(await ask(client, 42)).toMatchObject({ Code: 'handler_error', Error: 'the room is full' });
      expect(await ask(client, 43)).toMatchObject({ Code: 'handler_error', Error: 'no such room' });
      expect(await ask(client, 44)).toMatchObject({ Code: 'handler_error', Error: 'internal error' });
      expect(await ask(client, 45)).toMatchObject({ Code: 'forbidden', Error: 'not your room' });
      expect(await ask(client, 46)).toMatchObject({ Code: 'bad_request', Error: 'first problem; second problem' });
      expect(await ask(client, 47)).toMatchObject({ Code: 'handler_error', Error: 'short and stout' });
      expect(await ask(client, 48)).toMatchObject({ Code: 'handler_error', Error: 'plain refusal' });
      expect(logger.text('error')).toContain('database password is hunter2');
      await client.close();
    });
  });
});

describe('global enhancers', () => {
  @Injectable()
  class Plain {
    static ran = 0;
    @MessageHandler(1)
    open(msg: RequestMessage) {
      Plain.ran += 1;
      return reply(`open ${msg.body.toString()}`);
    }

    @MessageHandler(2)
    missing(): never {
      throw new NotFoundException('gone');
    }
  }

  class BlockSecret implements CanActivate {
    canActivate(context: ExecutionContext): boolean {
      return String(context.switchToWs().getData()) !== 'secret';
    }
  }

  class Exclaim implements NestInterceptor {
    intercept(_context: ExecutionContext, next: CallHandler): Observable<unknown> {
      return next.handle().pipe(map((response: { body: Buffer }) => reply(`${Buffer.from(response.body).toString()}!`)));
    }
  }

  it('applies guards, interceptors and filters given with app.useGlobal*()', async () => {
    const running = await startApp(appModule([Plain]), {
      configure: (app) => {
        app.useGlobalGuards(new BlockSecret());
        app.useGlobalInterceptors(new Exclaim());
        app.useGlobalFilters(new NotFoundAnswers());
      },
    });
    const { client, id } = await TestClient.join(running.url);
    expect(bodyText(await ask(client, 1, 'door'))).toBe('open door!');
    expect(await ask(client, 1, 'secret')).toMatchObject({ Code: 'forbidden' });
    expect(bodyText(await ask(client, 2))).toBe(`ws: no such thing for ${id} (gone)`);
    await client.close();
    await running.app.close();
  });

  it('applies APP_GUARD, APP_PIPE, APP_INTERCEPTOR and APP_FILTER providers', async () => {
    @Injectable()
    class Typed {
      @MessageHandler(3, { body: 'json' })
      typed(@MessageBody() dto: CreateMessageDto) {
        return reply(`${dto.text} at ${dto.priority}`);
      }
    }
    const running = await startApp(
      appModule([
        Plain,
        Typed,
        { provide: APP_GUARD, useClass: BlockSecret },
        { provide: APP_PIPE, useValue: new ValidationPipe({ transform: true }) },
        { provide: APP_INTERCEPTOR, useClass: Exclaim },
        { provide: APP_FILTER, useClass: NotFoundAnswers },
      ]),
    );
    const { client, id } = await TestClient.join(running.url);
    const ranBefore = Plain.ran;
    expect(await ask(client, 1, 'secret')).toMatchObject({ Code: 'forbidden' });
    expect(Plain.ran).toBe(ranBefore);
    expect(bodyText(await ask(client, 1, 'door'))).toBe('open door!');
    expect(bodyText(await ask(client, 2))).toBe(`ws: no such thing for ${id} (gone)`);
    expect(bodyText(await ask(client, 3, '{"text":"hi","priority":2}'))).toBe('hi at 2!');
    expect(await ask(client, 3, '{"text":"hi","priority":"high"}')).toMatchObject({ Code: 'bad_request' });
    await client.close();
    await running.app.close();
  });
});

describe('enhancers on event handlers', () => {
  it('runs guards on OnAddClient handlers, with the event as the data', async () => {
    ContextRecorder.seen = [];
    EventGuarded.events = [];
    const running = await startApp(appModule([EventGuarded]));
    const { client, id } = await TestClient.join(running.url);
    expect(bodyText(await client.nextJson())).toBe('welcome');
    expect(EventGuarded.events).toEqual([{ type: 'join', data: { eventType: OnAddClient, clientId: id } }]);
    expect(ContextRecorder.seen[0].type).toBe('ws');
    await client.close();
    await running.app.close();
  });
});

describe('handlers that throw Nest exceptions without any enhancer', () => {
  @Injectable()
  class Bare {
    @MessageHandler(1)
    sync(): never {
      throw new ForbiddenException('no entry');
    }

    @MessageHandler(2)
    async later(): Promise<never> {
      await sleep(1);
      throw new BadRequestException('bad later');
    }

    @MessageHandler(3)
    stream() {
      return throwError(() => new UnauthorizedException('stream says no'));
    }
  }

  it('maps them to the same codes as in a pipeline', async () => {
    const running = await startApp(appModule([Bare]));
    const { client } = await TestClient.join(running.url);
    expect(await ask(client, 1)).toMatchObject({ Code: 'forbidden', Error: 'no entry' });
    expect(await ask(client, 2)).toMatchObject({ Code: 'bad_request', Error: 'bad later' });
    expect(await ask(client, 3)).toMatchObject({ Code: 'forbidden', Error: 'stream says no' });
    await client.close();
    await running.app.close();
  });
});
