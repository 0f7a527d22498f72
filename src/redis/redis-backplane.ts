// The Redis backplane: broadcasters in several processes linked by Redis pub/sub.
import { Redis, type RedisOptions } from 'ioredis';
import type { Backplane, BackplaneListener } from '../core/cluster/backplane.js';
import { readStamp, RedisHistory } from './redis-history.js';

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
  /**
   * The most bytes of published messages that Redis may not have acknowledged yet.
   * Beyond it (a Redis that stalls but keeps the connection open) publishing fails at
   * once and is counted, instead of queueing in memory without bound.
   * @default 16777216 (16 MiB)
   */
  maxPendingBytes?: number;
}

const DEFAULT_CHANNEL = 'message-broadcaster';
const DEFAULT_MAX_PENDING_BYTES = 16 * 1024 * 1024;

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
  private subscribed = false;
  private pendingBytes = 0;
  private readonly maxPendingBytes: number;
  private lastError = 'connection to Redis lost';
  /** Room history in Redis Streams, under keys named after the channel. */
  readonly history: RedisHistory;

  constructor(private readonly options: RedisBackplaneOptions) {
    if ((options.url === undefined) === (options.client === undefined)) {
      throw new TypeError('RedisBackplane needs exactly one of `url` or `client`');
    }
    this.channel = options.channel ?? DEFAULT_CHANNEL;
    this.maxPendingBytes = options.maxPendingBytes ?? DEFAULT_MAX_PENDING_BYTES;
    this.history = new RedisHistory(() => (this.up ? this.publisher : null), this.channel);
    if (!(Number.isSafeInteger(this.maxPendingBytes) && this.maxPendingBytes > 0)) {
      throw new TypeError('RedisBackplane maxPendingBytes must be a positive integer (bytes)');
    }
  }

  connect(listener: BackplaneListener): Promise<void> {
    const { url, client, redisOptions } = this.options;
    // Publishing while disconnected fails at once rather than piling up in memory.
    this.publisher = client ?? new Redis(url as string, { ...redisOptions, enableOfflineQueue: false });
    // The subscriber reconnects however long it takes; it subscribes anew each time it is
    // ready, and the link counts as up only once Redis confirmed that subscription:
    // before that, the other nodes' messages would be missed.
    const subscriber = (client ?? this.publisher).duplicate({
      enableOfflineQueue: true,
      maxRetriesPerRequest: null,
      autoResubscribe: false,
    });
    this.subscriber = subscriber;
    const connections = [this.publisher, subscriber];

    let resolveUp: () => void = () => undefined;
    const firstUp = new Promise<void>((resolve) => (resolveUp = resolve));
    const update = () => {
      const up = this.subscribed && connections.every((connection) => connection.status === 'ready');
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
    const subscribe = () => {
      subscriber.subscribe(this.channel).then(
        () => {
          this.subscribed = subscriber.status === 'ready';
          update();
        },
        (error: unknown) => (this.lastError = String(error)),
      );
    };
    subscriber.on('ready', subscribe);
    for (const event of ['close', 'end', 'reconnecting']) {
      subscriber.prependListener(event, () => (this.subscribed = false));
    }
    // Owned connections report errors here only; a user's client keeps its own listeners too.
    subscriber.on('error', (error: Error) => (this.lastError = error.message));
    if (client === undefined) this.publisher.on('error', (error: Error) => (this.lastError = error.message));
    subscriber.on('message', (channel: string, message: string) => {
      if (channel !== this.channel) return;
      const stamped = readStamp(message);
      if (stamped === null) listener.message(message);
      else listener.message(stamped.message, undefined, stamped.stamp);
    });
    if (subscriber.status === 'ready') subscribe();
    update();
    return firstUp;
  }

  publish(message: string): boolean {
    if (!this.up || this.publisher === null) return false;
    const size = message.length;
    if (this.pendingBytes + size > this.maxPendingBytes) return false;
    this.pendingBytes += size;
    const settled = () => (this.pendingBytes -= size);
    // A connection lost after the check loses this message, like any other during an outage.
    this.publisher.publish(this.channel, message).then(settled, settled);
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
