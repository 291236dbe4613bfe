/**
 * The pure part of planning a fix pull request (src/github/fix-files.ts does the downloads and the
 * committing around it): the plan on a GitHub snapshot's audited texts, then the plan on the real
 * texts of the files it rewrites, checked against it. Each parses every manifest of the tree (a 5 MB
 * `.depwatch.yml` takes seconds, a setup.py at its size limit over a second), so the bot runs them in
 * its worker pool (AuditRunner.reads, src/workers/jobs/manifest-reads.ts): their arguments and
 * answers are structured-clone data (texts, paths, the FixPlan's plain objects, arrays and Maps).
 */
import type { AuditResult } from '../../audit/audit.js';
import { excluder } from '../../audit/exclude.js';
import { readTreeExcludes } from '../../audit/tree-excludes.js';
import { treeFileBytes, treeSource } from '../../python/files.js';
import { readyFormatReaders } from '../../python/formats/index.js';
import { maskSecrets } from '../../redact.js';
import { auditedManifests, type AuditedFile } from '../audited-files.js';
import { planFixes, type FixPlan } from '../plan.js';

/** What planning needs of a snapshot: its files and listing, as snapshotSource reads them (treeOfSnapshot). */
export type SnapshotTree = Parameters<typeof treeSource>[0];

/** What planning needs of the audit's result. */
export type PlannedResult = Pick<AuditResult, 'findings' | 'ignored' | 'exclusions'>;

/** The plan on the audited texts, and the manifests it was made from (each with its encoding). */
export interface AuditedPlan {
  plan: FixPlan;
  audited: AuditedFile[];
}

/** How the blob cache and the snapshot show a file: BOM dropped, URL secrets masked. */
export const asAudited = (text: string): string => maskSecrets(text.replace(/^\uFEFF/, ''));

/**
 * The plan on the snapshot's (masked) texts: which files change, and what the pull request says.
 *
 * The plan finds a vulnerable release's pins in every file it is given: not in those `exclude:` kept
 * out of the audit (a test fixture pinning the same release is not the project's to fix). A file the
 * audit reached only by an include into an excluded folder is left out too: its pins are then left
 * alone, never rewritten unasked. The entries are read from the snapshot's own `.depwatch.yml` (the
 * audited commit's), as the audit read them, and the result's are kept too: a result recorded from a
 * watch sweep, or stored before `exclude:` existed, carries none.
 */
export async function planOnAudited(tree: SnapshotTree, result: PlannedResult): Promise<AuditedPlan> {
  const fromSnapshot = (await readTreeExcludes(treeSource(tree))).excludedBy;
  const fromResult = excluder(result.exclusions ?? []);
  const excludedBy = (path: string) => fromSnapshot(path) ?? fromResult(path);
  const read = tree.files.filter((f) => excludedBy(f.path) === null);
  const ownBytes = new Set(read.filter((f) => f.ownBytes === true).map((f) => f.path));
  const audited = await auditedManifests(new Map(read.map((f) => [f.path, treeFileBytes(f)])), undefined, { reencoded: (path) => !ownBytes.has(path) });
  return { plan: planFixes(result, audited), audited };
}

/** The real plan's new texts, or the first file that shows the real texts are not what was audited, and how. */
export type RealPlan = { ok: true; newTexts: Map<string, string> } | { ok: false; path: string; why: string };

/**
 * The plan again, on the real texts of the files the audited plan rewrites (`real`: path → the text
 * downloaded fresh, and the snapshot's text of it, which the audit read; the other files only place
 * the pins and name the lock commands), kept only when, masked, it is exactly the audited plan: each
 * real text is the snapshot's once masked, and each rewrite masked is the audited rewrite, with no
 * other file rewritten. Checked in the order of the plan's files, as they were downloaded.
 */
export async function planOnReal(
  result: PlannedResult,
  audited: readonly AuditedFile[],
  planned: ReadonlyMap<string, string>,
  real: ReadonlyMap<string, { text: string; snapshotText: string }>,
): Promise<RealPlan> {
  for (const [path, { text, snapshotText }] of real) {
    if (asAudited(text) !== snapshotText) return { ok: false, path, why: 'its content on GitHub differs from the text the audit read' };
  }
  // planFixes is synchronous: setup.py's reader loads once per thread (this worker may not have it yet).
  await readyFormatReaders(audited.map((f) => f.format));
  const files = audited.map((f) => (real.has(f.path) ? { ...f, text: real.get(f.path)!.text } : f));
  const realPlan = planFixes(result, files);
  for (const [path, rewrite] of planned) {
    const rewritten = realPlan.newTexts.get(path);
    if (rewritten === undefined || asAudited(rewritten) !== rewrite) return { ok: false, path, why: 'rewriting its real text would change more than the audited rewrite' };
  }
  if (realPlan.newTexts.size !== planned.size) {
    const extra = [...realPlan.newTexts.keys()].find((p) => !planned.has(p))!;
    return { ok: false, path: extra, why: 'its real text would be rewritten where the audited text was not' };
  }
  return { ok: true, newTexts: realPlan.newTexts };
}
