/**
 * A loopback GitHub (127.0.0.1, random port) answering the REST and GraphQL calls Depwatch makes, for
 * repositories built in memory from `{ path: content }` maps. Objects are real git objects: blob, tree
 * and commit shas are computed exactly as git does, so sha-keyed caching is tested against the real
 * scheme. A file may be a symbolic link (`symlinkTo('target')`): a mode 120000 tree entry whose blob
 * holds the target path, as git stores it; or executable (`executable('text')`): mode 100755. It checks tokens (private repositories need one), answers 404s and rate limits the way
 * GitHub does, and counts requests per route so tests can assert what a feature costs.
 *
 * Routes: GET /repos/{o}/{r}, /repos/{o}/{r}/branches/{b}, /repos/{o}/{r}/commits/{ref} (JSON, or the
 * bare sha for `Accept: application/vnd.github.sha`), /repos/{o}/{r}/git/trees/{sha}[?recursive=1],
 * /repos/{o}/{r}/git/blobs/{sha}, /rate_limit, POST /app/installations/{id}/access_tokens (JWT checked
 * against the App's public key) and POST /graphql: the heads query of src/github/heads.ts and the
 * repository health query of src/packages/sources/github.ts (archived, security policy from a
 * SECURITY.md, CI from the files, commit authors since a date, issues with their comments; see
 * FakeRepoHealth), the pull-request listing of src/github/pull-requests.ts, and one pull request by
 * number (readPullRequest).
 */
import { createHash, createPublicKey, verify, type KeyObject } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { makeTarball } from '../helpers/tarball.js';
import type { AddressInfo } from 'node:net';

/** A symbolic link in a fake repository: git keeps it as a blob of the target path, mode 120000. */
export interface FakeSymlink {
  symlink: string;
}

export const symlinkTo = (target: string): FakeSymlink => ({ symlink: target });

/** An executable file in a fake repository: mode 100755. */
export interface FakeExecutable {
  executable: string;
}

export const executable = (text: string): FakeExecutable => ({ executable: text });

/** A file given as raw bytes (UTF-16, binary): its blob holds exactly these. */
export interface FakeBytes {
  bytes: Buffer;
}

export const fileBytes = (bytes: Buffer): FakeBytes => ({ bytes });

/**
 * A git submodule in a fake repository: a tree entry of type `commit`, mode 160000, whose sha is the
 * submodule's commit (another repository's: no object of this one), as GitHub lists it.
 */
export interface FakeSubmodule {
  submodule: string;
}

export const submoduleAt = (commit: string): FakeSubmodule => ({ submodule: commit });

/** A file's content, an executable file, a symbolic link, raw bytes, or a submodule. */
export type FakeFile = string | FakeSymlink | FakeExecutable | FakeBytes | FakeSubmodule;

/** What a file's blob holds as text: its text, a link's target path, or raw bytes read as latin1. */
const blobText = (file: FakeFile): string =>
  typeof file === 'string' ? file : 'symlink' in file ? file.symlink : 'bytes' in file ? file.bytes.toString('latin1') : 'submodule' in file ? '' : file.executable;
/** What a file's blob holds, byte for byte. */
const blobBytes = (file: FakeFile): Buffer => (typeof file !== 'string' && 'bytes' in file ? file.bytes : Buffer.from(blobText(file), 'utf8'));
const modeOf = (file: FakeFile): string => (typeof file === 'string' || 'bytes' in file ? '100644' : 'symlink' in file ? '120000' : '100755');
/** The file's text, for what reads files (null for a link, which has none of its own). */
const textOf = (file: FakeFile | undefined): string | null => (file === undefined || (typeof file !== 'string' && ('symlink' in file || 'submodule' in file)) ? null : blobText(file));

export interface FakeRepoInit {
  owner: string;
  name: string;
  files: Record<string, FakeFile>;
  private?: boolean;
  defaultBranch?: string;
  /** Other branches and their files. */
  branches?: Record<string, Record<string, FakeFile>>;
  /** Tags and their files (read through /commits/{ref}, never a branch). */
  tags?: Record<string, Record<string, FakeFile>>;
  /** What the health query reads beyond the files (which give CI and the security policy). */
  health?: FakeRepoHealth;
}

export interface FakeIssue {
  createdAt: string;
  /** OWNER, MEMBER, COLLABORATOR, CONTRIBUTOR, NONE… */
  authorAssociation: string;
  comments?: { createdAt: string; authorAssociation: string }[];
}

export interface FakeRepoHealth {
  archived?: boolean;
  pushedAt?: string;
  /** Newest first, as GitHub lists history. */
  commits?: { date: string; login?: string; email?: string }[];
  /** Newest first. */
  issues?: FakeIssue[];
}

export interface FakeGitHubOptions {
  repos?: FakeRepoInit[];
  /** Tokens that authenticate (and see private repositories). A request with any other token gets 401. */
  tokens?: string[];
  latencyMs?: number;
  /** Recursive tree listings with more entries than this come back cut short with `truncated: true`. */
  truncateTreesOver?: number;
  /** Requests allowed per hour before answering 403 with `x-ratelimit-remaining: 0`. */
  rateLimit?: number;
  /** '/api/v3' to serve like GitHub Enterprise Server (GraphQL then lives at /api/graphql). */
  pathPrefix?: string;
  htmlUrl?: string;
  /** A GitHub App: installation tokens are handed out to JWTs signed with the matching private key. */
  app?: { appId: string; publicKey: string | KeyObject; installationId: number };
  /**
   * Tokens granted `contents: write` and `pull_requests: write`. Writes (git data API, pulls) with any
   * other token get 403 "Resource not accessible by personal access token", as GitHub answers them.
   */
  writeTokens?: string[];
}

export interface RateLimitSwitch {
  status: 403 | 429;
  resetAt?: Date;
  retryAfterSeconds?: number;
  secondary?: boolean;
  /** Answer this many requests with the limit, then serve normally again. Unlimited when absent. */
  times?: number;
}

export interface RequestRecord {
  method: string;
  path: string;
  route: string;
  status: number;
  authenticated: boolean;
}

export interface FakeGitHub {
  /** The API base URL to give octokit (with the path prefix, if any). */
  url: string;
  htmlUrl: string;
  close(): Promise<void>;
  addRepo(init: FakeRepoInit): string;
  /**
   * Applies changes (content, or null to delete) on a branch as a new commit; returns its sha. A
   * branch that does not exist yet forks from the head of `from` (default: the default branch), as
   * `git switch -c` would: that commit is its parent, its files the start.
   */
  pushCommit(owner: string, name: string, changes: Record<string, FakeFile | null>, options?: { branch?: string; message?: string; from?: string }): string;
  headSha(owner: string, name: string, branch?: string): string;
  /** Opens a pull request from branch `head` into `base` (the default branch). GraphQL lists open ones with their changed files. */
  openPullRequest(owner: string, name: string, pull: { number: number; title: string; head: string; base?: string }): void;
  setPullRequestState(owner: string, name: string, number: number, state: 'MERGED' | 'CLOSED'): void;
  /** While on, the listing answers this pull request's `files` with null and an error on that field, as GitHub does when it cannot list them. */
  hidePullRequestFiles(owner: string, name: string, number: number, hidden: boolean): void;
  /**
   * While set, the listing of this repository's pull requests answers the repository null with this
   * error on its `pullRequests` field, as GitHub does (FORBIDDEN: "Resource not accessible by
   * integration" when the App may not read pull requests; SERVICE_UNAVAILABLE, say); null: lists again.
   */
  failPullRequestListing(owner: string, name: string, error: { type: string; message: string } | null): void;
  setRateLimited(limit: RateLimitSwitch | null): void;
  /**
   * Answers the next `times` requests to `route` (one of ROUTES) with `status` (a 5xx, say), or with
   * `body` (garbage); with `matching`, only requests whose body contains it (one GraphQL query by name);
   * with `pathContains`, only requests whose URL path contains it (one blob by its sha).
   */
  failRequests(failure: { route: string; status: number; times: number; body?: unknown; matching?: string; pathContains?: string } | null): void;
  /** GraphQL Blob texts longer than this many bytes come back cut, with `isTruncated: true`, as GitHub cuts large blobs; null: whole. */
  truncateTextsOver(bytes: number | null): void;
  setLatency(ms: number): void;
  count(route: string): number;
  counts(): Record<string, number>;
  totalRequests(): number;
  resetCounts(): void;
  readonly requests: RequestRecord[];
  /** Each file read through GraphQL (`object(expression: "oid:path")`), as `owner/name@oid:path`, in order; cleared by resetCounts. */
  readonly textsRead: string[];
  /** Pull requests opened on a repository, oldest first. */
  pulls(owner: string, name: string): FakePull[];
  /** Merges or closes a pull request, as a person would on GitHub. */
  setPullState(owner: string, name: string, number: number, state: 'merged' | 'closed' | 'open'): void;
  /** Changes the branch a pull request goes into, as "Edit" next to its title does on GitHub. */
  setPullBase(owner: string, name: string, number: number, base: string): void;
  /** Deletes a branch, as the button under a closed pull request does. */
  deleteBranch(owner: string, name: string, branch: string): void;
  /** The files of a branch's head commit (path → text, or a link's target), to check what a push wrote. */
  branchFiles(owner: string, name: string, branch: string): Record<string, string> | undefined;
  /** The exact bytes of each file of a branch's head commit (a UTF-16 file as it was committed). */
  branchBytes(owner: string, name: string, branch: string): Record<string, Buffer> | undefined;
  /** The git mode of each file of a branch's head commit (100644, 100755, 120000). */
  branchModes(owner: string, name: string, branch: string): Record<string, string> | undefined;
  /** Comments on a pull request (or issue), oldest first. */
  comments(owner: string, name: string, number: number): FakeComment[];
  /** Deletes a comment, as a person would on GitHub. */
  deleteComment(owner: string, name: string, id: number): void;
  /** Serves these bytes as the archive of every commit of the repository (garbage, a bomb); null: the real archive again. */
  setArchive(owner: string, name: string, bytes: Buffer | null): void;
  /** The parent of a commit, or null. */
  commitParent(sha: string): string | null;
}

export const ROUTES = {
  repo: 'GET /repos/{owner}/{repo}',
  branch: 'GET /repos/{owner}/{repo}/branches/{branch}',
  commit: 'GET /repos/{owner}/{repo}/commits/{ref}',
  tree: 'GET /repos/{owner}/{repo}/git/trees/{tree_sha}',
  blob: 'GET /repos/{owner}/{repo}/git/blobs/{file_sha}',
  graphql: 'POST /graphql',
  installationToken: 'POST /app/installations/{installation_id}/access_tokens',
  rateLimit: 'GET /rate_limit',
  createBlob: 'POST /repos/{owner}/{repo}/git/blobs',
  createTree: 'POST /repos/{owner}/{repo}/git/trees',
  createCommit: 'POST /repos/{owner}/{repo}/git/commits',
  createRef: 'POST /repos/{owner}/{repo}/git/refs',
  createPull: 'POST /repos/{owner}/{repo}/pulls',
  listPulls: 'GET /repos/{owner}/{repo}/pulls',
  getPull: 'GET /repos/{owner}/{repo}/pulls/{pull_number}',
  /** Redirects to the archive, as api.github.com redirects to codeload.github.com. */
  tarball: 'GET /repos/{owner}/{repo}/tarball/{ref}',
  /** Only what Depwatch reads of a comparison: the merge base (commits and files are left empty). */
  compare: 'GET /repos/{owner}/{repo}/compare/{basehead}',
  listComments: 'GET /repos/{owner}/{repo}/issues/{issue_number}/comments',
  createComment: 'POST /repos/{owner}/{repo}/issues/{issue_number}/comments',
  updateComment: 'PATCH /repos/{owner}/{repo}/issues/comments/{comment_id}',
  /** The archive itself (the fake's stand-in for codeload.github.com). */
  codeload: 'GET /_codeload/{owner}/{repo}/legacy.tar.gz/{sha}',
} as const;

/** A comment on an issue or pull request (REST issues API). */
export interface FakeComment {
  id: number;
  number: number;
  body: string;
  updates: number;
}

/** A pull request opened on the fake (through POST /pulls). */
export interface FakePull {
  number: number;
  title: string;
  body: string;
  head: string;
  base: string;
  state: 'open' | 'closed';
  merged: boolean;
}

/** The git blob sha of a text: sha1 of `blob <byte length>\0<bytes>`. */
export function gitBlobShaOf(content: string | Uint8Array): string {
  const bytes = typeof content === 'string' ? Buffer.from(content, 'utf8') : Buffer.from(content);
  return createHash('sha1').update(`blob ${bytes.length}\0`).update(bytes).digest('hex');
}

type TreeItem = { name: string; mode: string; type: 'blob' | 'tree' | 'commit'; sha: string };
type GitObject =
  | { type: 'blob'; bytes: Buffer }
  | { type: 'tree'; entries: TreeItem[] }
  | { type: 'commit'; tree: string; parent: string | null; files: Map<string, FakeFile>; message: string };

interface RepoState {
  id: number;
  owner: string;
  name: string;
  private: boolean;
  defaultBranch: string;
  branches: Map<string, string>;
  tags: Map<string, string>;
  health: FakeRepoHealth;
  /** Pull requests as the dependency reviews read them (GraphQL), by number. */
  reviewPulls: Map<number, ReviewPull>;
  /** Pull requests opened through the REST API (fix pull requests). */
  pulls: FakePull[];
  comments: FakeComment[];
}

interface ReviewPull {
  number: number;
  title: string;
  head: string;
  base: string;
  state: 'OPEN' | 'MERGED' | 'CLOSED';
  /** The head commit when it was closed (a branch may move on or be deleted afterwards). */
  closedHead?: string;
}

const DOCS = 'https://docs.github.com/rest';

export async function startFakeGitHub(options: FakeGitHubOptions = {}): Promise<FakeGitHub> {
  const prefix = (options.pathPrefix ?? '').replace(/\/+$/, '');
  const graphqlPath = `${prefix.replace(/\/v3$/, '')}/graphql`;
  const htmlUrl = (options.htmlUrl ?? 'https://github.com').replace(/\/+$/, '');
  const tokens = new Set(options.tokens ?? []);
  const objects = new Map<string, GitObject>();
  const repos = new Map<string, RepoState>();
  const counts = new Map<string, number>();
  const requests: RequestRecord[] = [];
  const textsRead: string[] = [];
  let latencyMs = options.latencyMs ?? 0;
  let limitSwitch: RateLimitSwitch | null = null;
  let failure: { route: string; status: number; times: number; body?: unknown; matching?: string; pathContains?: string } | null = null;
  let textLimit: number | null = null;
  /** Pull requests (`owner/name#n`) whose changed files the listing does not give (hidePullRequestFiles). */
  const hiddenFiles = new Set<string>();
  const listingFailures = new Map<string, { type: string; message: string }>();
  const hourlyLimit = options.rateLimit ?? 5000;
  let used = 0;
  const windowReset = Math.floor(Date.now() / 1000) + 3600;
  let clock = 1_700_000_000;
  let nextId = 1;

  // ---- git objects -------------------------------------------------------------------------------
  const hashObject = (type: string, body: Buffer) => createHash('sha1').update(`${type} ${body.length}\0`).update(body).digest('hex');

  const writeBlob = (content: string | Buffer): string => {
    const bytes = typeof content === 'string' ? Buffer.from(content, 'utf8') : content;
    const sha = hashObject('blob', bytes);
    objects.set(sha, { type: 'blob', bytes });
    return sha;
  };

  const writeTree = (files: Map<string, FakeFile>): string => {
    const direct = new Map<string, FakeFile>();
    const dirs = new Map<string, Map<string, FakeFile>>();
    for (const [path, content] of files) {
      const slash = path.indexOf('/');
      if (slash < 0) direct.set(path, content);
      else {
        const dir = path.slice(0, slash);
        if (!dirs.has(dir)) dirs.set(dir, new Map());
        dirs.get(dir)!.set(path.slice(slash + 1), content);
      }
    }
    const entries: TreeItem[] = [
      ...[...direct].map(([name, content]): TreeItem =>
        typeof content !== 'string' && 'submodule' in content ? { name, mode: '160000', type: 'commit', sha: content.submodule } : { name, mode: modeOf(content), type: 'blob', sha: writeBlob(blobBytes(content)) },
      ),
      ...[...dirs].map(([name, sub]): TreeItem => ({ name, mode: '040000', type: 'tree', sha: writeTree(sub) })),
    ];
    // git orders tree entries by name, comparing a directory as if its name ended with "/".
    const key = (e: TreeItem) => Buffer.from(e.type === 'tree' ? `${e.name}/` : e.name);
    entries.sort((a, b) => Buffer.compare(key(a), key(b)));
    const body = Buffer.concat(
      entries.flatMap((e) => [Buffer.from(`${e.type === 'tree' ? '40000' : e.mode} ${e.name}\0`), Buffer.from(e.sha, 'hex')]),
    );
    const sha = hashObject('tree', body);
    objects.set(sha, { type: 'tree', entries });
    return sha;
  };

  const writeCommit = (files: Map<string, FakeFile>, parent: string | null, message: string): string => {
    const tree = writeTree(files);
    const when = `${clock++} +0000`;
    const text = `tree ${tree}\n${parent ? `parent ${parent}\n` : ''}author Fake <fake@example.com> ${when}\ncommitter Fake <fake@example.com> ${when}\n\n${message}\n`;
    const sha = hashObject('commit', Buffer.from(text));
    objects.set(sha, { type: 'commit', tree, parent, files, message });
    return sha;
  };

  const repoKey = (owner: string, name: string) => `${owner}/${name}`.toLowerCase();

  const addRepo = (init: FakeRepoInit): string => {
    const defaultBranch = init.defaultBranch ?? 'main';
    const state: RepoState = { id: nextId++, owner: init.owner, name: init.name, private: init.private ?? false, defaultBranch, branches: new Map(), tags: new Map(), health: init.health ?? {}, reviewPulls: new Map(), pulls: [], comments: [] };
    const head = writeCommit(new Map(Object.entries(init.files)), null, 'initial commit');
    state.branches.set(defaultBranch, head);
    for (const [branch, files] of Object.entries(init.branches ?? {})) state.branches.set(branch, writeCommit(new Map(Object.entries(files)), null, branch));
    for (const [tag, files] of Object.entries(init.tags ?? {})) state.tags.set(tag, writeCommit(new Map(Object.entries(files)), null, tag));
    repos.set(repoKey(init.owner, init.name), state);
    return head;
  };

  const mustRepo = (owner: string, name: string): RepoState => {
    const repo = repos.get(repoKey(owner, name));
    if (!repo) throw new Error(`fake GitHub: no repository ${owner}/${name}`);
    return repo;
  };

  const pushCommit: FakeGitHub['pushCommit'] = (owner, name, changes, opts = {}) => {
    const repo = mustRepo(owner, name);
    const branch = opts.branch ?? repo.defaultBranch;
    const parent = repo.branches.get(branch) ?? repo.branches.get(opts.from ?? repo.defaultBranch) ?? null;
    const parentObject = parent ? objects.get(parent) : undefined;
    const files = new Map(parentObject?.type === 'commit' ? parentObject.files : []);
    for (const [path, content] of Object.entries(changes)) {
      if (content === null) files.delete(path);
      else files.set(path, content);
    }
    const sha = writeCommit(files, parent, opts.message ?? 'change');
    repo.branches.set(branch, sha);
    return sha;
  };

  for (const init of options.repos ?? []) addRepo(init);

  // ---- resolution helpers ------------------------------------------------------------------------
  const resolveCommit = (repo: RepoState, ref: string): string | undefined => {
    const branch = repo.branches.get(ref.replace(/^refs\/heads\//, ''));
    if (branch) return branch;
    const tag = repo.tags.get(ref.replace(/^refs\/tags\//, ''));
    if (tag) return tag;
    return /^[0-9a-f]{40}$/.test(ref) && objects.get(ref)?.type === 'commit' ? ref : undefined;
  };

  const treeListing = (treeSha: string, recursive: boolean, base: string) => {
    const out: Record<string, unknown>[] = [];
    const walk = (sha: string, dir: string) => {
      const tree = objects.get(sha);
      if (tree?.type !== 'tree') return;
      for (const e of tree.entries) {
        const path = dir ? `${dir}/${e.name}` : e.name;
        const blob = objects.get(e.sha);
        out.push({
          path,
          mode: e.mode,
          type: e.type,
          sha: e.sha,
          ...(e.type === 'blob' && blob?.type === 'blob' ? { size: blob.bytes.length } : {}),
          url: `${base}/git/${e.type}s/${e.sha}`,
        });
        if (recursive && e.type === 'tree') walk(e.sha, path);
      }
    };
    walk(treeSha, '');
    return out;
  };

  // ---- HTTP --------------------------------------------------------------------------------------
  const server = createServer((req, res) => {
    void handle(req, res).catch((err: unknown) => {
      if (!res.headersSent) send(res, 500, { message: `fake GitHub: ${(err as Error).message}` });
    });
  });

  const send = (res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}) => {
    const text = typeof body === 'string' ? body : JSON.stringify(body);
    res.writeHead(status, {
      'content-type': typeof body === 'string' ? 'application/vnd.github.sha; charset=utf-8' : 'application/json; charset=utf-8',
      ...headers,
    });
    res.end(text);
  };

  const readBody = async (req: IncomingMessage): Promise<string> => {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    return Buffer.concat(chunks).toString('utf8');
  };

  const routeOf = (method: string, path: string): { route: string; params: string[] } | undefined => {
    if (method === 'GET' && path === `${prefix}/rate_limit`) return { route: ROUTES.rateLimit, params: [] };
    if (method === 'POST' && path === graphqlPath) return { route: ROUTES.graphql, params: [] };
    if (!path.startsWith(`${prefix}/`)) return undefined;
    const rest = path.slice(prefix.length);
    const token = /^\/app\/installations\/(\d+)\/access_tokens$/.exec(rest);
    if (method === 'POST' && token) return { route: ROUTES.installationToken, params: [token[1]!] };
    const write = /^\/repos\/([^/]+)\/([^/]+)\/(git\/blobs|git\/trees|git\/commits|git\/refs|pulls)$/.exec(rest);
    if (method === 'POST' && write) {
      const route = { 'git/blobs': ROUTES.createBlob, 'git/trees': ROUTES.createTree, 'git/commits': ROUTES.createCommit, 'git/refs': ROUTES.createRef, pulls: ROUTES.createPull }[write[3] as 'pulls'];
      return { route, params: [decodeURIComponent(write[1]!), decodeURIComponent(write[2]!)] };
    }
    const issueComments = /^\/repos\/([^/]+)\/([^/]+)\/issues\/(\d+)\/comments$/.exec(rest);
    if (issueComments && (method === 'GET' || method === 'POST')) {
      return { route: method === 'GET' ? ROUTES.listComments : ROUTES.createComment, params: [decodeURIComponent(issueComments[1]!), decodeURIComponent(issueComments[2]!), issueComments[3]!] };
    }
    const comment = /^\/repos\/([^/]+)\/([^/]+)\/issues\/comments\/(\d+)$/.exec(rest);
    if (comment && method === 'PATCH') return { route: ROUTES.updateComment, params: [decodeURIComponent(comment[1]!), decodeURIComponent(comment[2]!), comment[3]!] };
    const pulls = /^\/repos\/([^/]+)\/([^/]+)\/pulls(?:\/(\d+))?$/.exec(rest);
    if (method === 'GET' && pulls) {
      return { route: pulls[3] ? ROUTES.getPull : ROUTES.listPulls, params: [decodeURIComponent(pulls[1]!), decodeURIComponent(pulls[2]!), ...(pulls[3] ? [pulls[3]] : [])] };
    }
    if (method !== 'GET') return undefined;
    const compare = /^\/repos\/([^/]+)\/([^/]+)\/compare\/(.+)$/.exec(rest);
    if (compare) return { route: ROUTES.compare, params: [decodeURIComponent(compare[1]!), decodeURIComponent(compare[2]!), decodeURIComponent(compare[3]!)] };
    const archive = /^\/repos\/([^/]+)\/([^/]+)\/tarball\/(.+)$/.exec(rest);
    if (archive) return { route: ROUTES.tarball, params: [decodeURIComponent(archive[1]!), decodeURIComponent(archive[2]!), decodeURIComponent(archive[3]!)] };
    const codeload = /^\/_codeload\/([^/]+)\/([^/]+)\/legacy\.tar\.gz\/([0-9a-f]{40})$/.exec(rest);
    if (codeload) return { route: ROUTES.codeload, params: [decodeURIComponent(codeload[1]!), decodeURIComponent(codeload[2]!), codeload[3]!] };
    const m = /^\/repos\/([^/]+)\/([^/]+)(?:\/(branches|commits|git\/trees|git\/blobs)\/(.+))?$/.exec(rest);
    if (!m) return undefined;
    const params = [decodeURIComponent(m[1]!), decodeURIComponent(m[2]!)];
    if (!m[3]) return { route: ROUTES.repo, params };
    const last = decodeURIComponent(m[4]!);
    const route = { branches: ROUTES.branch, commits: ROUTES.commit, 'git/trees': ROUTES.tree, 'git/blobs': ROUTES.blob }[m[3] as 'branches'];
    return { route, params: [...params, last] };
  };

  const rateHeaders = (resource: string): Record<string, string> => ({
    'x-ratelimit-limit': String(hourlyLimit),
    'x-ratelimit-remaining': String(Math.max(0, hourlyLimit - used)),
    'x-ratelimit-used': String(used),
    'x-ratelimit-reset': String(windowReset),
    'x-ratelimit-resource': resource,
  });

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://fake.github');
    const method = req.method ?? 'GET';
    const matched = routeOf(method, url.pathname);
    const route = matched?.route ?? `${method} ${url.pathname}`;
    const authHeader = req.headers.authorization ?? '';
    const presented = /^(?:token|bearer)\s+(.+)$/i.exec(authHeader)?.[1];
    const authenticated = presented !== undefined && tokens.has(presented);
    let status = 200;
    const reply = (code: number, body: unknown, headers: Record<string, string> = {}) => {
      status = code;
      send(res, code, body, headers);
    };
    const record = () => requests.push({ method, path: url.pathname + url.search, route, status, authenticated });

    if (latencyMs > 0) await new Promise((r) => setTimeout(r, latencyMs));
    const body = method === 'POST' || method === 'PATCH' ? await readBody(req) : '';

    if (route !== ROUTES.rateLimit) {
      counts.set(route, (counts.get(route) ?? 0) + 1);
      used++;
    }
    const resource = route === ROUTES.graphql ? 'graphql' : 'core';

    try {
      // The App's JWT is checked by its own route; any other presented token must be one we know.
      if (presented !== undefined && !authenticated && route !== ROUTES.installationToken) {
        return reply(401, { message: 'Bad credentials', documentation_url: DOCS, status: '401' }, rateHeaders(resource));
      }
      if (limitSwitch && route !== ROUTES.rateLimit) {
        const sw = limitSwitch;
        if (sw.times !== undefined && --sw.times <= 0) limitSwitch = null;
        const reset = Math.floor((sw.resetAt?.getTime() ?? Date.now() + (sw.retryAfterSeconds ?? 3600) * 1000) / 1000);
        const headers: Record<string, string> = { ...rateHeaders(resource), 'x-ratelimit-remaining': sw.secondary ? '1' : '0', 'x-ratelimit-reset': String(reset) };
        if (sw.retryAfterSeconds !== undefined) headers['retry-after'] = String(sw.retryAfterSeconds);
        const message = sw.secondary
          ? 'You have exceeded a secondary rate limit. Please wait a few minutes before you try again.'
          : 'API rate limit exceeded for user ID 1.';
        return reply(sw.status, { message, documentation_url: DOCS, status: String(sw.status) }, headers);
      }
      if (
        failure &&
        failure.route === route &&
        failure.times > 0 &&
        (failure.matching === undefined || body.includes(failure.matching)) &&
        (failure.pathContains === undefined || url.pathname.includes(failure.pathContains))
      ) {
        failure.times--;
        return reply(failure.status, failure.body ?? { message: 'Server Error', documentation_url: DOCS, status: String(failure.status) }, rateHeaders(resource));
      }
      if (used > hourlyLimit && route !== ROUTES.rateLimit) {
        return reply(403, { message: 'API rate limit exceeded for user ID 1.', documentation_url: DOCS, status: '403' }, rateHeaders(resource));
      }
      const headers = rateHeaders(resource);
      const notFound = () => reply(404, { message: 'Not Found', documentation_url: DOCS, status: '404' }, headers);
      if (!matched) return notFound();
      const [owner = '', name = '', last = ''] = matched.params;

      if (route === ROUTES.rateLimit) {
        return reply(200, { resources: { core: { limit: hourlyLimit, remaining: Math.max(0, hourlyLimit - used), reset: windowReset, used } } }, headers);
      }
      if (route === ROUTES.installationToken) return installationToken(owner, authHeader, reply, headers);
      if (route === ROUTES.graphql) return graphql(body, authenticated, reply, headers);

      const repo = repos.get(repoKey(owner, name));
      // GitHub hides private repositories from those who cannot see them: 404, not 403.
      if (!repo || (repo.private && !authenticated)) return notFound();
      const base = `http://${req.headers.host}${prefix}/repos/${repo.owner}/${repo.name}`;

      if (WRITE_ROUTES.has(route) || route === ROUTES.listPulls || route === ROUTES.getPull || route === ROUTES.listComments) {
        return writes(route, repo, body, url, last, presented, reply, headers, base);
      }
      if (route === ROUTES.repo) {
        return reply(
          200,
          {
            id: repo.id,
            node_id: `R_${repo.id}`,
            name: repo.name,
            full_name: `${repo.owner}/${repo.name}`,
            owner: { login: repo.owner, id: repo.id, type: 'Organization' },
            private: repo.private,
            visibility: repo.private ? 'private' : 'public',
            html_url: `${htmlUrl}/${repo.owner}/${repo.name}`,
            url: base,
            default_branch: repo.defaultBranch,
            archived: repo.health.archived ?? false,
            pushed_at: repo.health.pushedAt ?? '2026-01-01T00:00:00Z',
            fork: false,
          },
          headers,
        );
      }
      if (route === ROUTES.branch) {
        const sha = repo.branches.get(last);
        if (!sha) return reply(404, { message: 'Branch not found', documentation_url: DOCS, status: '404' }, headers);
        return reply(200, { name: last, commit: { sha, url: `${base}/commits/${sha}` }, protected: false }, headers);
      }
      if (route === ROUTES.commit) {
        const sha = resolveCommit(repo, last);
        if (!sha) return reply(422, { message: `No commit found for SHA: ${last}`, documentation_url: DOCS, status: '422' }, headers);
        if ((req.headers.accept ?? '').includes('application/vnd.github.sha')) return reply(200, sha, headers);
        const commit = objects.get(sha) as Extract<GitObject, { type: 'commit' }>;
        return reply(200, { sha, commit: { tree: { sha: commit.tree }, message: commit.message }, parents: commit.parent ? [{ sha: commit.parent }] : [] }, headers);
      }
      if (route === ROUTES.tree) {
        const target = objects.get(last);
        const treeSha = target?.type === 'commit' ? target.tree : target?.type === 'tree' ? last : (() => {
          const head = resolveCommit(repo, last);
          const commit = head ? objects.get(head) : undefined;
          return commit?.type === 'commit' ? commit.tree : undefined;
        })();
        if (!treeSha) return notFound();
        const recursive = url.searchParams.has('recursive');
        let tree = treeListing(treeSha, recursive, base);
        const limit = options.truncateTreesOver;
        const truncated = recursive && limit !== undefined && tree.length > limit;
        if (truncated) tree = tree.slice(0, limit);
        return reply(200, { sha: treeSha, url: `${base}/git/trees/${treeSha}`, tree, truncated }, headers);
      }
      if (route === ROUTES.compare) {
        const [baseRef = '', headRef = ''] = last.split('...');
        const baseSha = resolveCommit(repo, baseRef);
        const headSha = resolveCommit(repo, headRef);
        if (!baseSha || !headSha) return notFound();
        const ancestors = (sha: string | null): string[] => {
          const out: string[] = [];
          for (let at = sha; at; at = (objects.get(at) as Extract<GitObject, { type: 'commit' }>).parent) out.push(at);
          return out;
        };
        const ofHead = new Set(ancestors(headSha));
        const mergeBase = ancestors(baseSha).find((sha) => ofHead.has(sha));
        if (!mergeBase) return reply(404, { message: `No common ancestor between ${baseRef} and ${headRef}.`, documentation_url: DOCS, status: '404' }, headers);
        const behind = ancestors(baseSha).indexOf(mergeBase);
        const ahead = ancestors(headSha).indexOf(mergeBase);
        return reply(200, { base_commit: { sha: baseSha }, merge_base_commit: { sha: mergeBase }, status: ahead && behind ? 'diverged' : ahead ? 'ahead' : behind ? 'behind' : 'identical', ahead_by: ahead, behind_by: behind, commits: [], files: [] }, headers);
      }
      if (route === ROUTES.tarball) {
        const sha = resolveCommit(repo, last);
        if (!sha) return notFound();
        status = 302;
        res.writeHead(302, { ...headers, location: `http://${req.headers.host}${prefix}/_codeload/${repo.owner}/${repo.name}/legacy.tar.gz/${sha}` });
        res.end();
        return;
      }
      if (route === ROUTES.codeload) {
        const commit = objects.get(last);
        if (commit?.type !== 'commit') return notFound();
        const bytes = archiveOverrides.get(repoKey(repo.owner, repo.name)) ?? (await archiveOf(repo, last, commit.files));
        res.writeHead(200, { 'content-type': 'application/x-gzip', 'content-length': String(bytes.length), 'content-disposition': `attachment; filename=${repo.owner}-${repo.name}-${last.slice(0, 7)}.tar.gz` });
        res.end(bytes);
        return;
      }
      if (route === ROUTES.blob) {
        const blob = objects.get(last);
        if (blob?.type !== 'blob') return notFound();
        const content = (blob.bytes.toString('base64').match(/.{1,60}/g) ?? []).join('\n');
        return reply(
          200,
          { sha: last, node_id: `B_${last.slice(0, 8)}`, size: blob.bytes.length, url: `${base}/git/blobs/${last}`, content: content ? `${content}\n` : '', encoding: 'base64' },
          headers,
        );
      }
      return notFound();
    } finally {
      record();
    }
  }

  // ---- archives ----------------------------------------------------------------------------------
  const archiveOverrides = new Map<string, Buffer>();
  const archives = new Map<string, Buffer>();
  /** A commit's files as GitHub archives them: one top folder `owner-repo-sha7/`, links as links. */
  const archiveOf = async (repo: RepoState, sha: string, files: Map<string, FakeFile>): Promise<Buffer> => {
    const cached = archives.get(sha);
    if (cached) return cached;
    const top = `${repo.owner}-${repo.name}-${sha.slice(0, 7)}/`;
    const entries = [...files].filter(([, content]) => typeof content === 'string' || !('submodule' in content)).sort(([a], [b]) => (a < b ? -1 : 1)).map(([name, content]) => (typeof content !== 'string' && 'symlink' in content ? { name, symlinkTo: content.symlink } : { name, content: blobText(content) }));
    const bytes = await makeTarball(entries, top);
    archives.set(sha, bytes);
    return bytes;
  };

  /** A blob as a file of the tree: a plain file whose bytes are not UTF-8 text stays those bytes. */
  const fileOf = (mode: string, bytes: Buffer): FakeFile => {
    const text = bytes.toString('utf8');
    if (mode === '120000') return symlinkTo(text);
    if (mode === '100755') return executable(text);
    return Buffer.from(text, 'utf8').equals(bytes) ? text : fileBytes(bytes);
  };

  const filesOfTree = (treeSha: string): Map<string, FakeFile> => {
    const files = new Map<string, FakeFile>();
    for (const e of treeListing(treeSha, true, '')) {
      if (e.type !== 'blob') continue;
      const blob = objects.get(e.sha as string);
      if (blob?.type === 'blob') files.set(e.path as string, fileOf(e.mode as string, blob.bytes));
    }
    return files;
  };

  const pullJson = (repo: RepoState, p: FakePull) => ({
    number: p.number,
    title: p.title,
    body: p.body,
    state: p.state,
    merged: p.merged,
    merged_at: p.merged ? '2026-01-02T00:00:00Z' : null,
    html_url: `${htmlUrl}/${repo.owner}/${repo.name}/pull/${p.number}`,
    // As GitHub answers: each side's commit (the branch's head now; a deleted one's is gone here).
    head: { ref: p.head, label: `${repo.owner}:${p.head}`, sha: repo.branches.get(p.head) ?? null },
    base: { ref: p.base, sha: repo.branches.get(p.base) ?? null },
  });

  function writes(
    route: string,
    repo: RepoState,
    rawBody: string,
    url: URL,
    last: string,
    presented: string | undefined,
    reply: (code: number, body: unknown, headers?: Record<string, string>) => void,
    headers: Record<string, string>,
    base: string,
  ): void {
    const invalid = (message: string) => reply(422, { message, documentation_url: DOCS, status: '422' }, headers);
    if (route === ROUTES.listPulls) {
      const head = url.searchParams.get('head');
      const baseRef = url.searchParams.get('base');
      const state = url.searchParams.get('state') ?? 'open';
      const list = repo.pulls.filter((p) => (!head || `${repo.owner}:${p.head}` === head) && (!baseRef || p.base === baseRef) && (state === 'all' || p.state === state));
      return reply(200, list.map((p) => pullJson(repo, p)), headers);
    }
    if (route === ROUTES.getPull) {
      const p = repo.pulls.find((x) => x.number === Number(last));
      return p ? reply(200, pullJson(repo, p), headers) : reply(404, { message: 'Not Found', documentation_url: DOCS, status: '404' }, headers);
    }
    if (route === ROUTES.listComments) return reply(200, repo.comments.filter((c) => c.number === Number(last)).map((c) => commentJson(repo, c, base)), headers);
    if (!presented || !(options.writeTokens ?? []).includes(presented)) {
      return reply(403, { message: 'Resource not accessible by personal access token', documentation_url: DOCS, status: '403' }, headers);
    }
    let body: Record<string, unknown>;
    try {
      body = JSON.parse(rawBody) as Record<string, unknown>;
    } catch {
      return reply(400, { message: 'Problems parsing JSON', documentation_url: DOCS, status: '400' }, headers);
    }
    if (route === ROUTES.createComment || route === ROUTES.updateComment) return commentWrite(route, repo, body, last, reply, headers, base);
    if (route === ROUTES.createBlob) {
      if (typeof body.content !== 'string') return invalid('Invalid request. "content" wasn\'t supplied.');
      // Base64 content is stored as the very bytes sent (a UTF-16 file stays UTF-16), as GitHub stores it.
      const sha = writeBlob(body.encoding === 'base64' ? Buffer.from(body.content, 'base64') : body.content);
      return reply(201, { sha, url: `${base}/git/blobs/${sha}` }, headers);
    }
    if (route === ROUTES.createTree) {
      const baseTree = typeof body.base_tree === 'string' ? objects.get(body.base_tree) : undefined;
      if (body.base_tree !== undefined && baseTree?.type !== 'tree') return invalid('base_tree is not a valid tree oid');
      const files = body.base_tree ? filesOfTree(body.base_tree as string) : new Map<string, FakeFile>();
      for (const item of (body.tree as { path?: unknown; mode?: unknown; type?: unknown; sha?: unknown }[] | undefined) ?? []) {
        const blob = typeof item.sha === 'string' ? objects.get(item.sha) : undefined;
        if (typeof item.path !== 'string' || !['100644', '100755', '120000'].includes(String(item.mode)) || item.type !== 'blob' || blob?.type !== 'blob') return invalid('tree.sha is not a valid blob');
        files.set(item.path, fileOf(String(item.mode), blob.bytes));
      }
      const sha = writeTree(files);
      return reply(201, { sha, url: `${base}/git/trees/${sha}`, tree: treeListing(sha, false, base), truncated: false }, headers);
    }
    if (route === ROUTES.createCommit) {
      const tree = typeof body.tree === 'string' ? objects.get(body.tree) : undefined;
      const parents = Array.isArray(body.parents) ? (body.parents as unknown[]) : [];
      if (tree?.type !== 'tree') return invalid('Tree SHA does not exist');
      if (parents.some((p) => typeof p !== 'string' || objects.get(p)?.type !== 'commit')) return invalid('Parent SHA does not exist or is not a commit object');
      const files = filesOfTree(body.tree as string);
      const parent = (parents[0] as string | undefined) ?? null;
      const sha = writeCommit(files, parent, String(body.message ?? ''));
      return reply(201, { sha, tree: { sha: body.tree }, parents: parents.map((p) => ({ sha: p })), message: body.message }, headers);
    }
    if (route === ROUTES.createRef) {
      const ref = typeof body.ref === 'string' ? body.ref : '';
      const sha = typeof body.sha === 'string' ? body.sha : '';
      if (!/^refs\/heads\/[^\s~^:?*[\\]+$/.test(ref)) return invalid('Reference name is not valid');
      if (objects.get(sha)?.type !== 'commit') return invalid('Object does not exist');
      const branch = ref.slice('refs/heads/'.length);
      if (repo.branches.has(branch)) return invalid('Reference already exists');
      repo.branches.set(branch, sha);
      return reply(201, { ref, object: { sha, type: 'commit' } }, headers);
    }
    // createPull
    const head = String(body.head ?? '');
    const baseBranch = String(body.base ?? '');
    if (!repo.branches.has(head)) return invalid('Validation Failed: head does not exist');
    if (!repo.branches.has(baseBranch)) return invalid('Validation Failed: base does not exist');
    if (repo.pulls.some((p) => p.head === head && p.state === 'open')) return invalid(`A pull request already exists for ${repo.owner}:${head}.`);
    const pull: FakePull = { number: repo.pulls.length + 1, title: String(body.title ?? ''), body: String(body.body ?? ''), head, base: baseBranch, state: 'open', merged: false };
    repo.pulls.push(pull);
    return reply(201, pullJson(repo, pull), headers);
  }

  let nextCommentId = 9001;
  const commentJson = (repo: RepoState, c: FakeComment, base: string) => ({
    id: c.id,
    body: c.body,
    html_url: `${htmlUrl}/${repo.owner}/${repo.name}/pull/${c.number}#issuecomment-${c.id}`,
    url: `${base}/issues/comments/${c.id}`,
    user: { login: 'depwatch[bot]' },
  });

  /** POST …/issues/{n}/comments and PATCH …/issues/comments/{id}, once `writes` has checked the token and the JSON. */
  function commentWrite(
    route: string,
    repo: RepoState,
    body: Record<string, unknown>,
    last: string,
    reply: (code: number, body: unknown, headers?: Record<string, string>) => void,
    headers: Record<string, string>,
    base: string,
  ): void {
    const text = body.body;
    if (typeof text !== 'string' || text.length > 65536) return reply(422, { message: 'Validation Failed: body is too long (maximum is 65536 characters)', documentation_url: DOCS, status: '422' }, headers);
    if (route === ROUTES.createComment) {
      const number = Number(last);
      if (!repo.reviewPulls.has(number) && !repo.pulls.some((p) => p.number === number)) return reply(404, { message: 'Not Found', documentation_url: DOCS, status: '404' }, headers);
      const c: FakeComment = { id: nextCommentId++, number, body: text, updates: 0 };
      repo.comments.push(c);
      return reply(201, commentJson(repo, c, base), headers);
    }
    const c = repo.comments.find((x) => x.id === Number(last));
    if (!c) return reply(404, { message: 'Not Found', documentation_url: DOCS, status: '404' }, headers);
    c.body = text;
    c.updates++;
    return reply(200, commentJson(repo, c, base), headers);
  }

  function installationToken(installationId: string, authHeader: string, reply: (code: number, body: unknown, headers?: Record<string, string>) => void, headers: Record<string, string>): void {
    const app = options.app;
    const jwt = /^bearer\s+(.+)$/i.exec(authHeader)?.[1];
    if (!app || !jwt || !verifyJwt(jwt, app)) {
      return reply(401, { message: 'A JSON web token could not be decoded', documentation_url: DOCS, status: '401' }, headers);
    }
    if (Number(installationId) !== app.installationId) return reply(404, { message: 'Not Found', documentation_url: DOCS, status: '404' }, headers);
    const token = `ghs_fake${createHash('sha1').update(String(nextId++)).digest('hex').slice(0, 32)}`;
    tokens.add(token);
    return reply(
      201,
      { token, expires_at: new Date(Date.now() + 3_600_000).toISOString(), permissions: { contents: 'read', metadata: 'read' }, repository_selection: 'all' },
      headers,
    );
  }

  function graphql(body: string, authenticated: boolean, reply: (code: number, body: unknown, headers?: Record<string, string>) => void, headers: Record<string, string>): void {
    if (!authenticated) return reply(401, { message: 'This endpoint requires you to be authenticated.', documentation_url: 'https://docs.github.com/graphql/guides/forming-calls-with-graphql#authenticating-with-graphql' }, headers);
    let parsed: { query?: unknown; variables?: Record<string, unknown> };
    try {
      parsed = JSON.parse(body) as typeof parsed;
    } catch {
      return reply(400, { message: 'Problems parsing JSON', documentation_url: DOCS });
    }
    const query = typeof parsed.query === 'string' ? parsed.query : '';
    const variables = parsed.variables ?? {};
    const value = (token: string): string => (token.startsWith('$') ? String(variables[token.slice(1)] ?? '') : (JSON.parse(token) as string));
    const data: Record<string, unknown> = {};
    const errors: unknown[] = [];
    const alias = /(\w+)\s*:\s*repository\s*\(\s*owner\s*:\s*(\$\w+|"[^"]*")\s*,\s*name\s*:\s*(\$\w+|"[^"]*")\s*\)\s*\{/g;
    for (let m = alias.exec(query); m; m = alias.exec(query)) {
      const bodyEnd = matchingBrace(query, alias.lastIndex - 1);
      const selection = query.slice(alias.lastIndex, bodyEnd);
      const owner = value(m[2]!);
      const name = value(m[3]!);
      const repo = repos.get(repoKey(owner, name));
      if (!repo || (repo.private && !authenticated)) {
        data[m[1]!] = null;
        errors.push({ type: 'NOT_FOUND', path: [m[1]], locations: [{ line: 1, column: 1 }], message: `Could not resolve to a Repository with the name '${owner}/${name}'.` });
        continue;
      }
      const listingFailure = selection.includes('pullRequests(') ? listingFailures.get(repoKey(repo.owner, repo.name)) : undefined;
      if (listingFailure) {
        // pullRequests is non-null in GitHub's schema: its error nulls the whole repository.
        data[m[1]!] = null;
        errors.push({ type: listingFailure.type, path: [m[1], 'pullRequests'], locations: [{ line: 1, column: 1 }], message: listingFailure.message });
        continue;
      }
      const head = repo.branches.get(repo.defaultBranch);
      const node: Record<string, unknown> = {
        isPrivate: repo.private,
        defaultBranchRef: head ? { name: repo.defaultBranch, target: { oid: head } } : null,
      };
      const refArg = /ref\s*\(\s*qualifiedName\s*:\s*(\$\w+|"[^"]*")\s*\)/.exec(selection);
      if (refArg) {
        const oid = resolveCommit(repo, value(refArg[1]!));
        node.ref = oid ? { target: { oid } } : null;
      }
      const filesArgs = /files\s*\(\s*first\s*:\s*(\d+)\s*(?:,\s*after\s*:\s*(\$\w+|"[^"]*")\s*)?\)/.exec(selection);
      const page = { first: Number(filesArgs?.[1] ?? 100), after: filesArgs?.[2] ? value(filesArgs[2]) : null };
      if (selection.includes('pullRequests(')) {
        const first = Number(/pullRequests\s*\([^)]*first\s*:\s*(\d+)/.exec(selection)?.[1] ?? 20);
        const open = [...repo.reviewPulls.values()].filter((p) => p.state === 'OPEN');
        node.pullRequests = { totalCount: open.length, nodes: open.slice(0, first).map((p, i) => {
          const pull = pullNode(repo, p, page);
          if (!hiddenFiles.has(`${repoKey(repo.owner, repo.name)}#${p.number}`)) return pull;
          errors.push({ type: 'SERVICE_UNAVAILABLE', path: [m[1], 'pullRequests', 'nodes', i, 'files'], locations: [{ line: 1, column: 1 }], message: 'Loading the changed files of this pull request timed out.' });
          return { ...pull, files: null };
        }) };
      }
      const pullAlias = /(\w+)\s*:\s*pullRequest\s*\(\s*number\s*:\s*(\d+)\s*\)/g;
      for (let p = pullAlias.exec(selection); p; p = pullAlias.exec(selection)) {
        const pull = repo.reviewPulls.get(Number(p[2]));
        // One pull request read whole (`depwatch review`): as the listing reads each, with its state;
        // a number with none is null with GitHub's NOT_FOUND error on that field.
        if (selection.includes('baseRefOid') && !selection.includes('pullRequests(')) {
          node[p[1]!] = pull ? { ...pullNode(repo, pull, page), state: pull.state } : null;
          if (!pull) errors.push({ type: 'NOT_FOUND', path: [m[1], p[1]], locations: [{ line: 1, column: 1 }], message: `Could not resolve to a PullRequest with the number of ${p[2]}.` });
          continue;
        }
        node[p[1]!] = pull ? { state: pull.state, headRefOid: pull.closedHead ?? repo.branches.get(pull.head) ?? null, ...(filesArgs && !selection.includes('pullRequests(') ? { files: pullNode(repo, pull, page).files } : {}) } : null;
      }
      const blobAlias = /(\w+)\s*:\s*object\s*\(\s*expression\s*:\s*(\$\w+)\s*\)/g;
      for (let b = blobAlias.exec(selection); b; b = blobAlias.exec(selection)) {
        textsRead.push(`${owner}/${name}@${value(b[2]!)}`);
        const [oid = '', ...rest] = value(b[2]!).split(':');
        const commit = objects.get(oid);
        const content = commit?.type === 'commit' ? commit.files.get(rest.join(':')) : undefined;
        const text = textOf(content);
        const cut = text !== null && textLimit !== null && Buffer.byteLength(text) > textLimit;
        const folder = content === undefined && commit?.type === 'commit' && [...commit.files.keys()].some((p) => p.startsWith(`${rest.join(':')}/`));
        // A folder (`oid:` the root, `oid:src` another), asked for its entries: each name in it, a
        // file (blob), a folder (tree) or a git submodule (commit, as GitHub's TreeEntry types one,
        // its oid the submodule's commit).
        if ((rest.join(':') === '' || folder) && commit?.type === 'commit' && selection.includes('entries')) {
          const prefix = rest.join(':') === '' ? '' : `${rest.join(':')}/`;
          const entries = new Map<string, { type: string; oid: string }>();
          for (const [path, file] of commit.files) {
            if (!path.startsWith(prefix)) continue;
            const inside = path.slice(prefix.length);
            const slash = inside.indexOf('/');
            const submodule = slash < 0 && typeof file !== 'string' && 'submodule' in file ? file.submodule : null;
            entries.set(slash < 0 ? inside : inside.slice(0, slash), slash >= 0 ? { type: 'tree', oid: '' } : submodule !== null ? { type: 'commit', oid: submodule } : { type: 'blob', oid: '' });
          }
          node[b[1]!] = { __typename: 'Tree', entries: [...entries].map(([entry, { type, oid }]) => ({ name: entry, type, ...(selection.includes('oid') ? { oid } : {}) })) };
        }
        // A folder is a Tree: GitHub answers it with none of the `... on Blob` fields.
        else if (folder) node[b[1]!] = selection.includes('__typename') ? { __typename: 'Tree' } : {};
        else node[b[1]!] = text !== null ? { __typename: 'Blob', text: cut ? Buffer.from(text).subarray(0, textLimit!).toString('utf8') : text, isTruncated: cut, isBinary: false } : null;
      }
      if (selection.includes('isSecurityPolicyEnabled')) Object.assign(node, healthNode(repo, head, variables));
      data[m[1]!] = node;
    }
    if (Object.keys(data).length === 0) return reply(200, { errors: [{ message: 'fake GitHub: only the heads query (aliased repository fields) is supported' }] }, headers);
    return reply(200, errors.length ? { data, errors } : { data }, headers);
  }

  /** An open pull request as the listing query reads it: head, base and one page of the paths that differ (cursor: the index after the page). */
  function pullNode(repo: RepoState, pull: ReviewPull, page: { first: number; after: string | null }): Record<string, unknown> {
    const headOid = repo.branches.get(pull.head)!;
    const baseOid = repo.branches.get(pull.base)!;
    const filesOf = (oid: string) => {
      const c = objects.get(oid);
      return c?.type === 'commit' ? c.files : new Map<string, FakeFile>();
    };
    const a = filesOf(baseOid);
    const b = filesOf(headOid);
    const changed = [...new Set([...a.keys(), ...b.keys()])].filter((p) => JSON.stringify(a.get(p)) !== JSON.stringify(b.get(p))).sort();
    const from = page.after === null ? 0 : Number(page.after.replace(/^cursor:/, ''));
    const listed = changed.slice(from, from + page.first);
    const end = from + listed.length;
    return {
      number: pull.number,
      title: pull.title,
      url: `${htmlUrl}/${repo.owner}/${repo.name}/pull/${pull.number}`,
      headRefOid: headOid,
      baseRefOid: baseOid,
      files: { totalCount: changed.length, pageInfo: { hasNextPage: end < changed.length, endCursor: listed.length ? `cursor:${end}` : null }, nodes: listed.map((path) => ({ path })) },
    };
  }

  /** The fields of the package health query, computed from the repository's files and health data. */
  function healthNode(repo: RepoState, head: string | undefined, variables: Record<string, unknown>): Record<string, unknown> {
    const commit = head ? objects.get(head) : undefined;
    const files = commit?.type === 'commit' ? [...commit.files.keys()] : [];
    const root = [...new Set(files.map((f) => f.split('/')[0]!))].sort();
    const workflows = files.filter((f) => /^\.github\/workflows\/[^/]+$/.test(f)).map((f) => f.slice('.github/workflows/'.length));
    const since = Date.parse(String(variables.since ?? '1970-01-01T00:00:00Z'));
    const commits = (repo.health.commits ?? []).filter((c) => Date.parse(c.date) >= since);
    const issueCount = Number(variables.issues ?? 20);
    const commentCount = Number(variables.comments ?? 20);
    return {
      nameWithOwner: `${repo.owner}/${repo.name}`,
      isArchived: repo.health.archived ?? false,
      pushedAt: repo.health.pushedAt ?? '2026-01-01T00:00:00Z',
      // GitHub looks for SECURITY.md in the root, .github/ and docs/.
      isSecurityPolicyEnabled: files.some((f) => /^(\.github\/|docs\/)?security\.md$/i.test(f)),
      workflows: workflows.length ? { entries: workflows.map((name) => ({ name })) } : null,
      root: head ? { entries: root.map((name) => ({ name })) } : null,
      defaultBranchRef: head
        ? {
            name: repo.defaultBranch,
            target: {
              oid: head,
              history: {
                totalCount: commits.length,
                nodes: commits.slice(0, Number(variables.commits ?? 100)).map((c) => ({ author: { email: c.email ?? null, user: c.login ? { login: c.login } : null } })),
              },
            },
          }
        : null,
      issues: {
        nodes: (repo.health.issues ?? []).slice(0, issueCount).map((i) => ({
          createdAt: i.createdAt,
          authorAssociation: i.authorAssociation,
          comments: { nodes: (i.comments ?? []).slice(0, commentCount) },
        })),
      },
    };
  }

  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;

  return {
    url: `http://127.0.0.1:${port}${prefix}`,
    htmlUrl,
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.closeAllConnections();
        server.close((err) => (err ? reject(err) : resolve()));
      }),
    addRepo,
    pushCommit,
    openPullRequest(owner, name, pull) {
      const repo = mustRepo(owner, name);
      repo.reviewPulls.set(pull.number, { number: pull.number, title: pull.title, head: pull.head, base: pull.base ?? repo.defaultBranch, state: 'OPEN' });
    },
    hidePullRequestFiles(owner, name, number, hidden) {
      mustRepo(owner, name);
      const key = `${repoKey(owner, name)}#${number}`;
      if (hidden) hiddenFiles.add(key);
      else hiddenFiles.delete(key);
    },
    setPullRequestState(owner, name, number, state) {
      const pull = mustRepo(owner, name).reviewPulls.get(number);
      if (!pull) throw new Error(`fake GitHub: no pull request ${owner}/${name}#${number}`);
      pull.closedHead = mustRepo(owner, name).branches.get(pull.head);
      pull.state = state;
    },
    headSha: (owner, name, branch) => {
      const repo = mustRepo(owner, name);
      const sha = repo.branches.get(branch ?? repo.defaultBranch);
      if (!sha) throw new Error(`fake GitHub: ${owner}/${name} has no branch ${branch ?? repo.defaultBranch}`);
      return sha;
    },
    setRateLimited: (limit) => {
      limitSwitch = limit ? { ...limit } : null;
    },
    failPullRequestListing(owner, name, error) {
      if (error) listingFailures.set(repoKey(owner, name), error);
      else listingFailures.delete(repoKey(owner, name));
    },
    failRequests: (f) => {
      failure = f ? { ...f } : null;
    },
    truncateTextsOver: (bytes) => {
      textLimit = bytes;
    },
    setLatency: (ms) => {
      latencyMs = ms;
    },
    count: (route) => counts.get(route) ?? 0,
    counts: () => Object.fromEntries(counts),
    totalRequests: () => [...counts.values()].reduce((a, b) => a + b, 0),
    resetCounts: () => {
      counts.clear();
      requests.length = 0;
      textsRead.length = 0;
    },
    requests,
    textsRead,
    pulls: (owner, name) => mustRepo(owner, name).pulls.map((p) => ({ ...p })),
    setPullState: (owner, name, number, state) => {
      const pull = mustRepo(owner, name).pulls.find((p) => p.number === number);
      if (!pull) throw new Error(`fake GitHub: no pull request #${number}`);
      pull.state = state === 'open' ? 'open' : 'closed';
      pull.merged = state === 'merged';
    },
    setPullBase: (owner, name, number, base) => {
      const pull = mustRepo(owner, name).pulls.find((p) => p.number === number);
      if (!pull) throw new Error(`fake GitHub: no pull request #${number}`);
      pull.base = base;
    },
    deleteBranch: (owner, name, branch) => {
      mustRepo(owner, name).branches.delete(branch);
    },
    branchFiles: (owner, name, branch) => {
      const sha = mustRepo(owner, name).branches.get(branch);
      const commit = sha ? objects.get(sha) : undefined;
      if (commit?.type !== 'commit') return undefined;
      return Object.fromEntries([...commit.files].map(([path, content]) => [path, blobText(content)]));
    },
    branchBytes: (owner, name, branch) => {
      const sha = mustRepo(owner, name).branches.get(branch);
      const commit = sha ? objects.get(sha) : undefined;
      if (commit?.type !== 'commit') return undefined;
      return Object.fromEntries([...commit.files].map(([path, content]) => [path, blobBytes(content)]));
    },
    branchModes: (owner, name, branch) => {
      const sha = mustRepo(owner, name).branches.get(branch);
      const commit = sha ? objects.get(sha) : undefined;
      if (commit?.type !== 'commit') return undefined;
      return Object.fromEntries([...commit.files].map(([path, content]) => [path, modeOf(content)]));
    },
    comments: (owner, name, number) => mustRepo(owner, name).comments.filter((c) => c.number === number).map((c) => ({ ...c })),
    deleteComment: (owner, name, id) => {
      const repo = mustRepo(owner, name);
      repo.comments = repo.comments.filter((c) => c.id !== id);
    },
    setArchive: (owner, name, bytes) => {
      if (bytes) archiveOverrides.set(repoKey(owner, name), bytes);
      else archiveOverrides.delete(repoKey(owner, name));
    },
    commitParent: (sha) => {
      const commit = objects.get(sha);
      return commit?.type === 'commit' ? commit.parent : null;
    },
  };
}

const WRITE_ROUTES = new Set<string>([ROUTES.createBlob, ROUTES.createTree, ROUTES.createCommit, ROUTES.createRef, ROUTES.createPull, ROUTES.createComment, ROUTES.updateComment]);

function matchingBrace(text: string, open: number): number {
  let depth = 0;
  for (let i = open; i < text.length; i++) {
    if (text[i] === '{') depth++;
    else if (text[i] === '}' && --depth === 0) return i;
  }
  return text.length;
}

/** RS256 JWT as octokit's App auth signs it: header.payload.signature, `iss` = the App id. */
function verifyJwt(jwt: string, app: { appId: string; publicKey: string | KeyObject }): boolean {
  const [header, payload, signature] = jwt.split('.');
  if (!header || !payload || !signature) return false;
  try {
    const key = typeof app.publicKey === 'string' ? createPublicKey(app.publicKey) : app.publicKey;
    if (!verify('RSA-SHA256', Buffer.from(`${header}.${payload}`), key, Buffer.from(signature, 'base64url'))) return false;
    const claims = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as { iss?: unknown; exp?: unknown };
    return String(claims.iss) === String(app.appId) && typeof claims.exp === 'number' && claims.exp * 1000 > Date.now();
  } catch {
    return false;
  }
}
