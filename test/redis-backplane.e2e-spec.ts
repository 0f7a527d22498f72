import { Redis } from 'ioredis';
import { RedisBackplane } from '../src/redis/index.js';
import { findRedis, PrivateRedis } from './support/redis-server.js';

const redis = findRedis();
const withPrivateRedis = redis.kind === 'private' ? describe : describe.skip;

withPrivateRedis('RedisBackplane', () => {
  let server: PrivateRedis;
  beforeAll(async () => {
    if (redis.kind === 'private') server = await PrivateRedis.start(redis.binary);
  });
  afterAll(() => server?.stop());

  it('reports the link up only once its subscription is in place, at first and after Redis restarts', async () => {
    const channel = 'backplane-probe';
    const backplane = new RedisBackplane({ url: server.url, channel });
    const prober = new Redis(server.url, { maxRetriesPerRequest: null });
    const received: string[] = [];
    let ups = 0;
    // At the moment the link is said to be up, a message published elsewhere must arrive.
    await backplane.connect({
      message: (message) => received.push(message),
      up: () => void prober.publish(channel, `probe ${++ups}`),
      down: () => undefined,
    });
    try {
      await waitFor(() => received.includes('probe 1'));
      await server.stop();
      await server.restart();
      await waitFor(() => ups === 2);
      await waitFor(() => received.includes('probe 2'));
      expect(received).toEqual(['probe 1', 'probe 2']);
    } finally {
      prober.disconnect();
      await backplane.close();
    }
  });

  it('refuses to publish beyond maxPendingBytes while Redis does not answer', async () => {
    const backplane = new RedisBackplane({ url: server.url, channel: 'pending', maxPendingBytes: 10_000 });
    await backplane.connect({ message: () => undefined, up: () => undefined, down: () => undefined });
    const admin = new Redis(server.url);
    try {
      await admin.call('CLIENT', 'PAUSE', '500', 'ALL');
      const outcomes = Array.from({ length: 20 }, () => backplane.publish('x'.repeat(1000)));
      expect(outcomes.filter(Boolean)).toHaveLength(10);
      await new Promise((resolve) => setTimeout(resolve, 700));
      // Answered after the pause: room again.
      expect(backplane.publish('x'.repeat(1000))).toBe(true);
    } finally {
      admin.disconnect();
      await backplane.close();
    }
  });
});

async function waitFor(check: () => boolean, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error('timed out');
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}
