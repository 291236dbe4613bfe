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
    expect(escapeMarkdown('@org/team <img src=x> [click](http://evil.example) *bold*')).toBe('&#64;org/team &lt;img src=x> \\[click\\](http\\://evil.example) \\*bold\\*');
    const body = pullRequestReviewMarkdown({ headSha: '0'.repeat(40) }, review({ errors: ['requirements.txt: @everyone <b>broke</b>'] }));
    expect(body).not.toMatch(/(^|[^;])@everyone/);
    expect(body).not.toContain('<b>');
  });
});
