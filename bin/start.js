#!/usr/bin/env node
// `npm start`: runs the built bot (dist/main.js). `npm ci` builds it (through `prepare`), so a
// restart costs only Node's start-up and ours. When the sources changed since that build (an edit,
// a `git pull` without `npm ci`), the bot is built first rather than run stale: running yesterday's
// code after a security fix was pulled would be worse than a slower start. Without TypeScript
// (installed with --omit=dev) or when the build fails, it stops with a clear message instead.
import { staleReason } from './build-state.js';
import { build } from './build.js';

const stale = staleReason();
if (stale !== null) {
  process.stderr.write(`depwatch: ${stale}; building first (npm run build)…\n`);
  const status = build();
  if (status === 127) {
    process.stderr.write('depwatch: cannot build: TypeScript is not installed. Run `npm ci` (it builds), or deploy a checkout where `npm run build` has run.\n');
    process.exit(2);
  }
  if (status !== 0) {
    process.stderr.write('depwatch: the build failed (errors above); fix them and run `npm start` again.\n');
    process.exit(2);
  }
}
await import('../dist/main.js');
