import { Injectable, Module } from '@nestjs/common';
import { MessageBody } from '@nestjs/websockets';
import { Type } from 'class-transformer';
import { IsArray, IsEnum, IsInt, IsOptional, IsString, ValidateNested } from 'class-validator';
import { Parser } from '@asyncapi/parser';
import { All, Broadcaster, BroadcasterModule, MessageHandler, newResponseMessage, Room, Self, type AsyncApiDocument, type RequestMessage } from '../src/index.js';
import { execFile } from 'node:child_process';
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { promisify } from 'node:util';
import { join } from 'node:path';
import { parse as parseYaml } from 'yaml';
import { toYaml } from '../src/index.js';
import { AppModule, SAMPLE_CONTRACT } from '../sample/app.module.js';
import { startApp, type RunningApp } from './support/app.js';

const SAY_SCHEMA = {
  type: 'object',
  required: ['room', 'text'],
  properties: {
    room: { type: 'string', minLength: 1, maxLength: 200 },
    text: { type: 'string' },
    tags: { type: 'array', items: { type: 'string', enum: ['news', 'chat'] } },
    reply: { type: 'object', properties: { to: { type: 'integer' } } },
  },
} as const;

enum Mood {
  Happy = 'happy',
  Sad = 'sad',
}

class Author {
  @IsString()
  name!: string;

  @IsOptional()
  @IsInt()
  age?: number;
}

/** A DTO with nested objects, arrays, enums and optional fields. */
class PostDto {
  @IsString()
  title!: string;

  @IsArray()
  @IsString({ each: true })
  tags!: string[];

  @IsEnum(Mood)
  mood!: Mood;

  @IsOptional()
  @IsString()
  subtitle?: string;

  @ValidateNested()
  @Type(() => Author)
  author!: Author;
}

/** Every decorator option: a bytes body, a JSON body with and without a schema, a DTO, declared casts, none. */
@Injectable()
class Documented {
  @MessageHandler(1, { summary: 'Echoes the body to everyone.', responds: [{ castType: All, summary: 'The same bytes.' }] })
  echo(msg: RequestMessage) {
    return newResponseMessage(All, msg.body);
  }

  @MessageHandler(7, {
    body: 'json',
    summary: 'Says something in a room.',
    description: 'The sender must be a member of the room.',
    schema: SAY_SCHEMA,
    responds: [{ castType: Room, rooms: ['lobby', 'news'], schema: { type: 'object', required: ['text'], properties: { text: { type: 'string' } } } }],
  })
  say(@MessageBody() body: { room: string; text: string }) {
    return newResponseMessage(Room, JSON.stringify({ text: body.text }), body.room);
  }

  @MessageHandler(8, { body: 'json' })
  free(@MessageBody() body: unknown) {
    return newResponseMessage(Self, JSON.stringify(body));
  }

  @MessageHandler(9)
  async quiet(): Promise<void> {}

  @MessageHandler(10, { body: 'json', summary: 'Posts; its body is a DTO.' })
  post(@MessageBody() post: PostDto) {
    return newResponseMessage(All, post.title);
  }
}

/** Parses `document` with @asyncapi/parser; returns what it found wrong (errors and warnings). */
async function problems(document: AsyncApiDocument) {
  const { document: parsed, diagnostics } = await new Parser().parse(JSON.stringify(document));
  // Severity 0 is an error, 1 a warning (2 and 3 are information and hints).
  return { parsed, wrong: diagnostics.filter((d) => d.severity <= 1).map((d) => `${d.code}: ${d.message} at ${d.path.join('.')}`) };
}

describe('the contract as an AsyncAPI 3.0 document (Broadcaster.asyncapi())', () => {
  let running: RunningApp;
  let document: AsyncApiDocument;

  beforeAll(async () => {
    @Module({ imports: [BroadcasterModule.forRoot({ path: '/chat' })], providers: [Documented] })
    class FixtureModule {}
    running = await startApp(FixtureModule, { path: '/chat' });
    document = running.app.get(Broadcaster).asyncapi({ title: 'Fixture', version: '2.1.0', host: 'chat.example.com' });
  });
  afterAll(() => running.app.close());

  it('is valid AsyncAPI 3.0: the parser finds no error and no warning', async () => {
    const { parsed, wrong } = await problems(document);
    expect(wrong).toEqual([]);
    expect(parsed?.version()).toBe('3.0.0');
    expect(parsed?.info().title()).toBe('Fixture');
    expect(parsed?.servers().get('ws')?.protocol()).toBe('ws');
    expect(parsed?.channels().get('endpoint')?.address()).toBe('/chat');
  });

  it('has an operation per handler: its request received, and as its reply the ack, the error and the casts it declares', async () => {
    const { parsed } = await problems(document);
    const operations = parsed!.operations();
    expect(operations.all().map((op) => op.id() ?? '').filter((id) => id.startsWith('handle'))).toEqual(['handle1', 'handle7', 'handle8', 'handle9', 'handle10']);
    const say = operations.get('handle7')!;
    expect([say.action(), say.summary(), say.description()]).toEqual(['receive', 'Says something in a room.', 'The sender must be a member of the room.']);
    expect(say.reply()!.messages().all().map((message) => message.id())).toEqual(['ack', 'error', 'response7_1']);
    expect(operations.get('handle9')!.reply()!.messages().all().map((message) => message.id())).toEqual(['ack', 'error']);
    // Requests and acks are paired by RequestID.
    const request = parsed!.components().messages().get('request7')!;
    expect(request.correlationId()?.location()).toBe('$message.payload#/RequestID');
    expect(request.payload()?.properties()?.HandlerID?.const()).toBe(7);
    expect(parsed!.components().messages().get('ack')!.correlationId()?.location()).toBe('$message.payload#/RequestID');
  });

  it('carries the body schemas given, as they were given, and describes bytes as base64', () => {
    const components = document.components as { schemas: Record<string, unknown>; messages: Record<string, { payload: { properties: Record<string, Record<string, unknown>> } }> };
    expect(components.schemas.Handler7Body).toEqual(SAY_SCHEMA);
    expect(components.schemas.Handler7Response1Body).toEqual({ type: 'object', required: ['text'], properties: { text: { type: 'string' } } });
    expect(components.messages.request1.payload.properties.Body).toMatchObject({ contentEncoding: 'base64' });
    expect(components.messages.request7.payload.properties.Body).toMatchObject({ contentEncoding: 'base64', contentMediaType: 'application/json' });
    expect(components.messages.response7_1.payload.properties.CastType).toMatchObject({ const: Room });
    expect(components.messages.response7_1.payload.properties.CastFor).toMatchObject({ type: 'array', items: { enum: ['lobby', 'news'] } });
    // The DTO's schema, made by class-validator-jsonschema, with the nested DTO as a component of its own.
    expect(components.schemas.Handler10Body).toEqual({ $ref: '#/components/schemas/PostDto' });
    expect(components.schemas.PostDto).toMatchObject({
      type: 'object',
      required: expect.arrayContaining(['title', 'tags', 'mood', 'author']),
      properties: { tags: { type: 'array', items: { type: 'string' } }, mood: { enum: ['happy', 'sad'] }, author: { $ref: '#/components/schemas/Author' } },
    });
    expect((components.schemas.PostDto as { required: string[] }).required).not.toContain('subtitle');
    expect(components.schemas.Author).toMatchObject({ type: 'object', required: ['name'] });
    // Every frame of the protocol has its schema.
    for (const frame of ['RequestFrame', 'RecoverFrame', 'ResponseFrame', 'JoinFrame', 'LeaveFrame', 'ErrorFrame', 'AckFrame', 'SessionFrame']) {
      expect(components.schemas[frame]).toBeDefined();
    }
  });
});

describe('client types from the same metadata (Broadcaster.clientTypes())', () => {
  const root = join(__dirname, '..');
  // Inside the package, so that the client imports the SDK by name, as an app's code does.
  const dir = join(root, '.client-types');

  it('compiles a client that keeps to the contract, and fails to compile one that does not', async () => {
    @Module({ imports: [BroadcasterModule.forRoot({})], providers: [Documented] })
    class FixtureModule {}
    const running = await startApp(FixtureModule);
    const source = running.app.get(Broadcaster).clientTypes('FixtureApi');
    await running.app.close();
    expect(source).toContain('export interface FixtureApi {');
    expect(source).toContain('/** Says something in a room. */');

    rmSync(dir, { recursive: true, force: true });
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, 'fixture-api.ts'), source);
    // Every line marked @ts-expect-error must fail to compile (tsc reports an unused directive otherwise).
    writeFileSync(
      join(dir, 'client.ts'),
      [
        "import { connect } from 'nestjs-message-broadcaster/client';",
        "import type { FixtureApi } from './fixture-api.js';",
        'export async function chat(url: string): Promise<string> {',
        '  const client = connect<FixtureApi>(url);',
        "  client.send(1, 'hello');",
        "  client.send(7, { json: { room: 'lobby', text: 'hi', tags: ['news'], reply: { to: 3 } } });",
        "  client.send(8, { json: { anything: ['goes'] } });",
        "  const replies = await client.request(7, { json: { room: 'lobby', text: 'hi' } });",
        '  // @ts-expect-error: handler 7 needs a room',
        "  client.send(7, { json: { text: 'hi' } });",
        '  // @ts-expect-error: a tag the schema does not list',
        "  client.send(7, { json: { room: 'r', text: 't', tags: ['sports'] } });",
        '  // @ts-expect-error: reply.to is a number',
        "  client.send(7, { json: { room: 'r', text: 't', reply: { to: 'three' } } });",
        "  client.send(10, { json: { title: 't', tags: ['a'], mood: 'happy', author: { name: 'ana', age: 3 } } });",
        '  // @ts-expect-error: a mood the enum does not have',
        "  client.send(10, { json: { title: 't', tags: [], mood: 'angry', author: { name: 'ana' } } });",
        '  // @ts-expect-error: the nested author needs a name',
        "  client.send(10, { json: { title: 't', tags: [], mood: 'sad', author: {} } });",
        '  // @ts-expect-error: no handler 2',
        "  client.send(2, 'x');",
        '  // @ts-expect-error: what 7 casts has no "author"',
        '  client.on(7, (response) => response.json().author);',
        '  return replies[0].json().text;',
        '}',
        '',
      ].join('\n'),
    );
    writeFileSync(
      join(dir, 'tsconfig.json'),
      JSON.stringify({ extends: '../tsconfig.json', compilerOptions: { noEmit: true, rootDir: '..', types: ['node'] }, include: ['*.ts'] }),
    );
    const tsc = require.resolve('typescript/bin/tsc');
    const result = await promisify(execFile)(process.execPath, [tsc, '-p', join(dir, 'tsconfig.json')], { cwd: root }).catch(
      (error: { stdout: string }) => ({ stdout: error.stdout }),
    );
    expect(result.stdout).toBe('');
  }, 120_000);
});

describe('the sample’s contract', () => {
  let running: RunningApp;
  let document: AsyncApiDocument;
  beforeAll(async () => {
    running = await startApp(AppModule.withEndpoint('/'));
    document = running.app.get(Broadcaster).asyncapi();
  });
  afterAll(() => running.app.close());

  it('is valid AsyncAPI 3.0 and documents every handler of the sample', async () => {
    const { parsed, wrong } = await problems(document);
    expect(wrong).toEqual([]);
    expect(parsed!.info().title()).toBe(SAMPLE_CONTRACT.title);
    const handled = parsed!
      .operations()
      .all()
      .filter((op) => (op.id() ?? '').startsWith('handle'));
    expect(handled.length).toBeGreaterThanOrEqual(8);
    for (const op of handled) expect([op.id(), op.summary()?.startsWith('Handles requests with HandlerID')]).toEqual([op.id(), false]);
  });

  it('is served at /asyncapi.json and /asyncapi.yaml, the same document both ways', async () => {
    const json = await fetch(`http://127.0.0.1:${running.port}/asyncapi.json`);
    expect([json.status, json.headers.get('content-type')]).toEqual([200, 'application/json; charset=utf-8']);
    expect(await json.json()).toEqual(document);
    const yaml = await fetch(`http://127.0.0.1:${running.port}/asyncapi.yaml`);
    expect(yaml.headers.get('content-type')).toBe('application/yaml; charset=utf-8');
    expect(parseYaml(await yaml.text())).toEqual(document);
  });

  it('matches the copies in docs/ (npm run asyncapi writes them again)', () => {
    const docs = join(__dirname, '..', 'docs');
    expect(readFileSync(join(docs, 'asyncapi.yaml'), 'utf8')).toBe(toYaml(document));
    expect(readFileSync(join(docs, 'chat-api.ts'), 'utf8')).toBe(running.app.get(Broadcaster).clientTypes('ChatApi'));
  });
});
