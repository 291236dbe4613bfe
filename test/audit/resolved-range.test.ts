/**
 * A requirement nothing pins installs, today, the newest non-yanked release it allows: what `pip
 * install -r` (and pip-audit -r) resolves it to. Its advisories are vulnerabilities of the audit
 * like a pin's, so a range that admits only vulnerable releases fails the gate; the `unpinned`
 * finding stays. Offline the range is not resolved, and `unpinned` says so at medium.
 * Real PyPA advisories for urllib3 (the fixture mirror).
 */
import { describe, expect, it } from 'vitest';
import { auditFileSource } from '../../src/audit/run.js';
import { findingJson, type Finding } from '../../src/audit/findings.js';
import { memorySource } from '../../src/python/files.js';
import { rangeAdmission, specifierAlternatives } from '../../src/advisories/range-admission.js';
import { project, realMirror, registryOf, release } from './helpers.js';

const now = new Date('2026-11-28T12:00:00Z');
const urllib3 = (extra: { yanked?: string } = {}) =>
  registryOf([
    project('urllib3', [
      release('1.23', '2018-06-04T00:00:00Z'),
      release('1.24.1', '2018-11-02T00:00:00Z'),
      release('1.24.3', '2019-05-01T00:00:00Z', extra.yanked === '1.24.3' ? { yanked: true, yankedReason: 'test' } : {}),
      release('1.26.18', '2023-10-17T00:00:00Z'),
      release('2.2.3', '2024-09-12T00:00:00Z'),
    ]),
  ]);

async function audit(requirements: string, registry: ReturnType<typeof urllib3> | null) {
  return auditFileSource(memorySource({ 'requirements.txt': requirements }), { target: 'app', advisories: await realMirror(), registry, now });
}
const of = (findings: Finding[], kind: Finding['kind']) => findings.filter((f) => f.kind === kind);

describe('a range audited as the release it resolves to today', () => {
  it('`urllib3==1.24.*` resolves to 1.24.3: its advisories are vulnerabilities at the requirement, and the fix raises it to the fixed release', async () => {
    const result = await audit('urllib3==1.24.*\n', urllib3());
    const vulns = of(result.findings, 'vulnerability');
    expect(vulns.length).toBeGreaterThan(2);
    expect(vulns.map((f) => f.id)).toContain('PYSEC-2023-192');
    // Not PYSEC-2019-133 (fixed in 1.24.2): 1.24.3 is audited, not every release the range allows.
    expect(vulns.map((f) => f.id)).not.toContain('PYSEC-2019-133');
    expect(vulns.every((f) => f.package === 'urllib3' && f.version === '1.24.3' && f.file === 'requirements.txt' && f.line === 1)).toBe(true);
    expect(vulns[0]!.fix).toEqual({
      version: '1.26.18',
      text: `urllib3==1.24.* (requirements.txt:1) is not pinned: pip installs the newest release it allows, which today is 1.24.3, and ${vulns.length} advisories hit it. Pin it to 1.26.18 (\`urllib3==1.26.18\`) or raise its lower bound to 1.26.18 (\`urllib3>=1.26.18\`), then lock it.`,
    });
    // The JSON says the version is the resolved one, and the range it came from.
    const json = findingJson(vulns[0]!);
    expect(json).toMatchObject({ version: '1.24.3', locations: [{ file: 'requirements.txt', line: 1, role: 'declaration', specifier: '==1.24.*' }], details: { resolved_from: '==1.24.*' } });
    // Depwatch's own rule stays: pin it or lock it.
    expect(of(result.findings, 'unpinned')).toEqual([expect.objectContaining({ package: 'urllib3', severity: 'medium' })]);
  });

  it('a yanked release is not what pip installs: the newest non-yanked one is audited', async () => {
    const result = await audit('urllib3==1.24.*\n', urllib3({ yanked: '1.24.3' }));
    const vulns = of(result.findings, 'vulnerability');
    expect(new Set(vulns.map((f) => f.version))).toEqual(new Set(['1.24.1']));
    expect(vulns.map((f) => f.id)).toContain('PYSEC-2019-133');
  });

  it('a range whose newest release no advisory hits adds no vulnerability', async () => {
    const result = await audit('urllib3>=1.24\n', urllib3());
    expect(of(result.findings, 'vulnerability')).toEqual([]);
    expect(of(result.findings, 'unpinned')).toEqual([expect.objectContaining({ package: 'urllib3' })]);
  });

  it('offline the range is not resolved: `unpinned` is medium and says so, and nothing claims the range is clean', async () => {
    const result = await audit('urllib3==1.24.*\n', null);
    expect(of(result.findings, 'vulnerability')).toEqual([]);
    const [unpinned] = of(result.findings, 'unpinned');
    expect(unpinned!.severity).toBe('medium');
    expect(unpinned!.fix.text).toContain("The range was not resolved (PyPI's releases were not read), so whether a known advisory hits the release it installs was not checked.");
    expect(unpinned!.details).toMatchObject({ admits: null });
  });
});

describe("a Poetry union (`2.10 || 2.11.2`) is read as its alternatives, never as any version", () => {
  const jinja2 = registryOf([
    project('jinja2', [release('2.10', '2017-11-08T00:00:00Z'), release('2.11.2', '2020-04-13T00:00:00Z'), release('2.11.3', '2021-01-31T00:00:00Z'), release('3.1.4', '2024-05-05T00:00:00Z')]),
  ]);
  const pyproject = '[tool.poetry.dependencies]\npython = "^3.8"\njinja2 = "2.10 || 2.11.2"\n';

  it('the newest release it allows is the newest of its alternatives, and that release is audited', async () => {
    const result = await auditFileSource(memorySource({ 'pyproject.toml': pyproject }), { target: 'app', advisories: await realMirror(), registry: jinja2, now });
    const [unpinned] = of(result.findings, 'unpinned');
    expect(unpinned!.fix.text).toContain('jinja2 allows "==2.10 || ==2.11.2": pin it (jinja2==2.11.2 is the newest release allowed)');
    expect(unpinned!.fix.text).not.toContain('3.1.4');
    const vulns = of(result.findings, 'vulnerability');
    expect(vulns.length).toBeGreaterThan(0);
    expect(new Set(vulns.map((f) => f.version))).toEqual(new Set(['2.11.2']));
    expect(vulns[0]!.fix.text).toMatch(/^jinja2 ==2\.10 \|\| ==2\.11\.2 \(pyproject\.toml:3\) is not pinned: pip installs the newest release it allows, which today is 2\.11\.2,/);
  });

  it('rangeAdmission admits what any alternative admits, in release order; a constraint with an alternative that is not PEP 440 is not understood', () => {
    expect(rangeAdmission('jinja2', '==2.10 || ==2.11.2', ['2.10', '2.10.1', '2.11.2', '2.11.3', '3.1.4'], null)).toEqual({ allowed: ['2.10', '2.11.2'], newest: '2.11.2', admitted: null });
    expect(rangeAdmission('jinja2', '<2.11 || >=3', ['2.10', '2.11.2', '3.1.4'], null).allowed).toEqual(['2.10', '3.1.4']);
    expect(specifierAlternatives('==2.10 || ==2.11.2')).toEqual(['==2.10', '==2.11.2']);
    expect(specifierAlternatives('>=1,<2')).toEqual(['>=1,<2']);
    expect(specifierAlternatives('==2.10 || ~=')).toBeNull();
  });
});
