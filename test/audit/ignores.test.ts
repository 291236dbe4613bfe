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
      '.depwatch.yml: ignore entry 2 (id: GHSA-xxxx): `reason` is missing: say why it is ignored; not applied',
      '.depwatch.yml: ignore entry 3 (id: CVE-2020-1): `until` must be a date, YYYY-MM-DD (a day that exists); not applied',
    ]);
  });

  it('reports a file that is not YAML instead of failing the audit', () => {
    const { rules, notes } = parseIgnoreFile('ignore: [\n  - id: x');
    expect(rules).toEqual([]);
    expect(notes[0]?.message).toMatch(/not valid YAML/);
  });

  it('refuses an until date that does not exist, where Date.parse would roll it over into March', () => {
    const { rules, notes } = parseIgnoreFile('ignore:\n  - id: A-1\n    reason: r\n    until: 2027-02-30\n  - id: A-2\n    reason: r\n    until: 2028-02-29\n');
    expect(rules.map((r) => [r.id, r.until])).toEqual([['A-2', '2028-02-29']]);
    expect(notes.map((n) => n.message)).toEqual(['.depwatch.yml: ignore entry 1 (id: A-1): `until` must be a date, YYYY-MM-DD (a day that exists); not applied']);
  });

  it('applies no ignore list when "ignore:" is given twice: YAML keeps the last, the writer may count on the first', () => {
    const { rules, excludes, notes } = parseIgnoreFile('ignore:\n  - id: A-1\n    reason: r\nexclude:\n  - path: fixtures/\n    reason: test data\nignore:\n  - id: A-2\n    reason: r\n');
    expect(rules).toEqual([]);
    expect(excludes.map((e) => e.path)).toEqual(['fixtures/']);
    expect(notes).toEqual([{ kind: 'invalid', message: '.depwatch.yml: ignore: "ignore" is given more than once (lines 1 and 7; YAML would keep only the last); no ignore applies', settingsFile: '.depwatch.yml' }]);
  });

  it('leaves out an entry with a key given twice, and keeps the others', () => {
    const { rules, notes } = parseIgnoreFile('ignore:\n  - id: A-1\n    reason: r\n    id: A-3\n  - id: A-2\n    reason: r\n');
    expect(rules.map((r) => r.id)).toEqual(['A-2']);
    expect(notes.map((n) => n.message)).toEqual(['.depwatch.yml: ignore entry 1: "id" is given more than once (lines 2 and 4; YAML would keep only the last); not applied']);
  });

  it('says an unknown YAML tag on the entry it is in, which is not applied, and never quotes the raw line', () => {
    const text = 'ignore:\n  - id: !!foo A-1\n    reason: r\n  - !custom {id: A-2, reason: r}\n  - id: A-3\n    reason: r\nnotes: !x "\u001b[2J"\n';
    const { rules, notes } = parseIgnoreFile(text);
    expect(rules.map((r) => r.id)).toEqual(['A-3']);
    expect(notes.map((n) => n.message)).toEqual([
      '.depwatch.yml: unknown YAML tag "!x" on line 7',
      '.depwatch.yml: ignore entry 1: unknown YAML tag "!!foo" on line 2; not applied',
      '.depwatch.yml: ignore entry 2: unknown YAML tag "!custom" on line 4; not applied',
    ]);
  });

  it('applies no ignore when the list itself has an unknown tag', () => {
    const { rules, notes } = parseIgnoreFile('ignore: !!python/object:x\n  - id: A-1\n    reason: r\n');
    expect(rules).toEqual([]);
    expect(notes.map((n) => n.message)).toEqual(['.depwatch.yml: ignore: unknown YAML tag "!!python/object:x" on line 1; no ignore applies']);
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

  it('does not say a finding is reported again when another ignore (an alias) still covers it', () => {
    const { rules } = parseIgnoreFile('ignore:\n  - id: PYSEC-2019-13\n    reason: a\n    until: 2026-11-27\n  - id: CVE-2019-14234\n    reason: b\n');
    const { findings, notes } = applyIgnores([vuln('PYSEC-2019-13', ['CVE-2019-14234'])], rules, today);
    expect(findings[0]?.ignoredBy?.id).toBe('CVE-2019-14234');
    expect(notes.map((n) => `${n.kind}: ${n.message}`)).toEqual([
      'expired: ignore of PYSEC-2019-13 in .depwatch.yml expired on 2026-11-27; what it matched is still ignored by another entry, so remove it',
    ]);
  });

  it('counts only the findings no other ignore covers among those an expired ignore matched', () => {
    const { rules } = parseIgnoreFile('ignore:\n  - id: PYSEC-2019-13\n    reason: a\n    until: 2026-11-27\n  - id: PYSEC-2019-13\n    package: flask\n    reason: b\n');
    const { findings, notes } = applyIgnores([vuln('PYSEC-2019-13', [], 'django'), vuln('PYSEC-2019-13', [], 'flask')], rules, today);
    expect(findings.map((f) => f.ignoredBy?.reason)).toEqual([undefined, 'b']);
    expect(notes.map((n) => n.message)).toEqual(['ignore of PYSEC-2019-13 in .depwatch.yml expired on 2026-11-27; 1 finding is reported again']);
  });

  it('says no more than that an expired ignore expired when it matches nothing', () => {
    const { rules } = parseIgnoreFile('ignore:\n  - id: PYSEC-2019-13\n    reason: a\n    until: 2026-11-27\n');
    expect(applyIgnores([vuln('PYSEC-2019-99', [])], rules, today).notes.map((n) => n.message)).toEqual(['ignore of PYSEC-2019-13 in .depwatch.yml expired on 2026-11-27']);
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

  it('refuses a kind of advisory with a package, which would hide every advisory of it (malicious records and later ones too)', () => {
    const { rules, notes } = parseIgnoreFile('ignore:\n  - id: malicious\n    package: evilpkg\n    reason: whatever\n  - id: vulnerability\n    package: django\n    reason: later\n  - id: outdated\n    package: django\n    reason: LTS\n');
    expect(rules.map((r) => r.id)).toEqual(['outdated']);
    expect(notes).toEqual([
      {
        kind: 'invalid',
        message: '.depwatch.yml: ignore entry 1 (id: malicious): "malicious" would ignore every advisory of the package, later ones too; name the advisory ids (GHSA-…, PYSEC-…, CVE-…); not applied',
        settingsFile: '.depwatch.yml',
      },
      {
        kind: 'invalid',
        message: '.depwatch.yml: ignore entry 2 (id: vulnerability): "vulnerability" would ignore every advisory of the package, later ones too; name the advisory ids (GHSA-…, PYSEC-…, CVE-…); not applied',
        settingsFile: '.depwatch.yml',
      },
    ]);
  });

  it('a kind-of-advisory ignore stored before it was refused (a channel\'s) hides nothing and is said to match nothing', () => {
    const stored = { id: 'vulnerability', reason: 'r', until: null, package: 'django', source: 'channel C123' };
    const malicious: Finding = { ...vuln('MAL-2026-1', []), kind: 'malicious' };
    const { findings, notes } = applyIgnores([vuln('PYSEC-2019-13', []), malicious], [stored, { ...stored, id: 'malicious' }], today);
    expect(findings.map((f) => f.ignoredBy)).toEqual([undefined, undefined]);
    expect(notes.map((n) => n.message)).toEqual([
      'ignore of vulnerability (django) in channel C123 matches nothing; remove it',
      'ignore of malicious (django) in channel C123 matches nothing; remove it',
    ]);
  });

  it('a file-level kind ignore with a package matches nothing', () => {
    const fileLevel = fileFinding({ kind: 'no-lockfile', severity: 'low', file: 'requirements.txt', text: 'Lock it' });
    const { rules } = parseIgnoreFile('ignore:\n  - id: no-lockfile\n    package: django\n    reason: r\n');
    expect(applyIgnores([fileLevel], rules, today).findings[0]?.ignoredBy).toBeUndefined();
  });
});
