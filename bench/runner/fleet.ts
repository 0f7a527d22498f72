import type { ServerSettings } from '../servers/child.js';
import type { Contender } from '../servers/main.js';
import { benchRedis } from '../../support/private-redis.js';
import { ServerProcess, type Usage } from './server-process.js';

/** The server side of one run: a contender's server, or instances of the library linked over Redis. */
export interface Fleet {
  ports: number[];
  /** The servers' CPU and memory together (Redis not counted). */
  usage(): Promise<Usage>;
  stop(): Promise<void>;
}

/** Starts one server, or `nodes` instances of the library over a private Redis. */
export async function startFleet(contender: Contender, settings: ServerSettings, nodes?: number): Promise<Fleet> {
  if (nodes === undefined) {
    const server = await ServerProcess.start(contender, settings);
    return { ports: [server.port], usage: () => server.usage(), stop: () => server.stop() };
  }
  const redis = await benchRedis();
  const servers: ServerProcess[] = [];
  try {
    for (let i = 0; i < nodes; i++) servers.push(await ServerProcess.start('L', { ...settings, redisUrl: redis.url }));
  } catch (error) {
    await Promise.all(servers.map((server) => server.stop()));
    await redis.stop();
    throw error;
  }
  return {
    ports: servers.map((server) => server.port),
    usage: async () => {
      const each = await Promise.all(servers.map((server) => server.usage()));
      return each.reduce((sum, u) => ({
        cpuMicros: sum.cpuMicros + u.cpuMicros,
        heapBytes: sum.heapBytes + u.heapBytes,
        rssBytes: sum.rssBytes + u.rssBytes,
      }));
    },
    stop: async () => {
      await Promise.all(servers.map((server) => server.stop()));
      await redis.stop();
    },
  };
}

/** How many of `clients` go to server `index` of `count`, dealt out in turn. */
export function shareOf(clients: number, count: number, index: number): number {
  return Math.floor(clients / count) + (index < clients % count ? 1 : 0);
}
