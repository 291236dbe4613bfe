/**
 * The parallel code scan's worker entry (parallel-scan.ts): only the task of scanning a part of a
 * directory. A scan's workers start while the user waits, and the audit worker's entry (entry.ts)
 * loads every job's code, the manifest parsers, matching and rematching among it, which a scan part
 * never runs: about 90 ms of CPU at each worker's start (two or four of them a scan).
 */
import { runDirectoryPart, SCAN_DIRECTORY_PART_TASK } from './jobs/scan-directory-part.js';
import { serveTasks } from './serve.js';

serveTasks({ [SCAN_DIRECTORY_PART_TASK]: runDirectoryPart });
