// Builds the library, then the sample into dist-sample; skips whatever is up to date, so
// that `npm run sample` starts in seconds when nothing changed.
import { execFileSync } from 'node:child_process';
import { rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { isFresh, markFresh } from './freshness.mjs';

const STAMP = 'dist-sample/.built';

execFileSync(process.execPath, ['scripts/build.mjs'], { stdio: 'inherit' });
if (!isFresh(STAMP, ['sample', 'dist/.built', 'tsconfig.json'])) {
  const tsc = createRequire(import.meta.url).resolve('typescript/bin/tsc');
  rmSync('dist-sample', { recursive: true, force: true });
  execFileSync(process.execPath, [tsc, '-p', 'sample/tsconfig.json'], { stdio: 'inherit' });
  markFresh(STAMP);
}
