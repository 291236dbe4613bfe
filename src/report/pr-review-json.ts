/**
 * A pull request's dependency review as JSON (`depwatch review --json`, docs/cli-contract.md): the
 * pull request, the verdict, whether it is partial and why, and every list in full. Keys in
 * snake_case, as the audit's; absent facts are null or empty, never left out.
 */
import { shownSide } from '../watch/pr-review/diff.js';
import type { DependencyReview } from '../watch/pr-review/review.js';
import { listedChanges, listedVerdict } from '../watch/pr-review/severity-order.js';
import type { ReviewedPullRequest } from './pr-review-text.js';

export function pullRequestReviewJson(pr: ReviewedPullRequest, review: DependencyReview, partial: readonly string[], failing: boolean): string {
  const { moved, removed } = listedChanges(review);
  const json = {
    pull_request: pr.compare ? null : { repo: pr.repo, number: pr.number, title: pr.title, url: pr.url, state: pr.state, head_sha: pr.headSha },
    /** `depwatch review owner/repo base...head`: the two refs as given and their commits; null for a pull request. */
    comparison: pr.compare ? { repo: pr.repo, base: pr.compare.base, head: pr.compare.head, url: pr.url, base_sha: pr.compare.baseSha, head_sha: pr.headSha } : null,
    verdict: review.verdict,
    failing,
    partial: partial.length > 0,
    partial_reasons: partial,
    not_reviewed: review.notReviewed ?? null,
    nothing_to_review: review.nothingToReview ?? null,
    changes: [...moved, ...removed].map((c) => ({
      name: c.name,
      kind: c.kind,
      from: shownSide(c, 'from'),
      to: shownSide(c, 'to'),
      file: c.file,
      detail: c.detail ?? null,
      verdict: c.kind === 'removed' ? null : listedVerdict(c),
      partial: c.card?.partial ?? false,
      reasons: c.card?.reasons ?? [],
      advisories: c.card?.advisories ?? [],
      similar_to: c.card?.similarTo ?? null,
      not_rated: c.kind !== 'removed' && !c.card ? (c.unrated ?? 'several versions at once') : null,
    })),
    new_sources: review.newSources.map((s) => ({
      name: s.name,
      url: s.url,
      kind: s.kind,
      file: s.file,
      line: s.line,
      version: s.version ?? null,
      verdict: s.card?.verdict ?? 'caution',
      partial: s.card?.partial ?? false,
      reasons: s.card?.reasons ?? [],
      advisories: s.card?.advisories ?? [],
    })),
    new_index_urls: review.newIndexUrls.map((i) => ({ url: i.url, file: i.file, line: i.line, ...(i.credentials ? { credentials: true } : {}) })),
    submodules: (review.submodules ?? []).map((m) => ({ path: m.path, change: m.change })),
    notes: review.notes ?? [],
    errors: review.errors,
  };
  return `${JSON.stringify(json, null, 2)}\n`;
}
