// Is dist/ the build of the sources as they are now? Plain Node, no TypeScript, so `npm start` can
// ask in a few milliseconds before deciding to run dist/ as it is.
//
// A build records, in dist/.build-state.json, the newest modification time and the number of its
// inputs as they were when the build started (so an edit made while tsc ran makes the build stale).
// The build is fresh while no input is newer and none was added or removed. Inputs are what tsc
// compiles (src/**/*.ts and any .json it may import) and the two tsconfig files; other files in src/
// (templates, licences) are read at run time from src/ and need no build.
import { readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
export const STATE_FILE = join(ROOT, 'dist', '.build-state.json');
const CONFIGS = ['tsconfig.json', 'tsconfig.build.json'];

/** The newest mtime (ms) and the count of the build's inputs right now. */
export function inputsNow(root = ROOT) {
  let newest = 0;
  let count = 0;
  const visit = (path) => {
    newest = Math.max(newest, statSync(path).mtimeMs);
    count += 1;
  };
  const walk = (dir) => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const path = join(dir, entry.name);
      if (entry.isDirectory()) walk(path);
      else if (entry.name.endsWith('.ts') || entry.name.endsWith('.json')) visit(path);
    }
  };
  walk(join(root, 'src'));
  for (const config of CONFIGS) visit(join(root, config));
  return { newest, count };
}

/** What the last successful build recorded, or null when there is none (or it is unreadable). */
export function recordedInputs(stateFile = STATE_FILE) {
  try {
    const state = JSON.parse(readFileSync(stateFile, 'utf8'));
    return typeof state.newest === 'number' && typeof state.count === 'number' ? state : null;
  } catch {
    return null;
  }
}

export function recordInputs(inputs, stateFile = STATE_FILE) {
  writeFileSync(stateFile, JSON.stringify({ newest: inputs.newest, count: inputs.count, builtAt: new Date().toISOString() }) + '\n');
}

/** Why dist/ is not the build of the current sources, or null when it is. */
export function staleReason(root = ROOT) {
  const recorded = recordedInputs(join(root, 'dist', '.build-state.json'));
  if (recorded === null) return 'dist/ has no record of a finished build';
  const now = inputsNow(root);
  if (now.newest > recorded.newest) return 'sources changed since the last build';
  if (now.count !== recorded.count) return 'source files were added or removed since the last build';
  return null;
}
