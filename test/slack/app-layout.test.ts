/**
 * The Slack layouts as pure functions (audit reply, Ignore modal, Home, errors), checked against
 * Block Kit's limits, including a 500-finding report posted to the Slack fake in full.
 */
import { webApi } from '@slack/bolt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AuditResult } from '../../src/audit/audit.js';
import type { Finding, Severity } from '../../src/audit/findings.js';
import { GitHubServiceError, RateLimitError, RepoNotFoundError } from '../../src/github/errors.js';
import { ServiceError } from '../../src/http.js';
import { applySlackIgnores } from '../../src/slack/audit-service.js';
import { EventDeduplicator } from '../../src/slack/bot.js';
import { auditReply, DETAILED_FINDINGS, findByToken, findingButtonValue, findingToken, parseFindingButtonValue, type AuditReplyInput } from '../../src/slack/blocks/audit-reply.js';
import { errorMessage } from '../../src/slack/blocks/errors.js';
import { fitMessage, fitView } from '../../src/slack/blocks/fit.js';
import { homeView, openCounts } from '../../src/slack/blocks/home.js';
import { ignoreModal, readIgnoreSubmission } from '../../src/slack/blocks/ignore-modal.js';
import { createViewMetadataSeal } from '../../src/slack/view-metadata.js';
import { checkMessage, checkView } from '../../src/slack/blocks/limits.js';
import { classifyError, newErrorId, NoManifestsError, toUserError } from '../../src/slack/errors.js';
import type { AuditSummary } from '../../src/store/audits.js';
import { FAKE_BOT_TOKEN, startFakeSlack, type FakeSlack } from '../fakes/slack-api.js';
import { blockText, buttons } from './app-world.js';

const SHA = '3f2c9a1b8d7e6f5a4b3c2d1e0f9a8b7c6d5e4f3a';
const SEVERITIES: Severity[] = ['critical', 'high', 'medium', 'unknown', 'low'];

function vuln(i: number): Finding {
  const severity = SEVERITIES[i % SEVERITIES.length]!;
  return {
    kind: 'vulnerability',
    severity,
    package: `package-number-${i}`,
    version: `1.${i}.0`,
    file: i % 2 ? 'poetry.lock' : 'requirements/base.txt',
    line: 10 + i,
    id: `PYSEC-2024-${1000 + i}`,
    aliases: [`CVE-2024-${20000 + i}`, `GHSA-xxxx-yyyy-${String(i).padStart(4, '0')}`],
    summary: `A long description of flaw ${i} that goes on for a while, as advisory summaries sometimes do, with <html> & "quotes".`.repeat(2),
    cvss: severity === 'critical' ? 9.8 : severity === 'high' ? 7.5 : null,
    fixedVersions: [`1.${i}.1`, `2.0.${i}`],
    fix: { version: `2.0.${i}`, text: `Upgrade package-number-${i} to 2.0.${i} (clears every advisory above): run \`poetry add package-number-${i}@2.0.${i}\`.` },
  };
}

function resultWith(findings: Finding[], extra: Partial<AuditResult> = {}): AuditResult {
  return { target: `octo/big@${SHA}`, dependencies: findings.length, findings, ignored: [], notes: [], errors: [], warnings: [], notices: [], partial: false, advisorySource: 'api', ...extra };
}

function input(result: AuditResult): AuditReplyInput {
  return { auditId: 42, repo: 'octo/big', ref: 'main', sha: SHA, htmlUrl: 'https://github.com/octo/big', createdAt: '2025-05-01T12:00:00.000Z', requestedBy: 'U0ALICE0001', result };
}

describe('the audit reply', () => {
  it('gives every finding a short stable token that button values carry with the audit id', () => {
    const f = vuln(3);
    expect(findingToken(f)).toBe(findingToken({ ...f, summary: 'changed text' }));
    expect(findingToken(f)).not.toBe(findingToken(vuln(4)));
    expect(parseFindingButtonValue(findingButtonValue(42, f))).toEqual({ auditId: 42, token: findingToken(f) });
    expect(parseFindingButtonValue('42:{"state":1}')).toBeNull();
    expect(findByToken(resultWith([vuln(1), f]), findingToken(f))).toBe(f);
  });

  it('marks a partial result at the top, before the counts', () => {
    const reply = auditReply(input(resultWith([vuln(1)], { partial: true, warnings: ['package registry unavailable (PyPI: HTTP 503)'] })));
    const text = blockText(reply.blocks);
    expect(text).toContain('⚠️ *Partial result:* package registry unavailable (PyPI: HTTP 503)');
    expect(text.indexOf('Partial result')).toBeLessThan(text.indexOf('1 vulnerability'));
    expect(reply.text).toContain('(partial result)');
  });

  it('keeps "not read completely" in a partial reason whose path is long, shortening the path in its middle', () => {
    const file = `services/${'deeply-nested-folder/'.repeat(12)}requirements/production.txt`;
    const reply = auditReply(input(resultWith([], { partial: true, errors: [{ file, line: 12, message: 'an include was not followed: -r missing.txt' }], partialReasons: [{ kind: 'unread', file, line: 12, message: 'an include was not followed: -r missing.txt' }] })));
    const line = /⚠️ \*Partial result:\* ([^\n]*)/.exec(blockText(reply.blocks))![1]!;
    expect(line.length).toBeLessThanOrEqual(200);
    expect(line).toMatch(/^services\/deeply-nested-folder\/[^ ]*…[^ ]*requirements\/production\.txt:12 not read completely: an include was not followed: -r missing\.txt$/);
  });

  it('gives notifications the same three answers about vulnerabilities as the message, partial first', () => {
    const unreachable = 'advisories unavailable (OSV: HTTP 503): vulnerabilities were NOT checked';
    expect(auditReply(input(resultWith([], { partial: true, warnings: [unreachable] }))).text).toBe('octo/big@3f2c9a1 (partial result): vulnerabilities NOT checked, 0 other findings');
    const unread = { file: 'poetry.lock', line: 3, message: 'not valid TOML' };
    expect(auditReply(input(resultWith([], { partial: true, errors: [unread], partialReasons: [{ kind: 'unread', ...unread }] }))).text).toBe(
      'octo/big@3f2c9a1 (partial result): no known vulnerabilities in what could be read, 0 other findings',
    );
    expect(auditReply(input(resultWith([], { partial: true, pending: ['the outdated and yanked checks'], partialReasons: [] }))).text).toBe(
      'octo/big@3f2c9a1 (still coming: the outdated and yanked checks): no known vulnerabilities, 0 other findings',
    );
  });

  it('says so when nothing is vulnerable', () => {
    const reply = auditReply(input(resultWith([])));
    expect(blockText(reply.blocks)).toContain(':white_check_mark: *No known vulnerabilities*');
    expect(reply.text).toBe('octo/big@3f2c9a1: no known vulnerabilities, 0 other findings');
    expect(fitMessage(reply).replies).toEqual([]);
  });

  it('escapes advisory text so it cannot break the markup', () => {
    const text = blockText(auditReply(input(resultWith([vuln(1)]))).blocks);
    expect(text).toContain('&lt;html&gt; &amp; "quotes"');
    expect(text).not.toContain('<html>');
  });

  describe('with 500 vulnerable pins', () => {
    let slack: FakeSlack;
    beforeAll(async () => {
      slack = await startFakeSlack();
    });
    afterAll(async () => {
      await slack.close();
    });

    it('fits every message within Slack limits, lists every finding once, and posts them all to the fake', async () => {
      const findings = Array.from({ length: 500 }, (_, i) => vuln(i));
      const reply = auditReply(input(resultWith(findings)));
      const { first, replies } = fitMessage(reply);
      for (const m of [first, ...replies]) expect(checkMessage(m)).toEqual([]);
      // Worst first, detailed with buttons, the rest one line each; a few thread replies, not hundreds.
      expect(replies.length).toBeGreaterThan(0);
      expect(replies.length).toBeLessThan(20);
      const all = [first, ...replies].map((m) => blockText(m.blocks)).join('\n');
      for (const f of findings) expect(all.split(`|${f.id}>`).length - 1).toBeGreaterThanOrEqual(1);
      const ignoreButtons = [first, ...replies].flatMap((m) => buttons(m.blocks)).filter((b) => b.action_id === 'audit_ignore');
      expect(ignoreButtons.length).toBe(DETAILED_FINDINGS);
      expect(blockText(first.blocks)).toContain('*500 vulnerabilities in 500 packages:* 🔴 100 critical · 🟠 100 high');

      const client = new webApi.WebClient(FAKE_BOT_TOKEN, { slackApiUrl: slack.url, retryConfig: { retries: 0 } });
      const posted = await client.chat.postMessage({ channel: 'C0BIG000001', text: first.text, blocks: first.blocks });
      for (const r of replies) await client.chat.postMessage({ channel: 'C0BIG000001', thread_ts: posted.ts!, text: r.text, blocks: r.blocks });
      expect(slack.violations).toEqual([]);
      expect(slack.thread('C0BIG000001', posted.ts!).length).toBe(replies.length);
    });
  });
});

describe('re-applying ignores to a stored result', () => {
  it('moves the ignored finding out of the open ones, keeping the order', () => {
    const result = resultWith([vuln(0), vuln(1), vuln(2)]);
    const now = new Date('2025-06-01T00:00:00Z');
    const updated = applySlackIgnores(result, [{ id: 'CVE-2024-20001', reason: 'not reachable', until: null, package: 'package-number-1', source: 'Slack, by <@U1>' }], now);
    expect(updated.findings.map((f) => f.id)).toEqual(['PYSEC-2024-1000', 'PYSEC-2024-1002']);
    expect(updated.ignored.map((f) => [f.id, f.ignoredBy?.reason])).toEqual([['PYSEC-2024-1001', 'not reachable']]);
    // Applying the same rules again changes nothing.
    expect(applySlackIgnores(updated, [{ id: 'CVE-2024-20001', reason: 'not reachable', until: null, package: 'package-number-1', source: 'Slack, by <@U1>' }], now)).toEqual(updated);
  });
});

describe('the Ignore modal', () => {
  const values = (v: { advisory?: string; reason?: string; until?: string | null; pkg?: string }) => ({
    ignore_advisory: { value: { value: v.advisory ?? 'PYSEC-2019-13' } },
    ignore_reason: { value: { value: v.reason ?? 'only used in tests' } },
    ignore_until: { value: { selected_date: v.until ?? null } },
    ignore_package: { value: { value: v.pkg ?? 'django' } },
  });

  it('is within Slack limits with ids only in private_metadata, sealed to the person who opened it', () => {
    const seal = createViewMetadataSeal('test-secret');
    const metadata = seal.seal({ user: 'U0ALICE0001', channel: 'C0AUDITS001', data: { a: 42, t: '1732780000.000100' } });
    const view = fitView(ignoreModal({ repo: 'octo/big', finding: vuln(7), privateMetadata: metadata }));
    expect(checkView(view)).toEqual([]);
    expect(seal.open(view.private_metadata, 'U0ALICE0001')).toEqual({ channel: 'C0AUDITS001', data: { a: 42, t: '1732780000.000100' } });
    expect(seal.open(view.private_metadata, 'U0MALLORY01')).toBeNull();
    expect(seal.open('{"a":42,"c":"C0AUDITS001"}', 'U0ALICE0001')).toBeNull();
  });

  it('accepts a reason with an optional date in the future', () => {
    expect(readIgnoreSubmission(values({ until: '2025-06-02' }), '2025-06-01')).toEqual({
      ok: true,
      value: { advisoryId: 'PYSEC-2019-13', reason: 'only used in tests', until: '2025-06-02', package: 'django' },
    });
    expect(readIgnoreSubmission(values({ pkg: '' }), '2025-06-01')).toMatchObject({ ok: true, value: { package: null, until: null } });
  });

  it('refuses a missing reason, today or a past date, a bad id and a bad package name', () => {
    const r = readIgnoreSubmission(values({ reason: ' ', until: '2025-06-01', advisory: 'DROP TABLE;', pkg: 'no spaces allowed' }), '2025-06-01');
    expect(r.ok).toBe(false);
    expect(!r.ok && Object.keys(r.errors).sort()).toEqual(['ignore_advisory', 'ignore_package', 'ignore_reason', 'ignore_until']);
  });

  it('refuses a kind of advisory (vulnerability, malicious): advisories are ignored by id, never all of a package\'s', () => {
    for (const kind of ['vulnerability', 'malicious']) {
      const r = readIgnoreSubmission(values({ advisory: kind }), '2025-06-01');
      expect(r).toEqual({ ok: false, errors: { ignore_advisory: `"${kind}" would ignore every advisory of the package, later ones too; name the advisory ids (GHSA-…, PYSEC-…, CVE-…).` } });
    }
    expect(readIgnoreSubmission(values({ advisory: 'outdated' }), '2025-06-01')).toMatchObject({ ok: true });
  });
});

describe('App Home', () => {
  const audit = (i: number): AuditSummary => ({
    id: i,
    repo: `octo/repo-${i}`,
    ref: 'main',
    sha: SHA,
    htmlUrl: `https://github.com/octo/repo-${i}`,
    createdAt: new Date(Date.UTC(2025, 4, 1, 12, 0) - i * 3_600_000).toISOString(),
    requestedBy: 'U0ALICE0001',
    channel: null,
    ts: null,
    counts: { critical: i % 2, high: 2, medium: 0, unknown: 0, low: 1, info: 0 },
    completeness: { partial: false, pending: [], vulnerabilitiesUnchecked: false, reasons: 0, firstReason: null },
  });

  it('lists recent audits with when and open counts, within Slack limits', () => {
    const view = fitView(homeView({ audits: [audit(1), audit(2)], now: new Date('2025-05-01T12:00:00Z') }));
    expect(checkView(view)).toEqual([]);
    const text = blockText(view.blocks);
    expect(text).toContain('octo/repo-1>* @ `3f2c9a1` (main), 1 hour ago\nOpen: 1 critical · 2 high · 1 low');
    expect(text).toContain('2 hours ago\nOpen: 2 high · 1 low');
    expect(openCounts({ critical: 0, high: 0, medium: 0, unknown: 0, low: 0, info: 0 })).toBe('nothing open');
  });

  it('says before the counts when they are not the whole answer: partial, vulnerabilities not checked, still coming', () => {
    const now = new Date('2025-05-01T12:00:00Z');
    const line = (completeness: AuditSummary['completeness']) => blockText(homeView({ audits: [{ ...audit(1), completeness }], now }).blocks);
    const unread = line({ partial: true, pending: [], vulnerabilitiesUnchecked: false, reasons: 3, firstReason: 'poetry.lock:4 not read completely: not valid TOML <here>' });
    expect(unread).toContain('1 hour ago\n⚠️ partial: poetry.lock:4 not read completely: not valid TOML &lt;here&gt; (and 2 more)\nOpen: 1 critical');
    const osvDown = line({ partial: true, pending: [], vulnerabilitiesUnchecked: true, reasons: 1, firstReason: 'advisories unavailable (OSV answered 503): vulnerabilities were NOT checked' });
    expect(osvDown).toContain('1 hour ago\n⚠️ partial: vulnerabilities not checked\nOpen: ');
    // A first stage whose complete result never came: still coming, and not "partial" for that alone.
    const firstStage = line({ partial: true, pending: ['the outdated and yanked checks'], vulnerabilitiesUnchecked: false, reasons: 0, firstReason: null });
    expect(firstStage).toContain('1 hour ago\n:hourglass_flowing_sand: still coming: the outdated and yanked checks\nOpen: ');
    expect(firstStage).not.toContain('partial');
    // Not known (an old row whose result could not be read): the counts, as before.
    expect(line(null)).toContain('1 hour ago\nOpen: 1 critical');
  });

  it('stays within limits however many audits there are', () => {
    const view = fitView(homeView({ audits: Array.from({ length: 150 }, (_, i) => audit(i)), now: new Date('2025-05-01T12:00:00Z') }));
    expect(checkView(view)).toEqual([]);
  });
});

describe('error messages', () => {
  const options = { now: new Date('2025-05-01T12:00:00Z'), timeZone: 'Europe/Berlin' };

  it('gives every error a short id', () => {
    expect(newErrorId()).toMatch(/^E-[A-Z0-9]{5}$/);
    expect(new Set(Array.from({ length: 200 }, newErrorId)).size).toBeGreaterThan(190);
  });

  it('tells when a rate limit resets, in the configured zone and in minutes', () => {
    const message = errorMessage({ errorId: 'E-7K2Q9', problem: classifyError(new RateLimitError(new Date('2025-05-01T12:17:00Z'))) }, options);
    expect(message.text).toBe("GitHub's rate limit is used up until 14:17 CEST (in 17 minutes) (error id E-7K2Q9)");
    expect(blockText(message.blocks)).toContain('<!date^1746101820^{time}|14:17 CEST> (in 17 minutes)');
    expect(checkMessage(message)).toEqual([]);
  });

  it('sorts errors: not visible, no manifests, service down, unexpected', () => {
    expect(classifyError(new RepoNotFoundError('a', 'b'))).toEqual({ kind: 'not-visible', message: "I can't see a/b with the configured GitHub credentials" });
    expect(classifyError(new NoManifestsError('a/b', SHA, 'https://github.com/a/b')).kind).toBe('no-manifests');
    expect(classifyError(new ServiceError('GitHub', 'HTTP 502'))).toEqual({ kind: 'service', service: 'GitHub', message: 'GitHub: HTTP 502' });
    const unexpected = toUserError(new Error('secret internals xoxb-123-456'));
    const message = errorMessage(unexpected, options);
    expect(message.text).toBe(`Something went wrong (error id ${unexpected.errorId})`);
    expect(JSON.stringify(message)).not.toContain('internals');
  });

  it('says credentials GitHub rejected (401) as rejected, with what to check, and no "try again"', () => {
    const rejected = { errorId: 'E-7K2Q9', problem: classifyError(new GitHubServiceError('GitHub rejected the configured credentials (401 Bad credentials): check GITHUB_TOKEN or the GitHub App settings', 401)) };
    expect(rejected.problem.kind).toBe('credentials');
    const message = errorMessage(rejected, options);
    const said = `${message.text}\n${blockText(message.blocks)}`;
    expect(blockText(message.blocks)).toContain('GitHub rejected the configured credentials (401 Bad credentials): check GITHUB_TOKEN or the GitHub App settings.');
    expect(message.text).toBe("GitHub rejected Depwatch's credentials (error id E-7K2Q9)");
    expect(said).not.toMatch(/did not answer|[Tt]ry again/);
  });

  it('says a 5xx as GitHub answering with an error that may pass, a network failure as no answer', () => {
    const failed = errorMessage({ errorId: 'E-7K2Q9', problem: classifyError(new GitHubServiceError('GitHub failed the branch creation for a/b (HTTP 502: Bad Gateway)', 502)) }, options);
    expect(blockText(failed.blocks)).toContain('GitHub answered with an error: GitHub failed the branch creation for a/b (HTTP 502: Bad Gateway). Trying again in a few minutes may work.');
    expect(failed.text).toBe('GitHub answered with an error (HTTP 502) (error id E-7K2Q9)');
    const silent = errorMessage({ errorId: 'E-7K2Q9', problem: classifyError(new GitHubServiceError('GitHub could not be reached for a/b: ECONNRESET')) }, options);
    expect(blockText(silent.blocks)).toContain('GitHub did not answer');
  });
});

describe('event deduplication', () => {
  it('lets an event id through once within the window, and again after it', () => {
    const dedupe = new EventDeduplicator(1000, 100);
    expect(dedupe.firstTime('Ev1', 0)).toBe(true);
    expect(dedupe.firstTime('Ev1', 500)).toBe(false);
    expect(dedupe.firstTime('Ev2', 600)).toBe(true);
    expect(dedupe.firstTime('Ev1', 1600)).toBe(true);
  });
});
