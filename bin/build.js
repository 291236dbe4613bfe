#!/usr/bin/env node
// `npm run build`: compiles src/ to dist/ with tsc, then records which sources that build saw
// (bin/build-state.js) so `npm start` can tell a fresh build from a stale one without TypeScript.
// The record is written only when tsc succeeds: a build with errors is never taken for a good one.
// With --if-stale it builds only when the sources changed since the last build.
import { spawnSync } from 'node:child_process';
import { createRequire } from 'node:module';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { inputsNow, recordInputs, ROOT, staleReason } from './build-state.js';

/** tsc's entry point, or null when TypeScript is not installed (npm ci --omit=dev). */
export function findTsc() {
  try {
    return createRequire(join(ROOT, 'package.json')).resolve('typescript/bin/tsc');
  } catch {
    return null;
  }
}

/** Runs the build; returns tsc's exit status (127 when there is no tsc). */
export function build({ stdio = 'inherit' } = {}) {
  const tsc = findTsc();
  if (tsc === null) return 127;
  const inputs = inputsNow();
  const result = spawnSync(process.execPath, [tsc, '-p', join(ROOT, 'tsconfig.build.json')], { cwd: ROOT, stdio });
  const status = result.status ?? 1;
  if (status === 0) recordInputs(inputs);
  return status;
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  // --if-stale (npm run bench): nothing to do when dist/ is the build of the current sources.
  const status = process.argv.includes('--if-stale') && staleReason() === null ? 0 : build();
  if (status === 127) process.stderr.write('depwatch: TypeScript is not installed: run `npm ci` (with dev dependencies) to build\n');
  process.exitCode = status;
}
