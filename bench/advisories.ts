/**
 * The advisory paths at scale, on the real PyPA advisory fixture (2,661 records, 664 packages):
 *  - importing every record into a fresh mirror (target under 3 s);
 *  - a mirror-mode audit of 1,000 pinned releases (target under 300 ms after start-up);
 *  - an API-mode audit of 300 pinned releases against the fake OSV answering after 50 ms
 *    (target under 1 s: one querybatch plus parallel hydration).
 * The pins are real package names from the fixture with versions its advisories mention, so a good
 * share of them are vulnerable and the whole audit (fix search included) runs.
 */
import { spawn } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { createInterface } from 'node:readline';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { readImportSource } from '../src/advisories/import-sources.js';
import { AdvisoryMirror } from '../src/advisories/mirror.js';
import { OsvApi } from '../src/advisories/osv-api.js';
import type { OsvRecord } from '../src/advisories/types.js';
import { auditFileSource } from '../src/audit/run.js';
import { directorySource } from '../src/python/files.js';
import { normalizeName } from '../src/python/names.js';
import { isValidVersion } from '../src/python/pep440.js';
import { openDb } from '../src/store/db.js';
import { ADVISORIES_JSONL_GZ, fixtureRecords, OLD_FIXTURES_ALLOWED } from '../test/fixtures/osv/load.js';
import { fmtMs, report, run, tempDir, timed } from './util.js';
import { seededRandom } from '../test/helpers/seeded-random.js';

/** CPU time (user + system) of this process, in ms: the machine may be busy, this is not. */
const cpuMs = (): number => {
  const { user, system } = process.cpuUsage();
  return (user + system) / 1000;
};

async function timedCpu<T>(fn: () => Promise<T>): Promise<{ ms: number; cpu: number; value: T }> {
  const cpu = cpuMs();
  const { ms, value } = await timed(fn);
  return { ms, cpu: cpuMs() - cpu, value };
}

/**
 * The fake OSV (test/fakes/osv.ts) in a process of its own, so its work (matching, serialising
 * answers) is not counted as the client's. It prints its URL, then answers `counts` on stdin with
 * its request counters. With `tls`, it serves HTTPS with HTTP/2 as api.osv.dev does, with the
 * certificate the benchmark runner made and its processes trust (test/helpers/tls.ts).
 */
export async function startFakeOsvProcess(latencyMs: number, options: { tls?: boolean } = {}): Promise<{ url: string; counts(): Promise<{ counts: Record<string, number>; peakInFlight: number }>; close(): void }> {
  const fakeUrl = pathToFileURL(join(import.meta.dirname, '..', 'test', 'fakes', 'osv.ts')).href;
  const loadUrl = pathToFileURL(join(import.meta.dirname, '..', 'test', 'fixtures', 'osv', 'load.ts')).href;
  const tlsUrl = pathToFileURL(join(import.meta.dirname, '..', 'test', 'helpers', 'tls.ts')).href;
  const script = `
    import { createInterface } from 'node:readline';
    import { startFakeOsv } from ${JSON.stringify(fakeUrl)};
    import { fixtureRecords } from ${JSON.stringify(loadUrl)};
    import { testCertificate } from ${JSON.stringify(tlsUrl)};
    const fake = await startFakeOsv({ records: [...fixtureRecords().values()], latencyMs: ${latencyMs}, ${options.tls ? 'tls: testCertificate()' : ''} });
    console.log(fake.url);
    for await (const line of createInterface({ input: process.stdin })) {
      if (line === 'counts') console.log(JSON.stringify({ counts: fake.counts, peakInFlight: fake.peakInFlight }));
      if (line === 'reset') { fake.resetCounts(); console.log('{}'); }
    }
    await fake.close();`;
  const child = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], { stdio: ['pipe', 'pipe', 'inherit'] });
  const lines = createInterface({ input: child.stdout })[Symbol.asyncIterator]();
  const nextLine = async (): Promise<string> => {
    const { value, done } = await lines.next();
    if (done === true) throw new Error('the fake OSV process ended');
    return value as string;
  };
  const url = await nextLine();
  return {
    url,
    async counts() {
      child.stdin.write('counts\n');
      return JSON.parse(await nextLine()) as { counts: Record<string, number>; peakInFlight: number };
    },
    close: () => child.stdin.end(),
  };
}

/**
 * `count` distinct (name, version) pins: every fixture package once, then second versions of the
 * packages with the most advisories (a monorepo whose services pin different releases).
 */
export function pinnedReleases(records: Iterable<OsvRecord>, count: number, seed = 1): { name: string; version: string }[] {
  const versions = new Map<string, Set<string>>();
  for (const record of records) {
    for (const entry of record.affected ?? []) {
      if (entry.package?.ecosystem !== 'PyPI') continue;
      const name = normalizeName(entry.package.name);
      const set = versions.get(name) ?? new Set<string>();
      versions.set(name, set);
      for (const v of entry.versions ?? []) if (isValidVersion(v)) set.add(v);
      for (const range of entry.ranges ?? []) {
        for (const event of range.events) {
          const v = event.introduced ?? event.fixed ?? event.last_affected;
          if (v !== undefined && v !== '0' && isValidVersion(v)) set.add(v);
        }
      }
    }
  }
  const next = seededRandom(seed);
  const pool = [...versions].filter(([, set]) => set.size > 0).map(([name, set]) => ({ name, left: [...set].sort() }));
  const pins: { name: string; version: string }[] = [];
  for (let round = 0; pins.length < count && pool.some((p) => p.left.length > 0); round++) {
    for (const p of round === 0 ? pool : [...pool].sort((a, b) => b.left.length - a.left.length)) {
      if (pins.length >= count || p.left.length === 0) continue;
      const [version] = p.left.splice(Math.floor(next() * p.left.length), 1);
      pins.push({ name: p.name, version: version! });
    }
  }
  return pins;
}

/** Writes the pins as requirements files, one per "service", at most one pin per name in each. */
export function writePinnedTree(pins: { name: string; version: string }[]): string {
  const root = tempDir('advisories-tree');
  const files: string[][] = [];
  const used: Set<string>[] = [];
  for (const pin of pins) {
    let i = used.findIndex((names) => !names.has(pin.name));
    if (i === -1) {
      i = used.length;
      used.push(new Set());
      files.push([]);
    }
    used[i]!.add(pin.name);
    files[i]!.push(`${pin.name}==${pin.version}`);
  }
  files.forEach((lines, i) => {
    const dir = i === 0 ? root : join(root, 'services', `svc${i}`);
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, 'requirements.txt'), lines.join('\n') + '\n');
  });
  return root;
}

async function benchImport(): Promise<string> {
  const dir = tempDir('advisories-db');
  const dbPath = join(dir, 'mirror.db');
  const db = openDb(dbPath);
  const mirror = new AdvisoryMirror(db);
  const first = await timedCpu(() => mirror.importRecords(readImportSource(ADVISORIES_JSONL_GZ)));
  const again = await timedCpu(() => mirror.importRecords(readImportSource(ADVISORIES_JSONL_GZ)));
  db.close();
  const cli = await run(process.execPath, ['dist/cli.js', 'db', 'import', '--db', join(dir, 'cli.db'), ADVISORIES_JSONL_GZ]);
  if (cli.code !== 0) throw new Error(`db import failed: ${cli.stderr}`);
  report(
    'advisories: import 2,661 PyPA records (jsonl.gz)',
    {
      added: first.value.added,
      rejected: first.value.rejected,
      'in-process': `${fmtMs(first.ms)} (cpu ${fmtMs(first.cpu)})`,
      're-import (unchanged)': fmtMs(again.ms),
      'CLI wall': fmtMs(cli.ms),
      requests: 0,
    },
    'under 3 s',
  );
  return dbPath;
}

async function benchMirrorAudit(dbPath: string, root: string, pins: { name: string; version: string }[]): Promise<void> {
  const db = openDb(dbPath);
  try {
    const mirror = new AdvisoryMirror(db);
    const options = { target: root, advisories: mirror, registry: null, now: new Date() };
    const cold = await timedCpu(() => auditFileSource(directorySource(root), options));
    const warm = await timedCpu(() => auditFileSource(directorySource(root), options));
    const checks = await timedCpu(() => mirror.affecting(pins));
    // The fixture advisories are old on purpose, and an offline audit of data past its limit is partial (exit 2):
    // OLD_FIXTURES_ALLOWED lets the audit measured here answer as it does from a current mirror.
    const cli = await run(process.execPath, ['dist/cli.js', 'audit', '--offline', '--json', '--fail-on', 'never', '--db', dbPath, root], OLD_FIXTURES_ALLOWED);
    if (cli.code !== 0) throw new Error(`audit failed: ${cli.stderr}`);
    const startup = await run(process.execPath, ['dist/cli.js', 'db', 'status', '--db', dbPath]);
    const vulnerable = new Set(cold.value.findings.filter((f) => f.kind === 'vulnerability').map((f) => `${f.package}@${f.version}`));
    report(
      `advisories: mirror audit of ${pins.length.toLocaleString('en')} pinned releases`,
      {
        findings: cold.value.findings.length,
        'vulnerable pins': vulnerable.size,
        'first audit': `${fmtMs(cold.ms)} (cpu ${fmtMs(cold.cpu)})`,
        'second audit': `${fmtMs(warm.ms)} (cpu ${fmtMs(warm.cpu)})`,
        'matching alone (warm)': fmtMs(checks.ms),
        'CLI wall': fmtMs(cli.ms),
        'CLI start-up (db status)': fmtMs(startup.ms),
        requests: 0,
      },
      'under 300 ms after start-up',
    );
  } finally {
    db.close();
  }
}

async function benchApiAudit(root: string, pins: number): Promise<void> {
  const osv = await startFakeOsvProcess(50);
  const db = openDb(':memory:');
  try {
    const api = new OsvApi({ baseUrl: osv.url, db });
    const options = { target: root, advisories: api, registry: null, now: new Date() };
    const cold = await timedCpu(() => auditFileSource(directorySource(root), options));
    if (cold.value.warnings.length > 0) throw new Error(cold.value.warnings.join('; '));
    const { counts, peakInFlight } = await osv.counts();
    const coldStats = { ...api.stats };
    // A second client on the same cache: what a later audit of the same tree costs.
    const again = new OsvApi({ baseUrl: osv.url, db });
    const warm = await timedCpu(() => auditFileSource(directorySource(root), { ...options, advisories: again }));
    report(
      `advisories: API audit of ${pins} pinned releases, OSV +50 ms`,
      {
        findings: cold.value.findings.length,
        'first audit': `${fmtMs(cold.ms)} (client cpu ${fmtMs(cold.cpu)})`,
        querybatch: coldStats.querybatch,
        query: coldStats.query,
        vulns: coldStats.vulns,
        'requests seen by OSV': Object.values(counts).reduce((a, b) => a + b, 0),
        'peak in flight': peakInFlight,
        'next audit (cache)': fmtMs(warm.ms),
        'its requests': `${again.stats.querybatch}+${again.stats.query}+${again.stats.vulns}`,
      },
      'under 1 s',
    );
  } finally {
    db.close();
    osv.close();
  }
}

export async function benchAdvisories(): Promise<void> {
  const records = [...fixtureRecords().values()];
  const pins = pinnedReleases(records, 1000);
  const dbPath = await benchImport();
  await benchMirrorAudit(dbPath, writePinnedTree(pins), pins);
  const apiPins = pinnedReleases(records, 300, 2);
  await benchApiAudit(writePinnedTree(apiPins), apiPins.length);
}
