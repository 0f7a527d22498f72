import { execFileSync } from 'node:child_process';

import { PrivateRedis } from '../../support/private-redis.js';

export { PrivateRedis };

const INSTALL_HINT = 'install it with `apt-get install redis-server`, or set REDIS_URL to a Redis to use';

/** Where the cluster tests find Redis: a private `redis-server`, or REDIS_URL. */
export type RedisForTests =
  | { kind: 'private'; binary: string }
  | { kind: 'external'; url: string }
  | { kind: 'none'; why: string };

/**
 * Decides once how the cluster tests get a Redis. Without one they are skipped, loudly;
 * under `CI=true` a missing Redis fails the run instead.
 */
export function findRedis(): RedisForTests {
  try {
    const binary = execFileSync('sh', ['-c', 'command -v redis-server'], { encoding: 'utf8' }).trim();
    if (binary !== '') return { kind: 'private', binary };
  } catch {
    // Not installed; fall through.
  }
  if (process.env.REDIS_URL) return { kind: 'external', url: process.env.REDIS_URL };
  const why = `no redis-server on PATH and no REDIS_URL: ${INSTALL_HINT}`;
  if (process.env.CI === 'true') throw new Error(`the cluster tests need Redis under CI: ${why}`);
  console.warn(`\n*** SKIPPING the cluster tests: ${why} ***\n`);
  return { kind: 'none', why };
}

/**
 * Gives the suite it is called in a Redis: a private `redis-server` started before its
 * tests and stopped after them, or REDIS_URL. Read `url()` inside the tests.
 */
export function redisForSuite(redis: RedisForTests): { url(): string; server(): PrivateRedis | null } {
  let server: PrivateRedis | null = null;
  let url = '';
  beforeAll(async () => {
    if (redis.kind === 'private') {
      server = await PrivateRedis.start(redis.binary);
      url = server.url;
    } else if (redis.kind === 'external') {
      url = redis.url;
    }
  });
  afterAll(async () => {
    await server?.stop();
  });
  return { url: () => url, server: () => server };
}
