/** The pull-request review comment: the same content as the Slack card, with nothing the pull request or PyPI wrote able to ping, link or inject. */
import { describe, expect, it } from 'vitest';
import { escapeMarkdown, pullRequestReviewMarkdown, REVIEW_COMMENT_MARKER } from '../../src/report/pr-review.js';
import type { DependencyReview } from '../../src/watch/pr-review/review.js';

const review = (overrides: Partial<DependencyReview> = {}): DependencyReview => ({ changes: [], newSources: [], newIndexUrls: [], errors: [], verdict: 'ok', ...overrides });

describe('the review comment', () => {
  it('starts with the hidden marker and lists each change with its verdict', () => {
    const body = pullRequestReviewMarkdown(
      { headSha: 'abcdef1234567890' },
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
    const body = pullRequestReviewMarkdown({ headSha: '0'.repeat(40) }, review({ errors: ['requirements.txt: @everyone <b>broke</b>'] }));
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
      { headSha: '0'.repeat(40) },
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
    const body = pullRequestReviewMarkdown({ headSha: '0'.repeat(40) }, review({ verdict: 'caution', newSources: [{ name: 'lib', url: 'git+ssh://git@github.com/octo/lib.git', kind: 'vcs', file: 'requirements.txt', line: 1 }] } as Partial<DependencyReview>));
    expect(body).toContain('`git+ssh://git@github.com/octo/lib.git`');
  });
});
