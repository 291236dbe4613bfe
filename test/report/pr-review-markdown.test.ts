/** The pull-request review comment: the same content as the Slack card, with nothing the pull request or PyPI wrote able to ping, link or inject. */
import { describe, expect, it } from 'vitest';
import { escapeMarkdown, pullRequestReviewMarkdown, REVIEW_COMMENT_MARKER } from '../../src/report/pr-review.js';
import type { DependencyReview } from '../../src/watch/pr-review/review.js';

const review = (overrides: Partial<DependencyReview> = {}): DependencyReview => ({ changes: [], newSources: [], newIndexUrls: [], errors: [], verdict: 'ok', ...overrides });

describe('the review comment', () => {
  it('starts with the hidden marker and lists each change with its verdict', () => {
    const body = pullRequestReviewMarkdown(
      { repo: 'octo/app', number: 7, headSha: 'abcdef1234567890' },
      review({
        verdict: 'caution',
        changes: [
          { name: 'goodlib', kind: 'upgraded', from: '1.1.0', to: '1.2.0', file: 'requirements.txt', card: { verdict: 'ok', partial: false, reasons: [], advisories: [], similarTo: null } },
          { name: 'reqeusts', kind: 'added', from: null, to: '0.0.1', file: 'requirements.txt', card: { verdict: 'caution', partial: false, reasons: ['first release 5 days ago'], advisories: [], similarTo: 'requests' } },
          { name: 'six', kind: 'removed', from: '1.16.0', to: null, file: 'requirements.txt', card: null },
        ],
      }),
    );
    expect(body.split('\n')[0]).toBe(REVIEW_COMMENT_MARKER);
    expect(body).toContain('### Depwatch dependency review: ⚠️ caution');
    expect(body).toContain('- ✅ `goodlib` upgraded `1.1.0` → `1.2.0`: **ok**');
    expect(body).toContain('- ⚠️ `reqeusts` added `0.0.1`: **caution** — first release 5 days ago (looks like **requests**)');
    expect(body).toContain('**Removed**: `six` `1.16.0`');
  });

  it('escapes mentions, HTML and links written by others', () => {
    expect(escapeMarkdown('@org/team <img src=x> [click](http://evil.example) *bold*')).toBe('@\u200Borg/team &lt;img src=x> \\[click\\](http\\://evil.example) \\*bold\\*');
    const body = pullRequestReviewMarkdown({ repo: 'octo/app', number: 7, headSha: '0'.repeat(40) }, review({ errors: ['requirements.txt: @everyone <b>broke</b>'] }));
    expect(body).not.toMatch(/@everyone/);
    expect(body).not.toContain('<b>');
  });
});

/**
 * GitHub makes a mention of `@name` wherever its text reads so once rendered: an HTML entity is
 * decoded first (`&#64;team` still notifies the team, github/cmark-gfm#181), and an e-mail reply
 * quotes the comment as plain text, code spans and all, and is read for mentions again. What a
 * reader of the plain text sees must not be one.
 */
const plainText = (markdown: string) =>
  markdown
    .replace(/&#(\d+);/g, (_, n: string) => String.fromCodePoint(Number(n)))
    .replace(/&lt;/g, '<')
    .replace(/`+/g, '')
    .replace(/\\(.)/g, '$1');
// As GitHub reads a mention: `@name` after the start or any character that is not a word character (`@` too).
const MENTION = /(^|\W)@[A-Za-z0-9]/m;

describe('mentions in the review comment', () => {
  it('notify no one: not from reasons or errors, nor from file paths and URLs in code spans', () => {
    const body = pullRequestReviewMarkdown(
      { repo: 'octo/app', number: 7, headSha: '0'.repeat(40) },
      review({
        verdict: 'caution',
        changes: [{ name: 'reqeusts', kind: 'added', from: null, to: '0.0.1', file: 'requirements.txt', card: { verdict: 'caution', partial: false, reasons: ['maintained by @octo-org/security'], advisories: [], similarTo: null } }],
        newSources: [{ name: 'lib', url: 'https://files.example/@octo-org/lib-1.0.whl', kind: 'url', file: 'deps/@everyone.txt', line: 2 }, { name: 'lib2', url: 'https://files.example/lib2.whl', kind: 'url', file: 'deps/@@octo-org/team.txt', line: 3 }],
        errors: ['requirements.txt: @everyone <b>broke</b>'],
      } as Partial<DependencyReview>),
    );
    expect(plainText(body)).not.toMatch(MENTION);
    // Still readable as written: the @ is there, followed by an invisible zero-width space.
    expect(plainText(body)).toContain('@\u200Bocto-org/security');
    expect(body).toContain('`deps/@\u200Beveryone.txt:2`');
  });

  it('leave an e-mail address or a git URL as written in code, where no mention starts', () => {
    const body = pullRequestReviewMarkdown({ repo: 'octo/app', number: 7, headSha: '0'.repeat(40) }, review({ verdict: 'caution', newSources: [{ name: 'lib', url: 'git+ssh://git@github.com/octo/lib.git', kind: 'vcs', file: 'requirements.txt', line: 1 }] } as Partial<DependencyReview>));
    expect(body).toContain('`git+ssh://git@github.com/octo/lib.git`');
  });
});

/** 500 upgrades, every fifth cautioned and one avoided at the end: far more than one comment holds. */
function bigReview(): DependencyReview {
  const changes = Array.from({ length: 500 }, (_, i): DependencyReview['changes'][number] => ({
    name: `package-name-${i}`,
    kind: 'upgraded',
    from: '1.2.3',
    to: '1.4.0',
    file: 'uv.lock',
    card: { verdict: i === 499 ? 'avoid' : i % 5 ? 'ok' : 'caution', partial: false, reasons: ['the latest release is 26 months old (2024-09-30)', 'one person can publish releases (alice)'], advisories: i % 5 ? [] : ['GHSA-aaaa-bbbb-cccc', 'PYSEC-2024-101'], similarTo: null },
  }));
  return review({ verdict: 'avoid', changes, newIndexUrls: [{ url: 'https://pypi.evil.example/simple', file: 'requirements.txt', line: 1 } as DependencyReview['newIndexUrls'][number]], errors: ['requirements/dev.txt could not be read: GitHub answered 502'] });
}

describe('a review longer than one comment', () => {
  const body = pullRequestReviewMarkdown({ repo: 'octo/app', number: 7, headSha: 'abcdef1234567' }, bigReview());
  const lines = body.split('\n');

  it('stays within what GitHub accepts (65,536 characters), ending as a comment does', () => {
    expect(body.length).toBeLessThanOrEqual(65_536);
    expect(lines.at(-1)).toBe('<sub>Updated in place by Depwatch when the pull request changes.</sub>');
  });

  it('says the new index URL and what was not read before any package', () => {
    const firstPackage = lines.findIndex((l) => l.includes('`package-name-'));
    expect(lines.indexOf('⚠️ **New index URLs**')).toBeGreaterThan(0);
    expect(lines.indexOf('⚠️ **New index URLs**')).toBeLessThan(firstPackage);
    expect(lines.findIndex((l) => l.startsWith('_Partial: requirements/dev.txt could not be read'))).toBeLessThan(firstPackage);
  });

  it('lists the packages most severe first at whole lines, leaving out only ok ones, and counts them', () => {
    const listed = lines.filter((l) => l.includes('`package-name-'));
    expect(listed[0]).toContain('`package-name-499`');
    expect(listed.every((l) => l.endsWith(')') || l.endsWith('(alice)'))).toBe(true);
    // All 100 cautions and the avoid are listed; the ok ones fill the rest.
    expect(listed.filter((l) => l.includes('**caution**')).length).toBe(100);
    const more = lines.find((l) => l.includes('more added or changed'))!;
    const left = Number(/…and (\d+) more/.exec(more)![1]);
    expect(listed.length + left).toBe(500);
    expect(more).toBe(`- _…and ${left} more added or changed, not listed (${left} ok): a comment has no room for more; \`depwatch review octo/app#7\` lists them all._`);
    expect(body).not.toContain('the pull request’s changes have the rest');
  });

  it('lists every package, and no count of more, when asked for the whole review (depwatch review --markdown)', () => {
    const whole = pullRequestReviewMarkdown({ repo: 'octo/app', number: 7, headSha: 'abcdef1234567' }, bigReview(), { whole: true });
    expect(whole.split('\n').filter((l) => l.includes('`package-name-'))).toHaveLength(500);
    expect(whole).not.toContain('more added or changed');
    expect(whole.length).toBeGreaterThan(65_536);
  });

  it('counts the reasons it is partial that it has no room for, and names the command that lists them all', () => {
    const errors = Array.from({ length: 300 }, (_, i) => `requirements/part-${i}.txt could not be read: GitHub answered 502`);
    const body = pullRequestReviewMarkdown({ repo: 'octo/app', number: 7, headSha: 'abcdef1234567' }, { ...bigReview(), errors });
    expect(body).toMatch(/^_Partial: requirements\/part-0\.txt .*; …and \d+ more \(`depwatch review octo\/app#7` lists them all\)_$/m);
  });

  it('keeps a long list of removed packages to whole names, counted', () => {
    const removed = Array.from({ length: 2000 }, (_, i): DependencyReview['changes'][number] => ({ name: `gone-${i}`, kind: 'removed', from: '1.0', to: null, file: 'uv.lock', card: null }));
    const long = pullRequestReviewMarkdown({ repo: 'octo/app', number: 7, headSha: 'abcdef1234567' }, { ...bigReview(), changes: [...bigReview().changes, ...removed] });
    expect(long.length).toBeLessThanOrEqual(65_536);
    const line = long.split('\n').find((l) => l.startsWith('**Removed**'))!;
    expect(line).toMatch(/`gone-\d+` `1\.0`, …and \d+ more, not listed: a comment has no room for more; `depwatch review octo\/app#7` lists them all$/);
  });
});
