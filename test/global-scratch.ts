/**
 * Vitest global set-up: every temporary directory the run makes (databases, trees, fake homes; a
 * few hundred per run) goes under one directory of the run's own, removed when the run ends. Test
 * files and the processes they start inherit TMPDIR, so `mkdtempSync(join(tmpdir(), …))` needs no
 * clean-up of its own; without this each `npm test` left ~1,500 directories in /tmp.
 */
import { chmodSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export default function setup(): () => void {
  const scratch = mkdtempSync(join(tmpdir(), 'depwatch-test-run-'));
  // As /tmp is: run as root, the embedded PostgreSQL's own user reads and writes files here too.
  chmodSync(scratch, 0o1777);
  const previous = process.env.TMPDIR;
  process.env.TMPDIR = scratch;
  return () => {
    if (previous === undefined) delete process.env.TMPDIR;
    else process.env.TMPDIR = previous;
    rmSync(scratch, { recursive: true, force: true });
  };
}
