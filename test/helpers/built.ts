/**
 * For tests that run the compiled code (dist/) in a child process, as users do: builds first when
 * the sources changed since the last build, with the same check `npm start` makes (bin/).
 */
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';

export const ROOT = join(import.meta.dirname, '..', '..');

export function ensureBuilt(): void {
  const script = "import { staleReason } from './bin/build-state.js'; import { build } from './bin/build.js'; if (staleReason() !== null) process.exitCode = build({ stdio: 'pipe' });";
  const result = spawnSync(process.execPath, ['--input-type=module', '-e', script], { cwd: ROOT, stdio: 'pipe', timeout: 300_000 });
  if (result.status !== 0) throw new Error(`the build failed (${result.status}): ${result.stdout}${result.stderr}`);
}
