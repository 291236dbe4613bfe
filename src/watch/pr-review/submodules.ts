/**
 * The git submodules a pull request moves, adds or removes. A submodule is another repository the
 * project builds from (its requirements may be what it installs), pinned at a commit; GitHub lists
 * its path among a pull request's changed files when that commit moves (the tree's `commit` entry,
 * mode 160000; the REST patch reads `Subproject commit <sha>`), and no review here reads its files.
 * So the card says each one, and the review is at least caution: never "nothing to review" passing
 * in silence over code that changed elsewhere.
 *
 * Which changed paths are submodules is told at each side by the `.gitmodules` (parsed by
 * src/python/submodules.ts: one pass, bounded, never a path out of the root) and by the tree itself:
 * a `commit` entry (a gitlink) is a submodule whether or not `.gitmodules` names it (git checks one
 * out only when it does, but the snapshot of a tree, and so the audit, counts it all the same). A
 * changed path that is one at both sides is moved, at the head only added, at the base only removed;
 * the tree's entry says which commit it pins, which the card shows.
 */
import { parseGitmodules } from '../../python/submodules.js';
import type { Verdict } from '../../packages/verdict.js';

export interface SubmoduleChange {
  path: string;
  change: 'moved' | 'added' | 'removed';
  /** The commit the head pins (moved, added), when the tree was listed; absent in reviews stored before it was. */
  commit?: string;
  /** The commit the base pinned (moved, removed), likewise. */
  was?: string;
}

/** The gitlinks of a side: path → the commit it pins, for the changed paths whose folders were listed. */
export type Gitlinks = ReadonlyMap<string, string>;

export const GITMODULES = '.gitmodules';

/**
 * The changed paths that are submodules at either side, in the order of `changed`; a side's
 * `.gitmodules` null when it has none, and its gitlinks among the changed paths (Gitlinks).
 */
export function submoduleChanges(changed: readonly string[], base: string | null, head: string | null, gitlinks: { base: Gitlinks; head: Gitlinks } = { base: new Map(), head: new Map() }): SubmoduleChange[] {
  if (base === null && head === null && gitlinks.base.size === 0 && gitlinks.head.size === 0) return [];
  const atBase = new Set(base === null ? [] : parseGitmodules(base).paths);
  const atHead = new Set(head === null ? [] : parseGitmodules(head).paths);
  const out: SubmoduleChange[] = [];
  for (const path of changed) {
    const was = gitlinks.base.get(path);
    const commit = gitlinks.head.get(path);
    const before = atBase.has(path) || was !== undefined;
    const after = atHead.has(path) || commit !== undefined;
    if (!before && !after) continue;
    const change = before && after ? 'moved' : after ? 'added' : 'removed';
    out.push({ path, change, ...(after && commit !== undefined ? { commit } : {}), ...(before && was !== undefined ? { was } : {}) });
  }
  return out;
}

const short = (sha: string) => sha.slice(0, 7);

/** What the card says of one (Slack and the comment alike; the path is put in code by each), with the commits when known. */
export function submoduleChangeWords(c: Pick<SubmoduleChange, 'change' | 'commit' | 'was'>): string {
  switch (c.change) {
    case 'moved': {
      const commits = c.commit === undefined ? '' : ` (${short(c.commit)}${c.was === undefined ? '' : `, was ${short(c.was)}`})`;
      return `moved to another commit${commits}: another repository, whose changes were not reviewed here (review them in that repository)`;
    }
    case 'added':
      return `added${c.commit === undefined ? '' : ` at ${short(c.commit)}`}: another repository, whose contents were not reviewed here (audit that repository on its own)`;
    case 'removed':
      return `removed${c.was === undefined ? '' : ` (was at ${short(c.was)})`}`;
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
  const at = first.change !== 'removed' && first.commit !== undefined ? ` to ${short(first.commit)}` : '';
  return changes.length === 1 ? `git submodule ${first.path} ${first.change}${at}, not reviewed` : `${changes.length} git submodules changed (${first.path}, …), not reviewed`;
}
