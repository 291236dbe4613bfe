import { describe, expect, it } from 'vitest';
import { OFFLINE_REGISTRY_NOTICE } from '../../src/audit/audit.js';
import { auditFileSource } from '../../src/audit/run.js';
import { findingKey, type Finding } from '../../src/audit/findings.js';
import { memorySource } from '../../src/python/files.js';
import { notReached } from '../../src/audit/partial.js';
import type { AdvisorySource } from '../../src/advisories/types.js';
import { failingRegistry, project, REAL_SHAPED_FILES, realMirror, registryOf, release } from './helpers.js';

const now = new Date('2026-11-28T12:00:00Z');

const tree = memorySource({ ...REAL_SHAPED_FILES });

const registry = registryOf([
  project('django', [release('2.1.5', '2019-01-04T00:00:00Z'), release('2.2.28', '2022-04-11T00:00:00Z'), release('4.2.16', '2024-09-03T00:00:00Z')]),
  project('jinja2', [release('2.10', '2017-11-08T00:00:00Z', { yanked: true, yankedReason: 'security' }), release('2.11.3', '2021-01-31T00:00:00Z'), release('3.1.4', '2024-05-05T00:00:00Z')]),
  project('requests', [release('1.0.0', '2012-12-17T00:00:00Z'), release('2.19.1', '2018-06-14T00:00:00Z'), release('2.32.3', '2024-05-29T00:00:00Z')]),
  project('pyyaml', [release('5.3.1', '2020-03-18T00:00:00Z'), release('5.4', '2021-01-20T00:00:00Z'), release('6.0.2', '2024-08-06T00:00:00Z')]),
]);

const of = (findings: Finding[], kind: Finding['kind']) => findings.filter((f) => f.kind === kind);

describe('an audit of a real-shaped tree', () => {
  it('finds every kind of problem, says how to fix each, and applies the ignore file', async () => {
    const result = await auditFileSource(tree, { target: 'app', advisories: await realMirror(), registry, now });
    expect(result.partial).toBe(false);

    const django = of(result.findings, 'vulnerability').filter((f) => f.package === 'django');
    expect(django.length).toBeGreaterThan(5);
    expect(django.every((f) => f.file === 'requirements.txt' && f.line === 2 && f.version === '2.1.5')).toBe(true);
    expect(django.find((f) => f.id === 'PYSEC-2019-13')).toMatchObject({ aliases: expect.arrayContaining(['CVE-2019-14234']), fixedVersions: expect.arrayContaining(['2.1.11']) });
    // The "why" says what the flaw is, not "An issue was discovered in Django 1.11.x before …".
    expect(django.find((f) => f.id === 'PYSEC-2019-13')!.summary).toMatch(/^Due to an error in shallow key transformation, .* were subject to SQL injection\.$/);
    expect(django.filter((f) => /^An issue was discovered in/.test(f.summary ?? ''))).toEqual([]);
    // One upgrade for all of them, rounded to a real release.
    expect(new Set(django.map((f) => f.fix.version))).toEqual(new Set(['2.2.28']));
    expect(django[0]!.fix.text).toMatch(/^Upgrade django 2\.1\.5 to 2\.2\.28 \(clears all \d+ advisories\): set `django==2\.2\.28` in requirements\.txt:2\.$/);

    // Worst first, advisories no source rated counted as high.
    const ranks = result.findings.map((f) => ['critical', 'high', 'unknown', 'medium', 'low', 'info'].indexOf(f.severity));
    expect(ranks).toEqual([...ranks].sort((a, b) => a - b));

    expect(of(result.findings, 'yanked')).toEqual([expect.objectContaining({ package: 'jinja2', version: '2.10', severity: 'medium', details: expect.objectContaining({ reason: 'security' }) })]);
    expect(of(result.findings, 'outdated').find((f) => f.package === 'django')).toMatchObject({ severity: 'low', details: expect.objectContaining({ latest: '4.2.16', bump: 'major', releases_behind: 2 }) });

    const unpinned = of(result.findings, 'unpinned');
    // pyproject's django>=2 is fixed by the pin next to it (as pip-compile output would be); requests is not.
    expect(unpinned.map((f) => `${f.file}:${f.package}`)).toEqual(['requirements.txt:requests']);
    const requests = unpinned.find((f) => f.package === 'requests')!;
    expect(requests.fix.text).toMatch(/requests==2\.32\.3 is the newest release allowed/);
    expect(requests.fix.text).toMatch(/The allowed range admits \d+ known vulnerabilit/);

    expect(of(result.findings, 'non-registry-source')).toEqual([expect.objectContaining({ package: 'tool', severity: 'medium' })]);
    const extra = of(result.findings, 'extra-index-url');
    expect(extra).toHaveLength(1);
    expect(extra[0]!.fix.text).toContain('pypi.internal.example/simple');
    expect(JSON.stringify(result)).not.toContain('s3cret');

    expect(of(result.findings, 'python-eol').map((f) => [f.file, f.version, f.severity])).toEqual(
      expect.arrayContaining([
        ['Dockerfile', '3.7', 'high'],
        ['pyproject.toml', '3.8', 'medium'],
      ]),
    );
    expect(of(result.findings, 'no-lockfile')).toEqual([expect.objectContaining({ file: 'pyproject.toml' })]);

    // PyYAML 5.3.1's CVE-2020-14343 is ignored through its alias; the unused ignore is stale.
    expect(result.ignored.map((f) => f.id)).toEqual(['PYSEC-2021-142']);
    expect(result.findings.some((f) => f.id === 'PYSEC-2021-142')).toBe(false);
    expect(result.notes.map((n) => n.kind)).toEqual(['stale']);
  });

  it("counts Rye's requirements.lock as the lock of the pyproject.toml beside it, as uv.lock would be, and a requirements.txt not", async () => {
    const pyproject = '[project]\nname = "x"\nversion = "1"\ndependencies = ["django>=2", "requests"]\n';
    // Not every line is a pin (an unpinned line stays one): only its name makes it the lock here.
    const lock = '# generated by rye\n-e file:.\ndjango==2.1.5\nrequests>=2\n';
    const advisories = await realMirror();
    const audit = (files: Record<string, string>) => auditFileSource(memorySource(files), { target: 'app', advisories, registry: null, now });
    const locked = await audit({ 'pyproject.toml': pyproject, 'requirements.lock': lock });
    expect(of(locked.findings, 'no-lockfile')).toEqual([]);
    const django = of(locked.findings, 'vulnerability').filter((f) => f.package === 'django');
    expect(django.map((f) => f.file)).toContain('requirements.lock');
    // Rye locks it again from the range beside it, which admits the fix.
    expect(django[0]!.fix.text).toMatch(/pyproject\.toml:4 allows 2\.2\.\d+ \(`>=2`\), so only the lock needs regenerating: run `rye lock --update django`\.$/);
    // A range that excludes the fix is widened first, as `depwatch fix` widens it (its lower bound kept).
    const capped = await audit({ 'pyproject.toml': pyproject.replace('django>=2', 'django>=2,<2.2'), 'requirements.lock': lock });
    expect(of(capped.findings, 'vulnerability').find((f) => f.package === 'django')!.fix.text).toMatch(/excludes 2\.2\.\d+: widen it to `"django>=2,<2\.3"`, then run `rye lock --update django`\.$/);
    // Rye's lock without hashes is told Rye's way of adding them.
    const pinnedOnly = await audit({ 'pyproject.toml': pyproject, 'requirements.lock': '# generated by rye\n-e file:.\ndjango==2.1.5\nrequests==2.32.3\n' });
    expect(of(pinnedOnly.findings, 'no-hashes').map((f) => f.fix.text)).toEqual([expect.stringContaining('`rye lock --generate-hashes`')]);
    const unlocked = await audit({ 'pyproject.toml': pyproject, 'requirements.txt': lock });
    expect(of(unlocked.findings, 'no-lockfile')).toEqual([expect.objectContaining({ file: 'pyproject.toml' })]);
  });

  it("rates a conda environment's pip: list as a requirements file: a range is unpinned, not no-lockfile, and its conda packages are a notice, not partial", async () => {
    const result = await auditFileSource(memorySource({ 'environment.yml': 'dependencies:\n  - python=3.11\n  - pip:\n    - requests>=2\n    - django==2.1.5\n' }), {
      target: 'app',
      advisories: await realMirror(),
      registry: null,
      now,
    });
    expect(result.partial).toBe(false);
    expect(of(result.findings, 'unpinned').map((f) => [f.file, f.line, f.package])).toEqual([['environment.yml', 4, 'requests']]);
    expect(of(result.findings, 'no-lockfile')).toEqual([]);
    expect(of(result.findings, 'vulnerability').every((f) => f.package === 'django' && f.file === 'environment.yml' && f.line === 5)).toBe(true);
    expect(of(result.findings, 'vulnerability').length).toBeGreaterThan(0);
    expect(result.notices).toContain('environment.yml:2: 1 conda package (python=3.11) comes from conda channels, not PyPI, and was not audited (only its `pip:` list is)');
  });

  it('reports a package pinned in a manifest and locked in its lockfile once', async () => {
    const result = await auditFileSource(
      memorySource({
        'Pipfile': '[packages]\ndjango = "==2.1.5"\n',
        'Pipfile.lock': JSON.stringify({ _meta: { sources: [] }, default: { django: { version: '==2.1.5', hashes: ['sha256:' + 'a'.repeat(64)] } }, develop: {} }),
      }),
      { target: 'app', advisories: await realMirror(), registry: null, now },
    );
    const ids = of(result.findings, 'vulnerability').map((f) => f.id);
    expect(ids.length).toBeGreaterThan(0);
    expect(new Set(ids).size).toBe(ids.length);
    expect(of(result.findings, 'unpinned')).toEqual([]);
  });

  it('marks the result partial, and keeps every other finding, when PyPI is down', async () => {
    const result = await auditFileSource(tree, { target: 'app', advisories: await realMirror(), registry: failingRegistry, now });
    expect(result.partial).toBe(true);
    expect(result.warnings).toEqual([expect.stringMatching(/^package registry unavailable \(PyPI did not answer.*outdated and yanked releases and packages not on the index were not checked$/)]);
    expect(of(result.findings, 'vulnerability').length).toBeGreaterThan(5);
    expect(of(result.findings, 'outdated')).toEqual([]);
    // Which source was not reached is said where the reason is made, not told from its words.
    expect(result.partialReasons).toEqual([expect.objectContaining({ kind: 'data-source', transient: true, unreached: 'registry' })]);
    expect(notReached(result, 'registry')).toBe(true);
    expect(notReached(result, 'advisories')).toBe(false);
  });

  it('says vulnerabilities were not checked when the advisory source fails, by the source, whatever the message says', async () => {
    const mirror = await realMirror();
    // Its words name the registry; what failed is the advisory source.
    const down: AdvisorySource = { kind: 'api', affecting: async () => Promise.reject(new Error('package registry unavailable, says the proxy')), forPackage: (name) => mirror.forPackage(name) };
    const result = await auditFileSource(tree, { target: 'app', advisories: down, registry: null, now });
    expect(result.partialReasons).toContainEqual(expect.objectContaining({ unreached: 'advisories', transient: true }));
    expect(notReached(result, 'advisories')).toBe(true);
    expect(notReached(result, 'registry')).toBe(false);
  });

  it('says an offline audit (no registry) did not check outdated and yanked releases: a notice, not a partial result', async () => {
    const complete = memorySource({ 'requirements.txt': 'six==1.16.0\n' });
    const offline = await auditFileSource(complete, { target: 'app', advisories: await realMirror(), registry: null, now });
    expect(offline.notices).toContain(OFFLINE_REGISTRY_NOTICE);
    expect(OFFLINE_REGISTRY_NOTICE).toBe('outdated and yanked releases and packages not on the index were not checked (offline: PyPI was not asked)');
    expect(offline.partial).toBe(false);
    expect(offline.partialReasons).toEqual([]);
    const online = await auditFileSource(complete, { target: 'app', advisories: await realMirror(), registry, now });
    expect(online.notices).not.toContain(OFFLINE_REGISTRY_NOTICE);
  });

  it('makes no claim about an unpinned range whose advisory list could not be read, and does not rate it low', async () => {
    const unpinnedDjango = memorySource({ 'requirements.txt': 'django>=2.0\n' });
    const mirror = await realMirror();
    const checked = await auditFileSource(unpinnedDjango, { target: 'app', advisories: mirror, registry, now });
    expect(of(checked.findings, 'unpinned')).toEqual([expect.objectContaining({ severity: 'medium', details: expect.objectContaining({ admits: expect.arrayContaining(['PYSEC-2019-13']) }) })]);

    // The same range, with the advisory details unavailable: nothing is known about what it admits.
    const noDetails = Object.assign(Object.create(mirror) as typeof mirror, { forPackage: async () => Promise.reject(new Error('OSV did not answer')) });
    const result = await auditFileSource(unpinnedDjango, { target: 'app', advisories: noDetails, registry, now });
    expect(result.warnings).toEqual([expect.stringMatching(/^advisory details unavailable \(OSV did not answer\)/)]);
    const [unpinned] = of(result.findings, 'unpinned');
    expect(unpinned!.fix.text).not.toMatch(/No known advisory/);
    expect(unpinned!.fix.text).toMatch(/Whether a known advisory hits the allowed releases could not be checked \(advisory details unavailable\)\.$/);
    expect(unpinned!.details).toMatchObject({ admits: null });
    expect(unpinned!.severity).toBe('medium');
  });

  it('says which packages\' advisory details failed, sorted, the same whichever failed first', async () => {
    const ranges = memorySource({ 'requirements.txt': 'pytest>=7\ndjango>=2.0\n' });
    const mirror = await realMirror();
    const warnings: string[][] = [];
    for (const slow of ['pytest', 'django']) {
      const failing = Object.assign(Object.create(mirror) as typeof mirror, {
        forPackage: async (name: string) => {
          await new Promise((resolve) => setTimeout(resolve, name === slow ? 30 : 0));
          throw new Error(`OSV did not answer for ${name}`);
        },
      });
      warnings.push((await auditFileSource(ranges, { target: 'app', advisories: failing, registry, now })).warnings);
    }
    expect(warnings[0]).toEqual(warnings[1]);
    expect(warnings[0]).toEqual(['advisory details unavailable for 2 packages (django and pytest: OSV did not answer for django): fix versions may be incomplete']);
  });

  it('marks the result partial when advisories cannot be read, and still reports hygiene', async () => {
    const dead = { kind: 'api' as const, affecting: async () => Promise.reject(new Error('OSV did not answer')), forPackage: async () => [] };
    const result = await auditFileSource(tree, { target: 'app', advisories: dead, registry: null, now });
    expect(result.warnings[0]).toMatch(/vulnerabilities were NOT checked/);
    expect(of(result.findings, 'vulnerability')).toEqual([]);
    expect(of(result.findings, 'extra-index-url')).toHaveLength(1);
  });

  it('tells the advisory source up front which whole lists it will ask for (the unpinned requirements), and that alias ratings follow', async () => {
    const mirror = await realMirror();
    const asked: { listPackages?: readonly string[]; prefetchAliasRatings?: boolean }[] = [];
    const listed: string[] = [];
    const spy = {
      kind: 'api' as const,
      affecting: (queries: Parameters<typeof mirror.affecting>[0], options?: { listPackages?: readonly string[]; prefetchAliasRatings?: boolean }) => {
        asked.push(options ?? {});
        return mirror.affecting(queries);
      },
      forPackage: (name: string) => {
        listed.push(name);
        return mirror.forPackage(name);
      },
    };
    await auditFileSource(tree, { target: 'app', advisories: spy, registry: null, now });
    expect(asked).toEqual([{ listPackages: ['requests'], prefetchAliasRatings: true }]);
    // Every list asked for later was announced, or belongs to a queried (vulnerable) pin.
    expect(listed.filter((n) => !['django', 'jinja2', 'pyyaml'].includes(n))).toEqual(['requests']);
  });
});

describe('index options from every format', () => {
  it('flags merged indexes as medium, uv first-match indexes as low, plain HTTP, and never repeats credentials', async () => {
    const result = await auditFileSource(
      memorySource({
        'pyproject.toml': [
          '[project]',
          'name = "x"',
          'dependencies = []',
          '[[tool.poetry.source]]',
          'name = "corp"',
          'url = "https://corp.example/simple"',
          'priority = "supplemental"',
          '[[tool.uv.index]]',
          'name = "internal"',
          'url = "http://user:pw@uv.example/simple"',
        ].join('\n'),
        'Pipfile': '[[source]]\nurl = "https://pypi.org/simple"\nverify_ssl = true\nname = "pypi"\n[[source]]\nurl = "https://private.example/simple"\nverify_ssl = true\nname = "private"\n[packages]\n',
      }),
      { target: 'x', advisories: await realMirror(), registry: null, now },
    );
    const extra = of(result.findings, 'extra-index-url').map((f) => [f.file, f.severity, (f.details as { url: string }).url]);
    expect(extra).toEqual(
      expect.arrayContaining([
        ['pyproject.toml', 'medium', 'https://corp.example/simple'],
        // The uv index is first-match (low), over plain HTTP (medium) and holds a password (high): one finding for its line, the worst.
        ['pyproject.toml', 'high', 'http://uv.example/simple'],
        ['Pipfile', 'medium', 'https://private.example/simple'],
      ]),
    );
    const uv = of(result.findings, 'extra-index-url').find((f) => (f.details as { url: string }).url === 'http://uv.example/simple')!;
    expect(uv.fix.text).toContain('uv takes each package from the first index that has it');
    expect(uv.fix.text).toContain('It also uses an index over plain HTTP (http://uv.example/simple)');
    expect(JSON.stringify(result)).not.toContain('user:pw');
  });

  it("flags pip's --find-links pages like extra indexes (a local folder is the project's own) and --trusted-host, which turns off pip's certificate check", async () => {
    const result = await auditFileSource(
      memorySource({
        'requirements.txt': '--trusted-host pypi.internal.example\n-f https://wheels.example.com/simple/\n--find-links ./wheels\n--find-links http://insecure.example/\nrequests==2.31.0\n',
      }),
      { target: 'x', advisories: await realMirror(), registry: null, now },
    );
    const extra = of(result.findings, 'extra-index-url').map((f) => [f.line, f.severity, f.details]);
    expect(extra).toEqual([
      [1, 'medium', { host: 'pypi.internal.example', option: 'trusted-host', insecure: true }],
      [2, 'medium', { url: 'https://wheels.example.com/simple/', option: 'find-links' }],
      // A page over plain HTTP: one finding saying both.
      [4, 'medium', { url: 'http://insecure.example/', option: 'find-links', insecure: true }],
    ]);
    expect(of(result.findings, 'extra-index-url')[0]!.fix?.text).toContain('pip checks no certificate for it');
  });

  it('reports credentials committed in index and page URLs of every format, high, without repeating them', async () => {
    const result = await auditFileSource(
      memorySource({
        'requirements.txt': '--index-url https://user:hunter3pass@private.example/simple\n-i https://ci:tok3nvalue@mirror.example/simple\n--find-links https://u:pw4links@wheels.example/\nrequests==2.31.0\n',
        'pyproject.toml': '[project]\nname = "app"\ndependencies = ["idna"]\n\n[[tool.uv.index]]\nname = "corp"\nurl = "https://bot:uvpass123@uv.example/simple"\n',
        'Pipfile': '[[source]]\nname = "corp"\nurl = "https://pipuser:pipfilepass@pipenv.example/simple"\nverify_ssl = true\n\n[packages]\nidna = "*"\n',
      }),
      { target: 'x', advisories: await realMirror(), registry: null, now },
    );
    const credentials = of(result.findings, 'extra-index-url').filter((f) => (f.details as { credentials?: boolean }).credentials);
    expect(credentials.map((f) => [f.file, f.line, f.severity, (f.details as { url: string }).url])).toEqual([
      ['Pipfile', 3, 'high', 'https://pipenv.example/simple'],
      ['pyproject.toml', 7, 'high', 'https://uv.example/simple'],
      ['requirements.txt', 1, 'high', 'https://private.example/simple'],
      ['requirements.txt', 2, 'high', 'https://mirror.example/simple'],
      ['requirements.txt', 3, 'high', 'https://wheels.example/'],
    ]);
    expect(credentials[2]!.fix?.text).toContain('writes credentials into the URL of https://private.example/simple');
    for (const secret of ['hunter3pass', 'tok3nvalue', 'pw4links', 'uvpass123', 'pipfilepass']) expect(JSON.stringify(result)).not.toContain(secret);
  });

  it('reports nothing about credentials for index URLs without any', async () => {
    const result = await auditFileSource(memorySource({ 'requirements.txt': '--index-url https://private.example/simple\nrequests==2.31.0\n' }), { target: 'x', advisories: await realMirror(), registry: null, now });
    expect(result.findings.filter((f) => (f.details as { credentials?: boolean } | undefined)?.credentials)).toEqual([]);
  });

  it('gives a line with two index problems one finding whose text says both, so no two findings share a key (a watched repository keeps each)', async () => {
    const result = await auditFileSource(
      memorySource({ 'requirements.txt': '--find-links http://wheels.example/\n--extra-index-url http://pkgs.example/simple --trusted-host pkgs.example\nrequests==2.31.0\n' }),
      { target: 'x', advisories: await realMirror(), registry: null, now },
    );
    const extra = of(result.findings, 'extra-index-url');
    expect(extra.map((f) => [f.line, f.severity, f.details])).toEqual([
      [1, 'medium', { url: 'http://wheels.example/', option: 'find-links', insecure: true }],
      [2, 'medium', { url: 'http://pkgs.example/simple', option: 'extra-index-url', insecure: true, host: 'pkgs.example' }],
    ]);
    expect(extra[0]!.fix.text).toBe(
      'requirements.txt adds the package page http://wheels.example/: the installer takes the highest version from any index or page, so a public package with an internal name wins. ' +
        'It also uses an index over plain HTTP (http://wheels.example/): anyone on the path can change what is installed. ' +
        'Serve internal and public packages through one index you control, or tie internal packages to their index (explicit sources) and pin with hashes. Use HTTPS.',
    );
    expect(extra[1]!.fix.text).toContain('adds the index http://pkgs.example/simple');
    expect(extra[1]!.fix.text).toContain('It also marks pkgs.example as a trusted host');
    expect(extra[1]!.fix.text).toContain('It also uses an index over plain HTTP');
    const keys = result.findings.map(findingKey);
    expect(new Set(keys).size).toBe(keys.length);
  });

  it('says a --find-links from the environment (${VAR}: pip fills it in) is unknown, since it may be a page on the web, not a local folder', async () => {
    const result = await auditFileSource(
      memorySource({ 'requirements.txt': '--find-links ${WHEELS_URL}\n--find-links ${BASE}/wheels\n--find-links ./wheels\n--find-links $HOME/wheels\nrequests==2.31.0\n' }),
      { target: 'x', advisories: await realMirror(), registry: null, now },
    );
    const extra = of(result.findings, 'extra-index-url');
    // `$HOME` is not filled in by pip (only `${NAME}`): a folder of that name, the project's own, as ./wheels.
    expect(extra.map((f) => [f.line, f.severity, f.details])).toEqual([
      [1, 'medium', { url: '${WHEELS_URL}', option: 'find-links', unresolved: true }],
      [2, 'medium', { url: '${BASE}/wheels', option: 'find-links', unresolved: true }],
    ]);
    expect(extra[0]!.fix.text).toContain('requirements.txt adds the package source ${WHEELS_URL}, set from the environment: whether it is a local folder or a page on the web is unknown');
  });
});

describe('a release pinned at thousands of places', () => {
  // A generated or hostile tree: the same pin repeated 3,000 times across three files. Every finding
  // would otherwise carry every place (3,000 locations, edits and a sentence naming each), so the
  // stored audit and the Slack reply would grow with findings × places.
  const lines = Array.from({ length: 1_000 }, () => 'django==2.1.5').join('\n');
  const big = memorySource({ 'a/requirements.txt': lines, 'b/requirements.txt': lines, 'c/requirements.txt': lines });

  it('lists the first places and counts the rest, in the finding, its fix and the JSON', async () => {
    const { findingJson, MAX_LISTED_PLACES } = await import('../../src/audit/findings.js');
    const result = await auditFileSource(big, { target: 'big', advisories: await realMirror(), registry: null, now });
    const django = of(result.findings, 'vulnerability').filter((f) => f.package === 'django');
    expect(django.length).toBeGreaterThan(5);
    for (const f of django) {
      expect(f.locations).toHaveLength(MAX_LISTED_PLACES);
      expect(f.locationsOmitted).toBe(3_000 - MAX_LISTED_PLACES);
      expect(f.fix.advice!.edits).toHaveLength(MAX_LISTED_PLACES);
      expect(f.fix.advice!.placesOmitted).toBe(3_000 - MAX_LISTED_PLACES);
      expect(f.fix.text).toMatch(/and the same in 2980 more places\.$/);
      expect(findingJson(f)).toMatchObject({ locations_omitted: 2_980, fix: { advice: { places_omitted: 2_980 } } });
    }
    expect(JSON.stringify(result).length).toBeLessThan(200_000);
  });
});

describe("an extra's requirements file", () => {
  it('reports a vulnerable release only an extra installs as it reports the same release written in the extra, at the line of the file', async () => {
    const audit = async (files: Record<string, string>) => (await auditFileSource(memorySource(files), { target: 'app', advisories: await realMirror(), registry: null, now })).findings;
    /** A finding without where it is written. */
    const what = (f: Finding) => `${f.kind} ${f.id} ${f.package} ${f.version} ${f.severity} ${f.fix.version}`;
    const inline = await audit({ 'setup.py': 'from setuptools import setup\nsetup(extras_require={"dev": ["django==2.1.5"]})\n' });
    const fromFile = await audit({ 'setup.py': 'from setuptools import setup\nsetup(extras_require={"dev": open("dev.txt").read().splitlines()})\n', 'dev.txt': 'django==2.1.5\n' });
    expect(of(inline, 'vulnerability').length).toBeGreaterThan(5);
    expect(of(fromFile, 'vulnerability').map(what)).toEqual(of(inline, 'vulnerability').map(what));
    expect(of(fromFile, 'vulnerability').every((f) => f.file === 'dev.txt' && f.line === 1)).toBe(true);

    // Named by two extras: listed for each, still one finding per advisory, one place.
    const twice = await audit({ 'setup.py': 'from setuptools import setup\nDEV = open("dev.txt").read().splitlines()\nsetup(extras_require={"dev": DEV, "all": DEV})\n', 'dev.txt': 'django==2.1.5\n' });
    expect(of(twice, 'vulnerability').map(what)).toEqual(of(inline, 'vulnerability').map(what));
    expect(of(twice, 'vulnerability')[0]!.locations).toEqual([{ file: 'dev.txt', line: 1, role: 'pin', specifier: '==2.1.5' }]);
    expect(of(twice, 'vulnerability')[0]!.fix.advice!.edits).toEqual([{ file: 'dev.txt', line: 1, write: 'django==2.2.28' }]);
  });
});

describe('a vulnerability finding as a sweep stores it', () => {
  it('keeps its keys in the order stored findings were written with, so an unchanged finding compares equal', async () => {
    // store/findings-diff.ts compares JSON.stringify(finding) with the stored text: a new key order
    // would make every open finding of every watched repository look changed once.
    const result = await auditFileSource(tree, { target: 'app', advisories: await realMirror(), registry, now });
    const finding = of(result.findings, 'vulnerability').find((f) => f.id === 'PYSEC-2019-13')!;
    expect(Object.keys(JSON.parse(JSON.stringify(finding)) as object)).toEqual([
      'package',
      'version',
      'file',
      'line',
      'id',
      'aliases',
      'summary',
      'cvss',
      'cvssVector',
      'severityFrom',
      'fixedVersions',
      'locations',
      'details',
      'kind',
      'severity',
      'fix',
    ]);
  });
});

describe('uv constraint-dependencies and override-dependencies', () => {
  it('rates an override pin of a package the project asks for (uv installs it whatever the range says), like a pip -c pin', async () => {
    const files = memorySource({
      'pyproject.toml': [
        '[project]',
        'name = "app"',
        'dependencies = ["jinja2>=2", "django"]',
        '[tool.uv]',
        'override-dependencies = ["jinja2==2.10"]',
        'constraint-dependencies = ["django==2.1.5", "pyyaml==5.1"]',
        '',
      ].join('\n'),
    });
    const result = await auditFileSource(files, { target: 'app', advisories: await realMirror(), registry, now });
    expect(result.partial).toBe(false);
    const vulnerable = of(result.findings, 'vulnerability');
    expect(vulnerable.some((f) => f.package === 'jinja2' && f.version === '2.10' && f.file === 'pyproject.toml' && f.line === 5)).toBe(true);
    expect(vulnerable.some((f) => f.package === 'django' && f.version === '2.1.5' && f.line === 6)).toBe(true);
    // The ranges are fixed by the pins beside them, so they are not reported as unpinned.
    expect(of(result.findings, 'unpinned')).toEqual([]);
  });
});

describe('a constraint pin of a package nothing in the files asks for', () => {
  const pyproject = '[project]\nname = "app"\nversion = "1"\ndependencies = ["django==2.2.28"]\n[tool.uv]\nconstraint-dependencies = ["pyyaml==5.1"]\n';
  const pyyaml = (findings: Finding[]) => of(findings, 'vulnerability').filter((f) => f.package === 'pyyaml');

  it('is rated without a lock, as pip-audit rates what the resolver installs: it may come in transitively at that version (uv lists and pip -c alike)', async () => {
    const uv = await auditFileSource(memorySource({ 'pyproject.toml': pyproject }), { target: 'app', advisories: await realMirror(), registry, now });
    const pip = await auditFileSource(memorySource({ 'requirements.txt': '-c constraints.txt\ndjango==2.2.28\n', 'constraints.txt': 'pyyaml==5.1\n' }), { target: 'app', advisories: await realMirror(), registry, now });
    for (const [result, file, line] of [[uv, 'pyproject.toml', 6], [pip, 'constraints.txt', 1]] as const) {
      expect(result.partial).toBe(false);
      expect(pyyaml(result.findings).length).toBeGreaterThan(0);
      expect(pyyaml(result.findings).every((f) => f.version === '5.1' && f.file === file && f.line === line && (f.locations ?? []).every((l) => l.role === 'constraint'))).toBe(true);
    }
  });

  it('is not rated when a lock beside it says what is installed and does not list the package', async () => {
    const lock = 'version = 1\nrequires-python = ">=3.8"\n\n[[package]]\nname = "app"\nversion = "1"\nsource = { editable = "." }\ndependencies = [{ name = "django" }]\n\n[[package]]\nname = "django"\nversion = "2.2.28"\nsource = { registry = "https://pypi.org/simple" }\n';
    const result = await auditFileSource(memorySource({ 'pyproject.toml': pyproject, 'uv.lock': lock }), { target: 'app', advisories: await realMirror(), registry, now });
    expect(result.errors).toEqual([]);
    expect(pyyaml(result.findings)).toEqual([]);
  });

  it("is rated when the only lock is another project's: a docs project's poetry.lock at the root does not lock what `pip install -r` installs below it", async () => {
    const docsLock = '[[package]]\nname = "markdown"\nversion = "3.5"\ndescription = ""\noptional = false\npython-versions = "*"\nfiles = []\n\n[metadata]\nlock-version = "2.0"\npython-versions = "^3.12"\ncontent-hash = "abc"\n';
    const files = {
      'pyproject.toml': '[tool.poetry]\nname = "docs"\nversion = "0.1.0"\n[tool.poetry.dependencies]\npython = "^3.12"\nmarkdown = "3.5"\n',
      'poetry.lock': docsLock,
      'services/api/requirements.txt': '-c constraints.txt\nrequests\n',
      'services/api/constraints.txt': 'requests==2.31.0\nurllib3==1.24.1\n',
    };
    const result = await auditFileSource(memorySource(files), { target: 'app', advisories: await realMirror(), registry, now });
    expect(result.partial).toBe(false);
    const urllib3 = of(result.findings, 'vulnerability').filter((f) => f.package === 'urllib3');
    expect(urllib3.length).toBeGreaterThan(0);
    expect(urllib3.every((f) => f.version === '1.24.1' && f.file === 'services/api/constraints.txt' && f.line === 2)).toBe(true);
  });

  it('is rated beside a uv.lock when pip reads it (`-c`): uv.lock governs what uv installs, not a requirements tree', async () => {
    const lock = 'version = 1\nrequires-python = ">=3.8"\n\n[[package]]\nname = "django"\nversion = "2.2.28"\nsource = { registry = "https://pypi.org/simple" }\n';
    const files = { 'uv.lock': lock, 'requirements.txt': '-c constraints.txt\ndjango==2.2.28\n', 'constraints.txt': 'pyyaml==5.1\n' };
    const result = await auditFileSource(memorySource(files), { target: 'app', advisories: await realMirror(), registry, now });
    expect(pyyaml(result.findings).length).toBeGreaterThan(0);
    expect(pyyaml(result.findings).every((f) => f.file === 'constraints.txt' && f.line === 1)).toBe(true);
  });

  it("is rated when the uv.lock is only in a folder above (another project's, or a workspace's that does not read this pyproject's lists)", async () => {
    const lock = 'version = 1\nrequires-python = ">=3.8"\n\n[[package]]\nname = "django"\nversion = "2.2.28"\nsource = { registry = "https://pypi.org/simple" }\n';
    const result = await auditFileSource(memorySource({ 'uv.lock': lock, 'tools/app/pyproject.toml': pyproject }), { target: 'app', advisories: await realMirror(), registry, now });
    expect(pyyaml(result.findings).length).toBeGreaterThan(0);
  });
});

describe('a locked package the index does not have', () => {
  const pyproject = '[project]\nname = "app"\nversion = "1"\ndependencies = ["django", "internal-lib"]\n';
  const lock = (internalSource: string) =>
    'version = 1\nrequires-python = ">=3.8"\n\n[[package]]\nname = "app"\nversion = "1"\nsource = { editable = "." }\ndependencies = [{ name = "django" }, { name = "internal-lib" }]\n\n' +
    '[[package]]\nname = "django"\nversion = "2.2.28"\nsource = { registry = "https://pypi.org/simple" }\n\n' +
    `[[package]]\nname = "internal-lib"\nversion = "3.0"\nsource = ${internalSource}\n`;

  it("names the private index its uv.lock entry comes from, without credentials: dependency confusion", async () => {
    const files = memorySource({ 'pyproject.toml': pyproject, 'uv.lock': lock('{ registry = "https://ci:t0ken@pypi.internal.example/simple" }') });
    const result = await auditFileSource(files, { target: 'app', advisories: await realMirror(), registry, now });
    expect(of(result.findings, 'not-on-index')).toEqual([
      expect.objectContaining({ package: 'internal-lib', version: '3.0', file: 'uv.lock', severity: 'medium', details: { risk: 'dependency-confusion', other_indexes: ['https://pypi.internal.example/simple'], direct: true } }),
    ]);
    expect(JSON.stringify(result.findings)).not.toContain('t0ken');
  });

  it('a name only a range asks for, which the index does not have: a typo or a removed project (version null)', async () => {
    const files = memorySource({ 'requirements.txt': 'django>=2.2\nnosuchpkg>=1.0\n' });
    const result = await auditFileSource(files, { target: 'app', advisories: await realMirror(), registry, now });
    expect(of(result.findings, 'not-on-index')).toEqual([
      expect.objectContaining({ package: 'nosuchpkg', version: null, file: 'requirements.txt', line: 2, severity: 'medium', details: { risk: 'typo-or-removed', other_indexes: [], direct: true } }),
    ]);
    expect(of(result.findings, 'not-on-index')[0]!.fix.text).toMatch(/^nosuchpkg is not on the package index \(PyPI\), and the project configures no other index/);
  });

  it('says nothing of a name the index was not asked about, nor of a git source', async () => {
    const notAsked = { projectsSettled: async () => ({ found: new Map(), failed: [] }) };
    const files = memorySource({ 'pyproject.toml': pyproject, 'uv.lock': lock('{ registry = "https://pypi.internal.example/simple" }') });
    expect(of((await auditFileSource(files, { target: 'app', advisories: await realMirror(), registry: notAsked, now })).findings, 'not-on-index')).toEqual([]);

    const git = memorySource({ 'pyproject.toml': pyproject, 'uv.lock': lock(`{ git = "https://git.example/internal-lib.git?rev=main#${'a'.repeat(40)}" }`) });
    expect(of((await auditFileSource(git, { target: 'app', advisories: await realMirror(), registry, now })).findings, 'not-on-index')).toEqual([]);
  });
});
