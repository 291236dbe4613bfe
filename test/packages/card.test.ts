import { afterEach, describe, expect, it } from 'vitest';
import { buildCard, buildCards, parsePackageArg, PackageArgumentError, type PackageCard } from '../../src/packages/card.js';
import { GOODLIB, GOODLIB_REPO, NOW, osvRecord, REQUIREMENTS, startPackageWorld, type PackageWorld } from './world.js';

let world: PackageWorld | undefined;
afterEach(async () => {
  await world?.close();
  world = undefined;
});

async function card(arg: string, options: Parameters<PackageWorld['sources']>[0] = {}): Promise<PackageCard> {
  return buildCard(parsePackageArg(arg), await world!.sources(options));
}

const reasonTexts = (c: PackageCard) => c.reasons.map((r) => `${r.verdict}: ${r.text}`);

describe('a healthy package', () => {
  it('gets every signal with its value and source, and the verdict ok', async () => {
    world = await startPackageWorld();
    const c = await card('GoodLib');
    expect(c).toMatchObject({ name: 'GoodLib', normalizedName: 'goodlib', version: '1.2.0', latestVersion: '1.2.0', exists: true, verdict: 'ok', partial: false, reasons: [] });
    const s = c.signals;
    // releases
    expect(s.last_release).toMatchObject({ family: 'releases', value: { days: 45, version: '1.2.0', date: '2025-12-01' }, source: { name: 'PyPI Simple API' } });
    expect(s.releases_last_year!.value).toBe(2);
    expect(s.yanked_releases!.value).toEqual([]);
    expect(s.project_status!.value).toBe('active');
    expect(s.requires_python!.value).toBe('>=3.9');
    expect(s.release_yanked!.value).toBe(false);
    // people
    expect(s.pypi_owners!.value).toEqual({ owners: ['alice'], maintainers: ['bob'], organization: 'good-org' });
    expect(s.contributors).toMatchObject({ value: { authors: 3, commits: 3 }, source: { url: 'https://github.com/good-org/goodlib', verified: true } });
    // Answered after 5 h, 24 h and 3 h (the 5-day-old unanswered issue is too fresh to count; the owner's own issue is not a question).
    expect(s.first_reply!.value).toEqual({ median_hours: 5, sampled: 3, unanswered: 0 });
    expect(s.repo_archived!.value).toBe(false);
    expect(s.security_policy!.value).toBe(true);
    expect(s.ci!.value).toEqual(['.github/workflows/ci.yml']);
    // supply chain
    expect(s.attestations!.value).toEqual({ attested: 2, files: 2 });
    expect(s.publisher).toMatchObject({ value: { kind: 'GitHub', repository: 'good-org/goodlib', environment: 'pypi' }, source: { verified: true } });
    expect(s.project_urls!.value).toEqual({ repository: 'good-org/goodlib', verified: true, matches_publisher: true });
    // weight: urllib3 needs h2 and zstandard (brotli only through an extra)
    expect(s.direct_requirements!.value).toEqual({ count: 3, names: ['idna', 'certifi', 'urllib3'] });
    expect(s.heaviest_requirement!.value).toEqual({ name: 'urllib3', requirements: 2, compared: 3, of: 3 });
    // security
    expect(s.malicious!.value).toEqual([]);
    expect(s.affecting_release!.value).toEqual([]);
    expect(s.past_advisories!.value).toEqual({ count: 0, ids: [] });
    // nobody publishes these
    expect(s.test_coverage).toMatchObject({ value: null, unknown: { failed: false } });
    expect(s.documentation!.value).toBe('https://goodlib.readthedocs.io/');
    expect(c.typosquat).toEqual({ name: 'GoodLib', normalized: 'goodlib', suspect: false, similarTo: [] });
  });

  it('costs at most 8 requests, and none when repeated within the hour', async () => {
    world = await startPackageWorld({ records: [] });
    await card('goodlib', { advisories: 'api' });
    expect(world.requests()).toBeLessThanOrEqual(8);
    expect(world.osv.counts.query).toBe(1);
    expect(world.github.count('POST /graphql')).toBe(1);
    world.resetCounts();
    const again = await card('goodlib', { advisories: 'api', now: new Date(NOW.getTime() + 50 * 60_000) });
    expect(world.requests()).toBe(0);
    expect(again.verdict).toBe('ok');
    // After the hour, it asks again.
    await card('goodlib', { advisories: 'api', now: new Date(NOW.getTime() + 61 * 60_000) });
    expect(world.requests()).toBeGreaterThan(0);
  });

  it('describes the release asked for, not the latest', async () => {
    world = await startPackageWorld();
    const c = await card('goodlib==1.0.0');
    expect(c).toMatchObject({ requestedVersion: '1.0.0', version: '1.0.0', latestVersion: '1.2.0', versionExists: true });
    expect(c.signals.requires_python!.value).toBe('');
  });
});

describe('verdicts', () => {
  it('avoid for a malicious-package record, whatever else is true', async () => {
    world = await startPackageWorld({ records: [osvRecord('MAL-2025-1234', 'goodlib', { summary: 'Malicious code in goodlib' })] });
    const c = await card('goodlib');
    expect(c.verdict).toBe('avoid');
    expect(reasonTexts(c)[0]).toBe('avoid: reported as a malicious package (MAL-2025-1234): do not install it');
    expect(c.signals.malicious!.source.name).toBe('local advisory mirror (OSV data)');
  });

  it('avoid for a name the index does not have, naming the popular project it resembles', async () => {
    world = await startPackageWorld();
    const c = await card('reqeusts');
    expect(c).toMatchObject({ exists: false, version: null, verdict: 'avoid', partial: false });
    expect(c.typosquat.similarTo[0]).toMatchObject({ name: 'requests', kind: 'swap' });
    expect(reasonTexts(c)).toContain('avoid: reqeusts is not on the index: nothing to install, and anyone could register the name; did you mean requests?');
  });

  it('avoid for a name that exists only as a removed malicious package', async () => {
    world = await startPackageWorld({ records: [osvRecord('MAL-2024-9', 'python3-dateutil')] });
    const c = await card('python3-dateutil');
    expect(c.exists).toBe(false);
    expect(c.signals.malicious!.value).toEqual(['MAL-2024-9']);
    expect(c.typosquat.similarTo[0]).toMatchObject({ name: 'python-dateutil', kind: 'prefix-suffix' });
    expect(c.verdict).toBe('avoid');
  });

  it('avoid for a quarantined project, caution for an archived one', async () => {
    world = await startPackageWorld({
      projects: [
        { ...GOODLIB, name: 'badlib', status: 'quarantined', statusReason: 'suspected malware' },
        { ...GOODLIB, name: 'oldlib', status: 'archived' },
        ...REQUIREMENTS,
      ],
    });
    const bad = await card('badlib');
    expect(bad.verdict).toBe('avoid');
    expect(bad.signals.project_status!.text).toBe('quarantined: suspected malware');
    const old = await card('oldlib');
    expect(old.verdict).toBe('caution');
    expect(reasonTexts(old)).toContain('caution: its owners archived the project on the index: no further releases are expected');
  });

  it('avoid for a release that does not exist or was yanked', async () => {
    world = await startPackageWorld({
      projects: [{ ...GOODLIB, releases: [...GOODLIB.releases, { version: '1.3.0', uploadTime: '2026-01-01T00:00:00Z', yanked: true, yankedReason: 'broken wheel' }] }, ...REQUIREMENTS],
    });
    const missing = await card('goodlib==9.9.9');
    expect(missing).toMatchObject({ exists: true, versionExists: false, verdict: 'avoid', latestVersion: '1.2.0' });
    expect(reasonTexts(missing)[0]).toBe('avoid: goodlib has no release 9.9.9 on the index');
    const yanked = await card('goodlib==1.3.0');
    expect(yanked.verdict).toBe('avoid');
    expect(yanked.signals.release_yanked!.text).toBe('yes: broken wheel');
    expect(yanked.signals.yanked_releases!.value).toEqual(['1.3.0']);
  });

  it('avoid for a severe advisory hitting the release, caution for a lesser one, and past ones only counted', async () => {
    world = await startPackageWorld({
      records: [osvRecord('PYSEC-2025-1', 'goodlib', { fixed: '1.1.0', severity: 'HIGH' }), osvRecord('GHSA-aaaa-bbbb-cccc', 'goodlib', { fixed: '1.2.0', severity: 'MODERATE' })],
    });
    const old = await card('goodlib==1.0.0');
    expect(old.verdict).toBe('avoid');
    expect(reasonTexts(old)[0]).toBe('avoid: known vulnerabilities in this release: PYSEC-2025-1 (high)');
    const mid = await card('goodlib==1.1.0');
    expect(mid.verdict).toBe('caution');
    expect(mid.signals.affecting_release!.value).toEqual([{ id: 'GHSA-aaaa-bbbb-cccc', severity: 'medium', fixed_versions: ['1.2.0'] }]);
    const latest = await card('goodlib');
    expect(latest.verdict).toBe('ok');
    expect(latest.signals.past_advisories!.value).toEqual({ count: 2, ids: ['PYSEC-2025-1', 'GHSA-aaaa-bbbb-cccc'] });
  });

  it('an advisory of unknown severity counts as severe (fail closed)', async () => {
    world = await startPackageWorld({ records: [osvRecord('PYSEC-2025-7', 'goodlib')] });
    const c = await card('goodlib');
    expect(c.verdict).toBe('avoid');
    // Said as replies and alerts say it, never "(unknown)".
    expect(reasonTexts(c)).toContain('avoid: known vulnerabilities in this release: PYSEC-2025-7 (not rated by the source)');
    expect(c.signals.affecting_release!.text).toBe('PYSEC-2025-7 (not rated by the source, no fix)');
  });

  it('caution for no release in two years, an archived repository and unanswered issues', async () => {
    const issues = Array.from({ length: 6 }, (_, i) => ({ createdAt: `2025-0${i + 1}-01T00:00:00Z`, authorAssociation: 'NONE' }));
    world = await startPackageWorld({
      projects: [{ ...GOODLIB, releases: [{ version: '0.9', uploadTime: '2021-05-01T00:00:00Z', publisher: { kind: 'GitHub', repository: 'good-org/goodlib' } }] }, ...REQUIREMENTS],
      repos: [{ ...GOODLIB_REPO, health: { archived: true, issues } }],
    });
    const c = await card('goodlib');
    expect(c.verdict).toBe('caution');
    expect(reasonTexts(c)).toEqual([
      'caution: no release in 4 years (last: 0.9)',
      'caution: the source repository is archived',
      'caution: maintainers did not answer 6 of the latest 6 issues',
    ]);
  });

  it('caution when the project URLs contradict the attested publisher, and marks the claim unverified', async () => {
    world = await startPackageWorld({ projects: [{ ...GOODLIB, projectUrls: { Source: 'https://github.com/psf/requests' } }, ...REQUIREMENTS] });
    const c = await card('goodlib');
    expect(reasonTexts(c)).toContain('caution: the project URLs claim github.com/psf/requests, but its releases are published from good-org/goodlib');
    expect(c.signals.project_urls!.source.verified).toBe(false);
    // The people signals describe the verified repository, not the claimed one.
    expect(c.signals.ci!.source.url).toBe('https://github.com/good-org/goodlib');
  });

  it('without attestations, repository signals come from the claimed repository, marked unverified', async () => {
    world = await startPackageWorld({ projects: [{ ...GOODLIB, releases: GOODLIB.releases.map(({ publisher: _p, ...r }) => r) }, ...REQUIREMENTS] });
    const c = await card('goodlib');
    expect(c.signals.attestations!.value).toEqual({ attested: 0, files: 2 });
    expect(c.signals.publisher).toMatchObject({ value: null, unknown: { why: 'no file of this release has an attestation', failed: false } });
    expect(c.signals.contributors!.source).toMatchObject({ verified: false, name: 'GitHub (UNVERIFIED: repository named only in the project URLs)' });
    expect(world.pypi.count('/integrity/')).toBe(0);
    expect(c.verdict).toBe('ok');
  });

  it('caution for more than 20 direct requirements; the heaviest is measured among the first three', async () => {
    const many = Array.from({ length: 22 }, (_, i) => `dep${i}`);
    world = await startPackageWorld({ projects: [{ ...GOODLIB, requiresDist: many }, ...many.map((n, i) => ({ name: n, releases: [{ version: '1' }], requiresDist: Array.from({ length: i }, (_, j) => `x${j}`) }))] });
    const c = await card('goodlib');
    expect(reasonTexts(c)).toEqual(['caution: heavy: 22 direct requirements (more than 20)']);
    expect(c.signals.heaviest_requirement!.value).toEqual({ name: 'dep2', requirements: 2, compared: 3, of: 22 });
    expect(world.pypi.count('/pypi/dep')).toBe(3);
  });

  it('requirements the index lists but that are not PEP 508 are counted and said, not dropped', async () => {
    const many = Array.from({ length: 19 }, (_, i) => `dep${i}`);
    world = await startPackageWorld({ projects: [{ ...GOODLIB, requiresDist: [...many, 'bad ;;; ==', '@@@'] }, ...many.map((n) => ({ name: n, releases: [{ version: '1' }] }))] });
    const c = await card('goodlib');
    expect(c.signals.direct_requirements!.value).toEqual({ count: 21, names: many, unreadable: 2 });
    expect(c.signals.direct_requirements!.text).toMatch(/^21: dep0, .*, dep18; 2 entries not readable as PEP 508$/);
    expect(reasonTexts(c)).toEqual(['caution: heavy: 21 direct requirements (more than 20)']);
  });
});

describe('releases spelled other ways', () => {
  it('a release whose version is not PEP 440 is partial and never ok while ranged advisories cannot be compared with it', async () => {
    world = await startPackageWorld({
      projects: [{ ...GOODLIB, releases: [{ version: '0.12-internal', uploadTime: '2025-11-01T10:00:00Z' }, ...GOODLIB.releases] }, ...REQUIREMENTS],
      records: [osvRecord('PYSEC-2025-3', 'goodlib', { fixed: '1.1.0', severity: 'HIGH' })],
    });
    const c = await card('goodlib==0.12-internal');
    expect(c).toMatchObject({ version: '0.12-internal', versionExists: true, verdict: 'caution', partial: true });
    expect(reasonTexts(c)[0]).toBe('caution: partial: goodlib 0.12-internal is not a PEP 440 version: the 1 advisory for goodlib with version ranges could not be compared with it');
    // A PEP 440 release of the same package is compared as ever.
    expect(await card('goodlib==1.2.0')).toMatchObject({ verdict: 'ok', partial: false });
  });

  it('an advisory that lists the exact spelling hits the release, and leaves nothing unanswered', async () => {
    const listed = { ...osvRecord('PYSEC-2025-4', 'goodlib', { fixed: '1.1.0', severity: 'HIGH' }) };
    listed.affected = [{ ...listed.affected![0]!, versions: ['0.12-internal'] }];
    world = await startPackageWorld({
      projects: [{ ...GOODLIB, releases: [{ version: '0.12-internal', uploadTime: '2025-11-01T10:00:00Z' }, ...GOODLIB.releases] }, ...REQUIREMENTS],
      records: [listed],
    });
    const c = await card('goodlib==0.12-internal');
    expect(c).toMatchObject({ verdict: 'avoid', partial: false });
    expect(reasonTexts(c)).toEqual(['avoid: known vulnerabilities in this release: PYSEC-2025-4 (high)']);
  });

  it('goodlib==1.2 is the release 1.2.0, as pip reads it, not a release that does not exist', async () => {
    world = await startPackageWorld();
    const c = await card('goodlib==1.2');
    expect(c).toMatchObject({ requestedVersion: '1.2', version: '1.2.0', versionExists: true, verdict: 'ok', partial: false });
    // The fake index, like a mirror, answers only the exact spelling: asked again under the listed one.
    expect(world.pypi.count('/pypi/goodlib/1.2/json')).toBe(1);
    expect(world.pypi.count('/pypi/goodlib/1.2.0/json')).toBe(1);
    expect(c.signals.attestations!.value).toEqual({ attested: 2, files: 2 });
    expect((await card('goodlib==V1.2.0.0')).version).toBe('1.2.0');
    // Still no such release when none is equal.
    expect(await card('goodlib==1.2.1')).toMatchObject({ versionExists: false, verdict: 'avoid' });
  });
});

describe('bad answers: one clear reason, nothing else lost', () => {
  it.each([
    ['503', { match: '/simple/', status: 503, times: 5 }, 'PyPI answered 503 to GET'],
    ['429', { match: '/simple/', status: 429, times: 5 }, 'PyPI answered 429 to GET'],
    ['garbage', { match: '/simple/', malformed: true, times: 5 }, 'PyPI returned malformed JSON to GET'],
    ['a wrong shape', { match: '/simple/', body: { meta: 'nope' }, times: 5 }, 'PyPI returned an unexpected answer to GET'],
  ])('PyPI answering %s for the file list: those signals are unknown, the card partial and never ok', async (_what, failure, why) => {
    world = await startPackageWorld();
    world.pypi.fail(failure);
    const c = await card('goodlib');
    expect(c.partial).toBe(true);
    expect(c.verdict).toBe('caution');
    expect(c.signals.last_release!.unknown).toMatchObject({ failed: true });
    expect(c.signals.last_release!.unknown!.why).toContain(why);
    expect(c.signals.last_release!.unknown!.why).not.toMatch(/\n|at .*\.ts/);
    // Everything else was still read.
    expect(c.signals.pypi_owners!.value).toMatchObject({ organization: 'good-org' });
    expect(c.signals.direct_requirements!.value).toMatchObject({ count: 3 });
    expect(c.reasons.at(-1)!.text).toMatch(/^partial: could not read last release, releases in the last year, yanked releases, project status \(PEP 792\), attestations \(PEP 740\)/);
  });

  it('a retried 429 costs nothing but a retry', async () => {
    world = await startPackageWorld();
    world.pypi.fail({ match: '/pypi/goodlib/json', status: 429, times: 1 });
    const c = await card('goodlib');
    expect(c).toMatchObject({ verdict: 'ok', partial: false });
  });

  it('PyPI down for everything: the project may or may not exist, and the card says so', async () => {
    world = await startPackageWorld();
    world.pypi.fail({ status: 500, times: 100 });
    const c = await card('goodlib');
    expect(c).toMatchObject({ exists: null, partial: true, verdict: 'caution' });
    expect(reasonTexts(c)).toContain('caution: could not tell whether the index has this project');
  });

  it('advisories that could not be checked are the first caution, before what the card did read', async () => {
    world = await startPackageWorld({ projects: [{ ...GOODLIB, releases: [{ version: '0.9', uploadTime: '2021-05-01T00:00:00Z' }] }, ...REQUIREMENTS] });
    world.osv.failNext(10, 503);
    const c = await card('goodlib', { advisories: 'api' });
    expect(reasonTexts(c)[0]).toMatch(/^caution: advisories could not be checked \(OSV answered 503 .*\): not rated ok$/);
    expect(reasonTexts(c)).toContain('caution: no release in 4 years (last: 0.9)');
  });

  it('advisories that cannot be read never let a card say ok (fail closed)', async () => {
    world = await startPackageWorld();
    world.osv.failNext(10, 503);
    const c = await card('goodlib', { advisories: 'api' });
    expect(c.verdict).toBe('caution');
    expect(c.partial).toBe(true);
    expect(c.signals.malicious!.unknown!.why).toContain('OSV answered 503');
    expect(reasonTexts(c)[0]).toMatch(/^caution: advisories could not be checked \(OSV answered 503 .*\): not rated ok$/);
  });

  it('GitHub answering 500: repository signals unknown, card partial', async () => {
    world = await startPackageWorld();
    world.github.failRequests({ route: 'POST /graphql', status: 500, times: 10 });
    const c = await card('goodlib');
    expect(c.partial).toBe(true);
    expect(c.signals.ci!.unknown).toEqual({ why: expect.stringContaining('GitHub answered 500 for good-org/goodlib'), failed: true });
    expect(c.signals.publisher!.value).toMatchObject({ repository: 'good-org/goodlib' });
  });

  it('GitHub answering garbage: repository signals unknown with why, card partial', async () => {
    world = await startPackageWorld();
    world.github.failRequests({ route: 'POST /graphql', status: 200, times: 5, body: { data: { repo: { nameWithOwner: 42 } } } });
    const c = await card('goodlib');
    expect(c.partial).toBe(true);
    expect(c.signals.contributors!.unknown).toEqual({ why: expect.stringMatching(/^GitHub returned an unexpected answer to the repository query for good-org\/goodlib at repo\.nameWithOwner/), failed: true });
  });

  it('GitHub rate limiting: the reason says until when', async () => {
    world = await startPackageWorld();
    world.github.setRateLimited({ status: 429, resetAt: new Date('2030-01-01T00:00:00Z'), retryAfterSeconds: 7200 });
    const c = await card('goodlib');
    expect(c.signals.contributors!.unknown!.why).toMatch(/rate limit is exhausted until/);
  });

  it('a linked repository GitHub does not have is unknown, not a failure', async () => {
    world = await startPackageWorld({ repos: [] });
    const c = await card('goodlib');
    expect(c.signals.contributors!.unknown).toEqual({ why: 'GitHub has no repository good-org/goodlib (deleted, renamed or private)', failed: false });
    expect(c.partial).toBe(false);
  });

  it('without a token, one REST call: archived is known, the rest says it needs a token', async () => {
    world = await startPackageWorld({ repos: [{ ...GOODLIB_REPO, health: { archived: true } }] });
    const c = await card('goodlib', { token: false });
    expect(world.github.count('GET /repos/{owner}/{repo}')).toBe(1);
    expect(world.github.count('POST /graphql')).toBe(0);
    expect(c.signals.repo_archived!.value).toBe(true);
    expect(c.signals.contributors!.unknown).toEqual({ why: 'GitHub answers this only to authenticated requests: set GITHUB_TOKEN', failed: false });
  });

  it('several cards: one bad package does not cost the others', async () => {
    world = await startPackageWorld();
    world.pypi.fail({ match: '/pypi/certifi', status: 500, times: 10 });
    const cards = await buildCards([parsePackageArg('goodlib'), parsePackageArg('certifi'), parsePackageArg('nosuchthing')], await world.sources());
    expect(cards.map((c) => [c.name, c.exists, c.verdict])).toEqual([
      ['goodlib', true, 'ok'],
      ['certifi', true, 'caution'],
      ['nosuchthing', false, 'avoid'],
    ]);
  });
});

describe('offline', () => {
  it('builds the card from the cache, and says what it could not read', async () => {
    world = await startPackageWorld();
    await card('goodlib');
    world.resetCounts();
    const cached = await card('goodlib', { offline: true, now: new Date(NOW.getTime() + 5 * 86_400_000) });
    expect(world.requests()).toBe(0);
    expect(cached.signals.last_release!.value).toMatchObject({ version: '1.2.0' });
    expect(cached.signals.contributors!.unknown).toEqual({ why: '--offline: GitHub was not asked', failed: false });
    const uncached = await card('idna==3.0', { offline: true });
    expect(world.requests()).toBe(0);
    expect(uncached.partial).toBe(true);
    expect(uncached.signals.release_yanked!.unknown!.why).toBe("--offline: PyPI's metadata for idna@3.0 is not in the local cache");
  });

  it('without the metadata, the repository is not known: its signals are not checked, not "no repository"', async () => {
    world = await startPackageWorld();
    const uncached = await card('goodlib', { offline: true });
    expect(uncached.partial).toBe(true);
    for (const id of ['contributors', 'first_reply', 'repo_archived', 'security_policy', 'ci']) {
      const signal = uncached.signals[id]!;
      expect(signal.unknown, id).toEqual({ why: expect.stringMatching(/^the project's metadata was not read \(--offline: PyPI's metadata for goodlib.* is not in the local cache\), so its repository is not known$/), failed: true });
      expect(signal.text).not.toContain('no GitHub repository');
    }
    expect(uncached.reasons.at(-1)!.text).toMatch(/^partial: could not read .*contributors \(last year\)/);
  });
});

describe('PyPI metadata that could not be read', () => {
  it('leaves the repository signals not checked, and the card partial (no attestation names it either)', async () => {
    world = await startPackageWorld({ projects: [{ ...GOODLIB, releases: GOODLIB.releases.map(({ publisher: _p, ...r }) => r) }, ...REQUIREMENTS] });
    world.pypi.fail({ match: '/pypi/goodlib/json', status: 500, times: 100 });
    const c = await card('goodlib');
    expect(c.partial).toBe(true);
    expect(c.signals.ci!.unknown).toEqual({ why: expect.stringMatching(/^the project's metadata was not read \(PyPI answered 500.*\), so its repository is not known$/), failed: true });
  });
});

describe('parsePackageArg', () => {
  it.each([
    ['requests', { given: 'requests', name: 'requests', version: null }],
    ['Django==2.1.5', { given: 'Django', name: 'django', version: '2.1.5' }],
    [' zope.interface == 6.0 ', { given: 'zope.interface', name: 'zope-interface', version: '6.0' }],
    ['2to3==1.0', { given: '2to3', name: '2to3', version: '1.0' }],
    ['cherrypy==2.0.0-final', { given: 'cherrypy', name: 'cherrypy', version: '2.0.0-final' }],
  ])('%s', (arg, expected) => {
    expect(parsePackageArg(arg)).toEqual(expected);
  });

  it.each([
    ['foo bar', '"foo bar" is not a valid project name'],
    ['-rf', '"-rf" is not a valid project name'],
    ['../../etc', '"../../etc" is not a valid project name'],
    ['requests>=2', '"requests>=2" is not a valid project name'],
    ['requests==', '"requests==": expected name or name==version'],
    ['requests==1 2', '"requests==1 2": expected name or name==version'],
    ['2.1.5==django', '"2.1.5==django" is not name==version: "django" is not a version and "2.1.5" is one; did you mean django==2.1.5?'],
    ['django==2.1.*', '"django==2.1.*": expected name or name==version with one exact version'],
  ])('refuses %s with one clear line', (arg, message) => {
    expect(() => parsePackageArg(arg)).toThrow(PackageArgumentError);
    expect(() => parsePackageArg(arg)).toThrow(message);
  });
});
