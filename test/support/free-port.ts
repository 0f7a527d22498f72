export { freePort } from '../../support/private-redis.js';
