import { execFileSync } from 'node:child_process';

export { PrivateRedis } from '../../bench/runner/private-redis.js';

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
