-- Why a repository's last sweep audit was partial (JSON array of RepoPartialReason, see
-- src/store/watches.ts): files not read, no manifest found, a data source down, code not scanned,
-- one line each as the /audit reply says them. /audit list and the digests show a repository with
-- reasons as not fully checked, never as clean. NULL: the last audit was complete (a complete audit
-- clears it; a clean re-match clears the advisory-source ones). Older rows: NULL until their next
-- audit, which is the truth as far as the stored state ever said.
ALTER TABLE repo_state ADD COLUMN partial_reasons TEXT;

-- What the last sweep could not do as a whole (the advisory refresh failed, re-matching failed, a
-- sweep batch was lost, advisory data behind): JSON array of lines, NULL when it was complete.
-- `since`: when the current run of such sweeps began (kept once they recover, with recovered_at,
-- so the alert that said so can be edited to say it is over). One row, id 'sweep'.
CREATE TABLE sweep_status (
  id TEXT PRIMARY KEY,
  problems TEXT,
  since TEXT,
  recovered_at TEXT,
  updated_at TEXT NOT NULL
);
