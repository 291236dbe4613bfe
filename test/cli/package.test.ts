/**
 * `depwatch package` as users and CI run it: in-process, real HTTP to the loopback fakes, a real
 * SQLite file; the JSON follows docs/cli-contract.md.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { AdvisoryMirror } from '../../src/advisories/mirror.js';
import { runCli } from '../../src/cli.js';
import type { CliIO } from '../../src/cli/io.js';
import { openDb } from '../../src/store/db.js';
import { GOODLIB, REQUIREMENTS, TOKEN, osvRecord, startPackageWorld, type PackageWorld } from '../packages/world.js';

let world: PackageWorld | undefined;
let dir: string | undefined;
afterEach(async () => {
  await world?.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
  world = undefined;
  dir = undefined;
});

async function setup(options: Parameters<typeof startPackageWorld>[0] = {}) {
  world = await startPackageWorld(options);
  dir = mkdtempSync(join(tmpdir(), 'depwatch-package-cli-'));
  return join(dir, 'depwatch.db');
}

function cli(dbPath: string, env: Record<string, string> = {}) {
  const out = { stdout: '', stderr: '' };
  const io: CliIO = {
    stdout: (t) => void (out.stdout += t),
    stderr: (t) => void (out.stderr += t),
    isTTY: false,
    cwd: process.cwd(),
    env: { TZ: 'UTC', DEPWATCH_DB: dbPath, OSV_API_URL: world!.osv.url, PYPI_URL: world!.pypi.url, GITHUB_API_URL: world!.github.url, GITHUB_TOKEN: TOKEN, ...env },
  };
  return { out, run: (...argv: string[]) => runCli(['package', ...argv], io) };
}

describe('depwatch package', () => {
  it('--json: one entry per package with the contract fields; a refused argument is one line, the rest still shown', async () => {
    const db = await setup();
    const { out, run } = cli(db);
    const code = await run('--json', 'goodlib', 'foo bar', 'reqeusts');
    expect(code).toBe(1); // an avoid verdict fails the gate, as audit's findings do, whatever was refused
    expect(out.stderr).toBe('depwatch package: "foo bar" is not a valid project name (letters, digits, and . _ - inside)\n');
    const doc = JSON.parse(out.stdout) as { packages: Record<string, unknown>[]; errors: unknown[] };
    expect(doc.errors).toEqual([{ argument: 'foo bar', message: '"foo bar" is not a valid project name (letters, digits, and . _ - inside)' }]);
    expect(doc.packages.map((p) => [p.name, p.version, p.exists, p.verdict])).toEqual([
      ['goodlib', '1.2.0', true, 'ok'],
      ['reqeusts', null, false, 'avoid'],
    ]);
    const good = doc.packages[0]!;
    expect(Object.keys(good)).toEqual(
      expect.arrayContaining(['name', 'normalized_name', 'version', 'latest_version', 'exists', 'version_exists', 'verdict', 'partial', 'reasons', 'signals', 'typosquat']),
    );
    expect((good.signals as Record<string, unknown>).publisher).toMatchObject({ family: 'supply_chain', value: { repository: 'good-org/goodlib' }, source: { verified: true } });
    expect(doc.packages[1]!.typosquat).toEqual({ suspect: true, similar_to: [{ name: 'requests', kind: 'swap', popularity: 1_000_000, source: 'warehouse top projects' }] });
    expect(doc.packages[1]!.reasons).toEqual([
      { verdict: 'avoid', signal: null, text: 'reqeusts is not on the index: nothing to install, and anyone could register the name; did you mean requests?' },
    ]);
  });

  it('refuses name and version the wrong way round in one line (exit 2), with no card about a project called 2.1.5', async () => {
    const db = await setup();
    const { out, run } = cli(db);
    expect(await run('--json', '2.1.5==django')).toBe(2);
    const message = '"2.1.5==django" is not name==version: "django" is not a version and "2.1.5" is one; did you mean django==2.1.5?';
    expect(out.stderr).toBe(`depwatch package: ${message}\n`);
    expect(JSON.parse(out.stdout)).toEqual({ packages: [], errors: [{ argument: '2.1.5==django', message }] });
  });

  it('prints a readable card and exits 0 when every verdict is below --fail-on', async () => {
    const db = await setup();
    const { out, run } = cli(db);
    expect(await run('goodlib==1.2.0')).toBe(0);
    expect(out.stdout).toMatch(/^goodlib 1\.2\.0: OK\n/);
    expect(out.stdout).toContain('  Supply chain\n    Attestations (PEP 740): 2 of 2 files  [PyPI Simple API]\n');
    expect(out.stdout).toContain('Test coverage: unknown: neither PyPI nor GitHub publishes it');
    expect(out.stderr).toBe('');
  });

  it('exits 1 when a verdict is avoid, and for caution with --fail-on caution', async () => {
    const db = await setup({ projects: [{ ...GOODLIB, name: 'oldlib', status: 'archived' }, GOODLIB, ...REQUIREMENTS] });
    expect(await cli(db).run('goodlib', 'nosuchproject')).toBe(1);
    expect(await cli(db).run('oldlib')).toBe(0);
    expect(await cli(db).run('--fail-on', 'caution', 'oldlib')).toBe(1);
    const bad = cli(db);
    expect(await bad.run('--fail-on', 'never', 'oldlib')).toBe(2);
    expect(bad.out.stderr).toBe('depwatch package: --fail-on takes avoid or caution, not "never"\n');
  });

  it('exits 2 when a card is partial, and says what was not read', async () => {
    const db = await setup();
    world!.pypi.fail({ match: '/simple/', status: 503, times: 10 });
    const { out, run } = cli(db);
    expect(await run('goodlib')).toBe(2);
    expect(out.stdout).toMatch(/^goodlib 1\.2\.0: CAUTION \(partial\)\n {2}! partial: could not read last release/);
  });

  it('exits 2 for a release whose version is not PEP 440 when its advisories have ranges, as check does', async () => {
    const db = await setup({
      projects: [{ ...GOODLIB, releases: [{ version: '0.12-internal', uploadTime: '2025-11-01T10:00:00Z' }, ...GOODLIB.releases] }, ...REQUIREMENTS],
      records: [osvRecord('PYSEC-2025-3', 'goodlib', { fixed: '1.1.0', severity: 'HIGH' })],
    });
    const { out, run } = cli(db);
    expect(await run('goodlib==0.12-internal')).toBe(2);
    expect(out.stdout).toMatch(/^goodlib 0\.12-internal: CAUTION \(partial\)\n {2}! partial: goodlib 0\.12-internal is not a PEP 440 version: the 1 advisory for goodlib with version ranges could not be compared with it\n/);
  });

  it('exits 1, not 2, when a partial card or a refused argument comes with an avoid verdict, as audit does with findings', async () => {
    const db = await setup();
    world!.pypi.fail({ match: '/simple/goodlib', status: 503, times: 10 });
    const { out, run } = cli(db);
    expect(await run('goodlib', 'nosuchproject')).toBe(1);
    expect(out.stdout).toContain('goodlib 1.2.0: CAUTION (partial)');
    expect(out.stdout).toContain('nosuchproject: not on the index: AVOID');
    expect(await run('foo bar', 'nosuchproject')).toBe(1);
    expect(await run('foo bar', 'goodlib')).toBe(2);
  });

  it('--offline with an empty mirror: no request at all, advisories unknown, never ok', async () => {
    const db = await setup();
    const { out, run } = cli(db);
    expect(await run('--offline', '--json', 'goodlib')).toBe(2);
    expect(world!.requests()).toBe(0);
    const [card] = (JSON.parse(out.stdout) as { packages: { verdict: string; signals: Record<string, { unknown?: { why: string } }> }[] }).packages;
    expect(card!.verdict).toBe('caution');
    expect(card!.signals.malicious!.unknown!.why).toMatch(/^--offline needs the local advisory mirror, and it is empty/);
  });

  it('extends the typosquat check with the names in the local mirror', async () => {
    const db = await setup();
    const store = openDb(db);
    const mirror = new AdvisoryMirror(store);
    // As a sync of the live feed leaves it (its newest record recent), so the card uses the mirror.
    const synced = new Date();
    await mirror.importRecords([osvRecord('PYSEC-2020-1', 'jellyfish', { fixed: '1.0' }), { ...osvRecord('MAL-2020-2', 'jeilyfish'), modified: synced.toISOString() }]);
    mirror.markSynced(synced, 'test');
    store.close();
    const { out, run } = cli(db);
    expect(await run('--json', 'jeIlyfish')).toBe(1);
    const [card] = (JSON.parse(out.stdout) as { packages: { typosquat: unknown; reasons: { text: string }[] }[] }).packages;
    expect(card!.typosquat).toEqual({ suspect: true, similar_to: [{ name: 'jellyfish', kind: 'confusable', popularity: 1, source: 'local advisory mirror' }] });
    expect(card!.reasons[0]!.text).toBe('reported as a malicious package (MAL-2020-2): do not install it');
  });

  describe('when OSV is down, as check and audit: the local mirror answers for it (chooseAdvisorySource)', () => {
    /** A mirror holding an advisory for goodlib, last synced `syncedAgoMs` ago (its newest record then). */
    async function seedMirror(db: string, syncedAgoMs: number) {
      const store = openDb(db);
      const mirror = new AdvisoryMirror(store);
      const synced = new Date(Date.now() - syncedAgoMs);
      await mirror.importRecords([{ ...osvRecord('PYSEC-2025-7', 'goodlib', { fixed: '1.1.0', severity: 'HIGH' }), modified: synced.toISOString() }]);
      mirror.markSynced(synced, 'test');
      store.close();
    }
    type Card = { partial: boolean; reasons: { text: string }[]; signals: Record<string, { text: string; unknown?: { why: string } }>; notices: string[] };
    const cardOf = (stdout: string) => (JSON.parse(stdout) as { packages: Card[] }).packages[0]!;

    it('a fresh mirror: a complete card from the mirror, OSV not asked', async () => {
      const db = await setup();
      await seedMirror(db, 60_000);
      world!.osv.failNext(50, 503);
      const { out, run } = cli(db);
      expect(await run('--json', 'goodlib==1.2.0')).toBe(0);
      const card = cardOf(out.stdout);
      expect(card.partial).toBe(false);
      expect(card.signals.past_advisories!.text).toBe('1 advisory in all releases');
      expect(world!.osv.requests).toHaveLength(0);
    });

    it('a stale mirror: a partial card saying the mirror answered for OSV and what it could not vouch for; once OSV is back, OSV answers the next card', async () => {
      const db = await setup();
      await seedMirror(db, 48 * 3_600_000);
      world!.osv.failNext(4, 503);
      const down = cli(db);
      expect(await down.run('--json', 'goodlib==1.2.0')).toBe(2);
      const card = cardOf(down.out.stdout);
      expect(card.partial).toBe(true);
      expect(card.signals.past_advisories!.text).toBe('1 advisory in all releases');
      expect(card.reasons.map((r) => r.text)).toEqual([expect.stringMatching(/^partial: the local advisory mirror answered for OSV, but it was last synced .*, over 24 hours ago/)]);
      expect(card.notices).toEqual([expect.stringMatching(/^OSV did not answer \(OSV answered 503 .*\); used the local advisory mirror instead$/)]);
      expect(down.out.stderr).toContain('depwatch: OSV did not answer (OSV answered 503');

      // The mirror's stand-in answer is not kept as OSV's for the cards' freshness window.
      world!.osv.resetCounts();
      const back = cli(db);
      expect(await back.run('--json', 'goodlib==1.2.0')).toBe(0);
      expect(world!.osv.requests.length).toBeGreaterThan(0);
      expect(cardOf(back.out.stdout)).toMatchObject({ partial: false, notices: [] });
      expect(back.out.stderr).toBe('');
    });

    it('an empty mirror: a partial card saying OSV was not reached, never ok', async () => {
      const db = await setup();
      world!.osv.failNext(4, 503);
      const { out, run } = cli(db);
      expect(await run('--json', 'goodlib')).toBe(2);
      const card = cardOf(out.stdout);
      expect(card.partial).toBe(true);
      expect(card.signals.malicious!.unknown!.why).toMatch(/OSV answered 503/);
    });
  });

  it('is listed in the usage', async () => {
    const db = await setup();
    const out = { stdout: '', stderr: '' };
    const io: CliIO = { stdout: (t) => void (out.stdout += t), stderr: (t) => void (out.stderr += t), isTTY: false, cwd: process.cwd(), env: { DEPWATCH_DB: db } };
    await runCli(['--help'], io);
    expect(out.stdout).toContain('depwatch package [--json] [--offline] [--fail-on avoid|caution] <name[==version]>...');
  });
});
