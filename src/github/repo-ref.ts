/**
 * Parses what people type to name a repository: `owner/repo`, `owner/repo@branch`,
 * `https://github.com/owner/repo`, `…/tree/<branch>`, a `.git` suffix, `git@github.com:owner/repo.git`,
 * trailing slashes, and Slack's `<url|label>` wrapping. Names are checked against GitHub's rules so a
 * typo gets a clear message instead of a confusing 404.
 */

export interface RepoRef {
  owner: string;
  repo: string;
  /** Branch (or tag) to read; absent means the repository's default branch. */
  branch?: string;
}

export class RepoRefError extends Error {
  override name = 'RepoRefError';
}

export interface ParseRepoRefOptions {
  /**
   * Web hosts whose URLs are accepted (lower case). Defaults to github.com; add the GitHub Enterprise
   * Server host (see htmlHostFromApiUrl) when GITHUB_API_URL points at one.
   */
  hosts?: string[];
}

const DEFAULT_HOSTS = ['github.com', 'www.github.com'];

/**
 * Owners (users and organisations): letters, digits and hyphens, not starting with a hyphen, at most
 * 39 characters. Underscores are allowed after the first character because Enterprise Managed Users
 * are named `handle_shortcode`; trailing and doubled hyphens exist on old accounts, so they pass too.
 */
const OWNER = /^[A-Za-z0-9][A-Za-z0-9_-]{0,38}$/;
/** Repositories: letters, digits, `.`, `-`, `_`, at most 100 characters, never `.` or `..`. */
const REPO = /^[A-Za-z0-9._-]{1,100}$/;

export function isValidOwner(owner: string): boolean {
  return OWNER.test(owner);
}

export function isValidRepoName(repo: string): boolean {
  return REPO.test(repo) && repo !== '.' && repo !== '..';
}

/**
 * Git's ref-name rules (git check-ref-format), which GitHub enforces for branch names: no spaces or
 * control characters, none of `~^:?*[\`, no `..`, no `@{`, no component starting with `.` or ending
 * with `.lock`, and no leading, trailing or doubled `/`.
 */
export function isValidBranchName(branch: string): boolean {
  if (branch.length === 0 || branch.length > 255 || branch === '@') return false;
  // eslint-disable-next-line no-control-regex
  if (/[\x00-\x20\x7f~^:?*[\\]/.test(branch)) return false;
  if (branch.includes('..') || branch.includes('@{') || branch.includes('//')) return false;
  if (branch.startsWith('/') || branch.endsWith('/') || branch.endsWith('.')) return false;
  return branch.split('/').every((part) => !part.startsWith('.') && !part.endsWith('.lock'));
}

/**
 * The branch a ref names, as the snapshot reads refs: `refs/heads/<b>` and a bare `<b>` are branch b;
 * any other `refs/…` (a tag) and a full commit sha are no branch (null), without asking GitHub.
 */
export function branchOfRef(ref: string): string | null {
  const branch = ref.startsWith('refs/heads/') ? ref.slice('refs/heads/'.length) : ref;
  return branch.startsWith('refs/') || /^[0-9a-f]{40}$/i.test(branch) ? null : branch;
}

/** The web host that goes with an API base URL: api.github.com → github.com, GHES `https://h/api/v3` → h. */
export function htmlHostFromApiUrl(apiUrl: string): string {
  const host = new URL(apiUrl).host.toLowerCase();
  return host === 'api.github.com' ? 'github.com' : host;
}

export function formatRepoRef(ref: RepoRef): string {
  return ref.branch ? `${ref.owner}/${ref.repo}@${ref.branch}` : `${ref.owner}/${ref.repo}`;
}

/**
 * The pull request a repository URL points into (`…/owner/repo/pull/7/files` → 7), which parseRepoRef
 * reads as the repository alone: the caller says the number was ignored rather than audit the
 * default branch silently. Null for anything else.
 */
export function pullRequestInUrl(input: string): number | null {
  const text = input.trim().replace(/^<([^|>]+)(?:\|[^>]*)?>$/, '$1');
  // Only a URL, as parseRepoRef reads one (a scheme, or a host with a dot first): `o/r@feat/x/pull/7`
  // is repository o/r at branch feat/x/pull/7, which names no pull request.
  const match = /^(?:[a-z][a-z0-9+.-]*:\/\/[^/\s]+|[^/@\s]+\.[^/@\s]+)\/[^/@\s]+\/[^/@\s]+\/pulls?\/(\d{1,9})(?:[/?#]|$)/i.exec(text);
  return match ? Number(match[1]) : null;
}

/** Parses `input` or throws RepoRefError with a message meant for the person who typed it. */
export function parseRepoRef(input: string, options: ParseRepoRefOptions = {}): RepoRef {
  const hosts = (options.hosts ?? DEFAULT_HOSTS).map((h) => h.toLowerCase());
  let text = input.trim();
  // Slack sends links as <https://github.com/o/r> or <https://github.com/o/r|github.com/o/r>.
  const slackLink = /^<([^|>]+)(?:\|[^>]*)?>$/.exec(text);
  if (slackLink) text = slackLink[1]!.trim();
  if (!text) throw new RepoRefError('give a repository as owner/repo, owner/repo@branch or a GitHub URL');

  const ssh = /^(?:ssh:\/\/)?git@([^:/]+)[:/](.+)$/.exec(text);
  if (ssh) {
    checkHost(ssh[1]!, hosts, input);
    return fromPath(ssh[2]!, input, false);
  }

  const hasScheme = /^[a-z][a-z0-9+.-]*:\/\//i.test(text);
  const looksLikeHost = /^[^/@\s]+\.[^/@\s]+\//.test(text) && !hasScheme;
  if (hasScheme || looksLikeHost) {
    let url: URL;
    try {
      url = new URL(hasScheme ? text : `https://${text}`);
    } catch {
      throw new RepoRefError(`"${input}" is not a valid URL`);
    }
    if (url.protocol !== 'https:' && url.protocol !== 'http:') throw new RepoRefError(`"${input}": only http(s) GitHub URLs are understood`);
    checkHost(url.host, hosts, input);
    return fromPath(url.pathname, input, true);
  }
  return fromPath(text, input, false);
}

function checkHost(host: string, hosts: string[], input: string): void {
  if (!hosts.includes(host.toLowerCase())) {
    throw new RepoRefError(`"${input}" is not on ${hosts[0] ?? 'github.com'}; give owner/repo or a URL of the configured GitHub`);
  }
}

function fromPath(rawPath: string, input: string, isUrl: boolean): RepoRef {
  let path = rawPath.replace(/\/+$/, '').replace(/^\/+/, '');
  let branch: string | undefined;
  if (!isUrl) {
    // owner/repo@branch (the branch itself may contain "/" and "@").
    const at = path.indexOf('@');
    if (at >= 0) {
      branch = path.slice(at + 1);
      path = path.slice(0, at);
      if (!branch) throw new RepoRefError(`"${input}": nothing after "@"; write owner/repo@branch`);
    }
  }
  const parts = path.split('/');
  if (parts.length < 2 || !parts[0] || !parts[1]) {
    throw new RepoRefError(`"${input}" is not a repository: write owner/repo, owner/repo@branch or a GitHub URL`);
  }
  const owner = parts[0];
  const repo = parts[1].replace(/\.git$/i, '');
  const rest = parts.slice(2);
  if (rest.length > 0) {
    if (!isUrl) throw new RepoRefError(`"${input}" has too many parts: write owner/repo or owner/repo@branch`);
    if (rest[0] === 'blob') throw new RepoRefError(`"${input}" points at a file; give the repository URL (or …/tree/<branch>)`);
    // …/tree/<branch> names a branch (which may contain "/"); /issues, /pulls and the like name the repository.
    if (rest[0] === 'tree' && rest.length > 1) branch = decodePart(rest.slice(1).join('/'), input);
  }
  const decodedOwner = isUrl ? decodePart(owner, input) : owner;
  const decodedRepo = isUrl ? decodePart(repo, input) : repo;
  if (!isValidOwner(decodedOwner)) {
    throw new RepoRefError(`"${decodedOwner}" is not a valid GitHub owner (letters, digits and hyphens, at most 39, not starting with a hyphen)`);
  }
  if (!isValidRepoName(decodedRepo)) {
    throw new RepoRefError(`"${decodedRepo}" is not a valid GitHub repository name (letters, digits, ".", "-" and "_", at most 100)`);
  }
  if (branch !== undefined && !isValidBranchName(branch)) {
    throw new RepoRefError(`"${branch}" is not a valid branch name`);
  }
  return branch === undefined ? { owner: decodedOwner, repo: decodedRepo } : { owner: decodedOwner, repo: decodedRepo, branch };
}

function decodePart(part: string, input: string): string {
  try {
    return decodeURIComponent(part);
  } catch {
    throw new RepoRefError(`"${input}" has a malformed %-escape`);
  }
}
