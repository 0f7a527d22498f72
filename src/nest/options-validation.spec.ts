import { InMemoryBackplane } from '../core/cluster/in-memory-backplane';
import { resolveOptions } from './options-validation';

describe('resolveOptions (cluster)', () => {
  it('detects a dead instance within 15 s by default: the node timeout plus one heartbeat', () => {
    const { nodeTimeout, clusterHeartbeatInterval, backplane } = resolveOptions({});
    expect(backplane).toBeUndefined();
    expect(nodeTimeout + clusterHeartbeatInterval).toBeLessThanOrEqual(15_000);
    expect(nodeTimeout).toBeGreaterThan(clusterHeartbeatInterval);
  });

  it('keeps a backplane and timings given', () => {
    const backplane = new InMemoryBackplane();
    const resolved = resolveOptions({ backplane, clusterHeartbeatInterval: 500, nodeTimeout: 3000 });
    expect(resolved).toMatchObject({ clusterHeartbeatInterval: 500, nodeTimeout: 3000 });
    expect(resolved.backplane).toBe(backplane);
  });

  it.each([0, -1, 1.5])('refuses a clusterHeartbeatInterval of %p', (clusterHeartbeatInterval) => {
    expect(() => resolveOptions({ clusterHeartbeatInterval })).toThrow(/"clusterHeartbeatInterval"/);
  });
});

describe('resolveOptions (hardening)', () => {
  it('refuses an unknown option by name', () => {
    expect(() => resolveOptions({ maxClient: 5 } as never)).toThrow(
      'BroadcasterModule has no option "maxClient": check its spelling against BroadcasterModuleOptions.',
    );
  });

  it.each([1, 20, 999, -5, 1.5])('refuses a heartbeatInterval of %p', (heartbeatInterval) => {
    expect(() => resolveOptions({ heartbeatInterval })).toThrow(/"heartbeatInterval" must be 0 \(off\) or a whole number of milliseconds of at least 1000/);
  });

  it.each([0, 1000, 30_000])('accepts a heartbeatInterval of %p', (heartbeatInterval) => {
    expect(resolveOptions({ heartbeatInterval }).heartbeatInterval).toBe(heartbeatInterval);
  });

  it('fills in the defaults that bound waiting and what is kept per client', () => {
    expect(resolveOptions({})).toMatchObject({
      authenticateTimeout: 10_000,
      handlerTimeout: 30_000,
      requestHeaders: ['origin', 'user-agent', 'x-forwarded-for'],
      maxClusterNodes: 256,
    });
  });

  it.each<[string, object, RegExp]>([
    ['host without port', { host: '127.0.0.1' }, /"host" must be given only with "port"/],
    ['an empty host', { port: 9000, host: '' }, /"host" must be an address/],
    ['a zero authenticateTimeout', { authenticateTimeout: 0 }, /"authenticateTimeout" must be a positive number/],
    ['a negative handlerTimeout', { handlerTimeout: -1 }, /"handlerTimeout" must be a whole number of milliseconds \(0 = off\)/],
    ['requestHeaders that are not a list', { requestHeaders: 'origin' }, /"requestHeaders" must be a list of header names/],
    ['a short clusterSecret', { clusterSecret: 'short' }, /"clusterSecret" must be a string of at least 16 characters, got "\(hidden\)"/],
    ['a zero maxClusterNodes', { maxClusterNodes: 0 }, /"maxClusterNodes" must be a positive integer/],
  ])('refuses %s', (_, options, message) => {
    expect(() => resolveOptions(options as never)).toThrow(message);
  });
});

describe('resolveOptions (each layer’s settings)', () => {
  it.each<[string, object, RegExp]>([
    ['a path without a leading slash', { path: 'chat' }, /"path" must be a string starting with "\/"/],
    ['a port out of range', { port: 70000 }, /"port" must be an integer from 1 to 65535/],
    ['a zero maxPayload', { maxPayload: 0 }, /"maxPayload" must be a positive integer/],
    ['a non-boolean announceClients', { announceClients: 'yes' }, /"announceClients" must be a boolean/],
    ['a backplane that is not one', { backplane: { url: 'redis://x' } }, /"backplane" must be a Backplane/],
    ['a nodeTimeout not above the heartbeat interval', { clusterHeartbeatInterval: 5000, nodeTimeout: 5000 }, /"nodeTimeout" must be milliseconds, more than clusterHeartbeatInterval/],
    ['a slowClientPolicy of neither kind', { slowClientPolicy: 'wait' }, /"slowClientPolicy" must be "close" or "drop"/],
    ['a zero maxBufferedBytes', { maxBufferedBytes: 0 }, /"maxBufferedBytes" must be a positive integer/],
    ['a fractional maxBufferedMessages', { maxBufferedMessages: 1.5 }, /"maxBufferedMessages" must be a positive integer/],
    ['a zero maxClients', { maxClients: 0 }, /"maxClients" must be a positive integer/],
    ['origins that are not strings', { allowedOrigins: [1] }, /"allowedOrigins" must be a list of origins or a function/],
    ['an authenticate that is no function', { authenticate: 'yes' }, /"authenticate" must be a function/],
    ['a negative shutdownTimeout', { shutdownTimeout: -1 }, /"shutdownTimeout" must be a whole number of milliseconds/],
    ['a rate limit of zero', { rateLimit: { messagesPerSecond: 0 } }, /messagesPerSecond must be a positive number/],
  ])('refuses %s', (_, options, message) => {
    expect(() => resolveOptions(options as never)).toThrow(message);
  });
});

describe('resolveOptions (metrics)', () => {
  it('leaves metrics off unless asked, and fills in the prefix', () => {
    expect(resolveOptions({}).metrics).toBeNull();
    expect(resolveOptions({ metrics: false }).metrics).toBeNull();
    expect(resolveOptions({ metrics: true }).metrics).toEqual({ registry: undefined, prefix: 'message_broadcaster_' });
    expect(resolveOptions({ metrics: { prefix: 'chat_' } }).metrics).toEqual({ registry: undefined, prefix: 'chat_' });
  });

  it.each([
    [{ prefix: '9 lives' }, /"metrics.prefix"/],
    [{ prefix: 'a-b_' }, /"metrics.prefix"/],
    [{ registry: {} }, /"metrics.registry"/],
    ['yes', /"metrics"/],
  ])('refuses metrics: %p', (metrics, message) => {
    expect(() => resolveOptions({ metrics: metrics as never })).toThrow(message);
  });
});
