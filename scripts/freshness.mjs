// Tells whether a build's output is newer than everything it is built from, so that a
// start with nothing changed skips the compiler.
import { existsSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

function newestChange(path) {
  const stat = statSync(path);
  if (!stat.isDirectory()) return stat.mtimeMs;
  return readdirSync(path).reduce((newest, name) => Math.max(newest, newestChange(join(path, name))), stat.mtimeMs);
}

/** Whether `stamp` exists and is newer than every file under `inputs`. */
export function isFresh(stamp, inputs) {
  if (!existsSync(stamp)) return false;
  const built = statSync(stamp).mtimeMs;
  return inputs.filter(existsSync).every((input) => newestChange(input) < built);
}

/** Records that a build from the current inputs is complete. */
export function markFresh(stamp) {
  writeFileSync(stamp, `${new Date().toISOString()}\n`);
}
