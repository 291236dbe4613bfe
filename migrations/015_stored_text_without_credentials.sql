-- Issue 12 point 9: nothing raw reaches the database. Audits, watched findings, stored packages and
-- alerts written before credentials in URLs (and tokens) were redacted at the parser may quote them.
-- SQL cannot redact, so the store defines depwatch_redact() on its connection (src/store/db.ts: the
-- same rule as every output, src/redact.ts) and each stored text is rewritten through it once.
-- Redacting is idempotent and keeps JSON valid, so rows that held no secret come out unchanged.
UPDATE audits SET result = depwatch_redact(result);
UPDATE repo_findings SET json = depwatch_redact(json);
UPDATE repo_state SET packages_json = depwatch_redact(packages_json), error = depwatch_redact(error);
UPDATE watch_alerts SET affected_json = depwatch_redact(affected_json), last_error = depwatch_redact(last_error);
