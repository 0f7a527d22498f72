export { freePort } from '../../bench/runner/private-redis.js';
