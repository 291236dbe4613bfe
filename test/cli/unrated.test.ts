/**
 * Advisories no source rated fail the gate: 92% of the PyPA records carry no severity, among them
 * Django 2.1.5's SQL injection (PYSEC-2019-13) and PyYAML 5.1's code execution (PYSEC-2021-142).
 * They count as high unless --unknown-as says otherwise, say that they are not rated in every
 * format, get no invented SARIF score, and take the rating of their GHSA records when those are held.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { GHSA_FIXTURE_DIR } from '../fixtures/ghsa/load.js';
import { ADVISORIES_JSONL_GZ } from '../fixtures/osv/load.js';
import { inProcessCli, UNREACHABLE_SERVICES } from '../helpers/cli-in-process.js';

let dataDir: string;
let project: string;

const cli = (db: string) => inProcessCli({ cwd: project, env: { DEPWATCH_DB: join(dataDir, db), ...UNREACHABLE_SERVICES } });

interface JsonFinding {
  kind: string;
  id?: string;
  severity: string;
  rated?: boolean;
  severity_source?: string | null;
  treated_as?: string;
}

beforeAll(async () => {
  dataDir = mkdtempSync(join(tmpdir(), 'depwatch-unrated-'));
  project = mkdtempSync(join(tmpdir(), 'depwatch-unrated-project-'));
  writeFileSync(join(project, 'requirements.txt'), 'Django==2.1.5\nPyYAML==5.1\n');
  expect(await cli('pypa.db').run('db', 'import', ADVISORIES_JSONL_GZ)).toBe(0);
  expect(await cli('pypa-and-ghsa.db').run('db', 'import', ADVISORIES_JSONL_GZ)).toBe(0);
  expect(await cli('pypa-and-ghsa.db').run('db', 'import', GHSA_FIXTURE_DIR)).toBe(0);
});

describe('unrated advisories and the gate', () => {
  it('fails --fail-on high on Django 2.1.5 and PyYAML 5.1 from the PyPA data alone', async () => {
    const { out, run } = cli('pypa.db');
    expect(await run('audit', '--offline', '--json', '--fail-on', 'high', '.')).toBe(1);
    const json = JSON.parse(out.stdout) as { findings: JsonFinding[]; unknown_as: string };
    expect(json.unknown_as).toBe('high');
    const sqli = json.findings.find((f) => f.id === 'PYSEC-2019-13')!;
    expect(sqli).toMatchObject({ severity: 'unknown', rated: false, severity_source: null, treated_as: 'high' });
    expect(json.findings.find((f) => f.id === 'PYSEC-2021-142')).toMatchObject({ severity: 'unknown', rated: false });
    // Ordered as high: every unrated vulnerability comes before any medium finding.
    const severities = json.findings.map((f) => f.severity);
    expect(severities.lastIndexOf('unknown')).toBeLessThan(severities.indexOf('medium') === -1 ? Infinity : severities.indexOf('medium'));
  });

  it('--unknown-as lowers how they count, and says so', async () => {
    const medium = cli('pypa.db');
    expect(await medium.run('audit', '--offline', '--json', '--fail-on', 'high', '--unknown-as', 'medium', '.')).toBe(0);
    expect(JSON.parse(medium.out.stdout).findings.find((f: JsonFinding) => f.id === 'PYSEC-2019-13')).toMatchObject({ treated_as: 'medium' });
    const bad = cli('pypa.db');
    expect(await bad.run('audit', '--offline', '--unknown-as', 'dunno', '.')).toBe(2);
    expect(bad.out.stderr).toBe('depwatch audit: --unknown-as: "dunno" is not a level (critical, high, medium, low)\n');
  });

  it('labels them "not rated by the source" in text and Markdown', async () => {
    const text = cli('pypa.db');
    await text.run('audit', '--offline', '.');
    // Under its package, each unrated advisory is levelled NOT RATED and says how it counts.
    expect(text.out.stdout).toMatch(/^    NOT RATED  PYSEC-\S+ .*\(not rated by the source; treated as high\)$/m);
    expect(text.out.stdout).toMatch(/\d+ not rated, treated as high/);
    const markdown = cli('pypa.db');
    await markdown.run('audit', '--offline', '--markdown', '.');
    expect(markdown.out.stdout).toMatch(/^\| ⚪ Not rated by the source \(treated as high\) \| \[/m);
  });

  it('gives them no invented SARIF score: no security-severity, level from how they count', async () => {
    const { out, run } = cli('pypa.db');
    await run('audit', '--offline', '--sarif', '.');
    const sarif = JSON.parse(out.stdout);
    const rule = sarif.runs[0].tool.driver.rules.find((r: { id: string }) => r.id === 'PYSEC-2019-13');
    expect(rule.properties).not.toHaveProperty('security-severity');
    expect(rule.properties).toMatchObject({ rated: false, 'treated-as': 'high' });
    expect(rule.properties.tags).toContain('not-rated');
    const result = sarif.runs[0].results.find((r: { ruleId: string }) => r.ruleId === 'PYSEC-2019-13');
    expect(result.level).toBe('error');
    expect(result.message.text).toContain('not rated by the source; treated as high');
  });

  it('takes the rating of the GHSA records when the mirror holds them, even with --unknown-as low', async () => {
    const { out, run } = cli('pypa-and-ghsa.db');
    expect(await run('audit', '--offline', '--json', '--fail-on', 'high', '--unknown-as', 'low', '.')).toBe(1);
    const findings = JSON.parse(out.stdout).findings as JsonFinding[];
    expect(findings.find((f) => f.id === 'PYSEC-2019-13')).toMatchObject({ severity: 'critical', rated: true, severity_source: 'GHSA-6r97-cj55-9hrq' });
    expect(findings.find((f) => f.id === 'PYSEC-2021-142')).toMatchObject({ severity: 'critical', rated: true, severity_source: 'GHSA-8q59-q68h-6hv4' });
    expect(findings.find((f) => f.id === 'PYSEC-2019-13')).not.toHaveProperty('treated_as');
  });

  it('check says which advisories no source rated, and where a rating came from', async () => {
    const pypa = cli('pypa.db');
    expect(await pypa.run('check', '--offline', '--json', 'django==2.1.5')).toBe(1);
    const unrated = JSON.parse(pypa.out.stdout).results[0].vulnerabilities.find((v: { id: string }) => v.id === 'PYSEC-2019-13');
    expect(unrated).toMatchObject({ severity: 'unknown', rated: false, severity_source: null, treated_as: 'high' });
    const text = cli('pypa.db');
    await text.run('check', '--offline', 'django==2.1.5');
    expect(text.out.stdout).toContain('severity not rated by the source; treated as high');

    const both = cli('pypa-and-ghsa.db');
    await both.run('check', '--offline', '--json', 'django==2.1.5');
    const rated = JSON.parse(both.out.stdout).results[0].vulnerabilities.find((v: { id: string }) => v.id === 'PYSEC-2019-13');
    expect(rated).toMatchObject({ severity: 'critical', cvss: 9.8, rated: true, severity_source: 'GHSA-6r97-cj55-9hrq' });
  });
});
