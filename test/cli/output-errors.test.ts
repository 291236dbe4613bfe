/**
 * Where the CLI's output goes can fail: the reader may stop reading (`depwatch audit --json | head`)
 * or the disk may fill under `>`. The first is not ours and stays quiet, with the command's own exit
 * status; the second is one line and exit status 2, so a truncated report never passes a gate.
 * Neither prints a stack trace. The compiled CLI, as users run it, with its stdout a real pipe or file.
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, openSync, closeSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BIN, buildCliIfStale } from '../helpers/built-cli.js';

let dir: string;

beforeAll(() => {
  buildCliIfStale();
  dir = mkdtempSync(join(tmpdir(), 'depwatch-output-'));
  // About 2 MB of `deps --json`: far more than a pipe holds, so the writes outlive the reader.
  writeFileSync(join(dir, 'requirements.txt'), Array.from({ length: 20_000 }, (_, i) => `package-${i}==1.0.${i}`).join('\n') + '\n');
});

afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Runs `depwatch deps --json` with stdout on `stdout`; resolves with its exit status and stderr. */
function deps(stdout: 'pipe' | number, onFirstOutput?: (child: ReturnType<typeof spawn>) => void): Promise<{ code: number | null; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BIN, 'deps', '--json', dir], { cwd: dir, env: { PATH: process.env.PATH ?? '' }, stdio: ['ignore', stdout, 'pipe'] });
    let stderr = '';
    child.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
    child.stdout?.once('data', () => onFirstOutput?.(child));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stderr }));
  });
}

describe('the CLI when its output cannot be written', () => {
  it('stops quietly, with its own exit status, when the reader goes away', async () => {
    const { code, stderr } = await deps('pipe', (child) => child.stdout!.destroy());
    expect(code).toBe(0);
    expect(stderr).toBe('');
  });

  it.runIf(existsSync('/dev/full'))('says so in one line and exits 2 when the output fails (a full disk)', async () => {
    const full = openSync('/dev/full', 'w');
    try {
      const { code, stderr } = await deps(full);
      expect(code).toBe(2);
      expect(stderr).toMatch(/^depwatch: cannot write the output: ENOSPC: no space left on device, write\n$/);
    } finally {
      closeSync(full);
    }
  });
});
