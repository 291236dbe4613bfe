/**
 * The command line run in-process, as the CLI tests run it: runCli with a CliIO that collects what
 * it prints, and folders of files written into fresh temporary directories for it to read.
 */
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCli } from '../../src/cli.js';
import type { CliIO } from '../../src/cli/io.js';
import { OLD_FIXTURES_ALLOWED } from '../fixtures/osv/load.js';

/** Service URLs where nothing listens: a command that needs no service (--offline) must not ask one. */
export const UNREACHABLE_SERVICES = { OSV_API_URL: 'http://127.0.0.1:9', PYPI_URL: 'http://127.0.0.1:9' } as const;

export interface InProcessCli {
  /** Everything printed so far. */
  out: { stdout: string; stderr: string };
  /** Runs `depwatch ...argv`; resolves to the exit status. */
  run: (...argv: string[]) => Promise<number>;
}

/**
 * A command line whose stdout and stderr are collected as text (no stdoutBytes), with stderr not a
 * terminal. Its environment is exactly `env` over TZ=UTC and OLD_FIXTURES_ALLOWED (the fixture
 * advisories are old on purpose; a test of the offline data-age limit sets its own), never the test
 * process's own; its working directory `cwd`, or the test process's.
 */
export function inProcessCli({ env = {}, cwd = process.cwd() }: { env?: Record<string, string>; cwd?: string } = {}): InProcessCli {
  const out = { stdout: '', stderr: '' };
  const io: CliIO = {
    stdout: (t) => void (out.stdout += t),
    stderr: (t) => void (out.stderr += t),
    isTTY: false,
    cwd,
    env: { TZ: 'UTC', ...OLD_FIXTURES_ALLOWED, ...env },
  };
  return { out, run: (...argv: string[]) => runCli(argv, io) };
}

/** A fresh temporary directory (its name starts with `prefix`) holding these files, folders made as needed. */
export function writeTree(prefix: string, files: Record<string, string | Uint8Array>): string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  for (const [path, content] of Object.entries(files)) {
    mkdirSync(join(dir, path, '..'), { recursive: true });
    writeFileSync(join(dir, path), content);
  }
  return dir;
}
