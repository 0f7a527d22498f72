import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';

const root = join(__dirname, '..');

describe('the cluster simulation (toy size)', () => {
  it('runs to agreement after a changed blip, and publishes one message per cast', async () => {
    // `npm test` compiles the suite to dist-bench before jest starts.
    const { stdout } = await promisify(execFile)(
      process.execPath,
      ['--expose-gc', join(root, 'dist-bench/bench/simulation/cluster-at-scale.js'), '4', '50'],
      { cwd: root },
    );
    const figures = JSON.parse(stdout) as {
      instances: number;
      idleBlip: { messages: number };
      blipWith200Changes: { agreedAfterMs: number };
      oneCast: { messages: number; bytes: number };
    };
    expect(figures.instances).toBe(4);
    expect(figures.oneCast.messages).toBe(1);
    expect(figures.oneCast.bytes).toBeLessThan(400);
    expect(figures.blipWith200Changes.agreedAfterMs).toBeGreaterThanOrEqual(0);
    expect(figures.idleBlip.messages).toBeGreaterThan(0);
  }, 60_000);
});
