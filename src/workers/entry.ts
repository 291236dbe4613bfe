/**
 * The audit worker's entry: the fixed table of tasks it runs (WorkerPool jobs name one of these; a
 * name from anywhere else is refused). Loads the pure core only: formats, PEP 440/508, matching,
 * rules, the code scanner. No Slack, no SQLite, no network in here. A parallel directory scan's
 * workers start from scan-entry.ts instead, which loads only the scanner.
 */
import { READ_TASKS } from './jobs/manifest-reads.js';
import { REMATCH_TASK, runRematch } from './jobs/rematch.js';
import { runArchiveScan, SCAN_ARCHIVE_TASK } from './jobs/scan-archive.js';
import { runTreeAudit, TREE_AUDIT_TASK } from './jobs/tree-audit.js';
import { serveTasks } from './serve.js';

serveTasks({
  [TREE_AUDIT_TASK]: runTreeAudit,
  [REMATCH_TASK]: runRematch,
  [SCAN_ARCHIVE_TASK]: runArchiveScan,
  ...READ_TASKS,
});
