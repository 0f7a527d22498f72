// Builds dist/cjs (CommonJS, for Nest 11) and dist/esm (ES modules, for Nest 12).
// Each folder gets a package.json naming its module format, so Node reads its .js right.
import { execFileSync } from 'node:child_process';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';

const tsc = createRequire(import.meta.url).resolve('typescript/bin/tsc');
rmSync('dist', { recursive: true, force: true });
for (const [format, type] of [['cjs', 'commonjs'], ['esm', 'module']]) {
  execFileSync(process.execPath, [tsc, '-p', `tsconfig.build.${format}.json`], { stdio: 'inherit' });
  mkdirSync(`dist/${format}`, { recursive: true });
  writeFileSync(`dist/${format}/package.json`, JSON.stringify({ type }) + '\n');
}
