/**
 * A pull request that leaves a package to a version range (`flask==3.0.0` → `flask<1`, a new
 * `flask>=0.1`) is rated by what the range lets pip install, never as the package's newest release:
 * a range admitting a release with a known advisory is not ok and says which advisories hit which
 * releases; when PyPI's releases or the advisories cannot be read, the change is not rated and the
 * review is partial. The change shows the requirement as written, on GitHub and in Slack.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { pullRequestReviewMarkdown } from '../../src/report/pr-review.js';
import { pullRequestReviewMessage } from '../../src/slack/blocks/pr-review.js';
import { diffDependencies } from '../../src/watch/pr-review/diff.js';
import { reviewDependencies } from '../../src/watch/pr-review/review.js';
import { GOODLIB, osvRecord, REQUIREMENTS, startPackageWorld, type PackageWorld } from '../packages/world.js';
import { blockText } from '../slack/app-world.js';

const FLASK = {
  name: 'flask',
  releases: [
    { version: '0.12', uploadTime: '2016-12-21T10:00:00Z' },
    { version: '2.0.0', uploadTime: '2021-05-11T10:00:00Z', yanked: true, yankedReason: 'broken' },
    { version: '3.0.0', uploadTime: '2025-10-01T10:00:00Z' },
  ],
};
const PR = { repo: 'octo/shop', number: 7, title: 'Relax flask', url: 'https://github.com/octo/shop/pull/7', headSha: 'abcdef1234567890', state: 'open' as const };

// A world per test: cards and release lists are cached for an hour, and some tests take PyPI or OSV down.
let world: PackageWorld;
beforeEach(async () => {
  world = await startPackageWorld({ projects: [GOODLIB, ...REQUIREMENTS, FLASK], records: [osvRecord('PYSEC-T-1', 'flask', { fixed: '2.2.5', severity: 'HIGH' })] });
});
afterEach(async () => {
  await world.close();
});

const review = async (base: Record<string, string>, head: Record<string, string>, options?: { advisories?: 'mirror' | 'api' }) =>
  reviewDependencies(await diffDependencies({ base, head }), await world.sources(options));

describe('a pin loosened to a range', () => {
  it('is rated by the releases the range admits, not the newest one: every release below 1 has a high advisory', async () => {
    const r = await review({ 'requirements.txt': 'flask==3.0.0\n' }, { 'requirements.txt': 'flask<1\n' });
    expect(r.changes).toEqual([expect.objectContaining({ name: 'flask', from: '3.0.0', to: null, toRange: ['<1'] })]);
    expect(r.changes[0]!.card).toMatchObject({ verdict: 'avoid', advisories: ['PYSEC-T-1'] });
    expect(r.changes[0]!.card!.reasons[0]).toBe('"<1" admits releases with known advisories: PYSEC-T-1 (0.12)');
    expect(r.verdict).toBe('avoid');
  });

  it('shows the requirement as written, never "any", in the comment and on the Slack card', async () => {
    const r = await review({ 'requirements.txt': 'flask==3.0.0\n' }, { 'requirements.txt': 'flask<1\n' });
    const markdown = pullRequestReviewMarkdown(PR, r);
    expect(markdown).toContain('- ⛔ `flask` changed `3.0.0` → `<1`: **avoid** — "&lt;1" admits releases with known advisories: PYSEC-T-1 (0.12)');
    expect(markdown).not.toContain('`any`');
    const slack = blockText(pullRequestReviewMessage(PR, r).blocks);
    expect(slack).toContain(':no_entry: `flask` changed 3.0.0 → &lt;1: *avoid* — "&lt;1" admits releases with known advisories: PYSEC-T-1 (0.12)');
  });
});

describe('a new package with a range', () => {
  it('whose newest release is clean but whose floor admits vulnerable ones is caution, naming the advisory and the releases (a yanked one is not installable)', async () => {
    const r = await review({ 'requirements.txt': 'goodlib==1.2.0\n' }, { 'requirements.txt': 'goodlib==1.2.0\nflask>=0.1\n' });
    const flask = r.changes.find((c) => c.name === 'flask')!;
    expect(flask).toMatchObject({ kind: 'added', to: null, toRange: ['>=0.1'] });
    expect(flask.card).toMatchObject({ verdict: 'caution', advisories: ['PYSEC-T-1'] });
    expect(flask.card!.reasons[0]).toBe('">=0.1" admits releases with known advisories: PYSEC-T-1 (0.12)');
    expect(r.verdict).toBe('caution');
    expect(pullRequestReviewMarkdown(PR, r)).toContain('- ⚠️ `flask` added `>=0.1`: **caution**');
  });

  it('with no specifier shows "any version" and is rated by every release', async () => {
    const r = await review({}, { 'requirements.txt': 'flask\n' });
    expect(r.changes[0]).toMatchObject({ kind: 'added', toRange: [''] });
    expect(r.changes[0]!.card!.reasons[0]).toBe('any version admits releases with known advisories: PYSEC-T-1 (0.12)');
    expect(blockText(pullRequestReviewMessage(PR, r).blocks)).toContain('`flask` added any version: *caution*');
  });

  it('that admits no known advisory is rated by its newest release', async () => {
    const r = await review({}, { 'requirements.txt': 'flask>=3\n' });
    expect(r.changes[0]!.card).toMatchObject({ verdict: 'ok', advisories: [] });
    expect(r.verdict).toBe('ok');
  });
});

describe('a range whose admitted releases cannot be told', () => {
  it('is not rated when PyPI does not answer, and the review is partial, never ok', async () => {
    world.pypi.fail({ match: '/simple/', times: 1e6, status: 503 });
    const r = await review({ 'requirements.txt': 'flask==3.0.0\n' }, { 'requirements.txt': 'flask>=0.1\n' });
    expect(r.changes[0]).toMatchObject({ card: null, unrated: expect.stringMatching(/^the releases on PyPI could not be read \(.*503.*\), so what the range admits is unknown$/) });
    expect(r.verdict).toBe('caution');
    expect(r.errors).toEqual([expect.stringMatching(/^flask changed to >=0\.1: not rated \(the releases on PyPI could not be read/)]);
  });

  it('is not rated when the advisories cannot be read', async () => {
    world.osv.failNext(1e6, 503);
    const r = await review({}, { 'requirements.txt': 'flask>=0.1\n' }, { advisories: 'api' });
    expect(r.changes[0]).toMatchObject({ card: null, unrated: expect.stringMatching(/^the advisories could not be read/) });
    expect(r.verdict).toBe('caution');
    expect(r.errors).toHaveLength(1);
  });

  it('is not rated when no release satisfies it', async () => {
    const r = await review({}, { 'requirements.txt': 'flask>99\n' });
    expect(r.changes[0]).toMatchObject({ card: null, unrated: 'no release on PyPI satisfies it, so pip could not install it' });
    expect(r.verdict).toBe('caution');
  });
});

describe('a range that changes', () => {
  it('is a change although no exact version moved: a lowered floor, a dropped specifier', async () => {
    const lowered = await diffDependencies({ base: { 'requirements.txt': 'flask>=2.2.5\n' }, head: { 'requirements.txt': 'flask>=0.1\n' } });
    expect(lowered.changes).toEqual([{ name: 'flask', kind: 'range', from: null, to: null, fromRange: ['>=2.2.5'], toRange: ['>=0.1'], file: 'requirements.txt' }]);
    const dropped = await diffDependencies({ base: { 'requirements.txt': 'flask>=2.2.5,<4\n' }, head: { 'requirements.txt': 'flask\n' } });
    expect(dropped.changes).toEqual([expect.objectContaining({ name: 'flask', kind: 'range', fromRange: ['<4,>=2.2.5'], toRange: [''] })]);
  });

  it('is no change when only how it is written moved (same normalised specifier), or when a lockfile still installs the same version', async () => {
    expect((await diffDependencies({ base: { 'requirements.txt': 'flask >= 2.2.5\n' }, head: { 'requirements.txt': 'Flask>=2.2.5  # pinned floor\n' } })).changes).toEqual([]);
    const lock = '[[package]]\nname = "flask"\nversion = "3.0.0"\n';
    const pyproject = (range: string) => `[project]\nname = "x"\nversion = "1"\ndependencies = ["flask${range}"]\n`;
    expect((await diffDependencies({ base: { 'pyproject.toml': pyproject('>=2.2.5'), 'poetry.lock': lock }, head: { 'pyproject.toml': pyproject('>=0.1'), 'poetry.lock': lock } })).changes).toEqual([]);
  });

  it('is rated as in a pin loosened to a range, and reads "range changed from → to" on GitHub and in Slack', async () => {
    const r = await review({ 'requirements.txt': 'flask>=2.2.5\n' }, { 'requirements.txt': 'flask>=0.1\n' });
    expect(r.changes[0]!.card).toMatchObject({ verdict: 'caution', advisories: ['PYSEC-T-1'] });
    expect(r.verdict).toBe('caution');
    const markdown = pullRequestReviewMarkdown(PR, r);
    expect(markdown).toContain('- ⚠️ `flask` range changed `>=2.2.5` → `>=0.1`: **caution** — ">=0.1" admits releases with known advisories: PYSEC-T-1 (0.12)');
    expect(markdown).not.toContain('no package did');
    const slack = blockText(pullRequestReviewMessage(PR, r).blocks);
    expect(slack).toContain(':warning: `flask` range changed &gt;=2.2.5 → &gt;=0.1: *caution*');
    expect(slack).not.toContain('no package did');
  });

  it('to no specifier reads "any version"', async () => {
    const r = await review({ 'requirements.txt': 'flask>=2.2.5,<4\n' }, { 'requirements.txt': 'flask\n' });
    expect(pullRequestReviewMarkdown(PR, r)).toContain('- ⚠️ `flask` range changed `<4,>=2.2.5` → `any version`: **caution**');
  });
});

describe('a range admitting many advisories', () => {
  it('names a few in its reason, with a few releases each, and lists every id on the card', async () => {
    await world.close();
    const releases = Array.from({ length: 6 }, (_, i) => ({ version: `1.${i}`, uploadTime: `2025-0${i + 1}-01T10:00:00Z` }));
    world = await startPackageWorld({
      projects: [{ name: 'many', releases }],
      records: Array.from({ length: 7 }, (_, i) => osvRecord(`PYSEC-M-${i}`, 'many', { fixed: '1.5', severity: 'LOW' })),
    });
    const r = await review({}, { 'requirements.txt': 'many>=1.0\n' });
    expect(r.changes[0]!.card!.reasons[0]).toBe(
      '">=1.0" admits releases with known advisories: PYSEC-M-0 (1.0, 1.1, 1.2, …); PYSEC-M-1 (1.0, 1.1, 1.2, …); PYSEC-M-2 (1.0, 1.1, 1.2, …); PYSEC-M-3 (1.0, 1.1, 1.2, …); PYSEC-M-4 (1.0, 1.1, 1.2, …) and 2 more',
    );
    expect(r.changes[0]!.card!.advisories).toHaveLength(7);
  });
});

describe('a pin to a release whose version is not PEP 440', () => {
  it('is never ok while the package has ranged advisories that cannot be compared with it: caution and partial', async () => {
    await world.close();
    world = await startPackageWorld({
      projects: [GOODLIB, ...REQUIREMENTS, { ...FLASK, releases: [{ version: '0.12-internal', uploadTime: '2017-01-01T10:00:00Z' }, ...FLASK.releases] }],
      records: [osvRecord('PYSEC-T-1', 'flask', { fixed: '2.2.5', severity: 'HIGH' })],
    });
    const r = await review({ 'requirements.txt': 'flask==3.0.0\n' }, { 'requirements.txt': 'flask===0.12-internal\n' });
    expect(r.changes).toEqual([expect.objectContaining({ name: 'flask', from: '3.0.0', to: '0.12-internal' })]);
    expect(r.changes[0]!.card).toMatchObject({ verdict: 'caution', partial: true });
    expect(r.verdict).not.toBe('ok');
  });
});
