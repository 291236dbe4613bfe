import { describe, expect, it } from 'vitest';
import { fileFinding, type Finding } from '../../src/audit/findings.js';
import { parseIgnoreFile } from '../../src/audit/ignore-file.js';
import { applyIgnores } from '../../src/audit/ignores.js';

const vuln = (id: string, aliases: string[], pkg = 'django'): Finding => ({
  kind: 'vulnerability',
  severity: 'high',
  package: pkg,
  version: '2.1.5',
  file: 'requirements.txt',
  line: 1,
  id,
  aliases,
  fix: { version: '2.2.28', text: 'Upgrade' },
});

const today = new Date('2026-11-28T12:00:00Z');

describe('.depwatch.yml ignores', () => {
  it('reads id, reason, until and package, and explains each bad entry without losing the good ones', () => {
    const { rules, notes } = parseIgnoreFile(
      [
        'ignore:',
        '  - id: PYSEC-2019-13',
        '    reason: JSONField is not used',
        '    until: 2027-01-31',
        '    package: Django',
        '  - id: GHSA-xxxx',
        '  - id: CVE-2020-1',
        '    reason: ok',
        '    until: next week',
      ].join('\n'),
    );
    expect(rules).toEqual([{ id: 'PYSEC-2019-13', reason: 'JSONField is not used', until: '2027-01-31', package: 'django', source: '.depwatch.yml' }]);
    expect(notes.map((n) => n.message)).toEqual([
      expect.stringMatching(/ignore entry 2: reason: /),
      expect.stringMatching(/ignore entry 3: until: until must be a date/),
    ]);
  });

  it('reports a file that is not YAML instead of failing the audit', () => {
    const { rules, notes } = parseIgnoreFile('ignore: [\n  - id: x');
    expect(rules).toEqual([]);
    expect(notes[0]?.message).toMatch(/not valid YAML/);
  });

  it('covers a finding through any of its aliases', () => {
    const { rules } = parseIgnoreFile('ignore:\n  - id: cve-2019-14234\n    reason: not reachable\n');
    const { findings, notes } = applyIgnores([vuln('PYSEC-2019-13', ['CVE-2019-14234', 'GHSA-6r97-cj55-9hrq'])], rules, today);
    expect(findings[0]?.ignoredBy).toEqual({ id: 'cve-2019-14234', reason: 'not reachable', until: null, source: '.depwatch.yml' });
    expect(notes).toEqual([]);
  });

  it('stops applying an expired ignore and says the finding is reported again', () => {
    const { rules } = parseIgnoreFile('ignore:\n  - id: PYSEC-2019-13\n    reason: until the upgrade\n    until: 2026-11-27\n');
    const { findings, notes } = applyIgnores([vuln('PYSEC-2019-13', [])], rules, today);
    expect(findings[0]?.ignoredBy).toBeUndefined();
    expect(notes).toEqual([expect.objectContaining({ kind: 'expired', message: expect.stringMatching(/expired on 2026-11-27; 1 finding is reported again/) })]);
  });

  it('still applies on its last day', () => {
    const { rules } = parseIgnoreFile('ignore:\n  - id: PYSEC-2019-13\n    reason: r\n    until: 2026-11-28\n');
    expect(applyIgnores([vuln('PYSEC-2019-13', [])], rules, today).findings[0]?.ignoredBy).toBeDefined();
  });

  it('reports an ignore that matches nothing as stale, and honours the package filter', () => {
    const { rules } = parseIgnoreFile('ignore:\n  - id: PYSEC-2019-13\n    reason: r\n    package: flask\n');
    const { findings, notes } = applyIgnores([vuln('PYSEC-2019-13', [])], rules, today);
    expect(findings[0]?.ignoredBy).toBeUndefined();
    expect(notes).toEqual([expect.objectContaining({ kind: 'stale', message: expect.stringMatching(/PYSEC-2019-13 \(flask\) .* matches nothing; remove it/) })]);
  });

  it('can silence a hygiene kind for one package', () => {
    const outdated: Finding = { kind: 'outdated', severity: 'info', package: 'requests', version: '2.0', file: 'r.txt', line: 2, fix: { version: '2.32.3', text: '' } };
    const { rules } = parseIgnoreFile('ignore:\n  - id: outdated\n    package: requests\n    reason: frozen on purpose\n');
    expect(applyIgnores([outdated], rules, today).findings[0]?.ignoredBy?.reason).toBe('frozen on purpose');
  });

  it('covers a file-level kind without a package, narrowed by path, and never a package finding', () => {
    const fileLevel = (file: string): Finding => fileFinding({ kind: 'no-hashes', severity: 'low', file, text: 'Add hashes' });
    const { rules } = parseIgnoreFile('ignore:\n  - id: no-hashes\n    path: requirements/dev.txt\n    reason: dev tools only\n');
    const { findings, notes } = applyIgnores([fileLevel('requirements/dev.txt'), fileLevel('requirements/prod.txt')], rules, today);
    expect(findings.map((f) => f.ignoredBy?.reason)).toEqual(['dev tools only', undefined]);
    expect(notes).toEqual([]);

    const everywhere = parseIgnoreFile('ignore:\n  - id: no-hashes\n    reason: r\n').rules;
    expect(applyIgnores([fileLevel('a.txt'), fileLevel('b/c.txt')], everywhere, today).findings.every((f) => f.ignoredBy)).toBe(true);

    const outdated: Finding = { kind: 'outdated', severity: 'info', package: 'requests', version: '2.0', file: 'r.txt', line: 2, fix: { version: '2.32.3', text: '' } };
    const kindOnly = parseIgnoreFile('ignore:\n  - id: outdated\n    reason: r\n').rules;
    const res = applyIgnores([outdated], kindOnly, today);
    expect(res.findings[0]?.ignoredBy).toBeUndefined();
    expect(res.notes).toEqual([expect.objectContaining({ kind: 'stale' })]);
  });

  it('a file-level kind ignore with a package matches nothing', () => {
    const fileLevel = fileFinding({ kind: 'no-lockfile', severity: 'low', file: 'requirements.txt', text: 'Lock it' });
    const { rules } = parseIgnoreFile('ignore:\n  - id: no-lockfile\n    package: django\n    reason: r\n');
    expect(applyIgnores([fileLevel], rules, today).findings[0]?.ignoredBy).toBeUndefined();
  });
});
