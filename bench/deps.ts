/**
 * `depwatch deps` over a 10,000-line requirements tree plus a 1,000-package uv.lock, measured as a
 * user runs it: a fresh process (start-up included), best and median of a few runs, in wall time
 * and in CPU time (user + system), which stays meaningful when other work loads the machine.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { makeUvLock } from '../test/fixtures/generate.js';
import { fmtMs, report, run, type RunResult, tempDir } from './util.js';

const NAMES = ['django', 'requests', 'flask', 'numpy', 'pandas', 'boto3', 'urllib3', 'jinja2', 'pyyaml', 'click', 'attrs', 'idna', 'certifi', 'six', 'pytz'];

/** 10 files of 1,000 lines: pins, ranges, markers, extras, hashes with continuations, comments, includes. */
export function writeRequirementsTree(root: string): number {
  mkdirSync(join(root, 'requirements'), { recursive: true });
  let lines = 0;
  const files = 10;
  for (let f = 0; f < files; f++) {
    const out: string[] = [];
    if (f + 1 < files) out.push(`-r part${f + 1}.txt`);
    while (out.length < 1000) {
      const i = out.length;
      const name = `${NAMES[i % NAMES.length]}-${f}-${i}`;
      switch (i % 5) {
        case 0:
          out.push(`${name}==1.${i % 30}.${i % 7}`);
          break;
        case 1:
          out.push(`${name}[extra]>=2.0,<3 ; python_version >= "3.8"  # why`);
          break;
        case 2:
          out.push(`${name}==4.0.${i} \\`, `    --hash=sha256:${'a'.repeat(64)}`);
          break;
        case 3:
          out.push(`# comment ${i}`);
          break;
        default:
          out.push(`${name}~=0.${i % 9}`);
      }
    }
    lines += out.length;
    writeFileSync(join(root, 'requirements', f === 0 ? 'base.txt' : `part${f}.txt`), out.join('\n') + '\n');
  }
  return lines;
}

/** Best and median of a few runs; wall time and, since the machine may be busy, CPU time too. */
export async function benchDeps(): Promise<void> {
  const root = tempDir('deps');
  const lines = writeRequirementsTree(root);
  writeFileSync(join(root, 'uv.lock'), makeUvLock(1000));
  const runs: RunResult[] = [];
  let deps = 0;
  for (let i = 0; i < 5; i++) {
    const r = await run(process.execPath, ['dist/cli.js', 'deps', '--json', root]);
    if (r.code !== 0) throw new Error(`deps failed: ${r.stderr}`);
    runs.push(r);
    deps = (JSON.parse(r.stdout) as { manifests: { dependencies: unknown[] }[] }).manifests.reduce((n, m) => n + m.dependencies.length, 0);
  }
  const startups: RunResult[] = [];
  for (let i = 0; i < 3; i++) startups.push(await run(process.execPath, ['dist/cli.js', '--help']));
  const wall = summarize(runs.map((r) => r.ms));
  const cpu = summarize(runs.map((r) => r.cpuMs));
  report(
    'deps: 10k-line requirements tree + 1,000-pkg uv.lock',
    {
      lines,
      dependencies: deps,
      'wall best': fmtMs(wall.best),
      'wall median': fmtMs(wall.median),
      'cpu best': fmtMs(cpu.best),
      'cpu median': fmtMs(cpu.median),
      'start-up (--help) wall': fmtMs(summarize(startups.map((r) => r.ms)).best),
      'start-up cpu': fmtMs(summarize(startups.map((r) => r.cpuMs)).best),
    },
    'under 1 s incl. start-up',
  );
}

function summarize(values: (number | null)[]): { best: number | null; median: number | null } {
  if (values.some((v) => v === null)) return { best: null, median: null };
  const sorted = (values as number[]).slice().sort((a, b) => a - b);
  return { best: sorted[0] ?? null, median: sorted[sorted.length >> 1] ?? null };
}
