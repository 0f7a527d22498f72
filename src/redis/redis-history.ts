// Room history in Redis Streams: one script numbers, stores and publishes each publication.
import { createHash, randomBytes } from 'node:crypto';
import type { Redis } from 'ioredis';
import type { BackplaneHistory, BackplaneHistoryRead, PublicationStamp } from '../core/cluster/backplane.js';

/**
 * Per room, two keys with one hash tag (so they live on one Redis Cluster slot): a hash
 * with the room's `epoch` and latest `offset`, and a stream of its newest publications
 * whose entry IDs are `<offset>-1`. Both expire `ttl` after the last publication.
 *
 * The epoch is made by the publisher but taken only when the room has none: a history
 * lost to expiry, a flush, or a Redis restarted without persistence starts a new one.
 * Numbering, storing and publishing happen in one script, so the channel carries each
 * room's publications in offset order whichever instances made them.
 */
const APPEND = `
local epoch = redis.call('HGET', KEYS[1], 'epoch')
if not epoch then
  epoch = ARGV[4]
  redis.call('DEL', KEYS[2])
  redis.call('HSET', KEYS[1], 'epoch', epoch)
end
local offset = redis.call('HINCRBY', KEYS[1], 'offset', 1)
redis.call('XADD', KEYS[2], 'MAXLEN', ARGV[1], offset .. '-1', 'm', ARGV[3])
redis.call('PEXPIRE', KEYS[1], ARGV[2])
redis.call('PEXPIRE', KEYS[2], ARGV[2])
redis.call('PUBLISH', ARGV[5], '~' .. offset .. '~' .. epoch .. '~' .. ARGV[3])
return offset
`;

/**
 * Reads a room's position and, in the same step, the entries asked for: after offset
 * ARGV[1] (ARGV[2] = 'since'), or the latest ARGV[1] (ARGV[2] = 'last').
 */
const READ = `
local meta = redis.call('HMGET', KEYS[1], 'epoch', 'offset')
if not meta[1] then return false end
local entries
if ARGV[2] == 'since' then
  entries = redis.call('XRANGE', KEYS[2], (tonumber(ARGV[1]) + 1) .. '-1', '+')
else
  entries = redis.call('XREVRANGE', KEYS[2], '+', '-', 'COUNT', ARGV[1])
end
return { meta[1], meta[2] or '0', entries }
`;

type RawEntry = [id: string, fields: string[]];

/** A script run by its SHA1 (sent whole only when Redis does not have it yet, e.g. after a restart). */
class LuaScript {
  private readonly sha: string;
  constructor(private readonly source: string) {
    this.sha = createHash('sha1').update(source).digest('hex');
  }

  async run(redis: Redis, keys: readonly string[], args: readonly (string | number)[]): Promise<unknown> {
    try {
      return await redis.evalsha(this.sha, keys.length, ...keys, ...args);
    } catch (error) {
      if (!String(error).includes('NOSCRIPT')) throw error;
      return redis.eval(this.source, keys.length, ...keys, ...args);
    }
  }
}

const appendScript = new LuaScript(APPEND);
const readScript = new LuaScript(READ);

/** A stamped publication as the channel carries it: `~<offset>~<epoch>~<message>`. */
export function readStamp(text: string): { stamp: PublicationStamp; message: string } | null {
  if (text.charCodeAt(0) !== TILDE) return null;
  const afterOffset = text.indexOf('~', 1);
  const afterEpoch = afterOffset < 0 ? -1 : text.indexOf('~', afterOffset + 1);
  if (afterEpoch < 0) return null;
  const offset = Number(text.slice(1, afterOffset));
  const epoch = text.slice(afterOffset + 1, afterEpoch);
  if (!Number.isSafeInteger(offset) || offset < 1 || epoch.length < 1 || epoch.length > 64) return null;
  return { stamp: { offset, epoch }, message: text.slice(afterEpoch + 1) };
}

const TILDE = 126;

/** {@link BackplaneHistory} over Redis Streams, for {@link RedisBackplane}. */
export class RedisHistory implements BackplaneHistory {
  // A new epoch is offered with every append (taken only by a room that has none): unique
  // per offer without drawing random bytes each time.
  private readonly epochPrefix = randomBytes(6).toString('base64url');
  private epochsOffered = 0;

  constructor(
    private readonly connection: () => Redis | null,
    private readonly channel: string,
  ) {}

  async append(room: string, size: number, ttl: number, message: string): Promise<void> {
    const redis = this.ready();
    await appendScript.run(redis, this.keys(room), [size, ttl, message, this.epochPrefix + (++this.epochsOffered).toString(36), this.channel]);
  }

  async read(room: string, query: { since: PublicationStamp } | { last: number }): Promise<BackplaneHistoryRead> {
    const redis = this.ready();
    const since = 'since' in query;
    const answer = (await readScript.run(redis, this.keys(room), [since ? query.since.offset : query.last, since ? 'since' : 'last'])) as
      | [string, string, RawEntry[]]
      | null;
    if (answer === null) return { position: null, entries: [], complete: false };
    const position = { epoch: answer[0], offset: Number(answer[1]) };
    const entries = answer[2].map(([id, fields]) => ({ offset: Number(id.slice(0, id.indexOf('-'))), message: fields[1] }));
    if (!since) return { position, entries: entries.reverse(), complete: true };
    const { offset, epoch } = query.since;
    // Whole only when it is this epoch, the asked offset is not ahead, and the first entry follows it.
    const whole = epoch === position.epoch && offset <= position.offset && (offset === position.offset || entries[0]?.offset === offset + 1);
    return whole ? { position, entries, complete: true } : { position, entries: [], complete: false };
  }

  private keys(room: string): [string, string] {
    const tag = `{${this.channel}:${room}}`;
    return [`${tag}:meta`, `${tag}:stream`];
  }

  private ready(): Redis {
    const redis = this.connection();
    if (redis === null || redis.status !== 'ready') throw new Error('the room history in Redis is unreachable: Redis is down');
    return redis;
  }
}
