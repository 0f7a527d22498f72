// Builds dist/cjs (CommonJS, for Nest 11) and dist/esm (ES modules, for Nest 12).
// Each folder gets a package.json naming its module format, so Node reads its .js right.
// Nothing is rebuilt when dist is newer than every source (`--force` rebuilds anyway).
import { execFileSync } from 'node:child_process';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { isFresh, markFresh } from './freshness.mjs';

const STAMP = 'dist/.built';
const INPUTS = ['src', 'package.json', 'tsconfig.json', 'tsconfig.build.json', 'tsconfig.build.cjs.json', 'tsconfig.build.esm.json'];

if (!process.argv.includes('--force') && isFresh(STAMP, INPUTS)) {
  console.log('dist is up to date');
  process.exit(0);
}
const tsc = createRequire(import.meta.url).resolve('typescript/bin/tsc');
rmSync('dist', { recursive: true, force: true });
for (const [format, type] of [['cjs', 'commonjs'], ['esm', 'module']]) {
  execFileSync(process.execPath, [tsc, '-p', `tsconfig.build.${format}.json`], { stdio: 'inherit' });
  mkdirSync(`dist/${format}`, { recursive: true });
  writeFileSync(`dist/${format}/package.json`, JSON.stringify({ type }) + '\n');
}
markFresh(STAMP);
