/**
 * The audit of a file tree (a GitHub snapshot's files) as a job: parsing every manifest, matching the
 * installed releases against advisories and evaluating the rules all happen where the job runs (a
 * worker thread for the bot); the advisory, registry and store reads are calls back to the main
 * thread (sources.ts).
 *
 * Input: the files' paths and texts, the tree's symbolic links, the target label, `now`, ignores and problems from outside the
 * tree, and what the sources are (SourceInfo). Output: the AuditResult, and for watching the
 * installed packages (StoredPackage[]) and the tree's own ignore rules. Nothing else crosses.
 */
import type { AuditResult } from '../../audit/audit.js';
import type { RatedSeverity } from '../../audit/findings.js';
import type { IgnoreRule } from '../../audit/ignores.js';
import { auditTree, readTree } from '../../audit/run.js';
import { treeSource } from '../../python/files.js';
import type { ExtractError } from '../../python/types.js';
import type { StoredPackage } from '../../store/watches.js';
import type { PopularName } from '../../packages/typosquat/popularity.js';
import { storedPackagesOf } from '../../watch/packages.js';
import type { TaskContext } from '../serve.js';
import { remoteSources, type SourceInfo } from './sources.js';

export const TREE_AUDIT_TASK = 'audit-tree';

export interface TreeAuditRequest {
  files: { path: string; text: string }[];
  /** Paths that are symbolic links in the tree (a GitHub snapshot's mode 120000 entries): never read through. */
  links?: string[];
  /** Files of the tree `exclude:` kept out of the snapshot, not downloaded: listed, so the audit counts them (RepoSnapshot.excluded). */
  notDownloaded?: string[];
  /** Files manifests include that the snapshot did not download, past its bounds (RepoSnapshot.unfollowed): refused naming the limit. */
  pastLimit?: string[];
  /** `.in` files the snapshot listed and did not download (RepoSnapshot.passedOver): listed, so the audit's notice names them. */
  passedOver?: string[];
  /** Root files named nearly as the settings file (RepoSnapshot.misnamedSettings): listed, so the audit's note names them. */
  misnamedSettings?: string[];
  /** Settings file names that are folders in the tree (RepoSnapshot.settingsFolders): the audit's note says so. */
  folders?: string[];
  /** The tree's git submodules (RepoSnapshot.submodules): named in the audit's notice; an include of a file inside one is told why it is not read. */
  submodules?: { path: string; commit: string }[];
  /** Folders of the tree named like manifests (RepoSnapshot.manifestFolders): named in the audit's notice. */
  manifestFolders?: string[];
  /** Files the snapshot could not download, with why (unreadableFiles of its errors): an include of one is told why, not "file not found". */
  unreadable?: { path: string; message: string }[];
  /** What was audited, for the report: `owner/repo@sha`. */
  target: string;
  now: Date;
  /** Ignores kept outside the tree (the Slack Ignore… modal's, per repository). */
  extraIgnores?: IgnoreRule[];
  /** Problems found before the audit (a snapshot's unreadable files), reported with the rest. */
  extraErrors?: ExtractError[];
  /** How advisories no source rated count (the channel's setting); the default, high, when absent. */
  unknownAs?: RatedSeverity;
  /** Popular names beyond the shipped list, for the typosquat rule (watched repositories' packages). */
  knownNames?: PopularName[];
  /** Also return what watching stores: the installed packages and the tree's ignore rules. */
  forWatching?: boolean;
  /**
   * Send the vulnerability result back before the registry has answered (a call of
   * TREE_AUDIT_FIRST_STAGE to the main thread), so a reply can show it while PyPI is read.
   */
  stages?: boolean;
}

/** The call a staged job makes to the main thread with its first-stage AuditResult. */
export const TREE_AUDIT_FIRST_STAGE = 'audit.firstStage';

export interface TreeAuditOutcome {
  result: AuditResult;
  /** With `forWatching`: the installed releases, compact (re-matched later without reading the tree). */
  packages: StoredPackage[] | null;
  /** With `forWatching`: the rules of the tree's settings file, the one the audit applied (`.depwatch.yml` when it has both: the other is not read). */
  treeIgnores: IgnoreRule[] | null;
  /** With `forWatching`: the manifests that were read (with `packages`, what the audit can vouch for). */
  readFiles: string[] | null;
}

export type TreeAuditJob = TreeAuditRequest & { sources: SourceInfo };

/** The job itself, wherever it runs. */
export async function runTreeAudit(job: TreeAuditJob, context: TaskContext): Promise<TreeAuditOutcome> {
  const { advisories, registry } = remoteSources(context, job.sources);
  const contents = await readTree(treeSource(job));
  const result = await auditTree(contents, {
    target: job.target,
    advisories,
    registry,
    now: job.now,
    ...(job.extraIgnores ? { extraIgnores: job.extraIgnores } : {}),
    ...(job.extraErrors ? { extraErrors: job.extraErrors } : {}),
    ...(job.unknownAs ? { unknownAs: job.unknownAs } : {}),
    ...(job.knownNames ? { knownNames: job.knownNames } : {}),
    ...(job.stages ? { onFirstStage: (first: AuditResult) => context.call<void>(TREE_AUDIT_FIRST_STAGE, first) } : {}),
  });
  if (!job.forWatching) return { result, packages: null, treeIgnores: null, readFiles: null };
  return {
    result,
    packages: storedPackagesOf(contents.load.manifests.flatMap((m) => m.dependencies)),
    treeIgnores: contents.settings?.rules ?? [],
    readFiles: contents.load.manifests.map((m) => m.path),
  };
}
