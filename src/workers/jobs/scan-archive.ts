/**
 * The code and configuration scan of a repository archive as a job: unpacking the tarball and
 * parsing every Python file happen where the job runs (a worker thread in the bot), so a large
 * repository never holds up a Slack ack. The archive was downloaded on the main thread
 * (src/github/tarball.ts); what comes back is the plain ScanResult, secrets as fingerprints only.
 */
import type { IgnoreRule } from '../../audit/ignores.js';
import { scanTree } from '../../scan/scan.js';
import { readTarball } from '../../scan/tarball-source.js';
import type { ScanResult } from '../../scan/types.js';

export const SCAN_ARCHIVE_TASK = 'scan-archive';

export interface ArchiveScanRequest {
  /** The gzipped tarball, as GitHub serves it. */
  archive: Uint8Array;
  /** The installation's key for secret fingerprints, so the same secret compares across scans. */
  fingerprintKey: string;
  /** Ignores kept outside the tree (a channel's), applied with the tree's own `.depwatch.yml`. */
  ignores?: IgnoreRule[];
  /** For expiry of ignores. */
  today: Date;
}

export async function runArchiveScan(input: ArchiveScanRequest): Promise<ScanResult> {
  const tree = await readTarball(input.archive);
  const result = await scanTree(tree.source, { fingerprintKey: input.fingerprintKey, ignores: input.ignores ?? [], today: input.today });
  if (!tree.skipped.length) return result;
  // What the archive itself refused or could not reach belongs with the files the scan skipped.
  return { ...result, skipped: [...tree.skipped, ...result.skipped], partial: result.partial || tree.skipped.some((s) => s.partial) };
}
