/**
 * The files a fix pull request commits, planned on their real bytes.
 *
 * A snapshot's texts are what the blob cache keeps: URL credentials overwritten with `*` and the BOM
 * dropped (src/github/blob-cache.ts, snapshot.ts). That is right for an audit, but a rewrite of
 * that text committed whole would replace `https://${PIP_USER}:${PIP_TOKEN}@index/simple` with
 * stars and drop the BOM. So the plan is made twice: once on the snapshot (which files change, and
 * what the pull request's body says), then again, for the files it rewrites only, on their blobs
 * downloaded fresh from GitHub, never cached or stored, checked against the audited tree's blob sha,
 * and decoded as `depwatch fix` reads a checkout (BOM, line endings and encoding kept: UTF-8, or
 * UTF-16 with its mark, src/fix/encoding.ts), then encoded back as it was. The real rewrite is
 * only committed when, masked, it is exactly the rewrite planned on the audited text; anything else
 * (a different blob, a cache row that is not that blob, a rewrite that touched a secret) refuses
 * the pull request rather than commit what nobody audited. Both plans parse every manifest of the
 * tree: the bot makes them in its worker pool (`reads`), never on the thread that answers Slack.
 *
 * Each file is committed where its content lives and as it was: a manifest read through a symbolic
 * link is written to the file the link names (the link stays a link), with that file's mode (an
 * executable file stays executable).
 */
import type { AuditResult } from '../audit/audit.js';
import { decodeExact, EncodingError, encodeExact, type FileEncoding } from '../fix/encoding.js';
import type { FixPlan } from '../fix/plan.js';
import type { ManifestReads } from '../workers/jobs/manifest-reads.js';
import { readsHere } from '../workers/jobs/manifest-reads.js';
import type { Octokit } from './client.js';
import { rateLimitFromError } from './errors.js';
import { FixPullRequestError, type FixFileWrite } from './fix-pull-request.js';
import { gitBlobSha, treeOfSnapshot, type RepoSnapshot } from './snapshot.js';

export interface FixPullRequestFiles {
  /** The plan on the audited (masked) texts: what the pull request's title and body describe. */
  plan: FixPlan;
  /** Path in the tree → whole new content of each changed file, made from its real bytes and encoded as they were, and its mode: what is committed. */
  files: Map<string, FixFileWrite>;
}

/** Where the plans are made (src/fix/pull-request/plans.ts): the bot's worker threads, or this thread. */
export type FixPlanReads = Pick<ManifestReads, 'fixPlanOnAudited' | 'fixPlanOnReal'>;

export async function planFixPullRequest(
  octokit: Octokit,
  snapshot: Pick<RepoSnapshot, 'owner' | 'repo' | 'files' | 'links'> & Partial<Pick<RepoSnapshot, 'excluded' | 'unfollowed' | 'passedOver' | 'errors'>>,
  result: Pick<AuditResult, 'findings' | 'ignored' | 'exclusions'>,
  reads: FixPlanReads = readsHere,
): Promise<FixPullRequestFiles> {
  // Every manifest is parsed (twice): in the bot, off the main thread. Only what planning uses of the result crosses.
  const planned = { findings: result.findings, ignored: result.ignored, ...(result.exclusions ? { exclusions: result.exclusions } : {}) };
  const { plan, audited } = await reads.fixPlanOnAudited(treeOfSnapshot(snapshot), planned);
  if (plan.newTexts.size === 0) return { plan, files: new Map() };

  const real = new Map<string, { text: string; snapshotText: string }>();
  const encodings = new Map<string, FileEncoding>();
  for (const path of plan.newTexts.keys()) {
    const file = snapshot.files.find((f) => f.path === path);
    if (!file) throw notAsAudited(snapshot, path, 'it is not among the files read');
    // A requirements file the audit read in the codec its coding line declares (a snapshot keeps
    // its own bytes: SnapshotFile.ownBytes) is read again so, and compared with the audit's reading.
    const declared = file.ownBytes === true ? audited.find((f) => f.path === path && f.encoding.charset === 'declared') : undefined;
    const downloaded = await downloadText(octokit, snapshot, path, file.sha, declared !== undefined);
    real.set(path, { text: downloaded.text, snapshotText: declared?.text ?? file.text });
    encodings.set(path, downloaded.encoding);
  }

  const realPlan = await reads.fixPlanOnReal(planned, audited, plan.newTexts, real);
  if (!realPlan.ok) throw notAsAudited(snapshot, realPlan.path, realPlan.why);
  return { plan, files: whereStored(snapshot, realPlan.newTexts, encodings) };
}

/** New texts, encoded as each file was, by the path of the tree entry that holds each (a link's target), with its mode. */
function whereStored(
  snapshot: Pick<RepoSnapshot, 'owner' | 'repo' | 'files'>,
  newTexts: ReadonlyMap<string, string>,
  encodings: ReadonlyMap<string, FileEncoding>,
): Map<string, FixFileWrite> {
  const out = new Map<string, FixFileWrite>();
  for (const [path, text] of newTexts) {
    const file = snapshot.files.find((f) => f.path === path)!;
    const mode = file.mode === '100755' ? '100755' : '100644';
    let bytes: Buffer;
    try {
      bytes = encodeExact(text, encodings.get(path)!);
    } catch (err) {
      if (err instanceof EncodingError) throw notRoundTrip(snapshot, path, err.message);
      throw err;
    }
    const earlier = out.get(file.storedAt);
    // One file read under two names (itself and a link) can only be written once, one way.
    if (earlier && !earlier.bytes.equals(bytes)) throw notAsAudited(snapshot, path, `it is a link to ${file.storedAt}, which another file's fixes would rewrite differently`);
    out.set(file.storedAt, { bytes, mode, auditedBlob: file.sha });
  }
  return out;
}

function notRoundTrip(snapshot: Pick<RepoSnapshot, 'owner' | 'repo'>, path: string, why: string): FixPullRequestError {
  return new FixPullRequestError('encoding', `${path} on ${snapshot.owner}/${snapshot.repo} cannot be written back byte for byte (${why}), so no pull request was opened. Change its pins by hand.`);
}

function notAsAudited(snapshot: Pick<RepoSnapshot, 'owner' | 'repo'>, path: string, why: string): FixPullRequestError {
  return new FixPullRequestError('not-as-audited', `${path} on ${snapshot.owner}/${snapshot.repo} is not the file Depwatch audited (${why}), so no pull request was opened. Run /audit again and use the new button.`);
}

/** One blob, straight from GitHub: never through the blob cache, never stored anywhere. */
async function downloadText(octokit: Octokit, snapshot: Pick<RepoSnapshot, 'owner' | 'repo'>, path: string, sha: string, pipCoding = false): Promise<{ text: string; encoding: FileEncoding }> {
  const { owner, repo } = snapshot;
  let blob: { content: string; encoding: string };
  try {
    ({ data: blob } = await octokit.request('GET /repos/{owner}/{repo}/git/blobs/{file_sha}', { owner, repo, file_sha: sha }));
  } catch (err) {
    // A rate limit is said as every other one is (when to come back), not as an unreadable file.
    const limited = rateLimitFromError(err);
    if (limited) throw limited;
    const status = (err as { status?: unknown } | null)?.status;
    throw new FixPullRequestError('unreadable', `GitHub did not give Depwatch ${path} of ${owner}/${repo} again${typeof status === 'number' ? ` (${status})` : ''}, so no pull request was opened. Try the button again later.`);
  }
  const bytes = blob.encoding === 'base64' ? Buffer.from(blob.content, 'base64') : Buffer.from(blob.content, 'utf8');
  if (gitBlobSha(bytes) !== sha) throw notAsAudited(snapshot, path, 'GitHub returned content that does not match the audited blob');
  // UTF-8 or UTF-16 with its mark (as the audit read it), kept to be written back exactly so.
  const exact = decodeExact(bytes, { pipCoding });
  if (!exact.ok) throw notRoundTrip(snapshot, path, exact.reason);
  return { text: exact.text, encoding: exact.encoding };
}
