/**
 * Where the CLI's output goes can fail: the reader may stop reading (`depwatch audit --json | head`)
 * or the disk may fill under `>`. The first is not ours and stays quiet, with the command's own exit
 * status; the second is one line and exit status 2, so a truncated report never passes a gate.
 * Neither prints a stack trace. The compiled CLI, as users run it, with its stdout a real pipe or file.
 */
import { spawn } from 'node:child_process';
import { closeSync, existsSync, mkdirSync, mkdtempSync, openSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ADVISORIES_JSONL_GZ, fixtureRecords, OLD_FIXTURES_ALLOWED } from '../fixtures/osv/load.js';
import { BIN, buildCliIfStale, run } from '../helpers/built-cli.js';

let dir: string;
let vulnerable: string;
let mirror: string;

beforeAll(async () => {
  buildCliIfStale();
  dir = mkdtempSync(join(tmpdir(), 'depwatch-output-'));
  // About 2 MB of `deps --json`: far more than a pipe holds, so the writes outlive the reader.
  mkdirSync(join(dir, 'big'));
  writeFileSync(join(dir, 'big', 'requirements.txt'), Array.from({ length: 20_000 }, (_, i) => `package-${i}==1.0.${i}`).join('\n') + '\n');
  // A tree whose audit report (written in blocks, see writeChunks) is far larger than a pipe holds:
  // 300 releases the PyPA advisories name, audited against a mirror of them.
  vulnerable = join(dir, 'vulnerable');
  mirror = join(dir, 'mirror.db');
  const pins = new Map<string, string>();
  for (const record of fixtureRecords().values()) {
    const entry = record.affected?.find((a) => a.package?.ecosystem === 'PyPI' && /^\d+(\.\d+)*$/.test(a.versions?.[0] ?? ''));
    if (entry && pins.size < 300 && !pins.has(entry.package!.name)) pins.set(entry.package!.name, entry.versions![0]!);
  }
  mkdirSync(vulnerable);
  writeFileSync(join(vulnerable, 'requirements.txt'), [...pins].map(([name, version]) => `${name}==${version}`).join('\n') + '\n');
  const imported = await run(process.execPath, [BIN, 'db', 'import', '--db', mirror, ADVISORIES_JSONL_GZ], { cwd: dir, env: { PATH: process.env.PATH ?? '' } });
  if (imported.code !== 0) throw new Error(imported.stderr);
}, 300_000); // a build when the sources changed since the last one (built.ts)

afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Runs depwatch with `args` and stdout on `stdout`; resolves with its exit status and stderr. */
function depwatch(args: string[], stdout: 'pipe' | number, onFirstOutput?: (child: ReturnType<typeof spawn>) => void): Promise<{ code: number | null; stderr: string }> {
  return new Promise((resolve, reject) => {
    // The fixture advisories are old on purpose (OLD_FIXTURES_ALLOWED): stderr stays empty, as for current data.
    const child = spawn(process.execPath, [BIN, ...args], { cwd: dir, env: { PATH: process.env.PATH ?? '', ...OLD_FIXTURES_ALLOWED }, stdio: ['ignore', stdout, 'pipe'] });
    let stderr = '';
    child.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
    child.stdout?.once('data', () => onFirstOutput?.(child));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stderr }));
  });
}

const deps = ['deps', '--json', 'big'];
/** The report goes through writeChunks' blocks; 1 is the exit status of its findings. */
const audit = () => ['audit', '--offline', '--json', '--no-code', '--db', mirror, vulnerable];

describe('the CLI when its output cannot be written', () => {
  it('stops quietly, with its own exit status, when the reader goes away', async () => {
    for (const [args, status] of [[deps, 0], [audit(), 1]] as const) {
      const { code, stderr } = await depwatch([...args], 'pipe', (child) => child.stdout!.destroy());
      expect([args[0], code, stderr]).toEqual([args[0], status, '']);
    }
  });

  it.runIf(existsSync('/dev/full'))('says so in one line and exits 2 when the output fails (a full disk)', async () => {
    for (const args of [deps, audit()]) {
      const full = openSync('/dev/full', 'w');
      try {
        const { code, stderr } = await depwatch(args, full);
        expect([args[0], code]).toEqual([args[0], 2]);
        expect(stderr).toMatch(/^depwatch: cannot write the output: ENOSPC: no space left on device, write\n$/);
      } finally {
        closeSync(full);
      }
    }
  });

  it('keeps its own exit status when the reader of stderr goes away (`2>&1 | head -1`)', async () => {
    // An empty folder: a partial result (exit 2) whose PARTIAL line goes to a stderr nobody reads.
    mkdirSync(join(dir, 'empty'), { recursive: true });
    for (let attempt = 0; attempt < 3; attempt++) {
      const code = await new Promise<number | null>((resolve, reject) => {
        const child = spawn(process.execPath, [BIN, 'audit', '--offline', '--json', '--db', mirror, join(dir, 'empty')], {
          cwd: dir,
          env: { PATH: process.env.PATH ?? '' },
          stdio: ['ignore', 'ignore', 'pipe'],
        });
        child.stderr!.destroy();
        child.on('error', reject);
        child.on('close', (status) => resolve(status));
      });
      expect(code).toBe(2);
    }
  });
});
