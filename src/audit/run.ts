/**
 * Audits a file tree (a local checkout or a GitHub snapshot): discovery, loading, the interpreter
 * and ignore files, then the audit itself. The CLI, `/audit` and the scheduler all come through here.
 */
import { isProjectContextPath } from '../python/discover.js';
import type { FileSource } from '../python/files.js';
import { decodeManifest, loadManifests, readConfined, type LoadResult } from '../python/load.js';
import type { ExtractError } from '../python/types.js';
import { runAudit, type AuditInput, type AuditResult } from './audit.js';

export type TreeAuditOptions = Omit<AuditInput, 'load' | 'contextFiles'> & {
  /** Problems found before the audit (a snapshot's unreadable files), reported with the rest. */
  extraErrors?: ExtractError[];
};

export async function auditFileSource(source: FileSource, options: TreeAuditOptions): Promise<AuditResult> {
  return auditTree(await readTree(source), options);
}

/** What an audit reads from a tree: its manifests, parsed, and the interpreter and ignore files. */
export interface TreeContents {
  load: LoadResult;
  contextFiles: { path: string; text: string }[];
}

export async function readTree(source: FileSource): Promise<TreeContents> {
  const paths = await source.list();
  const load = await loadManifests(source, {});
  const contextFiles: { path: string; text: string }[] = [];
  for (const path of paths.filter(isProjectContextPath)) {
    const bytes = await readConfined(source, path, load.errors);
    if (!bytes) continue;
    const text = decodeManifest(bytes, path, load.errors);
    if (text !== null) contextFiles.push({ path, text });
  }
  return { load, contextFiles };
}

/** The audit of a tree already read (readTree), for callers that also need what was read. */
export function auditTree(contents: TreeContents, options: TreeAuditOptions): Promise<AuditResult> {
  const { extraErrors, ...rest } = options;
  const load = extraErrors ? { ...contents.load, errors: [...contents.load.errors, ...extraErrors] } : contents.load;
  return runAudit({ ...rest, load, contextFiles: contents.contextFiles });
}

/** Whether the tree had anything to audit: used to tell "no findings" from "nothing found". */
export const hasManifests = (result: AuditResult) => result.dependencies > 0 || result.errors.length > 0;
