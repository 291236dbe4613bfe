/**
 * The git submodules a pull request moves, adds or removes. A submodule is another repository the
 * project builds from (its requirements may be what it installs), pinned at a commit; GitHub lists
 * its path among a pull request's changed files when that commit moves (the tree's `commit` entry,
 * mode 160000; the REST patch reads `Subproject commit <sha>`), and no review here reads its files.
 * So the card says each one, and the review is at least caution: never "nothing to review" passing
 * in silence over code that changed elsewhere.
 *
 * Which changed paths are submodules is told by the `.gitmodules` at each side (parsed by
 * src/python/submodules.ts: one pass, bounded, never a path out of the root): a changed path it
 * names at both is moved, at the head only added, at the base only removed.
 */
import { parseGitmodules } from '../../python/submodules.js';
import type { Verdict } from '../../packages/verdict.js';

export interface SubmoduleChange {
  path: string;
  change: 'moved' | 'added' | 'removed';
}

export const GITMODULES = '.gitmodules';

/** The changed paths that are submodules at either side, in the order of `changed`; a side's `.gitmodules` null when it has none. */
export function submoduleChanges(changed: readonly string[], base: string | null, head: string | null): SubmoduleChange[] {
  if (base === null && head === null) return [];
  const atBase = new Set(base === null ? [] : parseGitmodules(base).paths);
  const atHead = new Set(head === null ? [] : parseGitmodules(head).paths);
  const out: SubmoduleChange[] = [];
  for (const path of changed) {
    const before = atBase.has(path);
    const after = atHead.has(path);
    if (before || after) out.push({ path, change: before && after ? 'moved' : after ? 'added' : 'removed' });
  }
  return out;
}

/** What the card says of one (Slack and the comment alike; the path is put in code by each). */
export function submoduleChangeWords(change: SubmoduleChange['change']): string {
  switch (change) {
    case 'moved':
      return 'moved to another commit: another repository, whose changes were not reviewed here (review them in that repository)';
    case 'added':
      return 'added: another repository, whose contents were not reviewed here (audit that repository on its own)';
    case 'removed':
      return 'removed';
  }
}

const RANK: Record<Verdict, number> = { ok: 0, caution: 1, avoid: 2 };

/** A review with the submodules it moves: said, and at least caution when one moves or is added (what it brings was not read). */
export function withSubmodules<R extends { verdict: Verdict; submodules?: SubmoduleChange[] }>(review: R, changes: readonly SubmoduleChange[]): R {
  if (changes.length === 0) return review;
  const unread = changes.some((c) => c.change !== 'removed');
  const verdict: Verdict = unread && RANK[review.verdict] < RANK.caution ? 'caution' : review.verdict;
  return { ...review, submodules: [...changes], verdict };
}

/** One line for a notification: how many submodules moved and the first one's path. */
export function submodulesSummary(changes: readonly SubmoduleChange[]): string {
  const first = changes[0]!;
  return changes.length === 1 ? `git submodule ${first.path} ${first.change}, not reviewed` : `${changes.length} git submodules changed (${first.path}, …), not reviewed`;
}
