import { Redis, type RedisOptions } from 'ioredis';
import type { Backplane, BackplaneListener } from '../core/cluster/backplane.js';

/** Options of {@link RedisBackplane}: give `url` or `client`. */
export interface RedisBackplaneOptions {
  /** Where Redis is, e.g. `redis://127.0.0.1:6379`. */
  url?: string;
  /**
   * An ioredis client of your own to publish with. Subscribing takes a connection of its
   * own, so the backplane opens one more with `client.duplicate()`. Yours is not closed.
   */
  client?: Redis;
  /** More ioredis options for the connections the backplane opens from `url`. */
  redisOptions?: RedisOptions;
  /**
   * The pub/sub channel of the cluster; broadcasters sharing a Redis but not a channel
   * are separate clusters.
   * @default 'message-broadcaster'
   */
  channel?: string;
}

const DEFAULT_CHANNEL = 'message-broadcaster';

/**
 * Links broadcasters in several processes through Redis pub/sub: pass one to
 * `BroadcasterModule.forRoot({ backplane })` in every instance. While Redis is away each
 * instance keeps serving its own clients; the link comes back by itself.
 */
export class RedisBackplane implements Backplane {
  private readonly channel: string;
  private publisher: Redis | null = null;
  private subscriber: Redis | null = null;
  private up = false;
  private lastError = 'connection to Redis lost';

  constructor(private readonly options: RedisBackplaneOptions) {
    if ((options.url === undefined) === (options.client === undefined)) {
      throw new TypeError('RedisBackplane needs exactly one of `url` or `client`');
    }
    this.channel = options.channel ?? DEFAULT_CHANNEL;
  }

  connect(listener: BackplaneListener): Promise<void> {
    const { url, client, redisOptions } = this.options;
    // Publishing while disconnected fails at once rather than piling up in memory.
    this.publisher = client ?? new Redis(url as string, { ...redisOptions, enableOfflineQueue: false });
    // The subscription waits for Redis however long it takes, and is renewed on reconnect.
    this.subscriber = (client ?? this.publisher).duplicate({ enableOfflineQueue: true, maxRetriesPerRequest: null });
    const connections = [this.publisher, this.subscriber];

    let resolveUp: () => void = () => undefined;
    const firstUp = new Promise<void>((resolve) => (resolveUp = resolve));
    const update = () => {
      const up = connections.every((connection) => connection.status === 'ready');
      if (up === this.up) return;
      this.up = up;
      if (up) {
        listener.up();
        resolveUp();
      } else {
        listener.down(this.lastError);
      }
    };
    for (const connection of connections) {
      for (const event of ['ready', 'close', 'end', 'reconnecting']) connection.on(event, update);
    }
    // Owned connections report errors here only; a user's client keeps its own listeners too.
    this.subscriber.on('error', (error: Error) => (this.lastError = error.message));
    if (client === undefined) this.publisher.on('error', (error: Error) => (this.lastError = error.message));
    this.subscriber.on('message', (channel: string, message: string) => {
      if (channel === this.channel) listener.message(message);
    });
    this.subscriber.subscribe(this.channel).catch((error: unknown) => (this.lastError = String(error)));
    update();
    return firstUp;
  }

  publish(message: string): boolean {
    if (!this.up || this.publisher === null) return false;
    // A connection lost after the check loses this message, like any other during an outage.
    this.publisher.publish(this.channel, message).catch(() => undefined);
    return true;
  }

  async close(): Promise<void> {
    const owned = this.options.client === undefined ? [this.subscriber, this.publisher] : [this.subscriber];
    this.up = false;
    await Promise.all(owned.map((connection) => (connection === null ? undefined : quit(connection))));
  }
}

/** Quits after what was sent is answered, or drops a connection that is not up. */
async function quit(connection: Redis): Promise<void> {
  if (connection.status !== 'ready') {
    connection.disconnect();
    return;
  }
  try {
    await connection.quit();
  } catch {
    connection.disconnect();
  }
}
