/**
 * `--offline` answers from the local mirror alone, so the mirror's data must be recent enough to
 * vouch for "no known vulnerabilities". Data older than the limit (7 days by default;
 * `--max-data-age DAYS`, else DEPWATCH_MAX_DATA_AGE_DAYS) makes the result partial: exit 2 unless
 * findings give 1, and every format says how old the data is, that what was published since was not
 * checked, and what to do. The fixture mirror is old on purpose (newest record October 2024).
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { ADVISORIES_JSONL_GZ, fixtureRecord } from '../fixtures/osv/load.js';
import { inProcessCli, UNREACHABLE_SERVICES, writeTree } from '../helpers/cli-in-process.js';

let dataDir: string;
const oldMirror = () => join(dataDir, 'old.db');
const freshMirror = () => join(dataDir, 'fresh.db');

/** The CLI on `db`, with the default limit unless `env` sets one (blank: as if unset). */
const cli = (db: string, env: Record<string, string> = {}) => inProcessCli({ env: { DEPWATCH_DB: db, DEPWATCH_MAX_DATA_AGE_DAYS: '', ...UNREACHABLE_SERVICES, ...env } });

/** Nothing any advisory names: an audit of it has no findings that fail. */
const clean = () => writeTree('depwatch-data-age-', { 'requirements.txt': 'attrs==23.1.0\n' });
const vulnerable = () => writeTree('depwatch-data-age-', { 'requirements.txt': 'django==2.1.5\n' });

/** The reason for the fixture mirror under the limit `days` (its age grows with the clock). */
const TOO_OLD = (days: number) =>
  new RegExp(
    String.raw`^the local advisory mirror's data is \d+ days old \(newest record modified 2024-10-10T17:22:00\.587279Z\), over the ${days}-day limit for --offline: ` +
      String.raw`advisories published or changed since were not checked; run \`depwatch db sync\` \(or \`depwatch db import\` a newer file\), or raise the limit with --max-data-age DAYS or DEPWATCH_MAX_DATA_AGE_DAYS$`,
  );

interface Reason {
  kind: string;
  message: string;
}

beforeAll(async () => {
  dataDir = mkdtempSync(join(tmpdir(), 'depwatch-data-age-db-'));
  expect(await cli(oldMirror()).run('db', 'import', ADVISORIES_JSONL_GZ)).toBe(0);
  // Fresh data: one real record, as if OSV had changed it yesterday.
  const yesterday = new Date(Date.now() - 86_400_000).toISOString();
  const file = join(dataDir, 'recent.jsonl');
  writeFileSync(file, JSON.stringify({ ...fixtureRecord('PYSEC-2019-13'), modified: yesterday }) + '\n');
  expect(await cli(freshMirror()).run('db', 'import', file)).toBe(0);
});

describe('an offline audit of a mirror whose data is older than the limit', () => {
  it('with no findings: exit 2, partial, and JSON gives the reason as a data-source one (stderr too)', async () => {
    const c = cli(oldMirror());
    expect(await c.run('audit', '--offline', '--json', clean())).toBe(2);
    const json = JSON.parse(c.out.stdout) as { partial: boolean; partial_reasons: Reason[]; warnings: string[]; notices: string[] };
    expect(json.partial).toBe(true);
    expect(json.partial_reasons).toEqual([{ kind: 'data-source', message: expect.stringMatching(TOO_OLD(7)) }]);
    expect(json.warnings).toEqual([expect.stringMatching(TOO_OLD(7))]);
    // The notice of the data's age stays as it was.
    expect(json.notices).toContainEqual(expect.stringMatching(/^advisories from the local mirror: newest record modified 2024-10-10T17:22:00\.587279Z \(\d+ days old\)/));
    expect(c.out.stderr).toMatch(/^depwatch: WARNING: the local advisory mirror's data is \d+ days old .*DEPWATCH_MAX_DATA_AGE_DAYS\n$/);
  });

  it('says so in the text report, above a summary that would otherwise read as all clear', async () => {
    const c = cli(oldMirror());
    expect(await c.run('audit', '--offline', '--no-code', clean())).toBe(2);
    expect(c.out.stdout).toContain('PARTIAL RESULT: not everything was read or checked');
    expect(c.out.stdout).toMatch(/^ {2}- the local advisory mirror's data is \d+ days old .* over the 7-day limit for --offline: advisories published or changed since were not checked; run `depwatch db sync`/m);
  });

  it('says so in Markdown and in SARIF (an unsuccessful run with the reason as a notification)', async () => {
    const md = cli(oldMirror());
    expect(await md.run('audit', '--offline', '--markdown', '--no-code', clean())).toBe(2);
    expect(md.out.stdout).toContain('**Partial result:**');
    expect(md.out.stdout).toMatch(/the local advisory mirror's data is \d+ days old/);
    expect(md.out.stderr).toMatch(/^depwatch: WARNING: the local advisory mirror's data is \d+ days old/);

    const sarif = cli(oldMirror());
    expect(await sarif.run('audit', '--offline', '--sarif', '--no-code', clean())).toBe(2);
    const [invocation] = (JSON.parse(sarif.out.stdout) as { runs: { invocations: { executionSuccessful: boolean; toolExecutionNotifications: { message: { text: string }; descriptor: { id: string } }[] }[] }[] }).runs[0]!.invocations;
    expect(invocation!.executionSuccessful).toBe(false);
    expect(invocation!.toolExecutionNotifications).toContainEqual(expect.objectContaining({ descriptor: { id: 'depwatch/partial/data-source' }, message: { text: expect.stringMatching(TOO_OLD(7)) } }));
  });

  it('with findings: exit 1 as findings give, and the reason is still there', async () => {
    const c = cli(oldMirror());
    expect(await c.run('audit', '--offline', '--json', '--no-code', vulnerable())).toBe(1);
    const json = JSON.parse(c.out.stdout) as { partial: boolean; partial_reasons: Reason[]; findings: { id: string }[] };
    expect(json.findings.map((f) => f.id)).toContain('PYSEC-2019-13');
    expect(json.partial).toBe(true);
    expect(json.partial_reasons).toEqual([{ kind: 'data-source', message: expect.stringMatching(TOO_OLD(7)) }]);
  });

  it('check: exit 2 with no advisories found, the reason in the text and in JSON', async () => {
    const text = cli(oldMirror());
    expect(await text.run('check', '--offline', 'attrs==23.1.0')).toBe(2);
    expect(text.out.stdout).toMatch(/^attrs 23\.1\.0: no known vulnerabilities\nPARTIAL RESULT: .*\n {2}- the local advisory mirror's data is \d+ days old/);
    const json = cli(oldMirror());
    expect(await json.run('check', '--offline', '--json', 'attrs==23.1.0')).toBe(2);
    expect((JSON.parse(json.out.stdout) as { partial: boolean; partial_reasons: Reason[] }).partial_reasons).toEqual([{ kind: 'data-source', message: expect.stringMatching(TOO_OLD(7)) }]);
    expect(json.out.stderr).toMatch(/^depwatch: WARNING: the local advisory mirror's data is \d+ days old/m);
  });

  it('fix: partial (exit 2) with nothing to fix, the reason in its JSON', async () => {
    const c = cli(oldMirror());
    expect(await c.run('fix', '--offline', '--dry-run', '--json', clean())).toBe(2);
    const json = JSON.parse(c.out.stdout) as { partial: boolean; partial_reasons: Reason[] };
    expect(json.partial).toBe(true);
    expect(json.partial_reasons).toEqual([{ kind: 'data-source', message: expect.stringMatching(TOO_OLD(7)) }]);
  });

  it('package: the card is partial, never ok, and says why', async () => {
    const c = cli(oldMirror());
    expect(await c.run('package', '--offline', '--json', 'attrs==23.1.0')).toBe(2);
    const [card] = (JSON.parse(c.out.stdout) as { packages: { verdict: string; partial: boolean; reasons: { text: string }[] }[] }).packages;
    expect(card!.partial).toBe(true);
    expect(card!.verdict).not.toBe('ok');
    expect(card!.reasons.map((r) => r.text)).toContainEqual(expect.stringMatching(/^partial: the local advisory mirror's data is \d+ days old .* over the 7-day limit for --offline/));
  });
});

describe('the limit', () => {
  it('a mirror whose records are all dated in the future: its note says so, not that it holds no records', async () => {
    const file = join(dataDir, 'future.jsonl');
    writeFileSync(file, JSON.stringify({ ...fixtureRecord('PYSEC-2019-13'), modified: '2099-01-01T00:00:00Z' }) + '\n');
    const db = join(dataDir, 'future.db');
    expect(await cli(db).run('db', 'import', file)).toBe(0);
    const text = cli(db);
    expect(await text.run('check', '--offline', 'django==2.1.5')).toBe(1);
    expect(text.out.stdout).toContain('note: advisories from the local mirror, whose records are all dated in the future: how old its data is cannot be told\n');
    expect(text.out.stdout).not.toContain('holds no records');
  });

  it('a mirror whose data is within it passes: exit 0, complete', async () => {
    const c = cli(freshMirror());
    expect(await c.run('audit', '--offline', '--json', '--no-code', clean())).toBe(0);
    const json = JSON.parse(c.out.stdout) as { partial: boolean; notices: string[] };
    expect(json.partial).toBe(false);
    expect(json.notices).toContainEqual(expect.stringMatching(/^advisories from the local mirror: newest record modified \S+ \(1 day old\)/));
    expect(c.out.stderr).toBe('');
  });

  it('--max-data-age raises it', async () => {
    const c = cli(oldMirror());
    expect(await c.run('audit', '--offline', '--json', '--no-code', '--max-data-age', '100000', clean())).toBe(0);
    expect((JSON.parse(c.out.stdout) as { partial: boolean }).partial).toBe(false);
  });

  it('--max-data-age 0 refuses data a day old', async () => {
    const c = cli(freshMirror());
    expect(await c.run('audit', '--offline', '--json', '--no-code', '--max-data-age', '0', clean())).toBe(2);
    expect((JSON.parse(c.out.stdout) as { partial_reasons: Reason[] }).partial_reasons).toEqual([
      { kind: 'data-source', message: expect.stringMatching(/^the local advisory mirror's data is 1 day old \(newest record modified \S+\), over the 0-day limit for --offline/) },
    ]);
  });

  it('DEPWATCH_MAX_DATA_AGE_DAYS raises it, and --max-data-age wins over it', async () => {
    const raised = cli(oldMirror(), { DEPWATCH_MAX_DATA_AGE_DAYS: '100000' });
    expect(await raised.run('audit', '--offline', '--json', '--no-code', clean())).toBe(0);
    const flagWins = cli(oldMirror(), { DEPWATCH_MAX_DATA_AGE_DAYS: '100000' });
    expect(await flagWins.run('check', '--offline', '--max-data-age', '30', 'attrs==23.1.0')).toBe(2);
    expect(flagWins.out.stdout).toMatch(/^ {2}- the local advisory mirror's data is \d+ days old .* over the 30-day limit for --offline/m);
  });

  for (const bad of ['abc', '-1', '1.5', '7d', '']) {
    it(`--max-data-age=${JSON.stringify(bad)}: one usage line, exit 2, nothing on stdout`, async () => {
      const c = cli(oldMirror());
      expect(await c.run('audit', '--offline', `--max-data-age=${bad}`, clean())).toBe(2);
      expect(c.out.stdout).toBe('');
      expect(c.out.stderr).toBe(`depwatch audit: --max-data-age: ${JSON.stringify(bad)} is not a whole number of days (0 or more), e.g. --max-data-age 30\n`);
    });
  }

  it('--max-data-age -1 (a value that reads as an option): still one line, exit 2', async () => {
    const c = cli(oldMirror());
    expect(await c.run('audit', '--offline', '--max-data-age', '-1', clean())).toBe(2);
    expect(c.out.stdout).toBe('');
    expect(c.out.stderr).toMatch(/^depwatch audit: option '--max-data-age' argument is ambiguous\. [^\n]* use '--max-data-age=-XYZ'\. \(depwatch audit --help shows the options\)\n$/);
  });

  it('a DEPWATCH_MAX_DATA_AGE_DAYS that is not a number of days: one line, exit 2, for every offline command', async () => {
    for (const argv of [['audit', '--offline', clean()], ['check', '--offline', 'attrs==23.1.0'], ['fix', '--offline', '--dry-run', clean()], ['package', '--offline', 'attrs']]) {
      const c = cli(oldMirror(), { DEPWATCH_MAX_DATA_AGE_DAYS: 'a week' });
      expect(await c.run(...argv), argv[0]).toBe(2);
      expect(c.out.stdout, argv[0]).toBe('');
      expect(c.out.stderr, argv[0]).toBe(`depwatch ${argv[0]}: DEPWATCH_MAX_DATA_AGE_DAYS: "a week" is not a whole number of days (0 or more), e.g. DEPWATCH_MAX_DATA_AGE_DAYS=30\n`);
    }
  });
});
