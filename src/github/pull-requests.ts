/**
 * Pull requests of many repositories in few requests (GraphQL, aliases, variables for every name):
 * - listPullRequests: per repository, its open pull requests (up to PULLS_PER_REPO, most recently
 *   updated first, and how many more are open) with head and base commits and the paths they
 *   change (the first FILES_PER_PULL), plus the state of pull requests the caller still tracks
 *   (merged? closed?). BATCH repositories per query: 1,000 watched repositories cost 20 requests,
 *   whatever the pull requests change. What is not listed is counted (filesNotListed), never taken
 *   as "no manifest changed".
 * - listRemainingFiles: the further pages of one pull request's files, one query per page, up to
 *   MAX_FILE_PAGES pages in all (GitHub lists no more than 3,000 files of a pull request). Asked only
 *   when the pull request is to be reviewed (its head moved), not on every sweep.
 * - readPullRequest: one pull request by number, in any state, read as the listing reads each.
 * - mergeBase: where a pull request branched off its base (REST compare, one request), so its
 *   review compares the head with that commit, not with whatever the base branch has become.
 * - listFilePaths: the paths of a commit's tree (one request), for what a review reads beyond the
 *   changed files (which of them a requirements file includes, pr-review/includes.ts).
 * - readTexts: file texts at given commits (`oid:path`), BATCH per query; every file it could not
 *   read (batch failed, repository not answered, text cut short, binary) is named in `failed`, so a
 *   review built on the texts can say it is partial rather than read a missing file as "absent";
 *   those that reading again at the same commit cannot mend (cut short, binary) are in `permanent`.
 *   A request with the path '' lists a commit's root folder instead (`roots`: names and types).
 * A batch that fails is reported per repository (errors) and never stops the other batches.
 */
import type { Octokit } from 'octokit';
import { errorLine } from '../error-line.js';
import { redactSecrets } from '../log.js';
import { answeredStatus, mayPass, shortFailure } from './errors.js';
import type { RepoRef } from './repo-ref.js';

export const PULLS_BATCH = 50;
export const PULLS_PER_REPO = 20;
export const FILES_PER_PULL = 100;
export const MAX_FILE_PAGES = 30;
export const TEXTS_BATCH = 50;

export interface OpenPullRequest {
  number: number;
  /** Redacted as read (redactSecrets): whoever opens a pull request writes it, and it is quoted on the card and stored. */
  title: string;
  url: string;
  headOid: string;
  baseOid: string;
  /** Paths the pull request changes, as far as they were listed. */
  paths: string[];
  /** Changed files not listed (beyond what GitHub lists or MAX_FILE_PAGES); 0 when `paths` is all of them. */
  filesNotListed: number;
  /** Why the list of changed files could not be read in full this time (a page failed), else null. */
  filesListError: string | null;
  /** Where the next page of changed files starts, when there is one not yet read (listRemainingFiles); else null. */
  moreFiles: { endCursor: string; totalCount: number } | null;
}

export interface PullListing {
  open: OpenPullRequest[];
  /** Open pull requests beyond the PULLS_PER_REPO listed. */
  openNotListed: number;
  /** Tracked pull requests that are no longer open, with their final state. */
  closed: { number: number; state: 'merged' | 'closed'; headOid: string | null }[];
}

export interface PullListingResult {
  byRepo: Map<string, PullListing>;
  /** Repositories that could not be listed, with one line each. */
  errors: Map<string, string>;
  /**
   * Those of `errors` that asking again will not mend: GitHub's lasting answer (401, 403, 404; a
   * repository it says it cannot find, or that the token or App may not read the pull requests of).
   * The rest (no answer, 5xx, rate limits, timeouts) may pass at the next sweep.
   */
  lasting: Set<string>;
  requests: number;
}

interface FilesPage {
  totalCount: number;
  pageInfo: { hasNextPage: boolean; endCursor: string | null };
  nodes: { path: string }[];
}

interface PullNode {
  number: number;
  title: string;
  url: string;
  headRefOid: string;
  baseRefOid: string;
  files: FilesPage | null;
}

interface RepoNode {
  pullRequests?: { totalCount?: number; nodes: PullNode[] };
  [alias: string]: unknown;
}

/** A pull request as read: its title redacted, its changed paths as far as listed, and why or where the list stops. */
function pullOf(p: PullNode): OpenPullRequest {
  const paths = (p.files?.nodes ?? []).map((f) => f.path);
  const total = Math.max(p.files?.totalCount ?? paths.length, paths.length);
  const pull: OpenPullRequest = { number: p.number, title: redactSecrets(p.title), url: p.url, headOid: p.headRefOid, baseOid: p.baseRefOid, paths, filesNotListed: total - paths.length, filesListError: null, moreFiles: null };
  // No file list at all (an error on that field) is not "no file changed".
  if (!p.files) pull.filesListError = 'GitHub did not list its changed files';
  // The further pages are read only for a pull request that is to be reviewed (listRemainingFiles).
  if (p.files?.pageInfo?.hasNextPage && p.files.pageInfo.endCursor) pull.moreFiles = { endCursor: p.files.pageInfo.endCursor, totalCount: total };
  return pull;
}

const FILES_SELECTION = `totalCount pageInfo { hasNextPage endCursor } nodes { path }`;

const keyOf = (ref: RepoRef) => `${ref.owner}/${ref.repo}`;

function oneLine(err: unknown): string {
  return redactSecrets(errorLine(err)).slice(0, 200);
}

/** GraphQL's "some aliases failed": octokit throws with the data it did get. */
function partialData<T>(err: unknown): Record<string, T | null> | null {
  const data = (err as { data?: unknown }).data;
  return err instanceof Error && err.name === 'GraphqlResponseError' && typeof data === 'object' && data !== null ? (data as Record<string, T | null>) : null;
}

export async function listPullRequests(octokit: Octokit, repos: readonly RepoRef[], tracked: ReadonlyMap<string, readonly number[]> = new Map()): Promise<PullListingResult> {
  const byRepo = new Map<string, PullListing>();
  const errors = new Map<string, string>();
  const lasting = new Set<string>();
  let requests = 0;
  for (let start = 0; start < repos.length; start += PULLS_BATCH) {
    const batch = repos.slice(start, start + PULLS_BATCH);
    const params: string[] = [];
    const fields: string[] = [];
    const variables: Record<string, string> = {};
    batch.forEach((ref, i) => {
      params.push(`$o${i}: String!`, `$n${i}: String!`);
      variables[`o${i}`] = ref.owner;
      variables[`n${i}`] = ref.repo;
      // Numbers come from our own store (integers), never from text.
      const closed = (tracked.get(keyOf(ref)) ?? []).filter((n) => Number.isSafeInteger(n) && n > 0).map((n) => ` t${n}: pullRequest(number: ${n}) { state headRefOid }`);
      fields.push(
        `  r${i}: repository(owner: $o${i}, name: $n${i}) { pullRequests(states: OPEN, first: ${PULLS_PER_REPO}, orderBy: {field: UPDATED_AT, direction: DESC}) { totalCount nodes { number title url headRefOid baseRefOid files(first: ${FILES_PER_PULL}) { ${FILES_SELECTION} } } }${closed.join('')} }`,
      );
    });
    let data: Record<string, RepoNode | null> | null;
    let aliasErrors: readonly AliasError[] = [];
    requests++;
    try {
      data = await octokit.graphql<Record<string, RepoNode | null>>(`query DepwatchPulls(${params.join(', ')}) {\n${fields.join('\n')}\n}`, variables);
    } catch (err) {
      data = partialData<RepoNode>(err);
      if (data === null) {
        for (const ref of batch) {
          errors.set(keyOf(ref), `GitHub could not list pull requests: ${shortFailure(err)}`);
          if (lastingFailure(err)) lasting.add(keyOf(ref));
        }
        continue;
      }
      aliasErrors = graphqlErrors(err);
    }
    batch.forEach((ref, i) => {
      const node = data?.[`r${i}`];
      if (!node) {
        // The alias's own error says why: a repository GitHub cannot find, or whose pull requests
        // the token or App may not read, is its lasting answer; a timeout or an outage is not.
        const own = aliasErrors.find((e) => Array.isArray(e.path) && e.path[0] === `r${i}`);
        errors.set(keyOf(ref), own?.type && !LASTING_TYPES.has(own.type) ? `GitHub could not list ${keyOf(ref)}'s pull requests (${oneLine(own.message ?? own.type)})` : `I can't see ${keyOf(ref)}'s pull requests${own?.message ? ` (${oneLine(own.message)})` : ''}`);
        if (!own?.type || LASTING_TYPES.has(own.type)) lasting.add(keyOf(ref));
        return;
      }
      const nodes = node.pullRequests?.nodes ?? [];
      const open = nodes.map(pullOf);
      const closed: PullListing['closed'] = [];
      for (const n of tracked.get(keyOf(ref)) ?? []) {
        const t = node[`t${n}`] as { state?: string; headRefOid?: string | null } | null | undefined;
        if (t?.state === 'MERGED' || t?.state === 'CLOSED') closed.push({ number: n, state: t.state === 'MERGED' ? 'merged' : 'closed', headOid: t.headRefOid ?? null });
      }
      byRepo.set(keyOf(ref), { open, closed, openNotListed: Math.max(0, (node.pullRequests?.totalCount ?? nodes.length) - nodes.length) });
    });
  }
  return { byRepo, errors, lasting, requests };
}

/** One entry of a GraphQL answer's `errors`: where (the alias first) and of what type GitHub said. */
interface AliasError {
  type?: string;
  path?: unknown[];
  message?: string;
}

/** GraphQL error types that are GitHub's lasting answer for that repository (no such repository, or not allowed to read it). */
const LASTING_TYPES: ReadonlySet<string> = new Set(['NOT_FOUND', 'FORBIDDEN']);

/** The `errors` octokit's GraphqlResponseError carries (partial data). */
function graphqlErrors(err: unknown): AliasError[] {
  const errors = (err as { errors?: unknown }).errors;
  return Array.isArray(errors) ? errors.filter((e): e is AliasError => typeof e === 'object' && e !== null) : [];
}

/** A whole query's failure that asking again will not mend: a 401 (the credentials), 403 or 404 (mayPass says the rest may pass). */
function lastingFailure(err: unknown): boolean {
  return answeredStatus(err) === 401 || !mayPass(err);
}

/**
 * The pages of changed files after the first (pull.moreFiles), one query each, up to MAX_FILE_PAGES
 * pages in all, added to pull.paths. A page that fails stops there and says why (filesListError);
 * the files not listed are counted. Returns the number of requests made (0 when there is no more).
 */
export async function listRemainingFiles(octokit: Octokit, ref: RepoRef, pull: OpenPullRequest): Promise<number> {
  if (!pull.moreFiles) return 0;
  let page: FilesPage = { totalCount: pull.moreFiles.totalCount, pageInfo: { hasNextPage: true, endCursor: pull.moreFiles.endCursor }, nodes: [] };
  pull.moreFiles = null;
  let requests = 0;
  for (let pages = 1; page.pageInfo.hasNextPage && page.pageInfo.endCursor && pages < MAX_FILE_PAGES; pages++) {
    requests++;
    try {
      // The pull request's number is GitHub's own integer, never text.
      const data = await octokit.graphql<{ r: { p: { files: FilesPage | null } | null } | null }>(
        `query DepwatchPullFiles($o: String!, $n: String!, $after: String!) {\n  r: repository(owner: $o, name: $n) { p: pullRequest(number: ${Math.trunc(pull.number)}) { files(first: ${FILES_PER_PULL}, after: $after) { ${FILES_SELECTION} } } }\n}`,
        { o: ref.owner, n: ref.repo, after: page.pageInfo.endCursor },
      );
      const next = data.r?.p?.files;
      if (!next) {
        pull.filesListError = 'GitHub did not list the rest of its changed files';
        break;
      }
      pull.paths.push(...next.nodes.map((f) => f.path));
      page = next;
    } catch (err) {
      pull.filesListError = `GitHub could not list the rest of its changed files: ${oneLine(err)}`;
      break;
    }
  }
  pull.filesNotListed = Math.max(0, page.totalCount - pull.paths.length);
  return requests;
}

/**
 * The merge base of a pull request's base and head commits (the compare API's merge_base_commit):
 * what the pull request changes is the head against it. Asks for one commit of the comparison only.
 */
export async function mergeBase(octokit: Octokit, ref: RepoRef, baseOid: string, headOid: string): Promise<{ sha: string } | { error: string }> {
  try {
    const { data } = await octokit.request('GET /repos/{owner}/{repo}/compare/{basehead}', { owner: ref.owner, repo: ref.repo, basehead: `${baseOid}...${headOid}`, per_page: 1 });
    const sha = data.merge_base_commit?.sha;
    return typeof sha === 'string' && /^[0-9a-f]{40}$/.test(sha) ? { sha } : { error: 'GitHub gave no merge base' };
  } catch (err) {
    return { error: `GitHub could not compare its base and head: ${oneLine(err)}` };
  }
}

/**
 * Every file path of a commit's tree but its symbolic links (one recursive tree request; an include
 * through a link is not followed on GitHub), for a review that must know which
 * files exist there beyond those the pull request changes. `truncated`: GitHub cut the listing short
 * (over 100,000 entries or 7 MB), so the paths are only some of them; no later read mends that.
 */
export async function listFilePaths(octokit: Octokit, ref: RepoRef, oid: string): Promise<{ paths: Set<string>; truncated: boolean } | { error: string }> {
  try {
    const { entries, truncated } = await treeListing(octokit, ref, oid);
    return { paths: new Set(entries.flatMap((e) => (e.type === 'blob' && e.mode !== '120000' ? [e.path] : []))), truncated };
  } catch (err) {
    return { error: `GitHub could not list the files of ${oid.slice(0, 7)}: ${oneLine(err)}` };
  }
}

/** One entry of a commit's tree as a recursive listing gives it (folders included). */
export interface TreeEntry {
  path: string;
  type: string;
  mode: string;
  sha: string;
}

/**
 * Every entry of a commit's tree, in one recursive tree request; `truncated`: GitHub cut the listing
 * short (over 100,000 entries or 7 MB). A failed request is thrown: each caller says it its own way.
 */
export async function treeListing(octokit: Octokit, ref: RepoRef, oid: string): Promise<{ entries: TreeEntry[]; truncated: boolean }> {
  const { data } = await octokit.request('GET /repos/{owner}/{repo}/git/trees/{tree_sha}', { owner: ref.owner, repo: ref.repo, tree_sha: oid, recursive: '1' });
  const entries = data.tree.flatMap((e) => (e.path ? [{ path: e.path, type: e.type ?? '', mode: e.mode ?? '', sha: e.sha ?? '' }] : []));
  return { entries, truncated: data.truncated };
}

export interface TextRequest {
  owner: string;
  repo: string;
  oid: string;
  path: string;
}

/** A name in a folder listed (TextsRead.roots); `submodule`: the commit a git submodule there pins. */
export interface FolderEntry {
  name: string;
  file: boolean;
  submodule?: string;
}

/** Whether a request asks for a folder's entries rather than a file's text: the root (`''`) or a path ending in `/`. */
const isFolderRequest = (w: Pick<TextRequest, 'path'>) => w.path === '' || w.path.endsWith('/');

export interface TextsRead {
  /** Texts by `owner/repo@oid:path` (textKey); null for a file that does not exist at that commit. */
  texts: Map<string, string | null>;
  /** Files that were asked for and not read, by textKey: why, as the end of a sentence naming the file. */
  failed: Map<string, string>;
  /** Of `failed`, those no later read of the same commit can mend (cut short, binary); the others may (failed batch, no answer, 5xx, rate limit). */
  permanent: Set<string>;
  /**
   * Of `failed` and `permanent`, the paths that are folders at that commit (a `.depwatch.yml/`): not
   * a failure of GitHub, so not in `errors`; the review's settings say it in a note.
   */
  folders: Set<string>;
  /**
   * A commit's folders asked for as folders (isFolderRequest: the root with the path '', `oid:`;
   * any other with its path and a `/`, `src/`): the names in each and whether each is a file (blob)
   * or not, and for a git submodule (a `commit` entry) the commit it pins, by textKey. One that
   * could not be read is in `failed`.
   */
  roots: Map<string, FolderEntry[]>;
  requests: number;
  /** One line per batch or file that failed, for the log. */
  errors: string[];
}

export async function readTexts(octokit: Octokit, wanted: readonly TextRequest[]): Promise<TextsRead> {
  const texts = new Map<string, string | null>();
  const failed = new Map<string, string>();
  const permanent = new Set<string>();
  const folders = new Set<string>();
  const roots = new Map<string, { name: string; file: boolean }[]>();
  const errors: string[] = [];
  let requests = 0;
  for (let start = 0; start < wanted.length; start += TEXTS_BATCH) {
    const batch = wanted.slice(start, start + TEXTS_BATCH);
    const params: string[] = [];
    const fields: string[] = [];
    const variables: Record<string, string> = {};
    batch.forEach((w, i) => {
      params.push(`$o${i}: String!`, `$n${i}: String!`, `$e${i}: String!`);
      const folder = isFolderRequest(w);
      Object.assign(variables, { [`o${i}`]: w.owner, [`n${i}`]: w.repo, [`e${i}`]: `${w.oid}:${folder ? w.path.replace(/\/$/, '') : w.path}` });
      // A folder: its entries' names, types and objects only (what the settings notes and the
      // submodules a pull request moves need), never their texts.
      const on = folder ? '... on Tree { entries { name type oid } }' : '... on Blob { text isTruncated isBinary }';
      fields.push(`  r${i}: repository(owner: $o${i}, name: $n${i}) { f: object(expression: $e${i}) { __typename ${on} } }`);
    });
    let data: Record<string, { f: { __typename?: string; text?: string | null; isTruncated?: boolean; isBinary?: boolean; entries?: { name?: unknown; type?: unknown; oid?: unknown }[] } | null } | null> | null;
    requests++;
    try {
      data = await octokit.graphql(`query DepwatchTexts(${params.join(', ')}) {\n${fields.join('\n')}\n}`, variables);
    } catch (err) {
      data = partialData(err);
      if (data === null) {
        errors.push(`GitHub could not read ${batch.length} files: ${oneLine(err)}`);
        for (const w of batch) failed.set(textKey(w), `could not be read (GitHub: ${oneLine(err)})`);
        continue;
      }
    }
    batch.forEach((w, i) => {
      const repository = data?.[`r${i}`];
      const blob = repository?.f ?? null;
      const key = textKey(w);
      if (isFolderRequest(w)) {
        if (blob?.__typename === 'Tree' && Array.isArray(blob.entries)) roots.set(key, blob.entries.flatMap((e) => (typeof e.name === 'string' ? [folderEntry(e.name, e.type, e.oid)] : [])));
        // A folder that is not there (a pull request adds or removes it): no entries, so nothing in it is a submodule.
        else if (repository && blob === null && w.path !== '') roots.set(key, []);
        else {
          const why = !repository ? 'could not be listed (GitHub gave no answer for it)' : 'could not be listed (GitHub gave no folder)';
          failed.set(key, why);
          errors.push(`${w.owner}/${w.repo}: ${w.path === '' ? 'the root folder' : `the folder ${w.path}`} at ${w.oid.slice(0, 7)} ${why}`);
        }
        return;
      }
      if (blob?.__typename === 'Tree') {
        // A folder at a commit stays one: said where it matters (the settings), never as GitHub's failure.
        failed.set(key, 'is a folder, not a file');
        permanent.add(key);
        folders.add(key);
        return;
      }
      // A repository GitHub did not answer for is not a file that does not exist.
      const why = !repository ? 'could not be read (GitHub gave no answer for it)' : blob?.isTruncated ? 'is too large to read through GraphQL' : blob?.isBinary ? 'is not a text file' : blob && typeof blob.text !== 'string' ? 'could not be read (GitHub gave no text)' : null;
      if (why === null) texts.set(key, blob ? (blob.text as string) : null);
      else {
        failed.set(key, why);
        // A blob at a commit never changes: cut short or binary now is so on every read.
        if (repository && (blob?.isTruncated || blob?.isBinary)) permanent.add(key);
        errors.push(`${w.owner}/${w.repo}: ${w.path} ${why}`);
      }
    });
  }
  return { texts, failed, permanent, folders, roots, requests, errors };
}

export const textKey = (w: TextRequest) => `${w.owner}/${w.repo}@${w.oid}:${w.path}`;

/** One pull request, read by number (readPullRequest), in whatever state it is. */
export interface PullRequestRead {
  pull: OpenPullRequest;
  state: 'open' | 'merged' | 'closed';
}

/**
 * One pull request by its number (`depwatch review owner/repo#N`), as listPullRequests reads each
 * open one: head, base and the first page of changed paths (the rest: listRemainingFiles), in any
 * state. `missing`: one line saying there is no such pull request, or no such repository this
 * token can see (GitHub's lasting answers); anything else (no answer, 5xx) is thrown.
 */
export async function readPullRequest(octokit: Octokit, ref: RepoRef, number: number): Promise<PullRequestRead | { missing: string }> {
  type Answer = { r: { p: (PullNode & { state: string }) | null } | null };
  let data: Answer | null;
  let aliasErrors: readonly AliasError[] = [];
  try {
    // The number is checked to be a positive integer by the caller, never text in the query.
    data = await octokit.graphql<Answer>(
      `query DepwatchPull($o: String!, $n: String!) {\n  r: repository(owner: $o, name: $n) { p: pullRequest(number: ${Math.trunc(number)}) { number title url state headRefOid baseRefOid files(first: ${FILES_PER_PULL}) { ${FILES_SELECTION} } } }\n}`,
      { o: ref.owner, n: ref.repo },
    );
  } catch (err) {
    const partial = partialData<Answer['r']>(err);
    if (partial === null) throw err;
    data = partial as unknown as Answer;
    aliasErrors = graphqlErrors(err);
  }
  const name = keyOf(ref);
  // `{"data": null}` with no errors: no answer to read, said in words (never a TypeError's).
  if (data === null || typeof data !== 'object') throw new Error(`GitHub gave no data for ${name}#${number}`);
  if (!data.r) {
    const own = aliasErrors.find((e) => Array.isArray(e.path) && e.path.length === 1);
    if (own?.type && !LASTING_TYPES.has(own.type)) throw new Error(`GitHub could not read ${name} (${oneLine(own.message ?? own.type)})`);
    return { missing: `I can't see ${name}${own?.message ? ` (${oneLine(own.message)})` : ''}: check the name, and that GITHUB_TOKEN may read it` };
  }
  const p = data.r.p;
  if (!p) {
    const own = aliasErrors.find((e) => Array.isArray(e.path) && e.path[1] === 'p');
    if (own?.type && !LASTING_TYPES.has(own.type)) throw new Error(`GitHub could not read ${name}#${number} (${oneLine(own.message ?? own.type)})`);
    return { missing: `${name} has no pull request #${number}` };
  }
  return { pull: pullOf(p), state: p.state === 'MERGED' ? 'merged' : p.state === 'CLOSED' ? 'closed' : 'open' };
}

function folderEntry(name: string, type: unknown, oid: unknown): FolderEntry {
  return type === 'commit' && typeof oid === 'string' ? { name, file: false, submodule: oid } : { name, file: type === 'blob' };
}
