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
