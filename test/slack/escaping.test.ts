/**
 * Every Slack layout, fed hostile text in every field a person or a repository writes (repository
 * names, branches, paths, package names and versions, advisory ids, summaries and fixes from OSV,
 * titles, reasons, summaries, template text): none of `<!channel>`, `<!here>`, `<@U…>`,
 * `<https://evil|click>` or `<#C…>` may reach mrkdwn unescaped, in the blocks or in the
 * notification text. plain_text (headers, buttons, inputs) shows them as text and is not checked
 * (the action item modal has nothing else, so it is not listed).
 */
import { SqliteWatchState } from '../../src/store/watch-state/sqlite.js';
import { describe, expect, it } from 'vitest';
import type { AuditResult } from '../../src/audit/audit.js';
import type { Finding } from '../../src/audit/findings.js';
import { stepsFromTemplate } from '../../src/incidents/checklist.js';
import type { DrillScenario } from '../../src/incidents/drills.js';
import { buildReport } from '../../src/incidents/report.js';
import { parseTemplate } from '../../src/incidents/templates.js';
import type { Incident, IncidentContext, RoleHolder, Step } from '../../src/incidents/types.js';
import { alertMessage } from '../../src/slack/blocks/alert.js';
import { secretAlertMessage } from '../../src/slack/blocks/secret-alert.js';
import { dependencyAlertMessage } from '../../src/slack/blocks/dependency-alert.js';
import { settingsNoticeMessage } from '../../src/slack/blocks/settings-notice.js';
import { auditingMessage, auditReply } from '../../src/slack/blocks/audit-reply.js';
import { monthlyDigestLayout, quarterlyDigestLayout, weeklyDigestLayout } from '../../src/slack/blocks/digest.js';
import { errorMessage, failedPlaceholder, usageMessage } from '../../src/slack/blocks/errors.js';
import { fitMessage, fitView } from '../../src/slack/blocks/fit.js';
import { homeView } from '../../src/slack/blocks/home.js';
import { ignoreModal, ignoreModalView, ignoreSavedView } from '../../src/slack/blocks/ignore-modal.js';
import {
  checklistPart,
  drillBriefingMessage,
  drillListMessage,
  incidentListMessage,
  injectMessage,
  noteMessage,
  reminderMessage,
  rootMessage,
  statusUpdateMessage,
  templatesMessage,
} from '../../src/slack/blocks/incident.js';
import { closeModal, incidentHomeBlocks, skipModal, updateModal } from '../../src/slack/blocks/incident-modals.js';
import { reportBlocks } from '../../src/slack/blocks/incident-report.js';
import { md, escapeMrkdwn } from '../../src/slack/blocks/mrkdwn.js';
import type { UserError } from '../../src/slack/errors.js';
import { conflictText } from '../../src/slack/listeners/incidents/flows.js';
import { WatchStore } from '../../src/store/watches.js';
import { openDb } from '../../src/store/db.js';
import { createAccessGate } from '../../src/authz/gate.js';
import { handleWatchCommand } from '../../src/watch/commands.js';
import { watchReplyMessage } from '../../src/slack/blocks/watch-reply.js';
import type { FindingRow } from '../../src/store/watches.js';
import { HOSTILE, mrkdwnOf, unescapedHostile } from '../helpers/mrkdwn-scan.js';

const H = HOSTILE;
const SHA = '3f2c9a1b8d7e6f5a4b3c2d1e0f9a8b7c6d5e4f3a';
const NOW = '2025-05-01T12:00:00.000Z';
const USER = 'U0ALICE0001';

function finding(kind: Finding['kind'], severity: Finding['severity']): Finding {
  return {
    kind,
    severity,
    package: `pkg ${H}`,
    version: `1.0 ${H}`,
    file: `requirements/${H}.txt`,
    line: 3,
    id: `PYSEC-${H}`,
    aliases: [`CVE-${H}`, `GHSA-${H}`],
    summary: `OSV summary ${H}`,
    cvss: 9.1,
    fixedVersions: [`2.0 ${H}`],
    fix: { version: `2.0 ${H}`, text: `Upgrade ${H}` },
    details: { latest: `9.9 ${H}`, bump: `major ${H}`, locations: [{ file: H }, { file: H }] },
  };
}

const hostileResult: AuditResult = {
  target: `octo/app@${SHA}`,
  dependencies: 3,
  findings: [finding('vulnerability', 'critical'), finding('malicious', 'critical'), finding('vulnerability', 'low'), finding('outdated', 'low'), finding('unpinned', 'medium')],
  ignored: [
    { ...finding('vulnerability', 'high'), ignoredBy: { id: `PYSEC-${H}`, reason: `reason ${H}`, until: '2030-01-01', source: `.depwatch.yml ${H}` } },
    { ...finding('vulnerability', 'high'), ignoredBy: { id: 'PYSEC-1', reason: `reason ${H}`, until: null, source: 'Slack, by <@U0EVIL666> and more' } },
  ],
  notes: [{ message: `note ${H}` } as AuditResult['notes'][number]],
  errors: [{ file: `setup.cfg ${H}`, line: 2, message: `could not parse ${H}` }],
  warnings: [`advisories unavailable: ${H}`],
  notices: [`notice ${H}`],
  partial: true,
  advisorySource: 'api',
};

const replyInput = { auditId: 42, repo: `octo/app ${H}`, ref: `branch ${H}`, sha: SHA, htmlUrl: 'https://github.com/octo/app', createdAt: NOW, requestedBy: USER, result: hostileResult };

const CONTEXT: IncidentContext = {
  title: `title ${H}`,
  severity: 'high',
  advisory: { id: `PYSEC-${H}`, aliases: [H], summary: `summary ${H}`, url: `https://osv.dev/vulnerability/${encodeURIComponent(H)}`, package: `pkg ${H}` },
  repos: [{ repo: `octo/app ${H}`, version: `1.0 ${H}`, file: `poetry.lock ${H}`, line: 4, url: `https://github.com/octo/app/blob/${SHA}/${encodeURIComponent(H)}` }],
  fix: `Upgrade ${H}`,
};

const TEMPLATE = parseTemplate(
  [
    `id: hostile`,
    `name: "Template ${H.replace(/"/g, '')}"`,
    'roles:',
    `  - {id: comms, name: "Comms <!channel>"}`,
    'sections:',
    '  - id: first',
    `    title: "Section ${H}"`,
    '    steps:',
    `      - {id: a, title: "Step ${H}", detail: "Detail ${H}", due: 1h, role: comms}`,
    `      - {id: b, title: "Other ${H}", due: 2h}`,
  ].join('\n'),
  'hostile.yml',
);

function incident(overrides: Partial<Incident> = {}): Incident {
  return {
    id: 7, kind: 'real', title: `Incident title ${H}`, severity: 'high', status: 'open', template: 'hostile', templateName: `Template ${H}`,
    channel: 'C0INCIDENT1', rootTs: '1732780000.000100', rootPermalink: 'https://x.slack.com/archives/C0INCIDENT1/p1732780000000100', source: null,
    context: CONTEXT, scenario: null, injectsSent: 0, createdBy: USER, createdAt: NOW,
    acknowledgedAt: null, containedAt: null, resolvedAt: null, closedAt: null, closedBy: null, summary: `summary ${H}`, report: null, version: 0, ...overrides,
  };
}

const steps: Step[] = stepsFromTemplate(TEMPLATE, CONTEXT, NOW).map((s, i) => ({ ...s, incidentId: 7, ...(i === 1 ? { status: 'skipped' as const, reason: `skip ${H}`, changedBy: USER, finishedAt: NOW } : {}) }));
const roles: RoleHolder[] = [{ role: 'commander', userId: USER, assignedBy: USER, assignedAt: NOW }];
const scenario: DrillScenario = { id: `drill-${H}`, title: `Drill ${H}`, severity: 'high', briefing: `Briefing ${H}`, context: CONTEXT, injects: [{ afterSteps: 0, text: `Inject ${H}` }] };

function row(kind: Finding['kind']): FindingRow {
  const f = finding(kind, 'high');
  return { repo: `octo/app ${H}`, key: 'k', kind, severity: 'high', package: f.package, version: f.version, advisoryId: f.id ?? null, finding: f, firstSeen: NOW, lastSeen: NOW, fixedAt: null, fixedBySha: null, alertable: true };
}

const userError = (problem: UserError['problem']): UserError => ({ errorId: 'E-7K2Q9', problem });

/** Each layout with hostile input, as `[name, what it produced]` (messages, views, or mrkdwn strings). */
function layouts(): [string, unknown][] {
  const view = { incident: incident(), steps, roles, now: NOW };
  const report = buildReport({
    incident: incident({ status: 'closed', closedAt: NOW, closedBy: USER }),
    steps,
    roles,
    timeline: [
      { id: 1, incidentId: 7, at: NOW, actor: USER, type: 'started', text: `started the incident “${H}”`, messageTs: null },
      { id: 2, incidentId: 7, at: NOW, actor: USER, type: 'status_update', text: `posted a status update — conditions: ${H}`, messageTs: null },
    ],
    // An action item's user mentions stay mentions by design (action-item-mentions.test.ts); the rest of it is hostile.
    actionItems: [{ id: 1, incidentId: 7, text: `Action ${H.replace('<@U0EVIL666> ', '')}`, owner: USER, createdBy: USER, createdAt: NOW }],
  });
  const fitted = (m: Parameters<typeof fitMessage>[0]) => {
    const { first, replies } = fitMessage(m);
    return [first, ...replies];
  };
  return [
    ['auditing placeholder', auditingMessage(`octo/app@${H}`, USER)],
    ['audit reply', fitted(auditReply(replyInput))],
    [
      'alert',
      alertMessage({
        alertId: 3, advisoryId: `PYSEC-${H}`, aliases: [H], summary: `OSV ${H}`, severity: 'high', cvss: 8.1, malicious: false, package: `pkg ${H}`, resolved: false,
        affected: [{ repo: `octo/app ${H}`, repoUrl: 'https://github.com/octo/app', version: `1.0 ${H}`, file: `req ${H}.txt`, line: 2, url: null, fix: `Upgrade ${H}`, fixVersion: null, fixedBySha: null, fixedAt: null }],
      }),
    ],
    [
      'resolved alert',
      alertMessage({
        alertId: 3, advisoryId: `PYSEC-${H}`, aliases: [], summary: '', severity: 'high', cvss: null, malicious: true, package: `pkg ${H}`, resolved: true,
        affected: [{ repo: `octo/app ${H}`, repoUrl: null, version: null, file: null, line: null, url: null, fix: H, fixVersion: null, fixedBySha: `${H}abcdef`, fixedAt: NOW }],
      }),
    ],
    [
      'resolved alert with a repository no longer checked (its exclude: reason is the user\'s text)',
      alertMessage({
        alertId: 3, advisoryId: `PYSEC-${H}`, aliases: [], summary: '', severity: 'high', cvss: null, malicious: false, package: `pkg ${H}`, resolved: true,
        affected: [
          { repo: `octo/app ${H}`, repoUrl: null, version: null, file: null, line: null, url: null, fix: H, fixVersion: null, fixedBySha: null, fixedAt: NOW, closedReason: `excluded by .depwatch.yml (${H})` },
          { repo: `octo/api ${H}`, repoUrl: null, version: null, file: null, line: null, url: null, fix: H, fixVersion: null, fixedBySha: null, fixedAt: NOW, closedReason: `excluded by .depwatch.yml (${H})` },
          { repo: 'octo/lib', repoUrl: null, version: '1.0', file: 'requirements.txt', line: 1, url: null, fix: 'x', fixVersion: null, fixedBySha: null, fixedAt: null, closedReason: `excluded by .depwatch.yml (${H})` },
        ],
      }),
    ],
    [
      'dependency with the advisories it brought',
      dependencyAlertMessage({
        repo: `octo/app ${H}`, repoUrl: 'https://github.com/octo/app', package: `pkg ${H}`, version: `1.0 ${H}`, file: `req ${H}.txt`, line: 2, url: null, unknownAs: 'high',
        advisories: [{ id: `PYSEC-${H}`, severity: 'critical', summary: `OSV ${H}`, malicious: false }, { id: `GHSA-${H}`, severity: 'unknown', summary: '', malicious: true }],
        total: 9, fixVersion: `2.0 ${H}`, unfixed: 0, alertId: 4, offerFixPr: true,
      }),
    ],
    [
      'secret and code finding alert',
      secretAlertMessage({
        repo: `octo/app ${H}`,
        repoUrl: 'https://github.com/octo/app',
        sha: 'a'.repeat(40),
        secrets: [{ kind: `kind ${H}`, rule: `rule ${H}`, file: `app/${H}.py`, line: 3, url: null, fingerprint: `${H}`, fix: `fix ${H}` }],
        findings: [{ rule: `rule ${H}`, severity: 'high', file: `app/${H}.py`, line: 4, url: 'https://github.com/octo/app/blob/a/x.py#L4', message: `message ${H}`, fix: `fix ${H}` }],
      }),
    ],
    [
      'settings notice',
      settingsNoticeMessage({ repo: `octo/app ${H}`, repoUrl: 'https://github.com/octo/app', sha: 'a'.repeat(40), private: false, problems: [`.depwatch.yml: ignore entry 1: ${H}`], total: 3 }),
    ],
    [
      'weekly digest',
      (() => {
        const layout = weeklyDigestLayout(
          {
            generatedAt: NOW,
            registryUnavailable: false,
            totals: { major: 1, minor: 0, patch: 0, yanked: 1, repos: 1 },
            repos: [{ repo: `octo/app ${H}`, outdated: [{ package: `pkg ${H}`, version: `1 ${H}`, latest: `2 ${H}`, bump: 'major', releasesBehind: 3, file: H, line: 1 }], yanked: [{ package: `pkg ${H}`, version: H, reason: `yanked ${H}`, file: H, line: 2 }], oldestPins: [{ package: H, version: H, released: NOW, ageDays: 400 }] }],
          },
          { timeZone: 'UTC' },
        );
        return [layout.summary, layout.details];
      })(),
    ],
    [
      'monthly digest',
      (() => {
        const layout = monthlyDigestLayout(
          {
            generatedAt: NOW,
            open: { total: 1, bySeverity: { critical: 0, high: 1, medium: 0, low: 0 }, byAge: { under30: 1, from30to90: 0, over90: 0 } },
            openFindings: [row('vulnerability')],
            newThisMonth: [row('vulnerability')],
            fixedThisMonth: [{ ...row('vulnerability'), fixedAt: NOW, fixedBySha: SHA }],
            expiringIgnores: [{ id: `PYSEC-${H}`, package: `pkg ${H}`, until: '2025-05-20', reason: `reason ${H}`, source: `source ${H}` }],
            chart: [],
            unknownAs: 'high',
          },
          { timeZone: 'UTC' },
        );
        return [layout.summary, layout.details];
      })(),
    ],
    [
      'quarterly digest',
      (() => {
        const layout = quarterlyDigestLayout(
          {
            generatedAt: NOW,
            registryUnavailable: false,
            repos: 1,
            byKind: { unpinned: [{ repo: `octo/app ${H}`, finding: finding('unpinned', 'low') }], 'no-lockfile': [], 'non-registry-source': [], 'extra-index-url': [], 'python-eol': [] },
            code: [{ repo: `octo/app ${H}`, byKind: { secret: 1, [`kind ${H}`]: 2 }, bySeverity: { critical: 1 }, partial: true }],
            stale: [{ package: `pkg ${H}`, repos: [`octo/app ${H}`], lastRelease: `2019 ${H}`, status: 'archived', statusReason: `reason ${H}`, why: 'archived' }, { package: H, repos: [H], lastRelease: `${H}`, status: null, statusReason: null, why: 'no-release' }],
          } as never,
          { timeZone: 'UTC' },
        );
        return [layout.summary, layout.details];
      })(),
    ],
    ['bad input error', errorMessage(userError({ kind: 'bad-input', message: `"${H}" is not a repository` }), { now: new Date(NOW), timeZone: 'UTC' })],
    ['not visible error', errorMessage(userError({ kind: 'not-visible', message: `octo/app@${H} not found` }), { now: new Date(NOW), timeZone: 'UTC' })],
    ['no manifests error', errorMessage(userError({ kind: 'no-manifests', repo: `octo/app ${H}`, sha: SHA, htmlUrl: 'https://github.com/octo/app' }), { now: new Date(NOW), timeZone: 'UTC' })],
    ['service error', errorMessage(userError({ kind: 'service', service: `OSV ${H}`, message: `answered ${H}` }), { now: new Date(NOW), timeZone: 'UTC' })],
    ['service error with an answer', errorMessage(userError({ kind: 'service', service: `OSV ${H}`, message: `answered ${H}`, status: 502 }), { now: new Date(NOW), timeZone: 'UTC' })],
    ['credentials error', errorMessage(userError({ kind: 'credentials', service: `GitHub ${H}`, message: `rejected ${H}` }), { now: new Date(NOW), timeZone: 'UTC' })],
    ['failed placeholder', failedPlaceholder(`octo/app@${H}`, USER, 'E-7K2Q9')],
    ['usage with the typed text', usageMessage(md`:warning: ${H}`.text)],
    ['home', fitView(homeView({ audits: [{ id: 1, repo: `octo/app ${H}`, ref: `main ${H}`, sha: SHA, htmlUrl: 'https://github.com/octo/app', createdAt: NOW, counts: { critical: 1, high: 0, medium: 0, unknown: 0, low: 0, info: 0 }, completeness: { partial: true, pending: [H], vulnerabilitiesUnchecked: false, reasons: 2, firstReason: `${H}:3 not read completely: ${H}` }, channel: null, ts: null } as never], now: new Date(NOW), watched: [{ repo: `octo/app ${H}`, channel: 'C0AUDITS001' }], incidentBlocks: incidentHomeBlocks([{ incident: incident(), progress: H, commander: USER }]) }))],
    ['ignore modal', ignoreModal({ repo: `octo/app ${H}`, finding: finding('vulnerability', 'high'), privateMetadata: 'm' })],
    ['alert ignore modal', ignoreModalView({ intro: md`Ignore *${H}* in this channel.`.text, advisoryId: H, packageName: H, callbackId: 'x', privateMetadata: 'm' })],
    ['ignore saved', ignoreSavedView(`PYSEC-${H}`, `octo/app ${H}`)],
    ['skip modal', skipModal(steps[0]!, 'm')],
    ['update modal', updateModal(incident(), 'm')],
    ['close modal', closeModal(incident(), 2, 'm')],
    ['incident root', rootMessage(view)],
    ['checklist', checklistPart(view, 0)],
    ['status update', statusUpdateMessage(incident(), { conditions: `cond ${H}`, actions: `act ${H}`, needs: `needs ${H}` }, USER, NOW)],
    ['note', noteMessage(incident(), md`${md.user(USER)} changed something: ${H}`.text)],
    ['reminder', reminderMessage({ incident: incident(), step: steps[0]!, owner: USER, now: NOW, direct: true, threadLink: 'https://x.slack.com/archives/C0INCIDENT1/p1' })],
    ['inject', injectMessage(incident({ kind: 'drill' }), scenario, 0, scenario.injects[0]!)],
    ['drill briefing', drillBriefingMessage(incident({ kind: 'drill' }), scenario)],
    ['drill list', drillListMessage([scenario])],
    ['templates', templatesMessage({ templates: [TEMPLATE], errors: [`broken.yml: ${H}`] }, `/data/${H}`)],
    ['incident list', incidentListMessage([incident()])],
    ['post-incident report', fitted(reportBlocks(report, null))],
    ['step conflict', { text: conflictText({ ok: false, reason: 'conflict', current: { ...steps[0]!, status: 'done', changedBy: USER, changedAt: NOW }, incident: incident(), message: H } as never, 'done') }],
    ['step error', { text: conflictText({ ok: false, reason: 'closed', current: steps[0]!, incident: incident(), message: `closed ${H}` } as never, 'done') }],
  ];
}

describe('every layout escapes what people and repositories wrote', () => {
  it.each(layouts())('%s', (_name, produced) => {
    const texts = (Array.isArray(produced) ? produced : [produced]).flatMap((p) => mrkdwnOf(p));
    expect(texts.length).toBeGreaterThan(0);
    expect(unescapedHostile(texts)).toEqual([]);
    // The hostile text is still there for people to read, escaped.
    expect(texts.join('\n')).toMatch(/&lt;!channel&gt;|&lt;@U0EVIL666&gt;/);
  });

  it('escapes the watch commands\' replies and lists', async () => {
    const db = openDb(':memory:');
    const store = new WatchStore(db);
    const ctx = { userId: USER, channelId: 'C0AUDITS001', via: 'command' as const, gate: createAccessGate({ admins: [] }), state: new SqliteWatchState(store), scheduler: { reload: () => {} }, now: new Date(NOW), defaultTimeZone: 'UTC' };
    const texts: string[] = [];
    for (const command of [
      { kind: 'watch', repo: { owner: 'octo', repo: 'app', branch: H }, channel: null },
      { kind: 'watch', repo: { owner: 'octo', repo: 'app', branch: H }, channel: null },
      { kind: 'ignore', id: 'PYSEC-2024-1', package: 'django', reason: `reason ${H}`, until: null },
      { kind: 'invalid', message: `"${H}" is not a channel` },
      { kind: 'list' },
      { kind: 'unwatch', repo: { owner: 'octo', repo: 'app', branch: H }, channel: null },
      { kind: 'unwatch', repo: { owner: 'octo', repo: 'app', branch: H }, channel: null },
    ] as const) {
      const reply = await handleWatchCommand(command as never, ctx);
      texts.push(...mrkdwnOf(watchReplyMessage(reply)));
    }
    expect(unescapedHostile(texts)).toEqual([]);
    expect(texts.join('\n')).toContain('&lt;!channel&gt;');
    db.close();
  });
});

describe('the escaping helper', () => {
  it('escapes exactly &, < and > in mrkdwn', () => {
    expect(escapeMrkdwn('a & b <!channel> <@U1> c > d')).toBe('a &amp; b &lt;!channel&gt; &lt;@U1&gt; c &gt; d');
    expect(escapeMrkdwn('*bold* _it_ `code` "q" \'s\'')).toBe('*bold* _it_ `code` "q" \'s\'');
  });

  it('escapes every value a template interpolates, and only those', () => {
    const branch = '<!channel>';
    expect(md`Watching *${`octo/app@${branch}`}* for ${md.user('U0ALICE0001')}`.text).toBe('Watching *octo/app@&lt;!channel&gt;* for <@U0ALICE0001>');
    expect(md`${[md`*a*`, ' & ', '<b>']}`.text).toBe('*a* &amp; &lt;b&gt;');
    expect(md`${null}${undefined}${3}`.text).toBe('3');
  });

  it('builds links, mentions and dates that text cannot break out of', () => {
    expect(md.link('https://github.com/o/r/blob/x/a|<!here>.txt', 'a <b> | c').text).toBe('<https://github.com/o/r/blob/x/a%7C%3C!here%3E.txt|a &lt;b&gt; ¦ c>');
    expect(md.link('javascript:alert(1)', 'click').text).toBe('click');
    expect(md.user('U0ALICE0001').text).toBe('<@U0ALICE0001>');
    expect(md.user('U1><!channel').text).toBe('U1&gt;&lt;!channel');
    expect(md.channel('C0AUDITS001').text).toBe('<#C0AUDITS001>');
    expect(md.channel('<!here>').text).toBe('&lt;!here&gt;');
    expect(md.date(new Date('2025-01-01T00:00:00Z'), '{date_short}', '1 Jan <2025>').text).toBe('<!date^1735689600^{date_short}|1 Jan &lt;2025&gt;>');
  });
});
