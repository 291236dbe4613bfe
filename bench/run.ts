/** `npm run bench`: prints each benchmark's figures and request counts. Nothing is asserted. */
import { benchDeps } from './deps.js';

const benches: [string, () => Promise<void>][] = [['deps', benchDeps]];

for (const [name, fn] of benches) {
  try {
    await fn();
  } catch (err) {
    process.stdout.write(`${name}: FAILED ${(err as Error).message}\n`);
    process.exitCode = 1;
  }
}
