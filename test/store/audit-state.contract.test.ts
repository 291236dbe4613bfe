/**
 * The `/audit` state's contract, run against both implementations: SQLite (two connections to one
 * file) and the run's real PostgreSQL (two pools on one database, as two replicas would have). Every
 * case is something a button under a reply relies on when Slack sends its click to either replica.
 */
import { afterEach, describe, expect, it } from 'vitest';
import type { AuditResult } from '../../src/audit/audit.js';
import type { Finding } from '../../src/audit/findings.js';
import { applySlackIgnores } from '../../src/slack/audit-service.js';
import { PostgresAuditState } from '../../src/store/audit-state/postgres.js';
import { SqliteAuditState } from '../../src/store/audit-state/sqlite.js';
import type { AuditStateStore, NewAudit } from '../../src/store/audit-state/types.js';
import { createTestDatabase } from '../helpers/postgres.js';
import { openTestDb, tempDbPath } from '../watch/helpers.js';

type Dialect = 'sqlite' | 'postgres';

let close: (() => Promise<void>) | undefined;
afterEach(async () => {
  await close?.();
  close = undefined;
});

async function openStores(dialect: Dialect): Promise<[AuditStateStore, AuditStateStore]> {
  if (dialect === 'sqlite') {
    const path = tempDbPath();
    const dbs = [openTestDb(path), openTestDb(path)];
    close = async () => dbs.forEach((db) => db.close());
    return [new SqliteAuditState(dbs[0]!), new SqliteAuditState(dbs[1]!)];
  }
  const database = await createTestDatabase();
  close = () => database.drop();
  const pools = await Promise.all([database.open({ max: 4 }), database.open({ max: 4 })]);
  return [new PostgresAuditState(pools[0]!), new PostgresAuditState(pools[1]!)];
}

const NOW = new Date('2025-05-01T12:00:00.000Z');
const ALICE = 'U0ALICE0001';
const BOB = 'U0BOB000001';

function vulnerability(id: string, pkg: string, severity: Finding['severity']): Finding {
  return { kind: 'vulnerability', severity, package: pkg, version: '1.0', file: 'requirements.txt', line: 1, id, aliases: [], summary: `${id} summary`, fixedVersions: ['2.0'], fix: { version: '2.0', text: `Upgrade ${pkg} to 2.0` } };
}

function result(findings: Finding[]): AuditResult {
  return { target: 'octo/app@abc', dependencies: findings.length, findings, ignored: [], notes: [], errors: [], warnings: [], notices: [], partial: false, advisorySource: 'api' };
}

function audit(overrides: Partial<NewAudit> = {}): NewAudit {
  return {
    repo: 'Octo/App',
    ref: 'main',
    sha: 'a'.repeat(40),
    htmlUrl: 'https://github.com/Octo/App',
    createdAt: NOW,
    requestedBy: ALICE,
    private: false,
    result: result([vulnerability('PYSEC-1', 'django', 'critical'), vulnerability('PYSEC-2', 'urllib3', 'high')]),
    ...overrides,
  };
}

const withIgnores = (record: { result: AuditResult }, rules: Parameters<typeof applySlackIgnores>[1]) => applySlackIgnores(record.result, rules, NOW);

describe.each<Dialect>(['sqlite', 'postgres'])('/audit state on %s', (dialect) => {
  it('keeps an audit whole, where its reply is, and reads it alike through either replica', async () => {
    const [a, b] = await openStores(dialect);
    const stored = await a.insertAudit(audit());
    expect(stored).toMatchObject({ repo: 'Octo/App', channel: null, ts: null, replyParts: null, private: false, counts: { critical: 1, high: 1, medium: 0, low: 0 } });
    await a.setReply(stored.id, 'C0AUDIT0001', '1700000000.000100');
    expect(await b.getAudit(stored.id)).toMatchObject({ channel: 'C0AUDIT0001', ts: '1700000000.000100', replyParts: [] });
    await b.setReplyParts(stored.id, ['1700000000.000200', '1700000000.000300']);
    expect((await a.getAudit(stored.id))?.replyParts).toEqual(['1700000000.000200', '1700000000.000300']);
    expect((await a.getAudit(stored.id))?.result).toEqual(stored.result);
    // A forged button value finds nothing rather than failing.
    for (const id of [0, -1, Number.NaN, 2 ** 60, stored.id + 1000]) expect(await b.getAudit(id)).toBeUndefined();
  });

  it('keeps the branch the audit named, and none for the default branch', async () => {
    const [a, b] = await openStores(dialect);
    const named = await a.insertAudit(audit({ ref: 'release-2.x', requestedBranch: 'release-2.x' }));
    const byDefault = await a.insertAudit(audit());
    expect(named.requestedBranch).toBe('release-2.x');
    expect((await b.getAudit(named.id))?.requestedBranch).toBe('release-2.x');
    expect((await b.getAudit(byDefault.id))?.requestedBranch).toBeNull();
  });

  it('stores an ignore made on one replica and revises the reply it came from, counts included', async () => {
    const [a, b] = await openStores(dialect);
    const stored = await a.insertAudit(audit());
    const saved = await b.addIgnore({ repo: 'octo/app', advisoryId: ' PYSEC-1 ', package: 'Django', reason: 'not reachable ', until: '2030-01-01', createdBy: BOB, createdAt: NOW, auditId: stored.id }, withIgnores);
    expect(saved.ignore).toMatchObject({ repoKey: 'octo/app', advisoryId: 'PYSEC-1', package: 'django', reason: 'not reachable', auditId: stored.id });
    expect(saved.audit?.counts).toMatchObject({ critical: 0, high: 1, medium: 0, low: 0 });
    const reread = await a.getAudit(stored.id);
    expect(reread?.result.findings.map((f) => f.id)).toEqual(['PYSEC-2']);
    expect(reread?.result.ignored.map((f) => [f.id, f.ignoredBy?.source])).toEqual([['PYSEC-1', `Slack, by <@${BOB}>`]]);
    // Any casing of the repository finds its ignores, as rules and all at once.
    expect((await a.ignoreRulesForRepo('OCTO/app')).map((r) => r.id)).toEqual(['PYSEC-1']);
    const lookup = await a.repoIgnoreLookup();
    expect(lookup('octo/App').map((r) => [r.id, r.package, r.until])).toEqual([['PYSEC-1', 'django', '2030-01-01']]);
    expect(lookup('octo/other')).toEqual([]);
  });

  it('keeps one ignore per advisory and package: saving it again, even at once on two replicas, replaces the earlier one, so a shorter expiry holds', async () => {
    const [a, b] = await openStores(dialect);
    const first = await a.insertAudit(audit());
    const second = await b.insertAudit(audit());
    const ignore = (auditId: number, overrides: { advisoryId?: string; package?: string | null; reason?: string; until?: string | null } = {}) => ({
      repo: 'octo/app', advisoryId: 'PYSEC-1', package: 'django', reason: 'first reason', until: '2999-12-31', createdBy: BOB, createdAt: NOW, auditId, ...overrides,
    });
    // A double-click under one reply, and the same advisory saved from another audit of the repository.
    const saved = await Promise.all([a.addIgnore(ignore(first.id), withIgnores), b.addIgnore(ignore(first.id), withIgnores), b.addIgnore(ignore(second.id), withIgnores)]);
    expect(saved.filter((s) => s.replaced === null).length).toBeGreaterThanOrEqual(1);
    expect((await a.ignoresForRepo('octo/app')).map((i) => [i.advisoryId, i.package, i.until])).toEqual([['PYSEC-1', 'django', '2999-12-31']]);

    const shorter = await b.addIgnore(ignore(first.id, { advisoryId: 'pysec-1', package: 'Django', reason: 'only until the upgrade', until: '2027-01-15' }), withIgnores);
    expect(shorter.replaced).toMatchObject({ advisoryId: 'PYSEC-1', package: 'django', reason: 'first reason', until: '2999-12-31' });
    expect((await a.ignoresForRepo('OCTO/app')).map((i) => [i.advisoryId, i.reason, i.until])).toEqual([['pysec-1', 'only until the upgrade', '2027-01-15']]);
    expect((await a.ignoreRulesForRepo('octo/app')).map((r) => r.until)).toEqual(['2027-01-15']);

    // Every package's ignore of the advisory, and another repository's, are other ignores.
    const everyPackage = await a.addIgnore(ignore(first.id, { package: null }), withIgnores);
    expect(everyPackage.replaced).toBeNull();
    expect(await a.ignoresForRepo('octo/app')).toHaveLength(2);
    expect((await b.addIgnore({ ...ignore(first.id), repo: 'octo/other' }, withIgnores)).replaced).toBeNull();
  });

  it('keeps both revisions when an ignore and the second stage revise one reply at once on two replicas', async () => {
    const [a, b] = await openStores(dialect);
    const stored = await a.insertAudit(audit());
    // The second stage adds an outdated finding and re-applies the ignores it finds; the ignore hides PYSEC-2.
    const secondStage = (record: { result: AuditResult }, rules: Parameters<typeof applySlackIgnores>[1]) =>
      applySlackIgnores(result([...record.result.findings, ...record.result.ignored, { ...vulnerability('PYSEC-9', 'attrs', 'low'), kind: 'outdated' as const, id: undefined }]), rules, NOW);
    await Promise.all([
      a.reviseResult(stored.id, secondStage),
      b.addIgnore({ repo: 'octo/app', advisoryId: 'PYSEC-2', package: null, reason: 'accepted', until: null, createdBy: BOB, createdAt: NOW, auditId: stored.id }, withIgnores),
    ]);
    const final = await b.getAudit(stored.id);
    expect(final?.result.findings.map((f) => f.id ?? f.kind).sort()).toEqual(['PYSEC-1', 'outdated']);
    expect(final?.result.ignored.map((f) => f.id)).toEqual(['PYSEC-2']);
  });

  it('keeps whether an audit is complete beside its counts, in step with each revision, for App Home', async () => {
    const [a, b] = await openStores(dialect);
    const unread = { file: 'poetry.lock', line: 4, message: 'not valid TOML' };
    const firstStage: AuditResult = {
      ...result([vulnerability('PYSEC-1', 'django', 'critical')]),
      errors: [unread],
      partial: true,
      partialReasons: [{ kind: 'unread', ...unread }],
      pending: ['the outdated and yanked checks'],
    };
    const stored = await a.insertAudit(audit({ result: firstStage }));
    expect(stored.completeness).toEqual({ partial: true, pending: ['the outdated and yanked checks'], vulnerabilitiesUnchecked: false, reasons: 1, firstReason: 'poetry.lock:4 not read completely: not valid TOML' });
    expect((await b.recentAudits(10, { admin: true }))[0]?.completeness).toEqual(stored.completeness);

    // The second stage: nothing pending any more, still partial for the lockfile.
    await b.reviseResult(stored.id, () => ({ ...firstStage, pending: undefined }));
    expect((await a.latestAuditForRepo('octo/app'))?.completeness).toMatchObject({ partial: true, pending: [], reasons: 1 });

    const osvDown: AuditResult = { ...result([]), warnings: ['advisories unavailable (OSV answered 503): vulnerabilities were NOT checked'], partial: true, partialReasons: [{ kind: 'data-source', message: 'advisories unavailable (OSV answered 503): vulnerabilities were NOT checked' }] };
    const unchecked = await a.insertAudit(audit({ result: osvDown }));
    expect((await b.getAudit(unchecked.id))?.completeness).toMatchObject({ partial: true, vulnerabilitiesUnchecked: true, reasons: 1 });
    const complete = await a.insertAudit(audit());
    expect((await b.getAudit(complete.id))?.completeness).toEqual({ partial: false, pending: [], vulnerabilitiesUnchecked: false, reasons: 0, firstReason: null });
  });

  it('lists the newest audit per repository that each person may see (App Home)', async () => {
    const [a, b] = await openStores(dialect);
    await a.insertAudit(audit({ createdAt: new Date('2025-05-01T10:00:00Z') }));
    const newer = await b.insertAudit(audit({ repo: 'octo/APP', createdAt: new Date('2025-05-01T11:00:00Z') }));
    const secret = await a.insertAudit(audit({ repo: 'octo/secret', private: true, requestedBy: BOB, createdAt: new Date('2025-05-01T11:30:00Z') }));
    await a.insertAudit(audit({ repo: 'octo/unknown', private: null, requestedBy: BOB, createdAt: new Date('2025-05-01T09:00:00Z') }));
    expect((await b.recentAudits(10, { admin: true })).map((r) => r.repo)).toEqual(['octo/secret', 'octo/APP', 'octo/unknown']);
    expect((await a.recentAudits(10, { admin: false, userId: ALICE })).map((r) => r.id)).toEqual([newer.id]);
    expect((await a.recentAudits(1, { admin: false, userId: BOB })).map((r) => r.id)).toEqual([secret.id]);
    expect((await b.latestAuditForRepo('OCTO/app'))?.id).toBe(newer.id);
    expect(await b.latestAuditForRepo('octo/none')).toBeUndefined();
  });

  it('records a fix pull request once per audit, follows its state, and finds the newest per repository', async () => {
    const [a, b] = await openStores(dialect);
    const first = await a.insertAudit(audit());
    const second = await a.insertAudit(audit());
    await a.saveFixPull({ auditId: first.id, repo: 'Octo/App', branch: 'depwatch/fix-a', number: 7, url: 'https://github.com/Octo/App/pull/7', state: 'open' }, ALICE, new Date('2025-05-01T12:00:00Z'));
    await b.saveFixPull({ auditId: second.id, repo: 'Octo/App', branch: 'depwatch/fix-b', number: 8, url: 'https://github.com/Octo/App/pull/8', state: 'open' }, BOB, new Date('2025-05-01T12:05:00Z'));
    // A second save of the same audit's pull request updates it instead of adding one.
    await b.saveFixPull({ auditId: first.id, repo: 'Octo/App', branch: 'depwatch/fix-a', number: 7, url: 'https://github.com/Octo/App/pull/7', state: 'open' }, BOB, new Date('2025-05-01T12:06:00Z'));
    expect((await a.openFixPulls()).map((p) => p.number)).toEqual([7, 8]);
    await a.setFixPullState(second.id, 'merged', new Date('2025-05-01T13:00:00Z'));
    expect(await b.fixPull(second.id)).toMatchObject({ number: 8, state: 'merged' });
    expect((await b.openFixPulls()).map((p) => p.number)).toEqual([7]);
    expect((await b.latestFixPulls(['Octo/App', 'octo/none'])).get('Octo/App')?.number).toBe(8);
    expect((await b.latestFixPulls(['Octo/App', 'octo/none'])).has('octo/none')).toBe(false);
    // As alerts ask: by the watch key, lower case.
    expect((await a.latestFixPulls(['octo/app'])).get('octo/app')?.number).toBe(8);
    expect(await b.fixPull(second.id + 100)).toBeUndefined();
  });
  it('stores no token a result quotes (a path named after one, a line that failed to parse), when inserted or revised', async () => {
    const [a, b] = await openStores(dialect);
    // Built from parts, so this file holds none whole.
    const githubToken = 'ghp_' + 'Ba5el1neT0k3nV4lu3abcdefGHIJKLmnopq0';
    const stripeKey = 'sk_live_' + '4eC39HqLyjWDarjtT1zdp7dcQw8xZ9';
    const quoting = result([{ ...vulnerability('PYSEC-1', 'django', 'critical'), file: `keys/${githubToken}/requirements.txt` }]);
    const stored = await a.insertAudit(audit({ result: { ...quoting, errors: [{ file: 'requirements.txt', line: 2, message: `Invalid marker: '${stripeKey}'` }] } }));
    const reread = await b.getAudit(stored.id);
    expect(reread?.result.findings[0]?.file).toBe('keys/ghp_…[redacted]/requirements.txt');
    expect(reread?.result.errors[0]?.message).toBe("Invalid marker: 'sk_live_…[redacted]'");

    const quotingAgain = (record: { result: AuditResult }) => ({ ...record.result, warnings: [`cannot read keys/${githubToken}`] });
    await b.addIgnore({ repo: 'octo/app', advisoryId: 'PYSEC-1', package: null, reason: 'x', until: '2030-01-01', createdBy: BOB, createdAt: NOW, auditId: stored.id }, quotingAgain);
    const revised = JSON.stringify(await a.getAudit(stored.id));
    expect(revised).toContain('cannot read keys/ghp_…[redacted]');
    expect(revised).not.toContain(githubToken);
    expect(revised).not.toContain(stripeKey);
  });
});
