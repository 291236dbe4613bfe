/**
 * A monorepo of 500 manifests (issue 11, item 7): `depwatch deps` and an offline `depwatch audit`
 * of the whole tree, whole process, from compiled code (dist/, plain `node`). 500 services, each a
 * requirements.txt of 20 pins drawn from releases the PyPA advisories name (so the audit matches,
 * rates and builds fixes for real), services sharing many of them as a monorepo's do.
 * Prints the median of three runs, wall and CPU, beside the target (under 2 s each).
 */
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ADVISORIES_JSONL_GZ, fixtureRecords, OLD_FIXTURES_ALLOWED } from '../test/fixtures/osv/load.js';
import { pinnedReleases } from './advisories.js';
import { fmtMs, report, run, type RunResult } from './util.js';

const CLI = join(import.meta.dirname, '..', 'dist', 'cli.js');
const SERVICES = 500;
const PINS_PER_SERVICE = 20;
const RUNS = 3;

function ok(result: RunResult, what: string, codes = [0]): RunResult {
  if (result.code === null || !codes.includes(result.code)) throw new Error(`${what} failed (${result.code}): ${result.stderr.slice(0, 500)}`);
  return result;
}

async function median(fn: () => Promise<RunResult>): Promise<{ ms: number; cpuMs: number | null; last: RunResult }> {
  const runs: RunResult[] = [];
  for (let i = 0; i < RUNS; i++) runs.push(await fn());
  const mid = (values: number[]) => [...values].sort((a, b) => a - b)[(values.length - 1) >> 1]!;
  const cpu = runs.map((r) => r.cpuMs);
  return { ms: mid(runs.map((r) => r.ms)), cpuMs: cpu.some((c) => c === null) ? null : mid(cpu as number[]), last: runs.at(-1)! };
}

export async function benchMonorepo(): Promise<void> {
  const work = mkdtempSync(join(tmpdir(), 'depwatch-bench-monorepo-'));
  const tree = join(work, 'tree');
  const pins = pinnedReleases(fixtureRecords().values(), 2_000);
  for (let s = 0; s < SERVICES; s++) {
    const names = new Set<string>();
    const lines: string[] = [];
    for (let k = 0; lines.length < PINS_PER_SERVICE && k < pins.length; k++) {
      const pin = pins[(s * 7 + k * 13) % pins.length]!;
      if (names.has(pin.name)) continue;
      names.add(pin.name);
      lines.push(`${pin.name}==${pin.version}`);
    }
    mkdirSync(join(tree, 'services', `svc-${s}`), { recursive: true });
    writeFileSync(join(tree, 'services', `svc-${s}`, 'requirements.txt'), lines.join('\n') + '\n');
  }
  const db = join(work, 'mirror.db');
  ok(await run(process.execPath, [CLI, 'db', 'import', '--db', db, ADVISORIES_JSONL_GZ]), 'db import');
  const deps = await median(async () => ok(await run(process.execPath, [CLI, 'deps', '--json', tree]), 'depwatch deps'));
  // The fixture advisories are old on purpose, and an offline audit of data past its limit is partial (exit 2):
  // OLD_FIXTURES_ALLOWED lets the audit measured here answer as it does from a current mirror.
  const audit = await median(async () => ok(await run(process.execPath, [CLI, 'audit', '--offline', '--json', '--fail-on', 'never', '--db', db, tree], OLD_FIXTURES_ALLOWED), 'the offline audit'));
  const findings = (JSON.parse(audit.last.stdout) as { findings: unknown[] }).findings.length;
  report(
    `monorepo: ${SERVICES} manifests, ${SERVICES * PINS_PER_SERVICE} pins`,
    { deps: `${fmtMs(deps.ms)} (cpu ${fmtMs(deps.cpuMs)})`, 'offline audit': `${fmtMs(audit.ms)} (cpu ${fmtMs(audit.cpuMs)})`, findings },
    'under 2 s each, whole process',
  );
}
