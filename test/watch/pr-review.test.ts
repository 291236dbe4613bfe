/**
 * A pull request's dependency review: the manifests at base and head compared (added, removed,
 * upgraded, downgraded; new VCS/URL sources and index URLs), each added or moved package with its
 * card verdict, advisories and typosquat flag from the loopback PyPI, GitHub and OSV, and the Slack
 * message built from it (escaped, within Slack's limits).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fitMessage } from '../../src/slack/blocks/fit.js';
import { pullRequestReviewMessage } from '../../src/slack/blocks/pr-review.js';
import { extraIndexUrlFindings } from '../../src/audit/rules/extra-index-url.js';
import type { AuditContext } from '../../src/audit/context.js';
import { pullRequestReviewMarkdown } from '../../src/report/pr-review.js';
import { diffDependencies, loadSide } from '../../src/watch/pr-review/diff.js';
import { reviewDependencies } from '../../src/watch/pr-review/review.js';
import { GOODLIB, osvRecord, REQUIREMENTS, startPackageWorld, type PackageWorld } from '../packages/world.js';
import { blockText } from '../slack/app-world.js';

const BASE = { 'requirements.txt': 'goodlib==1.1.0\nidna==3.0\nsix==1.16.0\ncertifi==3.0\n' };
const HEAD = {
  'requirements.txt': [
    '--extra-index-url https://bot:hunter2@pkgs.example.com/simple',
    'goodlib==1.2.0',
    'idna==3.0',
    'reqeusts==0.0.1',
    'certifi==2.0',
    '-e git+https://github.com/someone/tool.git@main#egg=tool',
  ].join('\n'),
};

describe('diffDependencies', () => {
  it('names every added, removed, upgraded and downgraded package, and new sources and index URLs', async () => {
    const diff = await diffDependencies({ base: BASE, head: HEAD });
    expect(diff.changes.map((c) => [c.name, c.kind, c.from, c.to])).toEqual([
      ['certifi', 'downgraded', '3.0', '2.0'],
      ['goodlib', 'upgraded', '1.1.0', '1.2.0'],
      ['reqeusts', 'added', null, '0.0.1'],
      ['six', 'removed', '1.16.0', null],
    ]);
    expect(diff.newSources).toEqual([expect.objectContaining({ name: 'tool', kind: 'vcs', file: 'requirements.txt', line: 6 })]);
    // Credentials never leave the parser; that one was written is kept (the review rates it avoid).
    expect(diff.newIndexUrls).toEqual([{ url: 'https://pkgs.example.com/simple', file: 'requirements.txt', line: 1, credentials: true }]);
    expect(diff.errors).toEqual([]);
  });

  it('reports a file that does not parse instead of reading it as everything removed', async () => {
    const diff = await diffDependencies({ base: { 'poetry.lock': '[[package]]\nname = "idna"\nversion = "3.0"\n' }, head: { 'poetry.lock': '[[package]]\nname = "idna"\n<<<<<<< HEAD\n' } });
    expect(diff.changes).toEqual([]);
    expect(diff.errors).toEqual([expect.stringMatching(/^head: poetry\.lock:3: poetry\.lock is not valid TOML/), 'head: poetry.lock not read in full: idna left out of the comparison']);
  });

  it('leaves out every package of a file one side could not read at all, whatever its format, and says which', async () => {
    const pyproject = (deps: string) => `[project]\nname = "x"\nversion = "1"\ndependencies = [${deps}\n`;
    const cases: { base: Record<string, string>; head: Record<string, string>; file: string; names: string }[] = [
      { base: { 'pyproject.toml': pyproject('"flask==3.0.0", "idna==3.0"]') }, head: { 'pyproject.toml': pyproject('"flask==3.0.0", "idna==3.0",') }, file: 'pyproject.toml', names: 'flask, idna' },
      { base: { 'Pipfile.lock': '{"default":{"idna":{"version":"==3.0"}}}' }, head: { 'Pipfile.lock': '{"default":{"idna":{"version":"==3.0"}' }, file: 'Pipfile.lock', names: 'idna' },
    ];
    for (const { base, head, file, names } of cases) {
      const diff = await diffDependencies({ base, head });
      expect(diff.changes).toEqual([]);
      expect(diff.errors.at(-1)).toBe(`head: ${file} not read in full: ${names} left out of the comparison`);
    }
    // Broken at the base: what the head has there is not "added" either.
    const reversed = await diffDependencies({ base: { 'Pipfile.lock': '{"default":{' }, head: { 'Pipfile.lock': '{"default":{"idna":{"version":"==3.0"}}}' } });
    expect(reversed.changes).toEqual([]);
    expect(reversed.errors.at(-1)).toBe('base: Pipfile.lock not read in full: idna left out of the comparison');
  });

  it('leaves out the package of a line that does not parse, and one that vanishes from a file read only in part, but compares the rest', async () => {
    const diff = await diffDependencies({
      base: { 'requirements.txt': 'flask==3.0.0\nidna==3.0\nsix==1.16.0\ncertifi==3.0\n' },
      head: { 'requirements.txt': 'flask==3.0.1\nidna=====3.0 ;;\n\uFFFDsix==1.16.0\ncertifi==3.0\n' },
    });
    expect(diff.changes.map((c) => [c.name, c.kind])).toEqual([['flask', 'upgraded']]);
    expect(diff.errors).toEqual([
      expect.stringMatching(/^head: requirements\.txt:2: /),
      expect.stringMatching(/^head: requirements\.txt:3: /),
      'head: requirements.txt not read in full: idna, six left out of the comparison',
    ]);
  });

  it('leaves out what an included file held when one side could not fetch it (the caller says why)', async () => {
    const files = { 'requirements.txt': 'idna==3.0\n-r ci/base.txt\n' };
    const diff = await diffDependencies({ base: files, head: files, included: { base: { texts: { 'ci/base.txt': 'six==1.16.0\n' } }, head: { texts: {}, unread: ['ci/base.txt'] } } });
    expect(diff.changes).toEqual([]);
    expect(diff.errors).toEqual(['head: ci/base.txt not read in full: six left out of the comparison']);
  });
});

describe('a change at the same version', () => {
  const hash = (c: string) => `--hash=sha256:${c.repeat(64)}`;
  it('is a change when the extras asked for or the hashes given moved: an extra installs more, other hashes are other files', async () => {
    const details = async (base: string, head: string) => (await diffDependencies({ base: { 'requirements.txt': base }, head: { 'requirements.txt': head } })).changes.map((c) => [c.name, c.kind, c.from, c.to, c.detail]);
    expect(await details('requests==2.31.0\n', 'requests[socks]==2.31.0\n')).toEqual([['requests', 'changed', '2.31.0', '2.31.0', 'extras added: socks']]);
    expect(await details('requests[socks,security]==2.31.0\n', 'requests[socks]==2.31.0\n')).toEqual([['requests', 'changed', '2.31.0', '2.31.0', 'extras dropped: security']]);
    expect(await details(`requests==2.31.0 ${hash('a')}\n`, `requests==2.31.0 ${hash('b')}\n`)).toEqual([['requests', 'changed', '2.31.0', '2.31.0', 'hashes changed']]);
    expect(await details(`requests==2.31.0 ${hash('a')}\n`, 'requests==2.31.0\n')).toEqual([['requests', 'changed', '2.31.0', '2.31.0', 'hashes dropped']]);
    expect(await details(`requests==2.31.0 ${hash('a')}\n`, `requests==2.31.0   ${hash('a')}\n`)).toEqual([]);
  });

  it('says what changed beside the version on GitHub and in Slack', () => {
    const review = {
      changes: [{ name: 'requests', kind: 'changed' as const, from: '2.31.0', to: '2.31.0', file: 'requirements.txt', detail: 'extras added: socks', card: { verdict: 'ok' as const, partial: false, reasons: [], advisories: [], similarTo: null } }],
      newSources: [],
      newIndexUrls: [],
      errors: [],
      verdict: 'ok' as const,
    };
    expect(pullRequestReviewMarkdown({ repo: 'octo/app', number: 7, headSha: 'abcdef1234567890' }, review)).toContain('- ✅ `requests` changed `2.31.0` → `2.31.0` (extras added: socks): **ok**');
    const slack = blockText(pullRequestReviewMessage({ repo: 'octo/shop', number: 46, title: 't', url: 'https://github.com/octo/shop/pull/46', headSha: 'abcdef1234567890', state: 'open' }, review).blocks);
    expect(slack).toContain(':white_check_mark: `requests` changed 2.31.0 → 2.31.0 (extras added: socks): *ok*');
  });
});

describe('a pull request adding --find-links, read as the audit reads it', () => {
  const head = {
    'requirements.txt': [
      'goodlib==1.1.0',
      '--extra-index-url https://pkgs.example.com/simple',
      '--find-links ${WHEELS}',
      '--find-links https://wheels.example.com/',
      '-f ./wheels',
    ].join('\n'),
  };

  it('shows a --find-links ${VAR} (set from the environment: maybe a page) and a page as new, like an extra index, and says what each is', async () => {
    const diff = await diffDependencies({ base: { 'requirements.txt': 'goodlib==1.1.0\n' }, head });
    expect(diff.newIndexUrls).toEqual([
      { url: 'https://pkgs.example.com/simple', file: 'requirements.txt', line: 2 },
      { url: '${WHEELS}', file: 'requirements.txt', line: 3, findLinks: 'unknown' },
      { url: 'https://wheels.example.com/', file: 'requirements.txt', line: 4, findLinks: 'page' },
      // The project's own folder is named too: a pull request may bring the files in it.
      { url: './wheels', file: 'requirements.txt', line: 5, findLinks: 'folder' },
    ]);

    const review = { changes: [], newSources: [], newIndexUrls: diff.newIndexUrls, errors: [], verdict: 'caution' as const };
    const card = blockText(pullRequestReviewMessage({ repo: 'octo/shop', number: 44, title: 'Wheels', url: 'https://github.com/octo/shop/pull/44', headSha: 'abcdef1234567890', state: 'open' }, review).blocks);
    expect(card).toContain(':warning: *New index URLs*');
    expect(card).toContain('• ${WHEELS} (requirements.txt:3): a --find-links source set from the environment: a local folder or a page on the web, unknown');
    expect(card).toContain('• https://wheels.example.com/ (requirements.txt:4): a --find-links page, merged with the indexes like an extra index');
    expect(card).toContain('• https://pkgs.example.com/simple (requirements.txt:2)\n');
    const comment = pullRequestReviewMarkdown({ repo: 'octo/app', number: 7, headSha: 'abcdef1234567890' }, review);
    expect(comment).toContain('- `${WHEELS}` (`requirements.txt:3`): a --find-links source set from the environment: a local folder or a page on the web, unknown');
  });

  it('names as new a page or unknown source exactly where the audit reports one (the same option parsing)', async () => {
    const diff = await diffDependencies({ base: {}, head });
    const load = await loadSide(head);
    const audited = extraIndexUrlFindings({ manifests: load.manifests } as AuditContext);
    expect(audited.map((f) => [f.line, f.details?.unresolved === true])).toEqual([
      [2, false],
      [3, true],
      [4, false],
    ]);
    expect(diff.newIndexUrls.filter((i) => i.findLinks !== 'folder').map((i) => [i.line, i.findLinks === 'unknown'])).toEqual(audited.map((f) => [f.line, f.details?.unresolved === true]));
  });
});

describe('a pull request adding --trusted-host', () => {
  it('shows the host as new, with what it means, as the audit reports it; a host already trusted at the base is not new', async () => {
    const base = { 'requirements.txt': '--trusted-host old.example\ngoodlib==1.1.0\n' };
    const head = { 'requirements.txt': '--trusted-host old.example\n--trusted-host pkgs.example\ngoodlib==1.1.0\n' };
    const diff = await diffDependencies({ base, head });
    expect(diff.newIndexUrls).toEqual([{ url: 'pkgs.example', file: 'requirements.txt', line: 2, trustedHost: true }]);
    const shown = { changes: [], newSources: [], newIndexUrls: diff.newIndexUrls, errors: [], verdict: 'caution' as const };
    const card = blockText(pullRequestReviewMessage({ repo: 'octo/shop', number: 45, title: 'Trust', url: 'https://github.com/octo/shop/pull/45', headSha: 'abcdef1234567890', state: 'open' }, shown).blocks);
    expect(card).toContain('• pkgs.example (requirements.txt:2): a --trusted-host: pip checks no certificate for it, and accepts plain HTTP');
    expect(pullRequestReviewMarkdown({ repo: 'octo/app', number: 7, headSha: 'abcdef1234567890' }, shown)).toContain('- `pkgs.example` (`requirements.txt:2`): a --trusted-host: pip checks no certificate for it, and accepts plain HTTP');
    // The audit reports the same line.
    const audited = extraIndexUrlFindings({ manifests: (await loadSide(head)).manifests } as AuditContext);
    expect(audited.map((f) => [f.line, f.details?.host])).toEqual([
      [1, 'old.example'],
      [2, 'pkgs.example'],
    ]);
  });
});

describe('an index option already at the base, as another kind', () => {
  it('shows a --find-links with the text of a trusted host, or of an index, as new, and the reverse', async () => {
    const base = { 'requirements.txt': '--trusted-host wheels\n--extra-index-url https://pkgs.example/simple\ngoodlib==1.1.0\n' };
    const head = { 'requirements.txt': '--find-links wheels\n--find-links https://pkgs.example/simple\n--trusted-host wheels\ngoodlib==1.1.0\n' };
    expect((await diffDependencies({ base, head })).newIndexUrls).toEqual([
      { url: 'wheels', file: 'requirements.txt', line: 1, findLinks: 'folder' },
      { url: 'https://pkgs.example/simple', file: 'requirements.txt', line: 2, findLinks: 'page' },
    ]);
    expect((await diffDependencies({ base: { 'requirements.txt': '--find-links wheels\ngoodlib==1.1.0\n' }, head: { 'requirements.txt': '--trusted-host wheels\ngoodlib==1.1.0\n' } })).newIndexUrls).toEqual([
      { url: 'wheels', file: 'requirements.txt', line: 1, trustedHost: true },
    ]);
  });
});

describe('diffDependencies of what each side includes', () => {
  it('reads a changed file named like no manifest as the requirements file it is included as, and each side\'s included files only through their includes', async () => {
    const diff = await diffDependencies({
      base: { 'ci/base.txt': 'idna==3.0\n-r pins.txt\n' },
      head: { 'ci/base.txt': 'idna==3.1\n-r pins.txt\n' },
      included: { base: { texts: { 'ci/pins.txt': 'certifi==3.0\n', 'ci/unrelated.txt': 'six==1.16.0\n' } }, head: { texts: { 'ci/pins.txt': 'certifi==3.1\n' } } },
    });
    expect(diff.changes.map((c) => [c.name, c.kind, c.from, c.to])).toEqual([
      ['certifi', 'upgraded', '3.0', '3.1'],
      ['idna', 'upgraded', '3.0', '3.1'],
    ]);
    expect(diff.errors).toEqual([]);
  });

  it('says "file not found" for an include that is not there, but not for one the caller could not read (it says why itself)', async () => {
    const files = { 'requirements.txt': 'idna==3.0\n-r ci/base.txt\n-r ci/gone.txt\n' };
    const diff = await diffDependencies({ base: files, head: files, included: { base: { texts: {}, unread: ['ci/base.txt'] }, head: { texts: { 'ci/base.txt': 'six==1.16.0\n' } } } });
    expect(diff.errors).toEqual([
      'base: ci/gone.txt: file not found (included by requirements.txt:3)',
      'head: ci/gone.txt: file not found (included by requirements.txt:3)',
      // Not "six added": the base's copy was not read.
      'base: ci/base.txt not read in full: six left out of the comparison',
    ]);
    expect(diff.changes).toEqual([]);
  });
});

describe('reviewDependencies and its Slack message', () => {
  let world: PackageWorld;
  beforeAll(async () => {
    world = await startPackageWorld({
      projects: [
        GOODLIB,
        ...REQUIREMENTS.filter((p) => p.name !== 'certifi'),
        { name: 'certifi', releases: [{ version: '2.0', uploadTime: '2025-01-01T00:00:00Z' }, { version: '3.0', uploadTime: '2025-10-01T00:00:00Z' }] },
        { name: 'reqeusts', releases: [{ version: '0.0.1', uploadTime: '2026-01-10T00:00:00Z' }] }],
      records: [osvRecord('GHSA-cert-0000-0001', 'certifi', { fixed: '2.5', severity: 'HIGH', summary: 'certifi <b>trusts</b> everything' })],
    });
  });
  afterAll(async () => {
    await world.close();
  });

  it('gives each added or moved package its verdict, advisories and typosquat flag', async () => {
    const review = await reviewDependencies(await diffDependencies({ base: BASE, head: HEAD }), await world.sources());
    const by = Object.fromEntries(review.changes.map((c) => [c.name, c.card]));
    expect(by.goodlib).toMatchObject({ verdict: 'ok', partial: false, advisories: [], similarTo: null });
    expect(by.reqeusts).toMatchObject({ verdict: 'caution', similarTo: 'requests' });
    expect(by.certifi).toMatchObject({ verdict: 'avoid', advisories: ['GHSA-cert-0000-0001'] });
    expect(by.six).toBeNull();
    expect(review.verdict).toBe('avoid');

    const message = pullRequestReviewMessage({ repo: 'octo/shop', number: 42, title: 'Bump <!channel> deps', url: 'https://github.com/octo/shop/pull/42', headSha: 'abcdef1234567890', state: 'open' }, review);
    const { first, replies } = fitMessage(message);
    expect(replies).toEqual([]);
    const text = blockText(first.blocks);
    expect(text).toContain('Dependency review: octo/shop #42');
    expect(text).toContain('<https://github.com/octo/shop/pull/42|Bump &lt;!channel&gt; deps> · open · head `abcdef1` · overall :no_entry: *avoid*');
    expect(text).toContain(':white_check_mark: `goodlib` upgraded 1.1.0 → 1.2.0: *ok*');
    expect(text).toMatch(/:warning: `reqeusts` added 0\.0\.1: \*caution\* — the name looks like requests .*\(looks like \*requests\*\)/);
    expect(text).toMatch(/:no_entry: `certifi` downgraded 3\.0 → 2\.0: \*avoid\*.*advisories: GHSA-cert-0000-0001/);
    expect(text).toContain('*Removed*: `six` 1.16.0');
    expect(text).toContain('• `tool` from git+https://github.com/someone/tool.git@main');
    expect(text).toContain('• https://pkgs.example.com/simple (requirements.txt:1)');
    expect(text).not.toContain('hunter2');

    const merged = blockText(pullRequestReviewMessage({ repo: 'octo/shop', number: 42, title: 't', url: 'https://github.com/octo/shop/pull/42', headSha: 'abcdef1234567890', state: 'merged' }, review).blocks);
    expect(merged).toContain(':twisted_rightwards_arrows: merged');
  });

  it('a line that does not parse at the head is partial, says which line and which package it left out, and removes nothing', async () => {
    const diff = await diffDependencies({ base: { 'requirements.txt': 'goodlib==1.2.0\nidna==3.0\n' }, head: { 'requirements.txt': 'goodlib==1.2.0\nidna=====3.0 ;;\n' } });
    const review = await reviewDependencies(diff, await world.sources());
    expect(review.verdict).toBe('caution');
    const markdown = pullRequestReviewMarkdown({ repo: 'octo/app', number: 7, headSha: 'abcdef1234567890' }, review);
    expect(markdown).not.toContain('Removed');
    expect(markdown).toMatch(/_Partial: head: requirements\.txt:2: .*; head: requirements\.txt not read in full: idna left out of the comparison_/);
    expect(markdown).toContain('No package changed in the files that were read.');
    const slack = blockText(pullRequestReviewMessage({ repo: 'octo/shop', number: 45, title: 't', url: 'https://github.com/octo/shop/pull/45', headSha: 'abcdef1234567890', state: 'open' }, review).blocks);
    expect(slack).not.toContain('Removed');
    expect(slack).toContain('head: requirements.txt not read in full: idna left out of the comparison');
  });

  it('a pin moved to a VCS source is one "source changed" line, caution, not "Removed" beside a new source; and back to the index it is carded', async () => {
    const vcs = 'git+https://github.com/evil/requests@main';
    const diff = await diffDependencies({ base: { 'requirements.txt': 'requests==2.31.0\n' }, head: { 'requirements.txt': `requests @ ${vcs}\n` } });
    expect(diff.changes).toEqual([{ name: 'requests', kind: 'source', from: '2.31.0', to: null, file: 'requirements.txt', toSource: vcs }]);
    expect(diff.newSources).toEqual([]);
    const review = await reviewDependencies(diff, await world.sources());
    expect(review.verdict).toBe('caution');
    const markdown = pullRequestReviewMarkdown({ repo: 'octo/app', number: 7, headSha: 'abcdef1234567890' }, review);
    expect(markdown).toContain(`- ⚠️ \`requests\` source changed \`2.31.0\` → \`${vcs}\`: **caution** — now installed from outside the index: no card or advisory covers what is there, check the source`);
    expect(markdown).not.toContain('Removed');
    const slack = blockText(pullRequestReviewMessage({ repo: 'octo/shop', number: 47, title: 't', url: 'https://github.com/octo/shop/pull/47', headSha: 'abcdef1234567890', state: 'open' }, review).blocks);
    expect(slack).toContain(`:warning: \`requests\` source changed 2.31.0 → ${vcs}: *caution*`);
    expect(slack).not.toContain('Removed');

    const back = await reviewDependencies(await diffDependencies({ base: { 'requirements.txt': 'goodlib @ git+https://github.com/acme/goodlib@v1\n' }, head: { 'requirements.txt': 'goodlib==1.2.0\n' } }), await world.sources());
    expect(back.changes).toEqual([expect.objectContaining({ name: 'goodlib', kind: 'source', from: null, to: '1.2.0', fromSource: 'git+https://github.com/acme/goodlib@v1', card: expect.objectContaining({ verdict: 'ok' }) })]);
  });

  it('a pull request whose only new package gets no card (several versions at once) is caution and partial, saying "not rated", never ok', async () => {
    const diff = { changes: [{ name: 'goodlib', kind: 'added' as const, from: null, to: '1.1.0, 1.2.0', file: 'poetry.lock' }], newSources: [], newIndexUrls: [], errors: [] };
    const review = await reviewDependencies(diff, await world.sources());
    expect(review.changes[0]).toMatchObject({ card: null, unrated: 'several versions at once' });
    expect(review.verdict).toBe('caution');
    expect(review.errors).toEqual(['goodlib added to 1.1.0, 1.2.0: not rated (several versions at once)']);
    const message = pullRequestReviewMessage({ repo: 'octo/shop', number: 43, title: 'Lock', url: 'https://github.com/octo/shop/pull/43', headSha: 'abcdef1234567890', state: 'open' }, review);
    expect(blockText(message.blocks)).toContain('overall :warning: *caution*');
    expect(message.text).toContain('caution (partial)');
  });
});

describe('an advisory the source did not rate, in a pull request review', () => {
  let world: PackageWorld;
  beforeAll(async () => {
    world = await startPackageWorld({ projects: [GOODLIB, ...REQUIREMENTS], records: [osvRecord('PYSEC-2019-10', 'goodlib')] });
  });
  afterAll(async () => {
    await world.close();
  });

  it('is "not rated by the source", as replies and alerts say, never "(unknown)"', async () => {
    const diff = { changes: [{ name: 'goodlib', kind: 'added' as const, from: null, to: '1.1.0', file: 'requirements.txt' }], newSources: [], newIndexUrls: [], errors: [] };
    const review = await reviewDependencies(diff, await world.sources());
    const text = blockText(pullRequestReviewMessage({ repo: 'octo/shop', number: 44, title: 'Add goodlib', url: 'https://github.com/octo/shop/pull/44', headSha: 'abcdef1234567890', state: 'open' }, review).blocks);
    expect(text).toContain('PYSEC-2019-10 (not rated by the source)');
    expect(text).not.toContain('(unknown)');
  });
});

describe('a release from outside the index whose version is known, in a pull request review', () => {
  const WHEEL = 'https://files.example.com/wheels/Django-2.2.0-py3-none-any.whl';
  const GIT = 'https://github.com/pallets/werkzeug.git?rev=0.15.0#b1916c0c083e0be1c9d887ee2f3d696922bfc5c1';
  const uvLock = (werkzeug: string) => `version = 1\nrequires-python = ">=3.12"\n\n[[package]]\nname = "app"\nversion = "0.1.0"\nsource = { virtual = "." }\ndependencies = [{ name = "werkzeug" }]\n\n${werkzeug}`;
  let world: PackageWorld;
  beforeAll(async () => {
    world = await startPackageWorld({
      projects: [
        GOODLIB,
        ...REQUIREMENTS,
        { name: 'django', releases: [{ version: '2.2.0', uploadTime: '2025-01-01T00:00:00Z' }, { version: '3.2.0', uploadTime: '2025-06-01T00:00:00Z' }] },
        { name: 'werkzeug', releases: [{ version: '0.15.0', uploadTime: '2025-01-01T00:00:00Z' }, { version: '3.0.0', uploadTime: '2025-06-01T00:00:00Z' }] },
      ],
      records: [
        osvRecord('GHSA-djan-0000-0001', 'django', { fixed: '2.2.1', severity: 'HIGH' }),
        osvRecord('GHSA-werk-0000-0001', 'werkzeug', { fixed: '0.15.3', severity: 'MODERATE' }),
      ],
    });
  });
  afterAll(async () => {
    await world.close();
  });

  const slackOf = (review: Awaited<ReturnType<typeof reviewDependencies>>) =>
    blockText(pullRequestReviewMessage({ repo: 'octo/shop', number: 50, title: 't', url: 'https://github.com/octo/shop/pull/50', headSha: 'abcdef1234567890', state: 'open' }, review).blocks);

  it('a wheel URL added lists the advisories of its name and version, says the file is not verified, and is as severe as that release from PyPI', async () => {
    const diff = await diffDependencies({ base: { 'requirements.txt': 'goodlib==1.2.0\n' }, head: { 'requirements.txt': `goodlib==1.2.0\ndjango @ ${WHEEL}\n` } });
    expect(diff.newSources).toEqual([expect.objectContaining({ name: 'django', kind: 'url', version: '2.2.0' })]);
    const review = await reviewDependencies(diff, await world.sources());
    expect(review.newSources[0]!.card).toMatchObject({ verdict: 'avoid', partial: false, advisories: ['GHSA-djan-0000-0001'] });
    expect(review.verdict).toBe('avoid');
    const fromPypi = await reviewDependencies(await diffDependencies({ base: { 'requirements.txt': 'goodlib==1.2.0\n' }, head: { 'requirements.txt': 'goodlib==1.2.0\ndjango==2.2.0\n' } }), await world.sources());
    expect(fromPypi.verdict).toBe('avoid');

    const slack = slackOf(review);
    expect(slack).toContain(`• \`django\` 2.2.0 from ${WHEEL} (requirements.txt:2): :no_entry: *avoid* — known vulnerabilities in this release: GHSA-djan-0000-0001 (high); installed from outside the index: the advisories listed are those of django 2.2.0, but nothing verifies the file is that published release, check the source (advisories: GHSA-djan-0000-0001)`);
    const markdown = pullRequestReviewMarkdown({ repo: 'octo/app', number: 7, headSha: 'abcdef1234567890' }, review);
    expect(markdown).toContain(`- \`django\` \`2.2.0\` from \`${WHEEL}\` (\`requirements.txt:2\`): ⛔ **avoid** — known vulnerabilities in this release: GHSA-djan-0000-0001 (high); installed from outside the index:`);
    expect(markdown).toContain('(advisories: GHSA-djan-0000-0001)');
  });

  it('a pin moved to a wheel URL lists the advisories of the version the wheel installs', async () => {
    const diff = await diffDependencies({ base: { 'requirements.txt': 'django==3.2.0\n' }, head: { 'requirements.txt': `django @ ${WHEEL}\n` } });
    expect(diff.changes).toEqual([expect.objectContaining({ name: 'django', kind: 'source', from: '3.2.0', toSource: WHEEL, toSourceVersion: '2.2.0' })]);
    const review = await reviewDependencies(diff, await world.sources());
    expect(review.changes[0]!.card).toMatchObject({ verdict: 'avoid', advisories: ['GHSA-djan-0000-0001'] });
    expect(review.verdict).toBe('avoid');
    expect(slackOf(review)).toContain(`:no_entry: \`django\` source changed 3.2.0 → ${WHEEL}: *avoid* — known vulnerabilities in this release: GHSA-djan-0000-0001 (high); installed from outside the index: the advisories listed are those of django 2.2.0, but nothing verifies the file is that published release, check the source (advisories: GHSA-djan-0000-0001)`);
  });

  it('a uv.lock git entry added, or moved to another release, lists its advisories; a lesser one stays caution', async () => {
    const entry = (version: string, url: string) => `[[package]]\nname = "werkzeug"\nversion = "${version}"\nsource = { git = "${url}" }\n`;
    const added = await reviewDependencies(await diffDependencies({ base: { 'uv.lock': uvLock('') }, head: { 'uv.lock': uvLock(entry('0.15.0', GIT)) } }), await world.sources());
    expect(added.newSources).toEqual([expect.objectContaining({ name: 'werkzeug', version: '0.15.0', card: expect.objectContaining({ verdict: 'caution', advisories: ['GHSA-werk-0000-0001'] }) })]);
    expect(slackOf(added)).toContain('known vulnerabilities in this release: GHSA-werk-0000-0001 (medium); installed from outside the index: the advisories listed are those of werkzeug 0.15.0');

    const safe = await reviewDependencies(await diffDependencies({ base: { 'uv.lock': uvLock('') }, head: { 'uv.lock': uvLock(entry('3.0.0', GIT.replace('0.15.0', '3.0.0'))) } }), await world.sources());
    expect(safe.newSources[0]!.card).toMatchObject({ verdict: 'caution', advisories: [], reasons: ['installed from outside the index: no advisory is known of werkzeug 3.0.0, but nothing verifies the file is that published release, check the source'] });

    const poetryLock = (extra: string) => `[[package]]\nname = "goodlib"\nversion = "1.2.0"\ndescription = ""\noptional = false\npython-versions = "*"\nfiles = []\n${extra}\n[metadata]\nlock-version = "2.0"\npython-versions = "^3.12"\ncontent-hash = "x"\n`;
    const poetryGit = `\n[[package]]\nname = "werkzeug"\nversion = "0.15.0"\ndescription = ""\noptional = false\npython-versions = "*"\nfiles = []\n\n[package.source]\ntype = "git"\nurl = "https://github.com/pallets/werkzeug.git"\nreference = "0.15.0"\nresolved_reference = "b1916c0c083e0be1c9d887ee2f3d696922bfc5c1"\n`;
    const poetry = await reviewDependencies(await diffDependencies({ base: { 'poetry.lock': poetryLock('') }, head: { 'poetry.lock': poetryLock(poetryGit) } }), await world.sources());
    expect(poetry.errors).toEqual([]);
    expect(poetry.newSources).toEqual([expect.objectContaining({ name: 'werkzeug', kind: 'vcs', version: '0.15.0', card: expect.objectContaining({ advisories: ['GHSA-werk-0000-0001'] }) })]);

    // The same place at another version (the URL's rev left as it was): another release, rated.
    const moved = await reviewDependencies(await diffDependencies({ base: { 'uv.lock': uvLock(entry('3.0.0', GIT)) }, head: { 'uv.lock': uvLock(entry('0.15.0', GIT)) } }), await world.sources());
    expect(moved.newSources).toEqual([expect.objectContaining({ name: 'werkzeug', version: '0.15.0', card: expect.objectContaining({ advisories: ['GHSA-werk-0000-0001'] }) })]);
  });

  it('advisories that cannot be read leave the card partial, never ok', async () => {
    const sources = await world.sources();
    const failing = { ...sources, advisories: { forRelease: () => Promise.reject(new Error('OSV answered 503')) } as unknown as typeof sources.advisories };
    const review = await reviewDependencies(await diffDependencies({ base: { 'requirements.txt': '' }, head: { 'requirements.txt': `django @ ${WHEEL}\n` } }), failing);
    expect(review.newSources[0]!.card).toMatchObject({ verdict: 'caution', partial: true });
    expect(review.newSources[0]!.card!.reasons[0]).toMatch(/^advisories could not be checked \(OSV answered 503\)/);
    expect(pullRequestReviewMessage({ repo: 'octo/shop', number: 51, title: 't', url: 'https://github.com/octo/shop/pull/51', headSha: 'abcdef1234567890', state: 'open' }, review).text).toContain('caution (partial)');
  });
});
