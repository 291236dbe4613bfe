/**
 * The `typosquat` finding: a pinned, locked or ranged package whose name looks like a more popular one is
 * flagged with its suspected target; PEP 503-equal spellings, popular names and established projects
 * are not; the names the watched repositories use count as popular targets too.
 */
import { describe, expect, it } from 'vitest';
import type { Finding } from '../../src/audit/findings.js';
import { auditFileSource } from '../../src/audit/run.js';
import { auditTyposquatChecker } from '../../src/audit/rules/typosquat.js';
import { memorySource } from '../../src/python/files.js';
import { project, realMirror, registryOf, release } from './helpers.js';

const now = new Date('2026-11-28T12:00:00Z');
const squats = (findings: Finding[]) => findings.filter((f) => f.kind === 'typosquat');

describe('the typosquat rule', () => {
  it('flags pinned and locked look-alikes of popular names, naming the target', async () => {
    const tree = memorySource({
      'requirements.txt': 'reqeusts==2.0.0\nDjango==4.2.16\n',
      'poetry.lock': '[[package]]\nname = "python-dateutl"\nversion = "2.8.2"\n\n[[package]]\nname = "urllib3"\nversion = "2.2.3"\n',
    });
    const result = await auditFileSource(tree, { target: 't', advisories: await realMirror(), registry: null, now });
    const found = squats(result.findings);
    expect(found.map((f) => [f.package, f.version, f.file, f.line, f.severity])).toEqual([
      ['python-dateutl', '2.8.2', 'poetry.lock', 1, 'medium'],
      ['reqeusts', '2.0.0', 'requirements.txt', 1, 'medium'],
    ]);
    const requests = found.find((f) => f.package === 'reqeusts')!;
    expect(requests.fix.text).toBe('reqeusts looks like requests (two characters swapped): check it is the project you meant; if it is a typo, replace it with requests and re-lock.');
    expect(requests.details).toMatchObject({ similar_to: [{ name: 'requests', kind: 'swap', source: 'warehouse top projects' }], direct: true });
    expect(found.find((f) => f.package === 'python-dateutl')!.details).toMatchObject({ similar_to: [expect.objectContaining({ name: 'python-dateutil' })] });
  });

  it('flags a look-alike a range asks for, as pip installs it whatever the range (version null)', async () => {
    const tree = memorySource({ 'requirements.txt': 'flask\nreqeusts>=1.0\nreqeusts<3\n' });
    const result = await auditFileSource(tree, { target: 't', advisories: await realMirror(), registry: null, now });
    expect(squats(result.findings).map((f) => [f.package, f.version, f.file, f.line])).toEqual([['reqeusts', null, 'requirements.txt', 2]]);
    // A name both pinned and ranged is flagged once, at its pin.
    const both = memorySource({ 'requirements.txt': 'reqeusts>=1.0\n', 'sub/requirements.txt': 'reqeusts==2.0.0\n' });
    const twice = await auditFileSource(both, { target: 't', advisories: await realMirror(), registry: null, now });
    expect(squats(twice.findings).map((f) => [f.package, f.version, f.file])).toEqual([['reqeusts', '2.0.0', 'sub/requirements.txt']]);
  });

  it('never flags PEP 503 spellings of a popular name, popular names themselves, or an established project', async () => {
    const tree = memorySource({ 'requirements.txt': 'Typing_Extensions==4.12.2\nrequests==2.32.3\nboto==2.49.0\nboto3==1.35.0\nPyYAML==6.0.2\n' });
    // boto is one character short of boto3, but has released since 2006: its history vouches for it.
    const boto = project('boto', Array.from({ length: 12 }, (_, i) => release(`2.${i}`, `${2008 + i}-01-01T00:00:00Z`)));
    const result = await auditFileSource(tree, { target: 't', advisories: await realMirror(), registry: registryOf([boto]), now });
    expect(squats(result.findings)).toEqual([]);
  });

  it('spares a project that has released for years, whatever its name resembles', async () => {
    const history = Array.from({ length: 12 }, (_, i) => release(`1.${i}`, `${2012 + i}-01-01T00:00:00Z`));
    const tree = memorySource({ 'requirements.txt': 'reqeusts==1.11\n' });
    const result = await auditFileSource(tree, { target: 't', advisories: await realMirror(), registry: registryOf([project('reqeusts', history)]), now });
    expect(squats(result.findings)).toEqual([]);
  });

  it('counts the names the watched repositories use as popular targets', async () => {
    const tree = memorySource({ 'requirements.txt': 'acme-internal-clientt==1.0\n' });
    const plain = await auditFileSource(tree, { target: 't', advisories: await realMirror(), registry: null, now });
    expect(squats(plain.findings)).toEqual([]);
    const known = await auditFileSource(tree, {
      target: 't',
      advisories: await realMirror(),
      registry: null,
      now,
      knownNames: [{ name: 'acme-internal-client', popularity: 12, source: 'watched repositories' }],
    });
    expect(squats(known.findings).map((f) => f.details?.similar_to)).toEqual([[{ name: 'acme-internal-client', kind: 'repetition', source: 'watched repositories' }]]);
  });

  it('builds the checker once per list of known names: the next audit with the same names reuses it', async () => {
    const names = [{ name: 'acme-internal-client', popularity: 12, source: 'watched repositories' }];
    const checker = auditTyposquatChecker(names);
    expect(auditTyposquatChecker([{ ...names[0]! }])).toBe(checker);
    expect(auditTyposquatChecker([])).toBe(auditTyposquatChecker());
    // Other names (or the same name vouched for differently) are another checker, with their own answers.
    const other = auditTyposquatChecker([{ name: 'acme-internal-client', popularity: 13, source: 'watched repositories' }]);
    expect(other).not.toBe(checker);
    expect(auditTyposquatChecker([]).check('acme-internal-clientt').suspect).toBe(false);
    expect(checker.check('acme-internal-clientt').similarTo).toEqual([{ name: 'acme-internal-client', kind: 'repetition', popularity: 12, source: 'watched repositories' }]);
  });
});
