/**
 * The dependency review kept as ONE comment on a pull request (opt-in: DEPWATCH_PR_COMMENTS, needs
 * Pull requests: Read and write). Known comment id: edited in place, or left alone when its body
 * would not change. Unknown (first review, or the id was lost): the pull request's comments are
 * listed once to find ours by its hidden marker, else a new comment is created. A comment someone
 * deleted is created again. GitHub's refusals become a problem sentence, never an exception.
 *
 * The body is redacted here, the last step before GitHub (every token format the secret scanner
 * knows, URL credentials): a review quotes what the pull request holds (lines that fail to parse,
 * paths), and a comment is public to everyone who can read the pull request, often more people than
 * the Slack channel. Compared redacted, so an unchanged review is still left alone.
 */
import type { Octokit } from './client.js';
import { redactSecrets } from '../redact.js';
import { REVIEW_COMMENT_MARKER } from '../report/pr-review.js';

export type CommentOutcome =
  /** `body`: the text as written (redacted), the one to keep for the next comparison. */
  | { ok: true; id: number; url: string; body: string; action: 'created' | 'updated' | 'unchanged' }
  | { ok: false; problem: string };

const status = (err: unknown): number | undefined => (typeof (err as { status?: unknown })?.status === 'number' ? (err as { status: number }).status : undefined);

export async function upsertReviewComment(octokit: Octokit, pr: { owner: string; repo: string; number: number }, given: string, known: { id: number; body: string; url: string } | null): Promise<CommentOutcome> {
  const body = redactSecrets(given);
  try {
    if (known && known.body === body) return { ok: true, id: known.id, url: known.url, body, action: 'unchanged' };
    let id = known?.id ?? null;
    if (id !== null) {
      try {
        const { data } = await octokit.request('PATCH /repos/{owner}/{repo}/issues/comments/{comment_id}', { owner: pr.owner, repo: pr.repo, comment_id: id, body });
        return { ok: true, id: Number(data.id), url: data.html_url, body, action: 'updated' };
      } catch (err) {
        if (status(err) !== 404) throw err;
        id = null; // deleted on GitHub: look again, then create
      }
    }
    const { data: comments } = await octokit.request('GET /repos/{owner}/{repo}/issues/{issue_number}/comments', { owner: pr.owner, repo: pr.repo, issue_number: pr.number, per_page: 100 });
    const ours = comments.find((c) => typeof c.body === 'string' && c.body.startsWith(REVIEW_COMMENT_MARKER));
    if (ours) {
      if (ours.body === body) return { ok: true, id: Number(ours.id), url: ours.html_url, body, action: 'unchanged' };
      const { data } = await octokit.request('PATCH /repos/{owner}/{repo}/issues/comments/{comment_id}', { owner: pr.owner, repo: pr.repo, comment_id: ours.id, body });
      return { ok: true, id: Number(data.id), url: data.html_url, body, action: 'updated' };
    }
    const { data } = await octokit.request('POST /repos/{owner}/{repo}/issues/{issue_number}/comments', { owner: pr.owner, repo: pr.repo, issue_number: pr.number, body });
    return { ok: true, id: Number(data.id), url: data.html_url, body, action: 'created' };
  } catch (err) {
    const code = status(err);
    if (code === 403) return { ok: false, problem: 'GitHub refused the comment (403): the token or App needs Pull requests: Read and write on this repository' };
    if (code === 404) return { ok: false, problem: 'GitHub answered 404: the pull request is gone, or the token cannot see it' };
    if (code === 429) return { ok: false, problem: 'GitHub is rate limiting (429): the comment is updated by a later sweep' };
    return { ok: false, problem: `the comment could not be written (${code ? `HTTP ${code}` : 'GitHub unreachable'}); a later sweep tries again` };
  }
}
