/**
 * Two refs of a repository as `depwatch review owner/repo base...head` reviews them, the way
 * dependency-review-action compares the refs of a push: `base...head` names the changes of head
 * since it branched off base (what GitHub's compare page shows). Read as a pull request is read
 * (readPullRequest), so the one review code (review-heads.ts) takes it as it takes a pull request:
 * each ref resolved to its commit, the paths that differ between where head branched off and head.
 *
 * The changed paths come from the two commits' trees (one recursive listing each, compared entry by
 * entry), not from the compare API's file list, which stops at 300 files without saying so in a way
 * to rely on. A listing GitHub cut short is said (filesListError): the review is then not made,
 * never made on some of the files.
 */
import type { Octokit } from 'octokit';
import { isValidBranchName, type RepoRef } from './repo-ref.js';
import { mergeBase, treeListing, type OpenPullRequest } from './pull-requests.js';

/** `base...head` as given, each a git ref name (a branch, a tag or a commit sha). */
export interface RefRange {
  base: string;
  head: string;
}

/** What a ref name may be here: git's rules (isValidBranchName), and never an option's leading `-`. */
export function refNameProblem(ref: string): string | null {
  if (ref.startsWith('-')) return 'a ref name does not start with "-"';
  if (!isValidBranchName(ref)) return 'not a git ref name: no spaces, control characters, "~^:?*[\\", "..", "@{", "//", or a part starting with "." or ending with ".lock"';
  return null;
}

/** The ref as shown in a one-line refusal: quoted, escapes for anything unprintable, at most 100 characters. */
export function shownRef(ref: string): string {
  const quoted = JSON.stringify(ref.length > 100 ? `${ref.slice(0, 100)}…` : ref);
  // eslint-disable-next-line no-control-regex
  return quoted.replace(/[\u007f-\u009f\u2028\u2029]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

/**
 * `base...head` (three dots, as GitHub's compare names them), each side checked by refNameProblem;
 * a one-line reason when it is not that. Two dots name another comparison (from base's tip, not
 * from where head branched off): refused, never read as three.
 */
export function parseRefRange(text: string): RefRange | { problem: string } {
  const at = text.indexOf('...');
  if (at < 0) {
    // Two dots compare from base's tip, not from where head branched off: not what is reviewed.
    const twoDots = text.includes('..') ? `; with two dots the comparison would start from base's tip: write ${shownRef(text.replace('..', '...'))}` : ': name the two refs with three dots between them (main...feature)';
    return { problem: `${shownRef(text)} is not base...head${twoDots}` };
  }
  const base = text.slice(0, at);
  const head = text.slice(at + 3);
  for (const [side, ref] of [['base', base], ['head', head]] as const) {
    if (ref === '') return { problem: `${shownRef(text)}: the ${side} ref is missing; write base...head` };
    const problem = refNameProblem(ref);
    if (problem !== null) return { problem: `the ${side} ref ${shownRef(ref)} is ${problem.startsWith('not') ? problem : `refused: ${problem}`}` };
  }
  return { base, head };
}

/**
 * The `base...head` of a compare URL (`https://github.com/owner/repo/compare/main...feature`,
 * %-escapes decoded), or null when `input` is no compare URL. The host is checked by the caller
 * (parseRepoRef reads the repository of the same URL).
 */
export function compareInUrl(input: string): string | null {
  const text = input.trim().replace(/^<([^|>]+)(?:\|[^>]*)?>$/, '$1');
  const match = /^(?:[a-z][a-z0-9+.-]*:\/\/[^/\s]+|[^/@\s]+\.[^/@\s]+)\/[^/@\s]+\/[^/@\s]+\/compare\/([^?#\s]+)/i.exec(text);
  if (!match) return null;
  try {
    return decodeURIComponent(match[1]!.replace(/\/+$/, ''));
  } catch {
    return null;
  }
}

/** A commit's tree, path → `mode sha` of every entry but folders (files, links, submodules), or why it could not be read whole. */
async function treeEntries(octokit: Octokit, ref: RepoRef, oid: string): Promise<Map<string, string> | { error: string }> {
  const { entries, truncated } = await treeListing(octokit, ref, oid);
  if (truncated) return { error: `GitHub cut the listing of the files of ${oid.slice(0, 7)} short (too many files): which files changed is not known` };
  return new Map(entries.flatMap((e) => (e.type !== 'tree' ? [[e.path, `${e.mode} ${e.sha}`] as const] : [])));
}

/** Whether GitHub's answer means the repository or the ref is not there for this token (lasting), rather than a failure. */
const isLastingMiss = (err: unknown): boolean => {
  const status = (err as { status?: unknown } | null)?.status;
  return status === 404 || status === 422;
};

/**
 * The commits `range` names in the repository, read as a pull request (number 0, the range as its
 * title, the compare page as its URL, every path that differs as its changed paths). `missing`: one
 * line when the repository or a ref is not there for this token; anything else (no answer, 5xx) is
 * thrown, as readPullRequest does.
 */
export async function readRefRange(octokit: Octokit, ref: RepoRef, range: RefRange, htmlBase: string): Promise<{ pull: OpenPullRequest } | { missing: string }> {
  const name = `${ref.owner}/${ref.repo}`;
  const shas: string[] = [];
  for (const given of [range.base, range.head]) {
    try {
      const { data } = await octokit.request('GET /repos/{owner}/{repo}/commits/{ref}', { owner: ref.owner, repo: ref.repo, ref: given, per_page: 1 });
      if (typeof data.sha !== 'string' || !/^[0-9a-f]{40}$/.test(data.sha)) throw new Error(`GitHub gave no commit for ${shownRef(given)} in ${name}`);
      shas.push(data.sha);
    } catch (err) {
      if (isLastingMiss(err)) return { missing: `I can't see ${name}, or it has no branch, tag or commit ${shownRef(given)}: check the names, and that GITHUB_TOKEN may read it` };
      throw err;
    }
  }
  const [baseOid = '', headOid = ''] = shas;
  const pull: OpenPullRequest = {
    number: 0,
    title: `${range.base}...${range.head}`,
    url: `${htmlBase}/${name}/compare/${encodeURIComponent(range.base)}...${encodeURIComponent(range.head)}`,
    headOid,
    baseOid,
    paths: [],
    filesNotListed: 0,
    filesListError: null,
    moreFiles: null,
  };
  // Where head branched off, as review-heads compares it again: the paths are those it changed since.
  const branchedOff = await mergeBase(octokit, ref, baseOid, headOid);
  if ('error' in branchedOff) return { pull: { ...pull, filesListError: branchedOff.error } };
  const [before, after] = await Promise.all([treeEntries(octokit, ref, branchedOff.sha), treeEntries(octokit, ref, headOid)]);
  if ('error' in before || 'error' in after) return { pull: { ...pull, filesListError: 'error' in before ? before.error : (after as { error: string }).error } };
  const paths = new Set<string>();
  for (const [path, entry] of after) if (before.get(path) !== entry) paths.add(path);
  for (const path of before.keys()) if (!after.has(path)) paths.add(path);
  return { pull: { ...pull, paths: [...paths].sort() } };
}
