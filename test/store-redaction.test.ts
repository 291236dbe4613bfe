/**
 * Issue 12 point 9, for databases written before the rule: audits, watched findings, stored packages
 * and alerts that quote a credential are rewritten once by migration 015 through the same redaction
 * every output uses, and nothing else about them changes.
 */
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { migrate, readMigrations } from '../src/store/db.js';

const SECRET = 'Hunter2SecretValue';
const TOKEN = `ghp_${'A1b2'.repeat(9)}`;
const INDEX = `https://deploy:${SECRET}@pypi.internal/simple`;

/** Every text of every row of the tables the migration rewrites. */
function storedText(db: Database.Database): string {
  return ['audits', 'repo_findings', 'repo_state', 'watch_alerts'].map((t) => JSON.stringify(db.prepare(`SELECT * FROM ${t}`).all())).join('\n');
}

describe('migration 015: stored text without credentials', () => {
  it('rewrites rows stored before redaction, keeps their JSON valid and leaves clean rows as they were', () => {
    const db = new Database(':memory:');
    const migrations = readMigrations();
    migrate(db, migrations.filter((m) => m.version <= 14));

    const finding = { kind: 'extra-index-url', severity: 'medium', file: 'requirements.txt', line: 1, fix: { version: null, text: `Remove --extra-index-url ${INDEX}?token=${SECRET}` } };
    const clean = { kind: 'unpinned', severity: 'low', package: 'flask', fix: { version: null, text: 'Pin flask, see https://pip.pypa.io/ for how' } };
    const result = { target: 'octo/app@abc', findings: [finding, clean], errors: [{ file: 'requirements.txt', line: 3, message: `cannot read ${TOKEN}` }] };
    db.prepare(
      `INSERT INTO audits (repo, repo_key, ref, sha, html_url, created_at, requested_by, counts, result) VALUES ('octo/app', 'octo/app', 'main', 'abc', 'https://github.com/octo/app', '2025-01-01', NULL, '{}', ?)`,
    ).run(JSON.stringify(result));
    const findingRow = db.prepare(
      `INSERT INTO repo_findings (repo, key, kind, severity, package, version, advisory_id, json, first_seen, last_seen, fixed_at, fixed_by_sha, alertable) VALUES ('octo/app', ?, ?, ?, NULL, NULL, NULL, ?, '2025-01-01', '2025-01-01', NULL, NULL, 0)`,
    );
    findingRow.run('k1', finding.kind, finding.severity, JSON.stringify(finding));
    findingRow.run('k2', clean.kind, clean.severity, JSON.stringify(clean));
    db.prepare(
      `INSERT INTO repo_state (repo, display, html_url, private, head_oid, audited_sha, audited_at, packages_json, ignores_json, dependencies, error, error_at, checked_at) VALUES ('octo/app', 'octo/app', NULL, 0, NULL, NULL, NULL, ?, '[]', 1, ?, NULL, NULL)`,
    ).run(JSON.stringify([{ name: 'private-lib', version: '1.0', entries: [{ file: 'requirements.txt', line: 2, url: `git+${INDEX.replace('/simple', '/lib.git')}` }] }]), `GitHub said 401 for https://x-access-token:${SECRET}@github.com/octo/app`);
    expect(storedText(db)).toContain(SECRET);
    const cleanBefore = db.prepare("SELECT json FROM repo_findings WHERE key = 'k2'").get();

    migrate(db, migrations);

    const after = storedText(db);
    expect(after).not.toContain(SECRET);
    expect(after).not.toContain(TOKEN);
    // Still what the report needs, and still JSON.
    const stored = JSON.parse((db.prepare('SELECT result FROM audits').get() as { result: string }).result) as typeof result;
    expect(stored.findings[0]!.fix.text).toBe('Remove --extra-index-url https://pypi.internal/simple?token=****');
    expect(stored.errors[0]!.message).toMatch(/^cannot read ghp_…\[redacted\]$/);
    expect(JSON.parse((db.prepare("SELECT json FROM repo_findings WHERE key = 'k1'").get() as { json: string }).json)).toMatchObject({ kind: 'extra-index-url', line: 1 });
    expect(db.prepare("SELECT json FROM repo_findings WHERE key = 'k2'").get()).toEqual(cleanBefore);
    db.close();
  });
});
