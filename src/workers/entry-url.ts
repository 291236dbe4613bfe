/**
 * The audit worker's module, next to this one: src/workers/entry.ts under vitest and tsx (loaded
 * through tsx inside the worker), dist/workers/entry.js once compiled (`npm start`). A module of its
 * own so that starting a pool (a terminal's parallel scan) does not load every job's code with it.
 */
export const AUDIT_WORKER_ENTRY = new URL(import.meta.url.endsWith('.ts') ? './entry.ts' : './entry.js', import.meta.url);

/** The parallel scan's worker module (scan-entry.ts), found the same way: it loads the code scanner only. */
export const SCAN_WORKER_ENTRY = new URL(import.meta.url.endsWith('.ts') ? './scan-entry.ts' : './scan-entry.js', import.meta.url);
