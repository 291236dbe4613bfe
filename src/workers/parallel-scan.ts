/**
 * A directory's code scan split across worker threads: parsing Python with tree-sitter is nearly
 * all of a scan's time and one file never depends on another, so the Python files are shared out
 * (by size, largest first) among the workers, which each read and check their own; this thread
 * checks every other file and runs the tree rules over all paths. The tree's ignores are parsed
 * once, here, and handed to every part, so a finding is ignored the same wherever it was found; one
 * fingerprint key serves every part, so fingerprints compare within the scan.
 *
 * Small trees are scanned on this thread: starting workers (each loads the parser) costs more than
 * it saves below a few hundred files.
 */
import { statSync } from 'node:fs';
import { configFileOf, excluder } from '../audit/exclude.js';
import type { DepwatchFile } from '../audit/ignore-file.js';
import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import { foldCheckpointCopies } from '../scan/jupyter-checkpoints.js';
import { isJupyterCheckpointPath, isNotebookPath, isPythonPath } from '../scan/paths.js';
import { compareCodeFindings, readTreeIgnores, scanTree, type ScanOptions } from '../scan/scan.js';
import { randomFingerprintKey } from '../scan/secrets/fingerprint.js';
import type { DirectoryWalk } from '../python/directory-walk.js';
import { directoryScanSource } from '../scan/source.js';
import type { ScanResult } from '../scan/types.js';
import type { DirectoryPartRequest } from './jobs/scan-directory-part.js';
import { compareCodeUnits } from '../text-order.js';

/** Below this many Python files the scan stays on this thread. */
export const PARALLEL_SCAN_MIN_FILES = 200;

/** Worker threads for a terminal scan: every core (this thread mostly waits on them), at most 4. */
function scanWorkers(): number {
  return Math.min(4, Math.max(1, availableParallelism()));
}

export interface ParallelScanOptions {
  fingerprintKey?: string;
  /** Worker threads; default: the machine's cores, at most 4 (scanWorkers). */
  workers?: number;
  minFiles?: number;
  today?: Date;
  /** The directory's walk, when the caller lists it too (an audit's manifests): walked once for both. */
  walk?: DirectoryWalk;
  /** The tree's `.depwatch.yml` as an audit of it parsed it (ScanOptions.settings): not read again here. */
  settings?: DepwatchFile | null;
  /** `depwatch scan`: no audit beside it (ScanOptions.standalone). */
  standalone?: boolean;
}

export async function scanDirectoryInParallel(root: string, options: ParallelScanOptions = {}): Promise<ScanResult> {
  const source = directoryScanSource(root, options.walk);
  const today = options.today ?? new Date();
  const base: ScanOptions = {
    today,
    ...(options.fingerprintKey ? { fingerprintKey: options.fingerprintKey } : {}),
    ...(options.settings !== undefined ? { settings: options.settings } : {}),
    ...(options.standalone ? { standalone: true } : {}),
  };
  const entries = await source.entries();
  const files = entries.filter((e) => e.type === 'file').map((e) => e.path);
  const workers = Math.max(0, Math.min(options.workers ?? scanWorkers(), 8));
  const minFiles = options.minFiles ?? PARALLEL_SCAN_MIN_FILES;
  // A tree too small for workers is scanned here whole, and scanTree reads its settings itself:
  // asked before they are read, so they are read once. Excluding can only make the count smaller.
  const small = (python: readonly string[]) => workers === 0 || python.length < minFiles;
  // Notebooks are parsed as Python too (their code cells), so they are shared out with the `.py` files;
  // Jupyter's checkpoints are read for secrets only (scan/jupyter-checkpoints.ts), so they stay here.
  const parsed = (path: string) => (isPythonPath(path) || isNotebookPath(path)) && !isJupyterCheckpointPath(path);
  if (small(files.filter(parsed))) return scanTree(source, base);
  // Only a tree with a settings file is read for it here (its parser loads only then), unless an audit read it already.
  const own = options.settings !== undefined ? options.settings : configFileOf(files) === null ? null : await readTreeIgnores(source, files, 1024 * 1024);
  // What `exclude:` keeps out is never handed to a part (this thread's part says what was excluded).
  const excludedBy = excluder(own?.excludes ?? []);
  const python = files.filter((path) => parsed(path) && excludedBy(path) === null);
  if (small(python)) return scanTree(source, base);

  // Every part ignores what this thread's part does: the tree's ignore files, read as the scan reads them.
  const ignores = own?.rules ?? [];
  const key = options.fingerprintKey ?? randomFingerprintKey();
  const parts = shareOut(root, python, workers);
  // The pool loads only for a tree this large (most scans never start a worker).
  const [{ WorkerPool }, { SCAN_WORKER_ENTRY }, { SCAN_DIRECTORY_PART_TASK }] = await Promise.all([
    import('./pool.js'),
    import('./entry-url.js'),
    import('./jobs/scan-directory-part.js'),
  ]);
  // A terminal scan of a large tree may take minutes; nothing waits on it but the person who ran it.
  const pool = new WorkerPool({ entry: SCAN_WORKER_ENTRY, size: workers, jobsPerWorker: 1, computeBudgetMs: 30 * 60_000 });
  try {
    const inPython = new Set(python);
    const [here, ...there] = await Promise.all([
      scanTree(source, { ...base, fingerprintKey: key, scanHere: (path) => !inPython.has(path) }),
      ...parts.map((paths) => pool.run<ScanResult>(SCAN_DIRECTORY_PART_TASK, { root, paths, fingerprintKey: key, ignores, today } satisfies DirectoryPartRequest, {})),
    ]);
    return merge(here!, there, options.fingerprintKey ? 'installation' : 'run');
  } finally {
    await pool.close();
  }
}

/** Largest file first onto the lightest part: parts of about equal work. */
function shareOut(root: string, paths: string[], n: number): string[][] {
  const sized = paths.map((path) => {
    let size = 0;
    try {
      size = statSync(join(root, path)).size;
    } catch {
      // gone since listing: its part says so when it reads it
    }
    return { path, size };
  });
  sized.sort((a, b) => b.size - a.size);
  const parts = Array.from({ length: n }, () => ({ paths: [] as string[], bytes: 0 }));
  for (const f of sized) {
    const lightest = parts.reduce((a, b) => (b.bytes < a.bytes ? b : a));
    lightest.paths.push(f.path);
    lightest.bytes += f.size + 1;
  }
  return parts.map((p) => p.paths).filter((p) => p.length > 0);
}

/** One result from the parts: this thread's (tree rules, file count) plus the workers' per-file work. */
function merge(here: ScanResult, there: ScanResult[], fingerprintScope: ScanResult['fingerprintScope']): ScanResult {
  const all = [here, ...there];
  const skipped = new Map(all.flatMap((r) => r.skipped).map((s) => [s.path, s]));
  // Every part applies the tree's ignores: one that matched nothing is stale only if it matched nothing in any part.
  const notes = new Map<string, { note: ScanResult['notes'][number]; parts: number }>();
  for (const r of all) {
    for (const n of new Map(r.notes.map((x) => [`${x.kind}\0${x.message}`, x])).values()) {
      const key = `${n.kind}\0${n.message}`;
      notes.set(key, { note: n, parts: (notes.get(key)?.parts ?? 0) + 1 });
    }
  }
  const rules = new Map(all.flatMap((r) => r.rules).map((r) => [r.id, r]));
  const sum = (pick: (r: ScanResult) => number) => all.reduce((n, r) => n + pick(r), 0);
  // A notebook and its Jupyter checkpoint may be read in different parts: their shared secrets are folded here (a directory is a checkout).
  const { findings, ignored } = foldCheckpointCopies(all.flatMap((r) => r.findings), all.flatMap((r) => r.ignored), true);
  return {
    findings: findings.sort(compareCodeFindings),
    ignored: ignored.sort(compareCodeFindings),
    skipped: [...skipped.values()].sort((a, b) => compareCodeUnits(a.path, b.path)),
    notes: [...notes.values()].filter((n) => n.note.kind !== 'stale' || n.parts === all.length).map((n) => n.note),
    stats: {
      files: here.stats.files,
      textFiles: sum((r) => r.stats.textFiles),
      pythonFiles: sum((r) => r.stats.pythonFiles),
      binaryFiles: sum((r) => r.stats.binaryFiles),
      bytes: sum((r) => r.stats.bytes),
    },
    fingerprintScope,
    rules: [...rules.values()].sort((a, b) => compareCodeUnits(a.id, b.id)),
    partial: all.some((r) => r.partial),
  };
}
