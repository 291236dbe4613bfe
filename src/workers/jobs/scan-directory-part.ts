/**
 * One part of a directory scan split across worker threads (src/workers/parallel-scan.ts): the
 * per-file checks of the given files, with the tree's ignores already parsed by the caller. The
 * worker reads the files from disk itself; only paths and findings cross the thread boundary.
 */
import type { IgnoreRule } from '../../audit/ignores.js';
import { scanTree } from '../../scan/scan.js';
import { directoryScanSource } from '../../scan/source.js';
import type { ScanResult } from '../../scan/types.js';
import { compareCodeUnits } from '../../text-order.js';

export const SCAN_DIRECTORY_PART_TASK = 'scan-directory-part';

export interface DirectoryPartRequest {
  root: string;
  paths: string[];
  fingerprintKey: string;
  ignores: IgnoreRule[];
  today: Date;
  maxFileBytes?: number;
  parseTimeoutMs?: number;
}

export async function runDirectoryPart(input: DirectoryPartRequest): Promise<ScanResult> {
  // The part's files, as the caller's walk listed them (in its path order): walking the whole tree
  // again in every worker only to keep these cost each part a full walk. Each is read as the
  // caller's own scan reads a file (directoryScanSource: never through a link, regular files only).
  const files = [...input.paths].sort(compareCodeUnits).map((path) => ({ path, type: 'file' as const }));
  return scanTree(directoryScanSource(input.root, () => files), {
    fingerprintKey: input.fingerprintKey,
    ignores: input.ignores,
    today: input.today,
    ...(input.maxFileBytes !== undefined ? { maxFileBytes: input.maxFileBytes } : {}),
    ...(input.parseTimeoutMs !== undefined ? { parseTimeoutMs: input.parseTimeoutMs } : {}),
    treeRules: false,
  });
}
