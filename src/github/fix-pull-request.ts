/**
 * Opens the pull request of a fix with the git data API: one blob per changed file, one tree on top
 * of the audited commit's tree, one commit whose parent is the audited commit, a branch pointing at
 * it, then the pull request into the audited branch. Built from the audited sha, never the branch's
 * current head: if the branch moved since, the PR says so through its base and GitHub shows the
 * merge state, unless a file it rewrites changed there too (see `changedSinceAudit`). What GitHub
 * refuses becomes one FixPullRequestError sentence (no status dump, no token).
 */
import type { Octokit } from './client.js';
import { isGitHubRequestFailure, toGitHubError } from './errors.js';

export interface FixPullRequestInput {
  owner: string;
  repo: string;
  /** The branch the audit read (the PR's base). */
  base: string;
  /** The commit the audit read: the new commit's parent. */
  auditedSha: string;
  branch: string;
  title: string;
  body: string;
  /** Path → whole new content of each changed file (only files the audit read) and its git mode, kept from the audited tree. */
  files: ReadonlyMap<string, FixFileWrite>;
}

export interface FixFileWrite {
  /** The bytes committed: the new text encoded as the file was (UTF-8, or UTF-16 with its mark: src/fix/encoding.ts). */
  bytes: Buffer;
  mode: '100644' | '100755';
  /** The file's blob sha in the audited tree (what the fix was planned on). */
  auditedBlob: string;
}

export type PullState = 'open' | 'merged' | 'closed';

export interface FixPullRequest {
  number: number;
  url: string;
  state: PullState;
  /** False when the branch and pull request already existed (a second click). */
  created: boolean;
  /** A linked one's head commit, as the pull request lookup answered it; absent when it did not say. */
  headSha?: string;
  /**
   * A linked one's audited commit: the parent of its head when that head is Depwatch's fix commit
   * (one parent, the fix's title as its message). Absent when it cannot be told: pushed to since,
   * or the commit lookup failed (the link stands all the same).
   */
  builtFrom?: string;
}

export type FixPullRequestProblem =
  | 'no-permission'
  | 'branch-exists'
  | 'rejected'
  /** A file to rewrite is not, byte for byte, the one the audit read (src/github/fix-files.ts). */
  | 'not-as-audited'
  /** The base moved since the audit and a file to rewrite changed there: the pull request would conflict. */
  | 'stale'
  /** A file to rewrite could not be downloaded again. */
  | 'unreadable'
  /** A file to rewrite would not be written back byte for byte in its encoding (src/fix/encoding.ts). */
  | 'encoding';

export class FixPullRequestError extends Error {
  override name = 'FixPullRequestError';
  constructor(
    readonly problem: FixPullRequestProblem,
    message: string,
  ) {
    super(message);
  }
}

const status = (err: unknown) => (err as { status?: unknown } | null)?.status;

function noPermission(owner: string, repo: string, what: 'contents' | 'pull_requests'): FixPullRequestError {
  const name = what === 'contents' ? 'Contents: Read and write' : 'Pull requests: Read and write';
  return new FixPullRequestError('no-permission', `GitHub refused to ${what === 'contents' ? 'push a branch to' : 'open a pull request on'} ${owner}/${repo}: Depwatch's GitHub token or App needs the repository permission "${name}" (see README, GitHub access).`);
}

export function pullState(p: { state?: unknown; merged?: unknown; merged_at?: unknown }): PullState {
  if (p.merged === true || (typeof p.merged_at === 'string' && p.merged_at)) return 'merged';
  return p.state === 'open' ? 'open' : 'closed';
}

/**
 * The open pull request from `branch` into `base`, if there is one. A closed or merged one is not an
 * answer to a new click (it fixes nothing now), nor is one into another branch (retargeted by hand).
 */
export async function findFixPullRequest(octokit: Octokit, owner: string, repo: string, branch: string, base: string): Promise<FixPullRequest | null> {
  const { data } = await octokit.request('GET /repos/{owner}/{repo}/pulls', { owner, repo, head: `${owner}:${branch}`, base, state: 'open', per_page: 10 });
  const pull = data.find((p) => p.base.ref === base && p.state === 'open');
  if (!pull) return null;
  const headSha = typeof pull.head.sha === 'string' && /^[0-9a-f]{40}$/i.test(pull.head.sha) ? pull.head.sha : undefined;
  return { number: pull.number, url: pull.html_url, state: pullState(pull), created: false, ...(headSha ? { headSha } : {}) };
}

/**
 * The audited commit a linked pull request was built from, in one request (its head commit): the
 * head's one parent when the head is the fix's own commit (its message is the fix's title, as
 * openSteps writes it). Anything else (a commit pushed on top, a merge, a failed lookup) tells
 * nothing sure, so nothing is said: the link is the answer, and this line only a detail of it.
 */
async function withBuiltFrom(octokit: Octokit, input: FixPullRequestInput, pull: FixPullRequest): Promise<FixPullRequest> {
  if (pull.headSha === undefined) return pull;
  try {
    const { data } = await octokit.request('GET /repos/{owner}/{repo}/commits/{ref}', { owner: input.owner, repo: input.repo, ref: pull.headSha });
    const parent = data.parents.length === 1 ? data.parents[0]!.sha : null;
    const ours = data.commit.message.trim() === input.title.trim();
    return parent && ours && /^[0-9a-f]{40}$/i.test(parent) ? { ...pull, builtFrom: parent } : pull;
  } catch (err) {
    if (!isGitHubRequestFailure(err)) throw err;
    return pull;
  }
}

export async function getPullState(octokit: Octokit, owner: string, repo: string, number: number): Promise<PullState> {
  const { data } = await octokit.request('GET /repos/{owner}/{repo}/pulls/{pull_number}', { owner, repo, pull_number: number });
  return pullState(data);
}

/**
 * How long to look for the pull request of a branch that another click has just pushed: its
 * pull request follows the branch by one write (octokit spaces writes about a second apart).
 */
const REFIND_DELAYS_MS: readonly number[] = [0, 1_000, 2_000, 3_000];

export interface OpenFixPullRequestOptions {
  /** Waits before each look for the pull request of a branch that already exists (tests: a few ms). */
  refindDelaysMs?: readonly number[];
}

async function findAgain(octokit: Octokit, input: FixPullRequestInput, delaysMs: readonly number[]): Promise<FixPullRequest | null> {
  for (const delay of delaysMs) {
    if (delay > 0) await new Promise((resolve) => setTimeout(resolve, delay));
    const found = await findFixPullRequest(octokit, input.owner, input.repo, input.branch, input.base);
    if (found) return found;
  }
  return null;
}

/**
 * Opens the fix's pull request, or links the open one from its branch. Fails with a
 * FixPullRequestError (a refusal, said in one sentence) or, for anything else GitHub answered (a
 * 5xx, a 401, a rate limit) or did not (network, timeout), with toGitHubError's error naming the
 * step: the Slack reply then says GitHub failed and whether trying again may help. Anything else
 * (a bug here, an answer of a shape this code does not expect) is thrown as it is: the reply says
 * "something went wrong" with an error id and the log has it as unexpected, never as GitHub failing.
 */
export async function openFixPullRequest(octokit: Octokit, input: FixPullRequestInput, options: OpenFixPullRequestOptions = {}): Promise<FixPullRequest> {
  const at: Step = { step: 'pull request lookup' };
  try {
    return await openSteps(octokit, input, options, at);
  } catch (err) {
    if (err instanceof FixPullRequestError || !isGitHubRequestFailure(err)) throw err;
    throw toGitHubError(err, input, at.step);
  }
}

/** The request under way, for the failure's sentence ("GitHub failed the branch creation for …"). */
interface Step {
  step: string;
}

async function openSteps(octokit: Octokit, input: FixPullRequestInput, options: OpenFixPullRequestOptions, at: Step): Promise<FixPullRequest> {
  const { owner, repo } = input;
  const existing = await findFixPullRequest(octokit, owner, repo, input.branch, input.base);
  if (existing) return withBuiltFrom(octokit, input, existing);

  at.step = 'base branch lookup';
  const changed = await changedSinceAudit(octokit, input);
  if (changed !== null) throw new FixPullRequestError('stale', `${input.base} moved since this audit and ${changed} changed: run /audit again.`);

  const contents = async <T>(request: () => Promise<T>): Promise<T> => {
    try {
      return await request();
    } catch (err) {
      if (status(err) === 403 || status(err) === 404) throw noPermission(owner, repo, 'contents');
      throw err;
    }
  };
  at.step = 'commit lookup';
  const { data: commit } = await contents(() => octokit.request('GET /repos/{owner}/{repo}/commits/{ref}', { owner, repo, ref: input.auditedSha }));
  const tree: { path: string; mode: FixFileWrite['mode']; type: 'blob'; sha: string }[] = [];
  at.step = 'file upload';
  for (const [path, { bytes, mode }] of input.files) {
    // As bytes (base64), never as a string GitHub would store as UTF-8: a UTF-16 file stays UTF-16.
    const { data: blob } = await contents(() => octokit.request('POST /repos/{owner}/{repo}/git/blobs', { owner, repo, content: bytes.toString('base64'), encoding: 'base64' }));
    tree.push({ path, mode, type: 'blob', sha: blob.sha });
  }
  at.step = 'tree creation';
  const { data: newTree } = await contents(() => octokit.request('POST /repos/{owner}/{repo}/git/trees', { owner, repo, base_tree: commit.commit.tree.sha, tree }));
  at.step = 'commit creation';
  const { data: newCommit } = await contents(() =>
    octokit.request('POST /repos/{owner}/{repo}/git/commits', { owner, repo, message: input.title, tree: newTree.sha, parents: [input.auditedSha] }),
  );
  at.step = 'branch creation';
  try {
    await octokit.request('POST /repos/{owner}/{repo}/git/refs', { owner, repo, ref: `refs/heads/${input.branch}`, sha: newCommit.sha });
  } catch (err) {
    if (status(err) === 422) {
      // Most often another click won the race (here a second replica: this process runs one fix per
      // branch at a time, src/slack/fix-pr-flow.ts): GitHub's ref creation is the lock, and the
      // winner opens its pull request a moment after its branch. Linking it is the answer; telling
      // this person to delete the branch would close the pull request just opened.
      const opened = await findAgain(octokit, input, options.refindDelaysMs ?? REFIND_DELAYS_MS);
      if (opened) return withBuiltFrom(octokit, input, opened);
      throw new FixPullRequestError('branch-exists', `The branch ${input.branch} already exists on ${owner}/${repo} without an open pull request into ${input.base}: open one from it on GitHub, or delete it and press the button again.`);
    }
    if (status(err) === 403 || status(err) === 404) throw noPermission(owner, repo, 'contents');
    throw err;
  }
  at.step = 'pull request creation';
  try {
    const { data: pull } = await octokit.request('POST /repos/{owner}/{repo}/pulls', { owner, repo, title: input.title, body: input.body, head: input.branch, base: input.base });
    return { number: pull.number, url: pull.html_url, state: pullState(pull), created: true };
  } catch (err) {
    if (status(err) === 403 || status(err) === 404) throw noPermission(owner, repo, 'pull_requests');
    if (status(err) === 422) throw new FixPullRequestError('rejected', `GitHub would not open the pull request from ${input.branch} into ${input.base} on ${owner}/${repo} (the base branch may be gone).`);
    throw err;
  }
}

/**
 * The first file the fix rewrites that is not, at the base's head, the blob the audit read; null
 * when the base has not moved (one request) or moved without touching them (one more, or a few for
 * a tree too big to list at once). A file deleted since counts as changed.
 *
 * Refused rather than opened with a warning: Dependabot users expect a fix pull request that merges
 * (Dependabot rebases its own as the base moves), and this one cannot be rebased here: its bytes are
 * the audited file's with the pins moved. Opened anyway it would conflict, or move pins the base has
 * already changed; a new /audit costs one command and gives a pull request built on the file as it
 * is. A base that moved elsewhere (other files) is no reason to refuse: git merges those cleanly.
 * A base that is gone is left to the pull request's own refusal (`rejected`).
 */
async function changedSinceAudit(octokit: Octokit, input: FixPullRequestInput): Promise<string | null> {
  const { owner, repo } = input;
  let head: string;
  try {
    const { data } = await octokit.request('GET /repos/{owner}/{repo}/branches/{branch}', { owner, repo, branch: input.base });
    head = data.commit.sha;
  } catch (err) {
    if (status(err) === 404) return null;
    throw err;
  }
  if (head === input.auditedSha) return null;
  const { data: listing } = await octokit.request('GET /repos/{owner}/{repo}/git/trees/{tree_sha}', { owner, repo, tree_sha: head, recursive: '1' });
  const blobs = new Map(listing.tree.filter((e) => e.type === 'blob' && e.path && e.sha).map((e) => [e.path!, e.sha!]));
  for (const [path, { auditedBlob }] of input.files) {
    const now = blobs.get(path) ?? (listing.truncated ? await blobAt(octokit, owner, repo, listing.sha, path) : null);
    if (now !== auditedBlob) return path;
  }
  return null;
}

/** The blob sha of `path` under the tree `root`, one directory at a time (a tree GitHub would not list whole). */
async function blobAt(octokit: Octokit, owner: string, repo: string, root: string, path: string): Promise<string | null> {
  const names = path.split('/');
  let tree = root;
  for (const [i, name] of names.entries()) {
    const { data } = await octokit.request('GET /repos/{owner}/{repo}/git/trees/{tree_sha}', { owner, repo, tree_sha: tree });
    const entry = data.tree.find((e) => e.path === name);
    if (!entry?.sha) return null;
    if (i === names.length - 1) return entry.type === 'blob' ? entry.sha : null;
    if (entry.type !== 'tree') return null;
    tree = entry.sha;
  }
  return null;
}
