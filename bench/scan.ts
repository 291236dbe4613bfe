/**
 * `depwatch scan` over a generated repository of 2,000 Python files (300,000 lines) from disk, as a
 * user runs it: a fresh process (start-up included), wall and CPU time, best and median of a few
 * runs, and the peak RSS of the scanning process. One parse per file, every rule in one query pass.
 *
 * `DEPWATCH_BENCH_ROOT=/path/to/other/checkout npm run bench -- scan` scans with another built
 * checkout's dist/ (as bench/speed.ts does), for a before-and-after on the same tree and machine.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { makePythonModule } from '../test/fixtures/generate.js';
import { fmtMs, report, run, type RunResult, tempDir } from './util.js';

const HERE = join(import.meta.dirname, '..');
const CLI = join(process.env.DEPWATCH_BENCH_ROOT ?? HERE, 'dist', 'cli.js');
const PEAK_RSS = join(HERE, 'bench', 'peak-rss.mjs');

const FILES = 2000;
const LINES = 150;

export function writePythonRepo(root: string): { files: number; lines: number; bytes: number } {
  let bytes = 0;
  for (let i = 0; i < FILES; i++) {
    const dir = join(root, 'src', `pkg${i % 40}`, i % 3 === 0 ? 'handlers' : 'core');
    mkdirSync(dir, { recursive: true });
    const text = makePythonModule(i, LINES);
    bytes += Buffer.byteLength(text);
    writeFileSync(join(dir, `module_${i}.py`), text);
  }
  writeFileSync(join(root, '.gitignore'), '.env\n*.env\n__pycache__/\n');
  return { files: FILES, lines: FILES * LINES, bytes };
}

export async function benchScan(): Promise<void> {
  const root = tempDir('scan');
  const repo = writePythonRepo(root);
  const runs: RunResult[] = [];
  const peaks: number[] = [];
  let findings = 0;
  for (let i = 0; i < 3; i++) {
    const r = await run(process.execPath, ['--import', PEAK_RSS, CLI, 'scan', '--json', '--fail-on', 'never', root]);
    if (r.code !== 0) throw new Error(`scan failed (exit ${r.code}): ${r.stderr.slice(0, 500)}`);
    runs.push(r);
    findings = (JSON.parse(r.stdout) as { findings: unknown[] }).findings.length;
    peaks.push(Number(/peak-rss-kb=(\d+)/.exec(r.stderr)?.[1] ?? NaN) / 1024);
  }
  const sorted = (xs: number[]) => xs.slice().sort((a, b) => a - b);
  const wall = sorted(runs.map((r) => r.ms));
  const cpu = runs.some((r) => r.cpuMs === null) ? null : sorted(runs.map((r) => r.cpuMs!));
  report(
    'scan: 2,000 Python files (300k lines) from disk',
    {
      files: repo.files,
      lines: repo.lines,
      MB: (repo.bytes / 1024 / 1024).toFixed(1),
      findings,
      'wall best': fmtMs(wall[0]!),
      'wall median': fmtMs(wall[1]!),
      'cpu best': fmtMs(cpu ? cpu[0]! : null),
      'peak RSS': `${Math.max(...peaks).toFixed(0)} MB`,
    },
    'under 3 s on the CLI, peak RSS under 300 MB',
  );
}
