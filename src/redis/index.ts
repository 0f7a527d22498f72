// nestjs-message-broadcaster/redis: the Redis backplane, the one entry point that loads ioredis.
export { RedisBackplane, type RedisBackplaneOptions } from './redis-backplane.js';
