import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join, posix } from 'node:path';

const root = join(__dirname, '..');

/** Runs a consumer fixture with plain Node (no jest, no transpiler) against the built package. */
function consume(file: string) {
  const output = execFileSync(process.execPath, [join(__dirname, 'fixtures', file)], { cwd: root, encoding: 'utf8' });
  return JSON.parse(output.trim().split('\n').pop() as string) as {
    format: string;
    exports: string[];
    frames: Array<Record<string, unknown>>;
  };
}

describe('the built package (dist/cjs and dist/esm)', () => {
  beforeAll(() => {
    if (!existsSync(join(root, 'dist/cjs/index.js')) || !existsSync(join(root, 'dist/esm/index.js'))) {
      execFileSync(process.execPath, ['scripts/build.mjs'], { cwd: root, stdio: 'inherit' });
    }
  }, 60000);

  const coreExports = [
    'All',
    'BroadcasterCore',
    'BroadcasterException',
    'CastType',
    'CloseCode',
    'ErrorCode',
    'EventType',
    'Exclusive',
    'InMemoryBackplane',
    'InMemoryHub',
    'InvalidResponseError',
    'MAX_ROOM_NAME_LENGTH',
    'OnAddClient',
    'OnAway',
    'OnDelClient',
    'OnJoinRoom',
    'OnLeaveRoom',
    'OnResume',
    'Others',
    'OutgoingFrame',
    'Room',
    'RoomOthers',
    'Self',
    'WorkerBackplane',
    'isRoomName',
    'newResponseMessage',
    'relayWorkerBackplanes',
  ];
  const wsExports = ['BroadcasterSocket', 'WsTransport', 'resolveTransportSettings'];
  const expectedExports = [...coreExports, ...wsExports, 'Broadcaster', 'BroadcasterModule', 'MessageHandler', 'OnEvent', 'adminBasicAuth', 'toYaml'].sort();

  it.each<[string, string[], { nest: boolean; ws: boolean; ioredis: boolean }]>([
    ['nestjs-message-broadcaster', expectedExports, { nest: true, ws: true, ioredis: false }],
    ['nestjs-message-broadcaster/core', [...coreExports].sort(), { nest: false, ws: false, ioredis: false }],
    ['nestjs-message-broadcaster/ws', [...wsExports].sort(), { nest: false, ws: true, ioredis: false }],
    ['nestjs-message-broadcaster/redis', ['RedisBackplane'], { nest: false, ws: false, ioredis: true }],
    ['nestjs-message-broadcaster/client', ['BroadcastClient', 'BroadcastError', 'CastType', 'connect'], { nest: false, ws: false, ioredis: false }],
  ])('loads %s with only what it needs', (entry, exports, loads) => {
    const output = execFileSync(process.execPath, [join(__dirname, 'fixtures/entry-points.cjs'), entry], { cwd: root, encoding: 'utf8' });
    expect(JSON.parse(output)).toEqual({ exports, ...loads });
  });

  it.each(['consumer.cjs', 'consumer.mjs'])('runs a real app when loaded by %s', (file) => {
    const { exports, frames } = consume(file);
    expect(exports).toEqual(expectedExports);
    expect(frames[0]).toEqual({ EventType: 1, ClientID: expect.any(String) });
    expect(frames[1]).toEqual({
      SenderID: frames[0].ClientID,
      HandlerID: 1,
      CastType: 1,
      CastFor: null,
      Body: 'aGk=',
    });
  });

  it('ships the sources its source maps and declaration maps point at, and no tests', () => {
    const [pack] = JSON.parse(execFileSync('npm', ['pack', '--dry-run', '--json', '--ignore-scripts'], { cwd: root, encoding: 'utf8' })) as [
      { files: Array<{ path: string }> },
    ];
    const shipped = new Set(pack.files.map((file) => file.path));
    const maps = [...shipped].filter((path) => path.endsWith('.map'));
    expect(maps.length).toBeGreaterThan(20);
    for (const map of maps) {
      const { sources } = JSON.parse(readFileSync(join(root, map), 'utf8')) as { sources: string[] };
      for (const source of sources) expect(shipped).toContain(posix.normalize(posix.join(posix.dirname(map), source)));
    }
    expect([...shipped].filter((path) => path.includes('.spec.') || path.startsWith('test/'))).toEqual([]);
  });
});
