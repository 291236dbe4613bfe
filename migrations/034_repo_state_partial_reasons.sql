-- Why a repository's last sweep audit was partial (JSON array of RepoPartialReason, see
-- src/store/watches.ts): files not read, no manifest found, a data source down, code not scanned,
-- one line each as the /audit reply says them. /audit list and the digests show a repository with
-- reasons as not fully checked, never as clean. NULL: the last audit was complete (a complete audit
-- clears it; a clean re-match clears the advisory-source ones). Older rows: NULL until their next
-- audit, which is the truth as far as the stored state ever said.
ALTER TABLE repo_state ADD COLUMN partial_reasons TEXT;
