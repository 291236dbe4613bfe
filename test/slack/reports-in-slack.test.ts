/**
 * The Slack side of "reports for people": the /audit reply groups advisories under their package
 * with one fix, problem lines are short, and replies, alerts and digests share one severity scheme.
 */
import { describe, expect, it } from 'vitest';
import { OFFLINE_REGISTRY_NOTICE, type AuditResult } from '../../src/audit/audit.js';
import type { Finding, Severity, UpgradeAdvice } from '../../src/audit/findings.js';
import { SEVERITY_STYLE } from '../../src/report/severity-style.js';
import { alertMessage } from '../../src/slack/blocks/alert.js';
import { auditReply, type AuditReplyInput } from '../../src/slack/blocks/audit-reply.js';
import { monthlyDigestLayout } from '../../src/slack/blocks/digest.js';
import { fitMessage } from '../../src/slack/blocks/fit.js';
import { checkMessage } from '../../src/slack/blocks/limits.js';
import type { AffectedRepo, FindingRow } from '../../src/store/watches.js';
import { blockText } from './app-world.js';

const SHA = '3f2c9a1b8d7e6f5a4b3c2d1e0f9a8b7c6d5e4f3a';
const BLOB = `https://github.com/octo/shop/blob/${SHA}`;

const advice: UpgradeAdvice = {
  package: 'django',
  from: '2.1.5',
  to: '2.2.28',
  constraints: [{ file: 'pyproject.toml', line: 9, specifier: '<2.2,>=2.0', admits: false, pin: false }],
  edits: [{ file: 'pyproject.toml', line: 9, write: '"django>=2.2.28"' }],
  commands: [{ run: 'uv lock --upgrade-package django', dir: '.' }],
  transitive: false,
};

function djangoFinding(id: string, severity: Severity, summary: string): Finding {
  return {
    kind: 'vulnerability',
    severity,
    package: 'django',
    version: '2.1.5',
    file: 'uv.lock',
    line: 40,
    id,
    aliases: [],
    summary,
    cvss: severity === 'critical' ? 9.8 : null,
    fixedVersions: ['2.2.28'],
    locations: [
      { file: 'uv.lock', line: 40, role: 'lock' },
      { file: 'pyproject.toml', line: 9, role: 'declaration', specifier: '<2.2,>=2.0' },
    ],
    fix: { version: '2.2.28', text: 'Upgrade django 2.1.5 to 2.2.28 (clears all 3 advisories): …', advice },
  };
}

// In the audit's order: unrated counts as high (the default), so it comes before the medium one.
const findings = [
  djangoFinding('PYSEC-2019-13', 'critical', 'Key and index lookups for JSONField were subject to SQL injection.'),
  djangoFinding('PYSEC-2019-11', 'unknown', 'The admin shows <script> tags as written.'),
  djangoFinding('PYSEC-2019-12', 'medium', 'Uncontrolled memory consumption in number formatting.'),
];

function reply(result: Partial<AuditResult>) {
  const full: AuditResult = { target: `octo/shop@${SHA}`, dependencies: 1, findings, ignored: [], notes: [], errors: [], warnings: [], notices: [], partial: false, advisorySource: 'api', ...result };
  const input: AuditReplyInput = { auditId: 7, repo: 'octo/shop', ref: 'main', sha: SHA, htmlUrl: 'https://github.com/octo/shop', createdAt: '2025-05-01T12:00:00.000Z', requestedBy: null, result: full };
  return auditReply(input);
}

describe('the /audit reply', () => {
  it('shows a package once with its one fix, then its advisories worst first', () => {
    const text = blockText(reply({}).blocks);
    expect(text).toContain('*3 vulnerabilities in 1 package:* 🔴 1 critical · ⚪ 1 not rated (count as high) · 🟡 1 medium');
    expect(text).toContain(
      [
        '🔴 *django 2.1.5 → 2.2.28 clears 3 advisories*',
        `At <${BLOB}/uv.lock#L40|uv.lock:40>; declared in <${BLOB}/pyproject.toml#L9|pyproject.toml:9> (\`&lt;2.2,&gt;=2.0\`)`,
        `*Fix:* the constraint \`&lt;2.2,&gt;=2.0\` in <${BLOB}/pyproject.toml#L9|pyproject.toml:9> excludes 2.2.28: widen it to \`"django&gt;=2.2.28"\`, then run \`uv lock --upgrade-package django\`.`,
      ].join('\n'),
    );
    const order = ['PYSEC-2019-13', 'PYSEC-2019-11', 'PYSEC-2019-12'].map((id) => text.indexOf(`|${id}>`));
    expect(order.every((i) => i > text.indexOf('clears 3 advisories'))).toBe(true);
    expect(order).toEqual([...order].sort((a, b) => a - b));
    expect(text).toContain('🔴 *Critical* · <https://osv.dev/vulnerability/PYSEC-2019-13|PYSEC-2019-13> · CVSS 9.8\nKey and index lookups for JSONField were subject to SQL injection.');
    expect(text).toContain('The admin shows &lt;script&gt; tags as written.');
    expect(text.split('django 2.1.5 → 2.2.28').length - 1).toBe(1);
  });

  it('says what an audit without a package registry did not check', () => {
    expect(blockText(reply({ notices: [OFFLINE_REGISTRY_NOTICE] }).blocks)).toContain('outdated and yanked releases and packages not on the index were not checked (offline: PyPI was not asked)');
  });

  it('names a pinned package the index does not have, with what it risks, among the other findings', () => {
    const missing: Finding = {
      kind: 'not-on-index',
      severity: 'medium',
      package: 'my-internal-lib',
      version: '1.0',
      file: 'requirements.txt',
      line: 2,
      fix: { version: null, text: 'my-internal-lib 1.0 is not on the package index (PyPI), and the project configures no other index, so pip could not install it from there: a typo, or a project removed from PyPI.' },
    };
    const text = blockText(reply({ findings: [missing] }).blocks);
    expect(text).toContain('*1 other finding*: 🟡 1 medium');
    expect(text).toContain('*Hygiene:* 1 not on the index');
    expect(text).toContain(`🟡 _not on the index_ *my-internal-lib* (<${BLOB}/requirements.txt#L2|requirements.txt:2>): my-internal-lib 1.0 is not on the package index (PyPI)`);
  });

  it('shortens long problem lines, keeping the place and the start', () => {
    const message = `Invalid requirement "bad @ https://h/x.whl ;; ${'('.repeat(3000)}": expected a marker`;
    const { first, replies } = fitMessage(reply({ errors: [{ file: 'requirements/dev.txt', line: 12, message }] }));
    const line = blockText([first, ...replies].map((m) => m.blocks)).split('\n').find((l) => l.startsWith(':x:'))!;
    expect(line).toMatch(/^:x: requirements\/dev\.txt:12: Invalid requirement "bad @ https:\/\/h\/x\.whl ;; \(+…$/);
    expect(line.length).toBeLessThanOrEqual(':x: '.length + 200);
    for (const m of [first, ...replies]) expect(checkMessage(m)).toEqual([]);
  });
});

describe('one severity scheme', () => {
  it('gives a level the same emoji in the /audit reply, a new-advisory alert and the monthly digest', () => {
    const high = { ...findings[0]!, severity: 'high' as const, cvss: 7.5 };
    const replyText = blockText(reply({ findings: [high] }).blocks);
    const alertText = blockText(
      alertMessage({ alertId: 1, advisoryId: high.id!, aliases: [], summary: high.summary!, severity: 'high', cvss: 7.5, malicious: false, package: 'django', affected: [], resolved: false }).blocks,
    );
    const row: FindingRow = { repo: 'octo/shop', key: 'k', kind: 'vulnerability', severity: 'high', package: 'django', version: '2.1.5', advisoryId: high.id!, finding: high, firstSeen: '2025-04-01T00:00:00Z', lastSeen: '2025-05-01T00:00:00Z', fixedAt: null, fixedBySha: null, alertable: true };
    const digest = monthlyDigestLayout(
      {
        generatedAt: '2025-05-01T09:00:00Z',
        open: { total: 1, bySeverity: { critical: 0, high: 1, medium: 0, low: 0 }, byAge: { under30: 0, from30to90: 1, over90: 0 } },
        openFindings: [row],
        newThisMonth: [],
        fixedThisMonth: [],
        expiringIgnores: [],
        chart: [],
        unknownAs: 'high',
      },
      { timeZone: 'UTC' },
    );
    const { emoji, label } = SEVERITY_STYLE.high;
    expect(replyText).toContain(`${emoji} *${label}* · <https://osv.dev/vulnerability/PYSEC-2019-13|PYSEC-2019-13>`);
    expect(alertText).toContain(`Severity: ${emoji} *${label}* (CVSS 7.5)`);
    expect(blockText(digest.details.blocks)).toContain(`• ${emoji} *octo/shop*: django 2.1.5 → 2.2.28 clears 1 advisory: <https://osv.dev/vulnerability/PYSEC-2019-13|PYSEC-2019-13>, open 30 days`);
    // …and no other emoji set is left anywhere.
    for (const text of [replyText, alertText, blockText(digest.details.blocks)]) expect(text).not.toMatch(/:(?:red|large_orange|large_yellow|white)_circle:|:rotating_light:|\[high\]/);
  });
});

describe('the monthly digest', () => {
  it('lists a package once per repository with all its open advisories', () => {
    const rows: FindingRow[] = findings.map((f, i) => ({ repo: 'octo/shop', key: `k${i}`, kind: 'vulnerability', severity: f.severity, package: 'django', version: '2.1.5', advisoryId: f.id!, finding: f, firstSeen: `2025-0${i + 1}-01T00:00:00Z`, lastSeen: '2025-05-01T00:00:00Z', fixedAt: null, fixedBySha: null, alertable: true }));
    const digest = monthlyDigestLayout(
      { generatedAt: '2025-05-01T09:00:00Z', open: { total: 3, bySeverity: { critical: 1, high: 0, medium: 2, low: 0 }, byAge: { under30: 0, from30to90: 2, over90: 1 } }, openFindings: rows, newThisMonth: [], fixedThisMonth: [], expiringIgnores: [], chart: [], unknownAs: 'high' },
      { timeZone: 'UTC' },
    );
    const lines = blockText(digest.details.blocks).split('\n').filter((l) => l.startsWith('• '));
    expect(lines).toEqual([
      '• 🔴 *octo/shop*: django 2.1.5 → 2.2.28 clears 3 advisories: <https://osv.dev/vulnerability/PYSEC-2019-13|PYSEC-2019-13>, <https://osv.dev/vulnerability/PYSEC-2019-11|PYSEC-2019-11> (not rated, counts as high), <https://osv.dev/vulnerability/PYSEC-2019-12|PYSEC-2019-12>, open 120 days',
    ]);
  });
});

describe('an alert on a repository that excluded its pin', () => {
  const base = { alertId: 2, advisoryId: 'PYSEC-2019-13', aliases: [], summary: 'flaw', severity: 'high' as const, cvss: null, malicious: false, package: 'django' };
  const NOW = '2025-05-01T09:00:00.000Z';
  const repo = (name: string, extra: Partial<AffectedRepo> = {}): AffectedRepo => ({ repo: name, repoUrl: `https://github.com/${name}`, version: '2.1.5', file: 'requirements.txt', line: 1, url: null, fix: 'Upgrade django', fixVersion: '2.2.28', fixedBySha: null, fixedAt: null, ...extra });
  const excluded = { fixedAt: NOW, closedReason: 'excluded by .depwatch.yml (fixtures)' };

  it('says it is no longer checked and why, never that it is fixed, and resolves without "fixed in every watched repository"', () => {
    const open = alertMessage({ ...base, resolved: false, affected: [repo('octo/app'), repo('octo/api', excluded)] });
    expect(blockText(open.blocks)).toContain('➖ *octo/api*: no longer checked: excluded by .depwatch.yml (fixtures)');
    expect(blockText(open.blocks)).not.toMatch(/octo\/api\*: fixed/);
    expect(open.text).toContain('hits octo/app');

    const resolved = alertMessage({ ...base, resolved: true, affected: [repo('octo/app', { fixedAt: NOW, fixedBySha: 'a'.repeat(40) }), repo('octo/api', excluded)] });
    expect(resolved.text).toBe('PYSEC-2019-13 in django is no longer open in any watched repository: octo/app by aaaaaaa, octo/api no longer checked (excluded by .depwatch.yml (fixtures))');
    expect(blockText(resolved.blocks)).toContain('PYSEC-2019-13 in django: no longer open in any watched repository (1 repository no longer checked)');
    expect(blockText(resolved.blocks)).not.toContain('fixed in every');

    // The reason quotes the repository's .depwatch.yml: one short line, however long or broken it is there.
    const long = alertMessage({ ...base, resolved: false, affected: [repo('octo/app'), repo('octo/api', { fixedAt: NOW, closedReason: `excluded by .depwatch.yml (${'fixtures for the parser\n'.repeat(100)})` })] });
    const line = blockText(long.blocks).split('\n').find((l) => l.startsWith('➖'))!;
    expect(line.length).toBeLessThan(260);
    expect(line).toMatch(/^➖ \*octo\/api\*: no longer checked: excluded by \.depwatch\.yml \(fixtures for the parser fixtures/);
    expect(line.endsWith('…')).toBe(true);

    // Every one fixed by a commit: fixed, as before.
    const fixed = alertMessage({ ...base, resolved: true, affected: [repo('octo/app', { fixedAt: NOW, fixedBySha: 'a'.repeat(40) })] });
    expect(fixed.text).toContain('✅ PYSEC-2019-13 in django is fixed in every watched repository: octo/app by aaaaaaa');
  });
});
