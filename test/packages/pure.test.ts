/** The pure parts of the health card: reading file names, reply times, links, requirements, names, verdict rules. */
import { describe, expect, it } from 'vitest';
import { AdvisoryMirror } from '../../src/advisories/mirror.js';
import { replyTimes } from '../../src/packages/health/people.js';
import { known, unknownSignal, type Signals } from '../../src/packages/health/signal.js';
import { claimedRepository, githubRepoOf } from '../../src/packages/health/supply-chain.js';
import { directRequirements } from '../../src/packages/health/weight.js';
import { mirrorNames, watchedNames } from '../../src/packages/sources/known-names.js';
import { versionOfFile } from '../../src/packages/sources/pypi.js';
import { TyposquatChecker } from '../../src/packages/typosquat/check.js';
import { decideVerdict } from '../../src/packages/verdict.js';
import { openDb } from '../../src/store/db.js';
import { osvRecord } from './world.js';

describe('versionOfFile', () => {
  const versions = new Map([
    ['1.0', '1.0'],
    ['2.0.0rc1', '2.0.0rc1'],
    ['0.1-charmander', '0.1-charmander'],
    ['3.0', '3.0'],
  ]);
  it.each([
    ['requests-1.0-py3-none-any.whl', '1.0'],
    ['requests-1.0.tar.gz', '1.0'],
    ['python-dateutil-3.0.zip', '3.0'],
    ['pkg-2.0.0-rc1.tar.gz', '2.0.0rc1'],
    ['old-0.1-charmander.tar.gz', '0.1-charmander'],
    ['foo-1.0-py2.7.egg', '1.0'],
    ['foo-9.9.tar.gz', null],
    ['README', null],
  ])('%s belongs to %s', (filename, expected) => {
    expect(versionOfFile(filename, versions)).toBe(expected);
  });

  it('does not read a hostile file name longer than any file system allows', () => {
    expect(versionOfFile(`${'1-'.repeat(50_000)}1.0.tar.gz`, versions)).toBeNull();
    expect(versionOfFile(`${'x-'.repeat(100)}1.0.tar.gz`, versions)).toBe('1.0');
  });
});

describe('replyTimes', () => {
  const now = new Date('2026-01-15T00:00:00Z');
  it('takes the median over answered and old unanswered issues, skipping maintainers’ own and fresh ones', () => {
    const t = replyTimes(
      [
        { createdAt: '2026-01-10T00:00:00Z', byMaintainer: false, firstMaintainerReplyAt: null },
        { createdAt: '2025-12-01T00:00:00Z', byMaintainer: true, firstMaintainerReplyAt: null },
        { createdAt: '2025-12-01T00:00:00Z', byMaintainer: false, firstMaintainerReplyAt: '2025-12-01T02:00:00Z' },
        { createdAt: '2025-11-01T00:00:00Z', byMaintainer: false, firstMaintainerReplyAt: '2025-11-03T00:00:00Z' },
        { createdAt: '2025-10-01T00:00:00Z', byMaintainer: false, firstMaintainerReplyAt: null },
      ],
      now,
    );
    expect(t).toEqual({ sampled: 3, unanswered: 1, medianHours: 48 });
  });

  it('has no median when most issues were never answered', () => {
    const old = { createdAt: '2025-01-01T00:00:00Z', byMaintainer: false, firstMaintainerReplyAt: null };
    expect(replyTimes([old, old, { ...old, firstMaintainerReplyAt: '2025-01-02T00:00:00Z' }], now)).toEqual({ sampled: 3, unanswered: 2, medianHours: null });
    expect(replyTimes([], now)).toEqual({ sampled: 0, unanswered: 0, medianHours: null });
  });
});

describe('repository links', () => {
  it.each([
    ['https://github.com/psf/requests', 'psf/requests'],
    ['https://www.github.com/psf/requests.git', 'psf/requests'],
    ['http://github.com/psf/requests/tree/main/docs', 'psf/requests'],
    ['https://gitlab.com/psf/requests', null],
    ['https://github.com/psf', null],
    ['https://github.com.evil.example/psf/requests', null],
    ['not a url', null],
  ])('%s → %s', (url, repo) => {
    expect(githubRepoOf(url)).toBe(repo);
  });

  it('prefers the URL labelled as the source', () => {
    expect(claimedRepository({ Homepage: 'https://github.com/someone/fork', Source: 'https://github.com/psf/requests' })).toBe('psf/requests');
    expect(claimedRepository({ Homepage: 'https://example.org' })).toBeNull();
  });
});

describe('directRequirements', () => {
  it('leaves out what only an extra pulls in, and counts each project once', () => {
    expect(directRequirements(['idna<4,>=2.5', 'charset_normalizer<4,>=2', "PySocks!=1.5.7,>=1.5.6; extra == 'socks'", 'urllib3<3', 'Urllib3>=1.21; python_version < "3.8"', 'not a requirement !!!'])).toEqual([
      'idna',
      'charset-normalizer',
      'urllib3',
    ]);
  });
});

describe('known names', () => {
  it('the mirror vouches for names with real advisories, not for names known only as malware', async () => {
    const db = openDb(':memory:');
    await new AdvisoryMirror(db).importRecords([osvRecord('PYSEC-1', 'jellyfish'), osvRecord('PYSEC-2', 'jellyfish'), osvRecord('MAL-1', 'jeilyfish')]);
    expect(mirrorNames(db)).toEqual([{ name: 'jellyfish', popularity: 2, source: 'local advisory mirror' }]);
  });

  it('watched repositories vouch for what they use, by how many use it', () => {
    const db = openDb(':memory:');
    const insert = db.prepare('INSERT INTO repo_state (repo, display, packages_json) VALUES (?, ?, ?)');
    insert.run('a/one', 'a/one', JSON.stringify([{ name: 'internal-tool', version: '1', direct: true, entries: [] }]));
    insert.run('a/two', 'a/two', JSON.stringify([{ name: 'internal-tool', version: '2', direct: true, entries: [] }, { name: 'django', version: '5', direct: true, entries: [] }]));
    insert.run('a/three', 'a/three', '{not json');
    expect(watchedNames(db).sort((x, y) => x.name.localeCompare(y.name))).toEqual([
      { name: 'django', popularity: 1, source: 'watched repositories' },
      { name: 'internal-tool', popularity: 2, source: 'watched repositories' },
    ]);
  });
});

describe('decideVerdict', () => {
  const source = { name: 'test' };
  const base = { name: 'pkg', version: '1.0', exists: true, versionExists: true, typosquat: new TyposquatChecker().check('pkg') };
  const clean: Signals = {
    malicious: known('security', 'Malicious-package records', [], 'none', source),
    affecting_release: known('security', 'Advisories for this release', [], 'none', source),
  };

  it('ok when nothing speaks against it', () => {
    expect(decideVerdict({ ...base, signals: clean })).toEqual({ verdict: 'ok', reasons: [], partial: false });
  });

  it('a malicious record means avoid even when everything else looks fine, and comes first', () => {
    const result = decideVerdict({
      ...base,
      signals: { ...clean, malicious: known('security', 'Malicious-package records', ['MAL-1'], '', source), project_status: known('releases', 'Status', 'archived', '', source) },
    });
    expect(result.verdict).toBe('avoid');
    expect(result.reasons.map((r) => r.verdict)).toEqual(['avoid', 'caution']);
  });

  it('fails closed: without its security signals a card is never ok', () => {
    const result = decideVerdict({
      ...base,
      signals: { malicious: unknownSignal('security', 'Malicious-package records', source, 'OSV answered 503', true) },
    });
    expect(result).toEqual({
      verdict: 'caution',
      partial: true,
      reasons: [{ verdict: 'caution', signal: 'malicious', text: 'advisories could not be checked (OSV answered 503): not rated ok' }],
    });
  });

  it('names what it could not read mid-sentence, keeping names and acronyms as written (PyPI, PEP 740, CI, GitHub)', () => {
    const failed = (family: 'people' | 'supply_chain', label: string) => unknownSignal(family, label, source, 'GitHub answered 503', true);
    const result = decideVerdict({
      ...base,
      signals: {
        ...clean,
        pypi_owners: failed('people', 'Owners on PyPI'),
        attestations: failed('supply_chain', 'Attestations (PEP 740)'),
        ci: failed('supply_chain', 'CI configured'),
        publisher: failed('supply_chain', 'GitHub (repository verified by PEP 740 attestations)'),
        first_reply: failed('people', 'Time to first maintainer reply'),
      },
    });
    expect(result.reasons.at(-1)!.text).toBe(
      'partial: could not read owners on PyPI, attestations (PEP 740), CI configured, GitHub (repository verified by PEP 740 attestations), time to first maintainer reply',
    );
  });

  it('a signal nobody publishes neither lowers the verdict nor makes the card partial', () => {
    const result = decideVerdict({ ...base, signals: { ...clean, test_coverage: unknownSignal('unpublished', 'Test coverage', source, 'not published', false) } });
    expect(result).toEqual({ verdict: 'ok', reasons: [], partial: false });
  });

  it('a look-alike name is a caution naming the target', () => {
    const result = decideVerdict({ ...base, name: 'reqeusts', typosquat: new TyposquatChecker().check('reqeusts'), signals: clean });
    expect(result.reasons).toEqual([{ verdict: 'caution', signal: null, text: 'the name looks like requests (two characters swapped): check it is the project you meant' }]);
  });
});
