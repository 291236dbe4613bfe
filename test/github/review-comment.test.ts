/**
 * The review comment is written redacted: it quotes what the pull request holds, and everyone who
 * can read the pull request reads it. The body kept for the next comparison is the one written, so
 * an unchanged review is still left alone.
 */
import { describe, expect, it } from 'vitest';
import type { Octokit } from '../../src/github/client.js';
import { upsertReviewComment } from '../../src/github/review-comment.js';
import { REVIEW_COMMENT_MARKER } from '../../src/report/pr-review.js';

/** GitHub's comment routes over one pull request, recording what was sent. */
function fakeOctokit() {
  const sent: { route: string; body?: string }[] = [];
  const comments: { id: number; body: string; html_url: string }[] = [];
  const request = async (route: string, params: { body?: string; comment_id?: number }) => {
    sent.push({ route, ...(params.body === undefined ? {} : { body: params.body }) });
    if (route.startsWith('GET ')) return { data: comments };
    if (route.startsWith('POST ')) {
      comments.push({ id: comments.length + 1, body: params.body!, html_url: `https://github.com/octo/shop/pull/7#issuecomment-${comments.length + 1}` });
      return { data: comments.at(-1) };
    }
    const found = comments.find((c) => c.id === params.comment_id)!;
    found.body = params.body!;
    return { data: found };
  };
  return { octokit: { request } as unknown as Octokit, sent };
}

describe('the review comment', () => {
  // Built from parts, so this file holds none whole.
  const slackToken = 'xoxb-' + '80417326655-2957718340261-' + 'Qw3rTy7UiOp9AsDfGhJkLzXc';
  const body = `${REVIEW_COMMENT_MARKER}\n_Partial: head: requirements.txt:2: Invalid requirement: 'bad line ${slackToken}'_`;
  const pr = { owner: 'octo', repo: 'shop', number: 7 };

  it('never carries a token to GitHub, keeping its prefix, and keeps what it wrote', async () => {
    const { octokit, sent } = fakeOctokit();
    const outcome = await upsertReviewComment(octokit, pr, body, null);
    expect(JSON.stringify(sent)).not.toContain(slackToken);
    expect(sent.at(-1)?.body).toContain("'bad line xoxb-…[redacted]'");
    expect(outcome).toMatchObject({ ok: true, action: 'created', body: sent.at(-1)?.body });

    // The next sweep, with what was kept: nothing to write.
    if (!outcome.ok) throw new Error('not written');
    const again = await upsertReviewComment(octokit, pr, body, { id: outcome.id, url: outcome.url, body: outcome.body });
    expect(again).toMatchObject({ ok: true, action: 'unchanged' });
    expect(sent).toHaveLength(2);
  });
});
