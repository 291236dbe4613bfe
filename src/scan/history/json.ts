/**
 * The JSON of `depwatch scan --history` (docs/cli-contract.md): each finding as `scan --json` gives
 * it, plus `commit` and `in_working_tree` for a secret the history has; and `history`, what was read
 * and what was not. snake_case, add fields freely, never rename or drop one.
 */
import type { CommitRef, HistoryResult } from './scan-history.js';

export function commitJson(c: CommitRef) {
  return { sha: c.sha, author_date: c.authorDate, subject: c.subject, file: c.file, line: c.line };
}

export function historyJson(h: HistoryResult) {
  return {
    commits: h.stats.commits,
    file_changes: h.stats.fileChanges,
    binary_changes: h.stats.binaryChanges,
    added_bytes: h.stats.addedBytes,
    unread: h.unread.map((u) => ({ kind: u.kind, message: u.message })),
    notes: h.notes.map((n) => ({ kind: n.kind, message: n.message })),
    partial: h.partial,
  };
}
