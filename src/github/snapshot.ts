/**
 * A repository as the audit needs it: the manifest and interpreter files at the HEAD commit of a
 * branch. Costs: one call for the repository, one for the head sha, ONE recursive tree call, and one
 * call per blob whose sha has never been seen; every blob ever fetched is kept in SQLite by sha, so an
 * unchanged repository costs no blob request and a changed one only the blobs that changed. Files
 * under a path the commit's `.depwatch.yml` excludes are listed, not downloaded (the settings are
 * downloaded first). Then the files that the manifests read include, whatever their names or
 * `exclude:` (`-r ci/base.txt`, a pyproject.toml's dynamic dependencies file): the audit reads them,
 * as from a checkout. Found from what was downloaded, a level of includes a wave of blob requests
 * (bounded), so a tree whose includes are all manifests already downloaded costs nothing more.
 */
import { createHash } from 'node:crypto';
import { posix } from 'node:path';
import type { Octokit } from 'octokit';
import { mapLimit } from '../http.js';
import type { Logger } from '../log.js';
import { CONFIG_FILES, excluder, isMisnamedSettings } from '../audit/exclude.js';
import { settingsExcludes } from '../audit/tree-excludes.js';
import { formatForPath, isCompiledFrom, isManifestPath, isProjectContextPath, isSkippedDir, isUndecidedInput, pipToolsPairs } from '../python/discover.js';
import { namesOtherFiles } from '../python/formats/paths.js';
import type { ExtractError } from '../python/types.js';
import { treeSource, type FileSource, type TreeFile } from '../python/files.js';
import { maskSecrets } from '../redact.js';
import { MAX_INCLUDED_FILES, MAX_INCLUDE_LEVELS, reachedFrom } from '../python/includes.js';
import { declaresOtherCodec, decode, decodeLines } from '../scan/text.js';
import { errorLine } from '../error-line.js';
import type { Db } from '../store/db.js';
import { BlobCache } from './blob-cache.js';
import { GitHubServiceError, RateLimitError, RefNotFoundError, mayPass, rateLimitFromError, shortFailure, toGitHubError } from './errors.js';
import { branchOfRef, type RepoRef } from './repo-ref.js';
import { compareCodeUnits } from '../text-order.js';
import type { ManifestReads } from '../workers/jobs/manifest-reads.js';

export const DEFAULT_MAX_BLOB_BYTES = 5 * 1024 * 1024;
export const DEFAULT_CONCURRENCY = 8;
/** A truncated tree is walked directory by directory; past this many listings the rest is reported, not read. */
export const DEFAULT_MAX_TREE_REQUESTS = 500;

export interface SnapshotOptions {
  /** Manifest and lockfile paths to read; defaults to isManifestPath (the rules of `depwatch deps` discovery). */
  select?: (path: string) => boolean;
  /** Interpreter and settings files to read as well; defaults to isProjectContextPath. */
  selectInterpreter?: (path: string) => boolean;
  /** Whether a directory's contents count at all (not node_modules, virtualenvs…); defaults to discovery's skip list. */
  descend?: (dirPath: string) => boolean;
  maxBlobBytes?: number;
  /** Blob and subtree requests in flight at once. */
  concurrency?: number;
  maxTreeRequests?: number;
  maxIncludeLevels?: number;
  maxIncludedFiles?: number;
  logger?: Logger;
  /**
   * Called once GitHub has said what the repository is, before its branch or tree is read: throwing
   * stops the snapshot there (someone who may not see what it would show costs one request).
   */
  admit?: (repository: { owner: string; repo: string; private: boolean }) => void;
  /**
   * Called once the ref is resolved to a commit (after `admit`), before the tree is read: a Slack
   * audit shows its "Auditing…" from here, so a ref GitHub does not have is answered to the
   * requester alone, as a repository it does not show is.
   */
  resolved?: () => void;
  /**
   * The ref already resolved (lookUpRepository, the caller's own `admit`, then resolveCommit): the
   * snapshot starts at the tree, `admit` is not asked again.
   */
  resolution?: ResolvedCommit;
  /**
   * Whether to say which branch the ref names (`namedBranch`): one more request, which only a Slack
   * audit needs (its "Watch this repo" follows that branch); sweeps and the CLI leave it off.
   */
  nameBranch?: boolean;
  /**
   * Where the settings file and the manifests are parsed to tell what else to download (the bot:
   * worker threads, AuditRunner.reads, so a hostile setup.py never holds up Slack's acks); default:
   * this thread.
   */
  reads?: Pick<ManifestReads, 'reachedFrom' | 'settingsExcludes'>;
}

export interface SnapshotFile {
  path: string;
  /** The git blob sha: the cache key, and what changes when the content does. */
  sha: string;
  size: number;
  text: string;
  kind: 'manifest' | 'interpreter';
  /**
   * When the blob's bytes were not all UTF-8: where in `text` the U+FFFD that stand for invalid
   * sequences are (TreeFile.invalidUtf8), so the loader reads and refuses the same lines as in a
   * checkout. Such a blob is not cached (the cache keeps text only).
   */
  invalidUtf8?: number[];
  /** `text` is the blob's own bytes, one character each (TreeFile.ownBytes): its coding line declares a codec other than UTF-8. Not cached. */
  ownBytes?: true;
  /**
   * Where the content lives in the tree: `path` itself, or for a file read through a symbolic link,
   * the file the link names (what a change to the content must be written to; the link stays).
   */
  storedAt: string;
  /** The git mode of the tree entry at `storedAt` (100644, or 100755 for an executable file). */
  mode: string;
}

/** A file (or, with path null, a part of the tree) that could not be read; the rest of the snapshot stands. */
export interface SnapshotError {
  path: string | null;
  message: string;
  /** GitHub did not hand it over (a failed download): another snapshot of the same commit may read it (PartialReason.transient). */
  transient?: true;
}

export interface SnapshotStats {
  /** API calls issued by this snapshot (octokit's own retries not counted). */
  requests: number;
  treeRequests: number;
  blobsFetched: number;
  blobsCached: number;
  /** Whether the recursive tree call came back truncated and the tree was walked instead. */
  truncated: boolean;
}

export interface RepoSnapshot {
  owner: string;
  repo: string;
  /** The branch (or tag, or commit) that was read: the one asked for, else the default branch. */
  ref: string;
  /** The commit sha the files were read at. */
  sha: string;
  htmlUrl: string;
  private: boolean;
  defaultBranch: string;
  /**
   * The branch the request named, when it is a branch (refs/heads/<name>, at `sha`) other than the
   * default one; null for the default branch, a tag or a commit, or when not asked (`nameBranch`).
   * What a watch of the audit follows.
   */
  namedBranch: string | null;
  files: SnapshotFile[];
  /**
   * Files the snapshot would have read that the commit's `.depwatch.yml` excludes, never downloaded
   * (those a read manifest includes are in `files`). Listed so that a reader counts what was left
   * out exactly as it would with their content (snapshotSource lists them).
   */
  excluded: { path: string; kind: SnapshotFile['kind'] }[];
  /**
   * Every symbolic link (mode 120000) of the tree outside skipped folders. Links that are manifests
   * were resolved into `files` when they stay inside the repository (else reported in `errors`).
   */
  links: string[];
  /**
   * Files of the tree that read manifests include and that were not downloaded, past the bounds on
   * included files (one line in `errors` says so): snapshotSource refuses them naming the limit,
   * rather than have them taken for missing files.
   */
  unfollowed: string[];
  /**
   * `.in` files of the tree that discovery does not read by name and that were not downloaded
   * (discover.ts isUndecidedInput; `dev.in` with no compiled `.txt` beside it), less those `exclude:`
   * keeps out: listed, never read, so that the audit names them in its notice as for a checkout.
   * Absent in snapshots taken before it existed.
   */
  passedOver?: string[];
  /**
   * Files at the root named nearly as the settings file (`depwatch.yml`, `.Depwatch.yaml`), when the
   * tree has no settings file, and the settings file names that are folders (or submodules): never
   * downloaded, kept from the listing (and nothing else of it) so that the audit says its notes on
   * them as for a checkout (misnamedSettingsNotes, settingsFolderNotes). Absent in snapshots taken
   * before they existed.
   */
  misnamedSettings?: string[];
  settingsFolders?: string[];
  /**
   * The git submodules of the tree outside skipped folders (entries of type `commit`, mode 160000):
   * other repositories, at the commit the tree pins, whose files a snapshot never has. Listed so that
   * the audit names them in its notice and refuses an include of a file inside one saying why.
   * Absent in snapshots taken before it existed.
   */
  submodules?: { path: string; commit: string }[];
  /**
   * Folders of the tree named like manifests (`requirements.txt/`): the listing's, kept so that the
   * audit's notice names them as for a checkout (the snapshot lists only the files it downloaded).
   * Absent in snapshots taken before it existed.
   */
  manifestFolders?: string[];
  errors: SnapshotError[];
  stats: SnapshotStats;
}

interface TreeEntry {
  path: string;
  mode: string;
  type: string;
  sha: string;
  size?: number;
}

const SYMLINK_MODE = '120000';
/** How a file that GitHub failed to hand over is said, a manifest chosen by name or an include alike. */
const NOT_DOWNLOADED = 'could not be downloaded from GitHub:';

export async function takeSnapshot(octokit: Octokit, db: Db, ref: RepoRef, options: SnapshotOptions = {}): Promise<RepoSnapshot> {
  const select = options.select ?? isManifestPath;
  const selectInterpreter = options.selectInterpreter ?? isProjectContextPath;
  const descend = options.descend ?? descendByDefault;
  const maxBlobBytes = options.maxBlobBytes ?? DEFAULT_MAX_BLOB_BYTES;
  const concurrency = Math.max(1, options.concurrency ?? DEFAULT_CONCURRENCY);
  const maxTreeRequests = Math.max(1, options.maxTreeRequests ?? DEFAULT_MAX_TREE_REQUESTS);
  const maxIncludeLevels = Math.max(0, options.maxIncludeLevels ?? MAX_INCLUDE_LEVELS);
  const maxIncludedFiles = Math.max(0, options.maxIncludedFiles ?? MAX_INCLUDED_FILES);
  const stats: SnapshotStats = { requests: 0, treeRequests: 0, blobsFetched: 0, blobsCached: 0, truncated: false };
  const errors: SnapshotError[] = [];
  const name = { owner: ref.owner, repo: ref.repo };
  const reads = { reachedFrom: options.reads?.reachedFrom ?? reachedFrom, settingsExcludes: options.reads?.settingsExcludes ?? settingsExcludes };

  const call: Call = async (what, request, explain) => {
    stats.requests++;
    try {
      return await request();
    } catch (err) {
      throw explain?.(err) ?? toGitHubError(err, name, what);
    }
  };

  stats.requests += options.resolution?.requests ?? 0;
  const commit = options.resolution ?? (await resolveWith(octokit, ref, call, options));
  const { owner, repo, sha, namedBranch, ref: refName } = commit;
  options.resolved?.();

  const folders = new Map<string, string | null>();
  const entries = await listTree(octokit, { owner, repo }, sha, { descend, concurrency, maxTreeRequests, stats, errors, folders, call });
  const { misnamedSettings, settingsFolders } = settingsNamesOf(entries);

  const wanted: WantedEntry[] = [];
  /** Every file chosen by name, downloaded or not (over the size limit): never asked for again as an include. */
  const selected: string[] = [];
  const links: string[] = [];
  // `dev.in` beside `dev.txt`: a pip-tools input named like anything, told by the `.txt`'s header, so
  // both are downloaded for the loader to decide (discover.ts pipToolsPairs); a lone `template.in` is not.
  const pairs = pipToolsPairs(entries.filter((e) => e.type === 'blob').map((e) => e.path));
  const inPairs = new Set([...pairs].flat());
  for (const entry of entries) {
    if (entry.type !== 'blob' || !ancestorsAllowed(entry.path, descend)) continue;
    if (entry.mode === SYMLINK_MODE) links.push(entry.path);
    const kind = select(entry.path) || inPairs.has(entry.path) ? 'manifest' : selectInterpreter(entry.path) ? 'interpreter' : undefined;
    if (!kind) continue;
    selected.push(entry.path);
    // A link's blob is the path it points at, never a manifest: it is resolved (download), not parsed.
    if (entry.mode === SYMLINK_MODE || !tooBig(entry, maxBlobBytes, errors)) wanted.push({ ...entry, kind, storedAt: entry.path });
  }

  const cache = new BlobCache(db);
  const readBlobs = async (shas: string[]): Promise<Map<string, BlobRead>> => {
    const out = new Map<string, BlobRead>();
    // A row stored before coding lines were honoured may hold such a file decoded as UTF-8 (its own
    // bytes, and whether they began with a byte order mark, lost): downloaded again instead.
    for (const [blobSha, hit] of cache.getMany(shas)) if (!cachedTextDeclaresOtherCodec(hit.text)) out.set(blobSha, { text: hit.text, size: hit.size, cached: true });
    const missing = [...new Set(shas.filter((s) => !out.has(s)))];
    await mapLimit(missing, concurrency, async (blobSha) => {
      let blob;
      try {
        // A 403 or 404 here is about this blob, not "I can't see the repository" (it was just read).
        blob = await call('blob download', () => octokit.request('GET /repos/{owner}/{repo}/git/blobs/{file_sha}', { owner, repo, file_sha: blobSha }), (err) => rateLimitFromError(err) ?? new BlobNotDownloaded(shortFailure(err), mayPass(err)));
      } catch (err) {
        // A rate limit stops the whole snapshot (every further call would fail too); anything else
        // costs only this file. Only a failure that may pass (no answer, 5xx) is worth a re-check.
        if (err instanceof RateLimitError) throw err;
        out.set(blobSha, { error: `${NOT_DOWNLOADED} ${(err as Error).message}`, ...(err instanceof BlobNotDownloaded && !err.mayPass ? {} : { transient: true as const }) });
        return;
      }
      stats.blobsFetched++;
      try {
        const decoded = decodeBlob(blobSha, blob.data.content, blob.data.encoding, maxBlobBytes);
        // What the cache keeps (credentials masked) is what every audit reads, fetched now or later.
        // A blob with invalid UTF-8 is not kept: its text alone would lose which U+FFFD were bytes
        // (a rare file, downloaded again by each snapshot); masking keeps lengths, so the offsets hold.
        // So is a blob kept as its own bytes (ownBytes): the cache keeps decoded text, and says nothing of how.
        if (!('text' in decoded)) out.set(blobSha, decoded);
        else if (decoded.invalidUtf8 === undefined && decoded.ownBytes === undefined) out.set(blobSha, { ...cache.put({ sha: blobSha, size: decoded.size, text: decoded.text }), cached: false });
        else out.set(blobSha, { ...decoded, text: maskSecrets(decoded.text), cached: false });
      } catch (err) {
        out.set(blobSha, { error: `could not be read: ${errorLine(err)}` });
      }
    });
    return out;
  };

  const files: SnapshotFile[] = [];
  const blobAt = new Map(entries.filter((e) => e.type === 'blob').map((e) => [e.path, e]));
  /**
   * Downloads files (a link: the file it names, once resolved) into `files`; what fails, into
   * `errors`. `includedLinks`: a link that is not followed is left out silently, since the loader
   * says so on reading the include (naming the link), and saying it twice adds nothing.
   */
  const download = async (chosen: readonly WantedEntry[], includedLinks = false): Promise<void> => {
    const regular = chosen.filter((e) => e.mode !== SYMLINK_MODE);
    const linked = chosen.filter((e) => e.mode === SYMLINK_MODE);
    if (linked.length > 0) {
      const targets = await readBlobs(linked.map((l) => l.sha));
      for (const link of linked) {
        const target = targets.get(link.sha);
        if (!target || 'error' in target) {
          errors.push({ path: link.path, message: `is a symbolic link that could not be read: ${target?.error ?? 'no answer'}`, ...(!target || target.transient ? { transient: true as const } : {}) });
          continue;
        }
        const followed = followLink(link, target.text, blobAt);
        if ('problem' in followed) {
          if (!includedLinks) errors.push({ path: link.path, message: followed.problem });
        }
        else if (!tooBig({ ...followed, path: link.path }, maxBlobBytes, errors)) regular.push({ ...followed, path: link.path, kind: link.kind, storedAt: followed.path });
      }
    }
    const contents = await readBlobs(regular.map((e) => e.sha));
    for (const entry of regular) {
      const result = contents.get(entry.sha);
      if (!result) continue;
      if ('error' in result) {
        errors.push({ path: entry.path, message: result.error, ...(result.transient ? { transient: true as const } : {}) });
        continue;
      }
      if (result.cached) stats.blobsCached++;
      files.push({
        path: entry.path,
        sha: entry.sha,
        size: result.size,
        text: result.text,
        kind: entry.kind,
        storedAt: entry.storedAt,
        mode: entry.mode,
        ...invalidUtf8Of(result),
        ...(result.ownBytes ? { ownBytes: true as const } : {}),
      });
    }
  };

  // The settings first, from this commit: what `exclude:` keeps out is never downloaded (a project's
  // test fixtures can be hundreds of files), except the files a manifest that is read includes.
  const isSettings = (e: WantedEntry) => CONFIG_FILES.includes(e.path);
  // A settings file that is a link is not followed, as in a checkout (src/audit/tree-excludes.ts):
  // `depwatch scan` follows no link, and every way of reading a tree applies the same settings.
  // Not read, so the audit is partial for it, none of its ignores and excludes applied.
  for (const link of wanted.filter((e) => isSettings(e) && e.mode === SYMLINK_MODE)) {
    errors.push({ path: link.path, message: `${link.path} is a symbolic link; not followed (the settings are read only from a file of the tree itself)` });
  }
  await download(wanted.filter((e) => isSettings(e) && e.mode !== SYMLINK_MODE));
  const excludedBy = excluder(await reads.settingsExcludes(files.map(treeFileOf)));
  const rest = wanted.filter((e) => !isSettings(e));
  await download(rest.filter((e) => excludedBy(e.path) === null));
  const excluded = new Map(rest.filter((e) => excludedBy(e.path) !== null).map((e) => [e.path, e]));

  // Then what the manifests read include, whatever its name (`-r ci/base.txt`, a pyproject.toml's
  // dynamic dependencies file, a setup.py reading a requirements file): the loader reads it as a
  // checkout's, so the snapshot must hold it. A level of includes a wave of downloads; read here,
  // from what is downloaded, so a tree whose includes are all downloaded costs no request more.
  const tried = new Set(selected.filter((path) => !excluded.has(path)));
  const unfollowed: string[] = [];
  let followed = 0;
  for (let from = files, level = 0; ; level++) {
    const reached: WantedEntry[] = [];
    for (const path of await includesOf(from, files, links, level === 0, reads.reachedFrom)) {
      if (tried.has(path)) continue;
      const entry: WantedEntry | undefined = excluded.get(path) ?? withKind(blobAt.get(path), 'manifest');
      if (entry === undefined) {
        // One the tree does not have stays the loader's to report ("file not found"); one in a
        // folder the listing did not give whole may be there: not read, and said so.
        const why = unlistedFolderOf(path, folders);
        if (why !== undefined) {
          tried.add(path);
          errors.push({ path, message: why });
        }
        continue;
      }
      tried.add(path);
      if (level >= maxIncludeLevels || followed >= maxIncludedFiles) unfollowed.push(path);
      else if (entry.mode === SYMLINK_MODE || !tooBig(entry, maxBlobBytes, errors)) {
        followed++;
        reached.push(entry);
      }
    }
    // Tried once each: one that cannot be downloaded is a problem of the snapshot, as for any file.
    for (const entry of reached) excluded.delete(entry.path);
    if (reached.length === 0) break;
    const before = files.length;
    await download(reached, true);
    from = files.slice(before);
  }
  if (unfollowed.length > 0) {
    unfollowed.sort(compareCodeUnits);
    errors.push({
      path: null,
      message: `manifests include more files than a snapshot follows (${maxIncludedFiles} files, ${maxIncludeLevels} levels of includes): ${unfollowed.length} more ${unfollowed.length === 1 ? 'was' : 'were'} not downloaded (${unfollowed.slice(0, 5).join(', ')}${unfollowed.length > 5 ? ', …' : ''})`,
    });
  }
  files.sort((a, b) => compareCodeUnits(a.path, b.path));
  // The `.in` files the loader will name as not read: listed for it, never downloaded (most are templates).
  const downloaded = new Set(files.map((f) => f.path));
  const passedOver = entries
    .filter((e) => e.type === 'blob' && ancestorsAllowed(e.path, descend) && !downloaded.has(e.path) && !inPairs.has(e.path) && !select(e.path))
    .map((e) => e.path)
    .filter((path) => isUndecidedInput(path) && excludedBy(path) === null)
    .sort(compareCodeUnits);
  // Every one, `exclude:` or not: the loader leaves out those it excludes from its notice, and an
  // include of a file inside an excluded one is still refused saying why.
  const submodules = entries
    .filter((e) => e.type === 'commit' && ancestorsAllowed(e.path, descend) && descend(e.path))
    .map((e) => ({ path: e.path, commit: e.sha }))
    .sort((a, b) => compareCodeUnits(a.path, b.path));
  const manifestFolders = entries.filter((e) => e.type === 'tree' && ancestorsAllowed(e.path, descend) && descend(e.path) && select(e.path)).map((e) => e.path).sort(compareCodeUnits);

  options.logger?.debug({ owner, repo, sha, files: files.length, ...stats }, 'github snapshot');
  return {
    owner,
    repo,
    ref: refName,
    sha,
    htmlUrl: commit.htmlUrl,
    private: commit.private,
    defaultBranch: commit.defaultBranch,
    namedBranch,
    files,
    excluded: [...excluded.values()].map((e) => ({ path: e.path, kind: e.kind })).sort((a, b) => compareCodeUnits(a.path, b.path)),
    links,
    unfollowed,
    passedOver,
    misnamedSettings,
    settingsFolders,
    submodules,
    manifestFolders,
    errors,
    stats,
  };
}

/**
 * What the settings notes need of the tree listing (RepoSnapshot.misnamedSettings, settingsFolders),
 * found in one pass: a repository's paths are not kept twice for two names.
 */
function settingsNamesOf(entries: readonly TreeEntry[]): { misnamedSettings: string[]; settingsFolders: string[] } {
  const folders = new Set<string>();
  const misnamed: string[] = [];
  let hasSettingsFile = false;
  for (const entry of entries) {
    const slash = entry.path.indexOf('/');
    const top = slash < 0 ? entry.path : entry.path.slice(0, slash);
    if (!CONFIG_FILES.includes(top)) {
      if (entry.type === 'blob' && isMisnamedSettings(entry.path)) misnamed.push(entry.path);
    }
    // A folder's own entry (a recursive listing has it), or one of its files: a truncated tree
    // walked within its bounds may have either only.
    else if (slash >= 0 || entry.type !== 'blob') folders.add(top);
    else hasSettingsFile = true;
  }
  return { misnamedSettings: hasSettingsFile ? [] : misnamed.sort(compareCodeUnits), settingsFolders: CONFIG_FILES.filter((name) => folders.has(name)) };
}

type WantedEntry = TreeEntry & { kind: SnapshotFile['kind']; storedAt: string };
const withKind = (entry: TreeEntry | undefined, kind: SnapshotFile['kind']): WantedEntry | undefined => (entry ? { ...entry, kind, storedAt: entry.path } : undefined);

/**
 * The files that the manifests `from` include and that are not downloaded yet, resolved as the
 * loader resolves them, directly or through files already downloaded (`all`). The first level starts
 * from the manifests discovery reads, in their own formats (only those that can name other files);
 * each later one from the files the level before downloaded, read as requirements as the loader
 * reads an included file.
 */
async function includesOf(from: readonly SnapshotFile[], all: readonly SnapshotFile[], links: readonly string[], first: boolean, reach: typeof reachedFrom): Promise<Set<string>> {
  const canName = (f: SnapshotFile) => {
    const format = f.kind === 'manifest' ? formatForPath(f.path) : null;
    return format !== null && namesOtherFiles(format);
  };
  const roots = first ? from.filter(canName) : from;
  const texts = Object.fromEntries(all.map((f) => [f.path, f.text]));
  const ownBytes = all.filter((f) => f.ownBytes === true).map((f) => f.path);
  // Asked only with roots: in a worker (`reads`) every call copies all the texts on this thread.
  const missing = roots.length === 0 ? new Set<string>() : (await reach(texts, roots.map((f) => f.path), { asRequirements: !first, links, ownBytes })).missing;
  if (first) {
    // pip-tools inputs named like anything (`dev.in`) that the loader reads, and their compiled `.txt`: requirements files.
    // isCompiledFrom stays on this thread: it reads only a file's first lines (COMPILED_HEAD_CHARS), whatever its size.
    const inputs = [...pipToolsPairs(from.map((f) => f.path))].filter(([input, compiled]) => Object.hasOwn(texts, compiled) && isCompiledFrom(texts[compiled]!, input)).flat();
    if (inputs.length > 0) for (const path of (await reach(texts, inputs, { asRequirements: true, links, ownBytes })).missing) missing.add(path);
  }
  return missing;
}

/** A blob download that failed, and whether asking again later may read it (errors.ts mayPass). */
class BlobNotDownloaded extends Error {
  constructor(
    message: string,
    readonly mayPass: boolean,
  ) {
    super(message);
  }
}

type BlobRead = { text: string; size: number; cached: boolean; invalidUtf8?: number[]; ownBytes?: true } | { error: string; transient?: true };

function tooBig(entry: TreeEntry, maxBlobBytes: number, errors: SnapshotError[]): boolean {
  if (entry.size === undefined || entry.size <= maxBlobBytes) return false;
  errors.push({ path: entry.path, message: `skipped: ${formatBytes(entry.size)} is over the ${formatBytes(maxBlobBytes)} limit` });
  return true;
}

/**
 * The file a symbolic link of the tree names, when it stays inside the repository and names a
 * regular file there (as a checkout on disk would follow it); otherwise why it is not followed.
 * One hop only: a link to a link is reported, so no chain or loop is ever walked.
 */
function followLink(link: TreeEntry, target: string, blobAt: ReadonlyMap<string, TreeEntry>): TreeEntry | { problem: string } {
  const outside = { problem: 'is a symbolic link that leads outside the repository; not followed' };
  if (target.startsWith('/') || /^[a-zA-Z]:[\\/]/.test(target) || target.includes('\0')) return outside;
  const resolved = posix.normalize(posix.join(posix.dirname(link.path), target));
  if (resolved === '..' || resolved.startsWith('../')) return outside;
  const entry = blobAt.get(resolved);
  if (!entry) return { problem: `is a symbolic link to ${resolved}, which is not a file in the repository; not followed` };
  if (entry.mode === SYMLINK_MODE) return { problem: `is a symbolic link to another symbolic link (${resolved}); not followed` };
  return entry;
}

/**
 * A snapshot as a file source for the loader: its files, and its symbolic links, so that an include
 * through a link is refused naming the link rather than reported as a missing file; likewise an
 * include the snapshot could not download, refused in the words of its problem line.
 */
export function snapshotSource(snapshot: SnapshotTreeParts): FileSource {
  return treeSource(treeOfSnapshot(snapshot));
}

type SnapshotTreeParts = Pick<RepoSnapshot, 'files' | 'links'> & Partial<Pick<RepoSnapshot, 'excluded' | 'unfollowed' | 'passedOver' | 'misnamedSettings' | 'settingsFolders' | 'submodules' | 'manifestFolders' | 'errors'>>;

/**
 * What a tree audit job is given of a snapshot (src/workers/jobs/tree-audit.ts, which reads it with
 * treeSource as snapshotSource does): its files and its listing, so the audit off the main thread
 * reads the tree as the CLI's.
 */
export function treeOfSnapshot(snapshot: SnapshotTreeParts) {
  return {
    files: snapshot.files.map(treeFileOf),
    links: snapshot.links,
    notDownloaded: (snapshot.excluded ?? []).map((e) => e.path),
    pastLimit: snapshot.unfollowed ?? [],
    ...(snapshot.passedOver?.length ? { passedOver: snapshot.passedOver } : {}),
    ...(snapshot.misnamedSettings?.length ? { misnamedSettings: snapshot.misnamedSettings } : {}),
    ...(snapshot.settingsFolders?.length ? { folders: snapshot.settingsFolders } : {}),
    ...(snapshot.submodules?.length ? { submodules: snapshot.submodules } : {}),
    // Given even when empty: the snapshot's listing is not the tree's, so the loader is told, not left to derive them.
    ...(snapshot.manifestFolders ? { manifestFolders: snapshot.manifestFolders } : {}),
    unreadable: unreadableFiles(snapshot.errors ?? []),
  };
}

/** The snapshot's problems as an audit of its tree takes them (`extraErrors`): the tree's own as `(tree)`. */
export function snapshotErrors(snapshot: Pick<RepoSnapshot, 'errors'>): ExtractError[] {
  return snapshot.errors.map((e) => ({ file: e.path ?? '(tree)', line: null, message: e.message, ...(e.transient ? { transient: true as const } : {}) }));
}

/** The snapshot's problems that name one file: what an include of that file is told (MemorySourceOptions.unreadable). */
export function unreadableFiles(errors: readonly SnapshotError[]): { path: string; message: string }[] {
  return errors.flatMap((e) => (e.path === null ? [] : [{ path: e.path, message: e.message }]));
}

/** Issues one API call, counted, with failures turned into our errors (`explain` may say more). */
type Call = <T>(what: string, request: () => Promise<T>, explain?: (err: unknown) => Error | undefined) => Promise<T>;

/**
 * What GitHub says a repository is, from one request and before anything about its branches is
 * read: what an `admit` decides on. The Slack bot looks it up once for every identical request
 * meanwhile, asks each requester's `admit`, then resolves the ref (resolveCommit) for those admitted.
 */
export interface RepositoryFacts {
  /** The names GitHub uses (it follows renames and answers in canonical case). */
  owner: string;
  repo: string;
  private: boolean;
  htmlUrl: string;
  defaultBranch: string;
  /** GitHub requests the lookup took (lookUpRepository). */
  requests?: number;
}

/**
 * What a ref names on GitHub, before any file is read: the repository as GitHub names it, and the
 * commit. Resolving is cheap (two or three requests): the Slack bot resolves every request, then
 * merges identical audits of one commit (src/slack/audits-in-flight.ts).
 */
export interface ResolvedCommit extends RepositoryFacts {
  /** The branch (or tag, or commit) to read: the one asked for, else the default branch. */
  ref: string;
  sha: string;
  /** As RepoSnapshot.namedBranch. */
  namedBranch: string | null;
  /** GitHub requests the lookup and resolving took, counted in the snapshot's stats that starts from it. */
  requests?: number;
}

/** Issues the requests of one lookup or resolution, counted; failures named after `ref` as takeSnapshot names them. */
function countedCall(ref: Pick<RepoRef, 'owner' | 'repo'>): { call: Call; requests: () => number } {
  const name = { owner: ref.owner, repo: ref.repo };
  let requests = 0;
  const call: Call = async (what, request, explain) => {
    requests++;
    try {
      return await request();
    } catch (err) {
      throw explain?.(err) ?? toGitHubError(err, name, what);
    }
  };
  return { call, requests: () => requests };
}

/** The repository `ref` names, in one request, its branches not read yet: errors as takeSnapshot's. */
export async function lookUpRepository(octokit: Octokit, ref: Pick<RepoRef, 'owner' | 'repo'>): Promise<RepositoryFacts> {
  const counted = countedCall(ref);
  const repository = await lookUpWith(octokit, ref, counted.call);
  return { ...repository, requests: counted.requests() };
}

/**
 * Resolves `ref` to a commit of `repository` (lookUpRepository's answer, admitted by the caller: no
 * `admit` here): errors as takeSnapshot's. Its `requests` count the lookup's as well.
 */
export async function resolveCommit(octokit: Octokit, repository: RepositoryFacts, ref: RepoRef, options: Pick<SnapshotOptions, 'nameBranch'> = {}): Promise<ResolvedCommit> {
  const counted = countedCall(ref);
  const commit = await resolveIn(octokit, repository, ref, counted.call, options);
  return { ...commit, requests: (repository.requests ?? 0) + counted.requests() };
}

async function lookUpWith(octokit: Octokit, ref: Pick<RepoRef, 'owner' | 'repo'>, call: Call): Promise<RepositoryFacts> {
  const { data } = await call('repository lookup', () => octokit.request('GET /repos/{owner}/{repo}', { owner: ref.owner, repo: ref.repo }));
  // GitHub follows renames and answers in canonical case: report the names it uses.
  return { owner: data.owner.login, repo: data.name, private: data.private, htmlUrl: data.html_url, defaultBranch: data.default_branch };
}

/** The lookup, `admit`, then the ref: someone `admit` refuses learns nothing about the repository's branches. */
async function resolveWith(octokit: Octokit, ref: RepoRef, call: Call, options: Pick<SnapshotOptions, 'admit' | 'nameBranch'>): Promise<ResolvedCommit> {
  const repository = await lookUpWith(octokit, ref, call);
  options.admit?.({ owner: repository.owner, repo: repository.repo, private: repository.private });
  return resolveIn(octokit, repository, ref, call, options);
}

async function resolveIn(octokit: Octokit, repository: RepositoryFacts, ref: RepoRef, call: Call, options: Pick<SnapshotOptions, 'nameBranch'>): Promise<ResolvedCommit> {
  const { owner, repo, defaultBranch } = repository;
  const refName = ref.branch ?? defaultBranch;
  const sha = await resolveCommitSha(octokit, { owner, repo }, refName, call);
  const namedBranch = ref.branch === undefined || options.nameBranch !== true ? null : await branchAt(octokit, { owner, repo }, ref.branch, defaultBranch, sha, call);
  return { owner, repo, private: repository.private, htmlUrl: repository.htmlUrl, defaultBranch, ref: refName, sha, namedBranch };
}

/** The commit a branch, tag or sha points at, as bare text through the `vnd.github.sha` media type. */
async function resolveCommitSha(octokit: Octokit, name: { owner: string; repo: string }, refName: string, call: Call): Promise<string> {
  const { data } = await call(
    'branch lookup',
    () => octokit.request('GET /repos/{owner}/{repo}/commits/{ref}', { ...name, ref: refName, headers: { accept: 'application/vnd.github.sha' } }),
    // The repository was visible a moment ago, so 404 or 422 ("No commit found") is about the ref.
    (err) => {
      const status = (err as { status?: unknown }).status;
      if (status === 404 || status === 422) return new RefNotFoundError(name.owner, name.repo, refName);
      // GitHub answers 409 "Git Repository is empty." for a repository without commits.
      if (status === 409) return new GitHubServiceError(`GitHub: ${name.owner}/${name.repo} is empty, there is nothing to audit yet`, 409);
      return undefined;
    },
  );
  // The sha media type is text; should a server omit the charset, octokit hands back raw bytes.
  const raw: unknown = data instanceof ArrayBuffer ? new TextDecoder().decode(data) : data;
  const sha = typeof raw === 'string' ? raw.trim() : (raw as { sha?: unknown } | null)?.sha;
  if (typeof sha !== 'string' || !/^[0-9a-f]{40}$/.test(sha)) {
    throw new GitHubServiceError(`GitHub answered the branch lookup for ${name.owner}/${name.repo} with something that is not a commit sha`);
  }
  return sha;
}

/**
 * The branch `name` names when the repository has a branch of that name at `sha` (the commit `name`
 * was read at) other than `defaultBranch`, else null: the default branch, a tag, a commit sha, or a
 * tag that shadows a branch of the same name. One request, skipped for the default branch and shas.
 */
async function branchAt(octokit: Octokit, repoName: { owner: string; repo: string }, name: string, defaultBranch: string, sha: string, call: Call): Promise<string | null> {
  const branch = branchOfRef(name);
  if (branch === null || branch === defaultBranch) return null;
  const notABranch = new Error('not a branch');
  try {
    const { data } = await call(
      'branch lookup',
      () => octokit.request('GET /repos/{owner}/{repo}/branches/{branch}', { ...repoName, branch }),
      (err) => ((err as { status?: unknown }).status === 404 ? notABranch : undefined),
    );
    return data.commit.sha === sha ? branch : null;
  } catch (err) {
    if (err === notABranch) return null;
    throw err;
  }
}

interface ListTreeContext {
  descend: (dirPath: string) => boolean;
  concurrency: number;
  maxTreeRequests: number;
  stats: SnapshotStats;
  errors: SnapshotError[];
  /**
   * When the tree is walked folder by folder (GitHub truncated the recursive listing): each folder
   * looked at ('' for the top one), with what a file missing from it is told, or null when its
   * listing came whole. Empty when one recursive listing gave everything.
   */
  folders: Map<string, string | null>;
  call: Call;
}

/**
 * Why a path the tree listing does not have may still be in the commit: the nearest folder on its
 * way that was looked at was listed only in part, or not listed at all (the walk's bound); undefined
 * when that folder was listed whole (or the whole tree was), so that the path is really not there.
 */
function unlistedFolderOf(path: string, folders: ReadonlyMap<string, string | null>): string | undefined {
  if (folders.size === 0) return undefined;
  for (let i = path.lastIndexOf('/'); i > 0; i = path.lastIndexOf('/', i - 1)) {
    const why = folders.get(path.slice(0, i));
    if (why !== undefined) return why ?? undefined;
  }
  return folders.get('') ?? undefined;
}

/**
 * Every entry of the commit's tree (files, and folders and submodules by their own entries). One
 * recursive call answers for all but huge repositories; when GitHub truncates it (over 100,000
 * entries or 7 MB), the tree is listed again level by level, without entering ignored directories,
 * up to `maxTreeRequests` listings.
 */
async function listTree(octokit: Octokit, name: { owner: string; repo: string }, commitSha: string, ctx: ListTreeContext): Promise<TreeEntry[]> {
  const getTree = (treeSha: string, recursive: boolean) => {
    ctx.stats.treeRequests++;
    return ctx.call('tree listing', () =>
      octokit.request('GET /repos/{owner}/{repo}/git/trees/{tree_sha}', { ...name, tree_sha: treeSha, ...(recursive ? { recursive: '1' } : {}) }),
    );
  };
  const { data } = await getTree(commitSha, true);
  if (!data.truncated) return data.tree.map(toEntry).filter((e): e is TreeEntry => e !== undefined);

  ctx.stats.truncated = true;
  const listed: TreeEntry[] = [];
  let level: { dir: string; sha: string }[] = [{ dir: '', sha: data.sha }];
  while (level.length > 0) {
    const budget = ctx.maxTreeRequests - ctx.stats.treeRequests;
    if (budget <= 0) {
      for (const { dir } of level) ctx.folders.set(dir, `is in ${dir}, a folder the snapshot did not list (the repository is too large to list completely); not read`);
      ctx.errors.push({
        path: null,
        message: `the repository is too large to list completely: ${level.length} director${level.length === 1 ? 'y was' : 'ies were'} not read (${level
          .slice(0, 5)
          .map((l) => l.dir)
          .join(', ')}${level.length > 5 ? ', …' : ''})`,
      });
      break;
    }
    const now = level.slice(0, budget);
    const later = level.slice(budget);
    const listings = await mapLimit(now, ctx.concurrency, async (dir) => ({ dir, data: (await getTree(dir.sha, false)).data }));
    level = later;
    for (const { dir, data: listing } of listings) {
      if (listing.truncated) {
        ctx.errors.push({ path: dir.dir || null, message: 'GitHub truncated this directory listing; some files were not read' });
        ctx.folders.set(dir.dir, `is in ${dir.dir || 'the top folder of the repository'}, which GitHub listed only in part (truncated); not read`);
      } else {
        ctx.folders.set(dir.dir, null);
      }
      for (const raw of listing.tree) {
        const entry = toEntry(raw);
        if (!entry) continue;
        const path = dir.dir ? `${dir.dir}/${entry.path}` : entry.path;
        if (entry.type === 'tree') {
          if (ctx.descend(path)) level.push({ dir: path, sha: entry.sha });
          // A recursive listing would have held what a manifest includes from in there.
          else ctx.folders.set(path, `is in ${path}, a folder the snapshot does not walk when GitHub truncates the tree listing (${path.slice(path.lastIndexOf('/') + 1)} is skipped); not read`);
        }
        listed.push({ ...entry, path });
      }
    }
  }
  return listed;
}

function toEntry(raw: { path?: string; mode?: string; type?: string; sha?: string; size?: number }): TreeEntry | undefined {
  if (!raw.path || !raw.type || !raw.sha) return undefined;
  return { path: raw.path, mode: raw.mode ?? '', type: raw.type, sha: raw.sha, ...(raw.size === undefined ? {} : { size: raw.size }) };
}

function descendByDefault(dirPath: string): boolean {
  return !isSkippedDir(dirPath.slice(dirPath.lastIndexOf('/') + 1));
}

function ancestorsAllowed(path: string, descend: (dirPath: string) => boolean): boolean {
  for (let i = path.indexOf('/'); i >= 0; i = path.indexOf('/', i + 1)) {
    if (!descend(path.slice(0, i))) return false;
  }
  return true;
}

/** A snapshot file as the loader reads a file handed over as text (TreeFile). */
function treeFileOf(file: Pick<SnapshotFile, 'path' | 'text' | 'invalidUtf8' | 'ownBytes'>): TreeFile {
  return { path: file.path, text: file.text, ...invalidUtf8Of(file), ...(file.ownBytes ? { ownBytes: true as const } : {}) };
}

/**
 * `invalidUtf8` when there is one, else no key at all: a file whose bytes were UTF-8 looks as it
 * always did, in the snapshot, in what a worker job is handed, and in comparisons of either.
 */
function invalidUtf8Of(file: { invalidUtf8?: number[] }): { invalidUtf8?: number[] } {
  return file.invalidUtf8 === undefined ? {} : { invalidUtf8: file.invalidUtf8 };
}

/** The git blob sha of some bytes: sha1 of `blob <length>\0<bytes>`. */
export function gitBlobSha(bytes: Uint8Array): string {
  return createHash('sha1').update(`blob ${bytes.length}\0`).update(bytes).digest('hex');
}

/**
 * Whether a cached text (decoded as UTF-8) holds a coding line declaring another codec: its first
 * two lines, each cut to the kilobyte pipCodingLine looks at, read as it reads bytes.
 */
function cachedTextDeclaresOtherCodec(text: string): boolean {
  const firstEnd = text.indexOf('\n');
  const first = text.slice(0, Math.min(firstEnd === -1 ? text.length : firstEnd, 1024));
  if (firstEnd === -1) return declaresOtherCodec(Buffer.from(first));
  const secondEnd = text.indexOf('\n', firstEnd + 1);
  const second = text.slice(firstEnd + 1, Math.min(secondEnd === -1 ? text.length : secondEnd, firstEnd + 1 + 1024));
  return declaresOtherCodec(Buffer.from(`${first}\n${second}`));
}

function decodeBlob(sha: string, content: string, encoding: string, maxBlobBytes: number): { text: string; size: number; invalidUtf8?: number[]; ownBytes?: true } | { error: string } {
  const bytes = encoding === 'base64' ? Buffer.from(content, 'base64') : Buffer.from(content, 'utf8');
  if (bytes.length > maxBlobBytes) return { error: `skipped: ${formatBytes(bytes.length)} is over the ${formatBytes(maxBlobBytes)} limit` };
  // The sha names the content, so a mismatch means a corrupt answer: never cache it under that sha.
  if (gitBlobSha(bytes) !== sha) return { error: 'GitHub returned content that does not match its sha; not used' };
  // A coding line declaring another codec (`# -*- coding: latin-1 -*-`): pip decodes a requirements
  // file with it, and only the loader knows which files are requirements files (an include can be
  // named anything), so the bytes themselves go on, for the same reading as a checkout's.
  if (declaresOtherCodec(bytes)) return { text: bytes.toString('latin1'), size: bytes.length, ownBytes: true };
  // Decoded as a checkout's files are (src/scan/text.ts): UTF-8, or UTF-16 with a byte order mark
  // (pip reads both), so /audit reads what `depwatch audit DIR` reads.
  const decoded = decode(bytes, false);
  if (decoded.kind === 'text') return { text: decoded.text.replace(/^\uFEFF/, ''), size: bytes.length };
  // Not UTF-8, or a NUL byte: every file downloaded is one the loader or the settings reader reads,
  // and each decides as for a checkout's file (a requirements file line by line, a TOML file whole),
  // so the text goes to them with where its invalid bytes were. Only what is binary as a whole
  // (most lines not text) stays here.
  const lines = decodeLines(bytes);
  if (lines.kind === 'binary') return { error: 'is not a text file' };
  const mark = lines.text.startsWith('\uFEFF') ? 1 : 0;
  const invalidUtf8 = lines.undecodable.filter((offset) => lines.text.charCodeAt(offset) !== 0).map((offset) => offset - mark);
  return { text: lines.text.slice(mark), size: bytes.length, ...(invalidUtf8.length === 0 ? {} : { invalidUtf8 }) };
}

function formatBytes(n: number): string {
  if (n >= 1024 * 1024) return `${(n / (1024 * 1024)).toFixed(1).replace(/\.0$/, '')} MB`;
  if (n >= 1024) return `${(n / 1024).toFixed(1).replace(/\.0$/, '')} KB`;
  return `${n} bytes`;
}
