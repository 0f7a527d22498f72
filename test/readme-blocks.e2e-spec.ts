import { execFile, spawn } from 'node:child_process';
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { transformSync } from '@swc/core';
import { ensureBuilt } from './support/child-server.js';
import { freePort } from './support/free-port.js';
import { until } from './support/until.js';
import { bodyText, TestClient } from './support/ws-client.js';

const root = join(__dirname, '..');
// Inside the package, so that the blocks import it by name, as a user's code does.
const dir = join(root, '.readme-blocks');

/** Every TypeScript block of the README, with the line it starts on. */
function readmeBlocks(): Array<{ line: number; code: string }> {
  const lines = readFileSync(join(root, 'README.md'), 'utf8').split('\n');
  const blocks: Array<{ line: number; code: string }> = [];
  for (let i = 0; i < lines.length; i++) {
    if (lines[i] !== '```ts') continue;
    const end = lines.indexOf('```', i + 1);
    blocks.push({ line: i + 1, code: lines.slice(i + 1, end).join('\n') });
    i = end;
  }
  return blocks;
}

describe('the README\'s code blocks', () => {
  const blocks = readmeBlocks();
  beforeAll(() => {
    rmSync(dir, { recursive: true, force: true });
    mkdirSync(dir, { recursive: true });
    for (const { line, code } of blocks) writeFileSync(join(dir, `line-${line}.ts`), `${code}\n`);
  });

  it('are many, and each is a module of its own (imports what it uses)', () => {
    expect(blocks.length).toBeGreaterThanOrEqual(14);
    for (const { line, code } of blocks) expect([line, /^(import|export) /m.test(code)]).toEqual([line, true]);
  });

  it('type-check as written, each on its own, against the package\'s types', async () => {
    writeFileSync(
      join(dir, 'tsconfig.json'),
      JSON.stringify({
        extends: '../tsconfig.json',
        compilerOptions: { module: 'es2022', noUnusedLocals: false, noUnusedParameters: false, rootDir: '..', types: ['node'] },
        include: ['*.ts'],
      }),
    );
    const tsc = require.resolve('typescript/bin/tsc');
    const result = await promisify(execFile)(process.execPath, [tsc, '-p', join(dir, 'tsconfig.json')], { cwd: root }).catch(
      (error: { stdout: string }) => ({ stdout: error.stdout }),
    );
    expect(result.stdout).toBe('');
  }, 180_000);

  it('run: the Usage app serves clients, and its echo reaches everyone', async () => {
    ensureBuilt();
    const usage = blocks.find(({ code }) => code.includes('class ChatHandlers'));
    expect(usage).toBeDefined();
    const port = await freePort();
    // Compiled as a user's build would, to an ES module next to the blocks; only its port
    // is changed, to one that is free here.
    const { code } = transformSync((usage?.code ?? '').replace('app.listen(9218)', `app.listen(${port})`), {
      jsc: { parser: { syntax: 'typescript', decorators: true }, transform: { legacyDecorator: true, decoratorMetadata: true }, target: 'es2022' },
      module: { type: 'es6' },
    });
    const file = join(dir, 'usage.mjs');
    writeFileSync(file, code);
    const server = spawn(process.execPath, [file], { cwd: root, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    server.stdout.on('data', (data) => (output += String(data)));
    server.stderr.on('data', (data) => (output += String(data)));
    try {
      let ana: TestClient | undefined;
      await until(async () => {
        ana = await TestClient.connect(`ws://127.0.0.1:${port}/`).catch(() => undefined);
        return ana !== undefined;
      }, `the Usage app to listen (it said: ${output})`, 60_000);
      const first = await (ana as TestClient).nextJson();
      expect(first).toMatchObject({ EventType: 1 });
      expect(bodyText(await (ana as TestClient).nextJson())).toBe(`welcome ${String(first.ClientID)}`);
      const ben = await TestClient.join(`ws://127.0.0.1:${port}/`);
      await ben.client.nextJson();
      (ana as TestClient).request(1, 'hello');
      for (const client of [ana as TestClient, ben.client]) {
        expect(bodyText(await client.nextReply(1))).toBe('hello');
      }
      for (const client of [ana as TestClient, ben.client]) await client.close();
    } finally {
      server.kill();
    }
  }, 90_000);

  afterAll(() => {
    rmSync(dir, { recursive: true, force: true });
  });
});

