/**
 * Layouts that list what a repository, a channel or an incident has (digests, `/audit list`, App
 * Home, the post-incident report, the audit reply's compact lines), fed many long items: every
 * block stays within Slack's limits and a list shortened to fit says "…and N more" rather than
 * ending mid-item in a bare "…" (section() cuts at 3,000 characters).
 */
import type { KnownBlock } from '@slack/types';
import { describe, expect, it } from 'vitest';
import type { AuditResult } from '../../src/audit/audit.js';
import type { Finding } from '../../src/audit/findings.js';
import { stepsFromTemplate } from '../../src/incidents/checklist.js';
import { buildReport } from '../../src/incidents/report.js';
import { builtinTemplate } from '../../src/incidents/templates.js';
import type { ActionItem, Incident, Step, TimelineEvent } from '../../src/incidents/types.js';
import type { PackageCard } from '../../src/packages/card.js';
import { securitySignals } from '../../src/packages/health/security.js';
import { auditReply } from '../../src/slack/blocks/audit-reply.js';
import { packageCardsMessage } from '../../src/slack/blocks/package-card.js';
import { monthlyDigestLayout, quarterlyDigestLayout, weeklyDigestLayout } from '../../src/slack/blocks/digest.js';
import { fitMessage, fitView, type FitMessageInput } from '../../src/slack/blocks/fit.js';
import { homeView } from '../../src/slack/blocks/home.js';
import { reportBlocks } from '../../src/slack/blocks/incident-report.js';
import { SLACK_LIMITS, checkMessage, checkView } from '../../src/slack/blocks/limits.js';
import { watchReplyMessage } from '../../src/slack/blocks/watch-reply.js';
import type { FindingRow } from '../../src/store/watches.js';
import type { WatchReply } from '../../src/watch/commands.js';

const SHA = '3f2c9a1b8d7e6f5a4b3c2d1e0f9a8b7c6d5e4f3a';
const NOW = '2025-06-02T09:00:00.000Z';
const long = (label: string, n = 120): string => `${label}-${'x'.repeat(n)}`;

type Obj = Record<string, unknown>;

/** Every visible text of section and context blocks, one entry per text object. */
function texts(blocks: readonly unknown[]): string[] {
  const out: string[] = [];
  for (const block of blocks as Obj[]) {
    const text = block.text as Obj | undefined;
    if (block.type === 'section' && typeof text?.text === 'string') out.push(text.text);
    if (block.type === 'context') for (const e of block.elements as Obj[]) if (typeof e.text === 'string') out.push(e.text);
  }
  return out;
}

/** All messages of a fitted layout, each checked against Slack's limits. */
function fittedTexts(input: FitMessageInput): string[] {
  const { first, replies } = fitMessage(input);
  const out: string[] = [];
  for (const m of [first, ...replies]) {
    expect(checkMessage(m)).toEqual([]);
    out.push(...texts(m.blocks));
  }
  return out;
}

/**
 * No text was cut at Slack's 3,000 characters (section() and mrkdwn() end such a cut with "…",
 * backing off a link or an escape): a list that had more says "…and N more" instead. A field cut
 * on purpose (an ignore reason shown to 300 characters) is short and may end in "…".
 */
function expectNoBareCut(all: readonly string[]): void {
  for (const t of all) expect(t.endsWith('…') && t.length > SLACK_LIMITS.sectionText - 300, t.slice(-200)).toBe(false);
}

/** The N of the "…and N more" that follows `marker`'s items, and how many of them were listed. */
function listed(all: readonly string[], marker: RegExp): { shown: number; more: number[] } {
  const joined = all.join('\n');
  const shown = new Set(joined.match(new RegExp(marker.source, 'g')) ?? []).size;
  const more = [...joined.matchAll(/…and (\d+) more/g)].map((m) => Number(m[1]));
  return { shown, more };
}

function vuln(pkg: string, i: number, extra: Partial<Finding> = {}): Finding {
  return {
    kind: 'vulnerability',
    severity: 'high',
    package: pkg,
    version: '1.0.0',
    file: 'requirements.txt',
    line: 1,
    id: `PYSEC-2024-${String(i).padStart(5, '0')}`,
    fix: { version: '2.0.0', text: `Upgrade ${pkg} to 2.0.0` },
    ...extra,
  };
}

function row(repo: string, finding: Finding): FindingRow {
  return {
    repo, key: `${repo}|${finding.id ?? finding.kind}|${finding.package ?? ''}`, kind: finding.kind, severity: finding.severity, package: finding.package, version: finding.version,
    advisoryId: finding.id ?? null, finding, firstSeen: '2025-05-01T00:00:00.000Z', lastSeen: NOW, fixedAt: null, fixedBySha: null, alertable: true,
  };
}

describe('digests list many long items within the limits, saying how many they left out', () => {
  it('weekly: outdated, yanked and old pins of a big repository, and health of many packages', () => {
    const pkgs = Array.from({ length: 300 }, (_, i) => long(`pkg${String(i).padStart(3, '0')}`, 40));
    const layout = weeklyDigestLayout(
      {
        generatedAt: NOW,
        repos: [
          {
            repo: 'octo/big',
            outdated: pkgs.map((p, i) => ({ package: p, version: '1.0.0', latest: '9.0.0', bump: i % 2 ? 'major' : 'minor', releasesBehind: 3, file: 'requirements.txt', line: i })),
            yanked: pkgs.slice(0, 80).map((p, i) => ({ package: p, version: '1.0.0', reason: long('broken', 300), file: 'requirements.txt', line: i })),
            oldestPins: pkgs.slice(0, 200).map((p) => ({ package: p, version: '1.0.0', released: '2015-01-01T00:00:00.000Z', ageDays: 3000 })),
          },
        ],
        totals: { major: 150, minor: 150, patch: 0, yanked: 80, repos: 1 },
        registryUnavailable: false,
        health: {
          worsened: pkgs.map((p) => ({ package: p, from: 'ok', to: 'avoid', reasons: [long('no release in years', 100)], newOwners: ['mallory'], goneOwners: [] })),
          unread: pkgs,
        },
      },
      { timeZone: 'UTC' },
    );
    const all = fittedTexts(layout.details);
    expectNoBareCut(all);
    const more = listed(all, /…and \d+ more/).more;
    expect(more.length).toBeGreaterThanOrEqual(4);
    const health = all.find((t) => t.startsWith('*Health worsened since last week*'))!;
    const healthShown = all.join('\n').split('\n').filter((l) => /^`pkg\d{3}-x+` ok → avoid/.test(l)).length;
    expect(health).toBeDefined();
    expect(all.join('\n')).toContain(`…and ${300 - healthShown} more`);
    const unread = all.find((t) => t.startsWith('⚠️ Health not checked this week'))!;
    expect(unread).toMatch(/…and \d+ more$/);
  });

  it('monthly: hundreds of open vulnerabilities, a package with a hundred advisories, long ignore reasons', () => {
    const open = [
      ...Array.from({ length: 100 }, (_, i) => row('octo/app', vuln('django', i))),
      ...Array.from({ length: 300 }, (_, i) => row(`octo/${long(`repo${String(i).padStart(3, '0')}`, 60)}`, vuln(long('package', 40), 1000 + i))),
    ];
    const layout = monthlyDigestLayout(
      {
        generatedAt: NOW,
        open: { total: open.length, bySeverity: { critical: 0, high: open.length, medium: 0, low: 0 }, byAge: { under30: 0, from30to90: open.length, over90: 0 } },
        openFindings: open,
        newThisMonth: open,
        fixedThisMonth: [],
        expiringIgnores: Array.from({ length: 60 }, (_, i) => ({ id: `PYSEC-2020-${i}`, package: 'django', until: '2025-06-20', reason: long('because', 250), source: '.depwatch.yml' })),
        chart: [],
        unknownAs: 'high',
      },
      { timeZone: 'UTC' },
    );
    const all = fittedTexts(layout.details);
    expectNoBareCut(all);
    const joined = all.join('\n');
    // The django line lists the advisories it has room for, and counts the rest.
    const django = joined.split('\n').find((l) => l.includes('*octo/app*: django'))!;
    expect(django).toMatch(/…and \d+ more/);
    const ids = new Set(django.match(/PYSEC-2024-\d{5}\|/g));
    expect(Number(/…and (\d+) more/.exec(django)![1]) + ids.size).toBe(100);
    // Lines of repositories are complete in the thread (its replies take them all): each of the 300 named.
    const repos = listed(all, /repo\d{3}/);
    expect(repos.shown).toBe(300);
    expect(joined).toContain('*Ignores expiring within 30 days*');
  });

  it('quarterly: hygiene findings of hundreds of repositories, stale packages used everywhere', () => {
    const repos = Array.from({ length: 300 }, (_, i) => `octo/${long(`repo${String(i).padStart(3, '0')}`, 60)}`);
    const unpinned: Finding = { kind: 'unpinned', severity: 'low', package: 'requests', version: null, file: 'requirements.txt', line: 3, fix: { version: null, text: long('Pin requests to an exact release', 100) } };
    const layout = quarterlyDigestLayout(
      {
        generatedAt: NOW,
        byKind: { unpinned: repos.map((repo) => ({ repo, finding: unpinned })), 'no-lockfile': [], 'non-registry-source': [], 'extra-index-url': [], 'python-eol': [] },
        code: repos.map((repo) => ({ repo, byKind: { secret: 1, code: 2 }, bySeverity: { high: 3 }, partial: false })),
        stale: Array.from({ length: 100 }, (_, i) => ({ package: long(`stale${i}`, 40), repos, lastRelease: '2015-01-01T00:00:00.000Z', status: null, statusReason: null, why: 'no-release' as const })),
        repos: repos.length,
        registryUnavailable: false,
      },
      { timeZone: 'UTC' },
    );
    const all = fittedTexts(layout.details);
    expectNoBareCut(all);
    for (const heading of ['*Unpinned requirements (300)*', '*Code and configuration (300 repositories)*', '*Packages to reconsider (100)*']) {
      const at = all.findIndex((t) => t.startsWith(heading));
      expect(at, heading).toBeGreaterThanOrEqual(0);
    }
    // Every repository with the finding is listed (the thread's replies take them all), none counted away.
    const hygiene = listed(all.filter((t) => t.includes('Pin requests')), /repo\d{3}/);
    expect(hygiene.shown).toBe(300);
    expect(all.filter((t) => t.includes('Pin requests')).join('\n')).not.toMatch(/…and \d+ more/);
    // A package used by 300 repositories names those it has room for.
    const stale = all.join('\n').split('\n').find((l) => l.startsWith('• `stale0-'))!;
    expect(stale).toMatch(/used by .*…and \d+ more$/);
  });
});

describe('`/audit list` with many watches and ignores', () => {
  it('stays one message within the limits and counts what it does not list', () => {
    const watches = Array.from({ length: 40 }, (_, i) => ({
      display: `octo-organisation/${long(`service${String(i).padStart(2, '0')}`, 80)}`,
      private: false,
      addedBy: 'U0ALICE0001',
      status: { state: 'ok' as const, open: 3, checkedAt: '2025-06-01T10:00:00.000Z' },
    }));
    const reply: WatchReply = {
      kind: 'list', ephemeral: true, repos: [...watches.map((w) => w.display), ...Array.from({ length: 60 }, (_, i) => `octo/extra${i}`)], watches, more: 60, timeZone: 'UTC',
      schedules: [{ kind: 'weekly', enabled: true, cron: '0 9 * * 1', next: '2025-06-09T09:00:00.000Z' }], unknownAs: 'high',
      ignores: Array.from({ length: 80 }, (_, i) => ({ advisory: `PYSEC-2020-${i}`, package: 'django', reason: long('the vulnerable feature is not used', 400), until: null, createdBy: 'U0BOB000001', expired: false })),
    };
    const message = watchReplyMessage(reply);
    expect(checkMessage(message)).toEqual([]);
    const all = texts(message.blocks ?? []);
    expectNoBareCut(all);
    const shownWatches = new Set(all.join('\n').match(/service\d\d/g)).size;
    expect(all.join('\n')).toContain(`…and ${100 - shownWatches} more`);
    const shownIgnores = new Set(all.join('\n').match(/PYSEC-2020-\d+/g)).size;
    expect(shownIgnores).toBeGreaterThan(0);
    expect(all.join('\n')).toContain(`…and ${80 - shownIgnores} more`);
    expect(message.text.length).toBeLessThanOrEqual(3000);
  });
});

describe('App Home with many watched repositories', () => {
  it('lists them whole within the view limits and counts the rest', () => {
    const watched = Array.from({ length: 300 }, (_, i) => ['A', 'B', 'C'].map((c) => ({ repo: `octo-organisation/${long(`repo${String(i).padStart(3, '0')}`, 90)}`, channel: `C0${c.repeat(8)}${i % 10}` }))).flat();
    const view = fitView(homeView({ audits: [], now: new Date(NOW), watched }));
    expect(checkView(view)).toEqual([]);
    const all = texts(view.blocks as KnownBlock[]);
    expectNoBareCut(all);
    const shown = new Set(all.join('\n').match(/repo\d{3}/g)).size;
    expect(shown).toBeGreaterThan(0);
    expect(all.join('\n')).toContain(`…and ${300 - shown} more`);
  });
});

describe('the post-incident report with long steps, action items and timeline', () => {
  it('packs every line whole into sections and counts what goes only into the attached report', () => {
    const START = '2024-11-28T10:00:00.000Z';
    const incident = {
      id: 7, kind: 'real', title: 'RCE', severity: 'critical', status: 'closed', template: 'default', templateName: 'Default', channel: 'C0INCIDENT1', rootTs: null, rootPermalink: null, source: null,
      context: null, scenario: null, injectsSent: 0, createdBy: 'U0ALICE0001', createdAt: START, acknowledgedAt: null, containedAt: null, resolvedAt: null, closedAt: NOW, closedBy: 'U0ALICE0001',
      summary: 'Done.', report: null, version: 0,
    } as Incident;
    // Titles and reasons of `&` grow five-fold when escaped.
    const steps: Step[] = stepsFromTemplate(builtinTemplate(), null, START).map((s) => ({ ...s, incidentId: 7, title: `${'&'.repeat(200)}`, status: 'skipped', reason: '&'.repeat(200), changedBy: 'U0BOB000001', finishedAt: NOW }));
    const timeline: TimelineEvent[] = Array.from({ length: 80 }, (_, i) => ({ id: i + 1, incidentId: 7, at: START, actor: 'U0BOB000001', type: 'step', text: `event${String(i).padStart(2, '0')} ${'y'.repeat(380)}`, messageTs: null }));
    const actionItems: ActionItem[] = Array.from({ length: 60 }, (_, i) => ({ id: i + 1, incidentId: 7, text: `item${String(i).padStart(2, '0')} ${'z'.repeat(280)}`, owner: 'U0BOB000001', createdBy: 'U0ALICE0001', createdAt: NOW }));
    const report = buildReport({ incident, steps, roles: [], timeline, actionItems });
    const all = fittedTexts(reportBlocks(report, null));
    expectNoBareCut(all);
    const joined = all.join('\n');
    expect(joined.split('\n').filter((l) => l.startsWith('⏭️ ')).length).toBe(steps.length);
    const items = new Set(joined.match(/item\d\d/g)).size;
    expect(items).toBeGreaterThan(0);
    if (items < 60) expect(joined).toContain(`…and ${60 - items} more action items in the attached report`);
    const events = new Set(joined.match(/event\d\d/g)).size;
    expect(joined).toContain(`…and ${80 - events} more events in the attached report`);
  });
});

describe('the audit reply past its detailed findings', () => {
  it('names as many of a package’s remaining advisories as fit its line, and counts the rest', () => {
    const findings = Array.from({ length: 200 }, (_, i) => vuln('django', i, { fixedVersions: ['2.0.0'] }));
    const result: AuditResult = { target: `octo/app@${SHA}`, dependencies: 1, findings, ignored: [], notes: [], errors: [], warnings: [], notices: [], partial: false, advisorySource: 'api' };
    const reply = auditReply({ auditId: 1, repo: 'octo/app', ref: 'main', sha: SHA, htmlUrl: 'https://github.com/octo/app', createdAt: NOW, requestedBy: null, result });
    const all = fittedTexts(reply);
    expectNoBareCut(all);
    const compact = all.join('\n').split('\n').find((l) => l.includes('django 1.0.0') && /…and \d+ more/.test(l))!;
    expect(compact).toBeDefined();
    const named = new Set(compact.match(/PYSEC-2024-\d{5}\|/g)).size;
    expect(named + Number(/…and (\d+) more/.exec(compact)![1])).toBe(170);
  });
});

describe('a package card for a release with a hundred advisories', () => {
  it('names the advisories that fit its line and counts the rest', () => {
    const advisories = Array.from({ length: 100 }, (_, i) => ({
      id: `PYSEC-2019-${String(i).padStart(3, '0')}`, aliases: [], summary: null, severity: 'high' as const, malicious: false, affectsRelease: true, fixedVersions: ['1.11.29', '2.2.10', '3.0.3'],
    }));
    const signals = securitySignals({ ok: true, value: { origin: 'api', advisories, notices: [] } }, '1.2');
    // The signal itself (CLI, JSON) still names every one.
    expect(signals.affecting_release!.text.match(/PYSEC-2019-\d{3}/g)).toHaveLength(100);
    const card: PackageCard = {
      name: 'django', normalizedName: 'django', requestedVersion: '1.2', version: '1.2', latestVersion: '5.2', exists: true, versionExists: true, verdict: 'avoid',
      reasons: [], partial: false, signals, typosquat: { name: 'django', normalized: 'django', suspect: false, similarTo: [] }, notices: [],
    };
    const all = fittedTexts(packageCardsMessage([card], []));
    expectNoBareCut(all);
    const line = all.join('\n').split('\n').find((l) => l.startsWith('*Advisories for this release:*'))!;
    const named = new Set(line.match(/PYSEC-2019-\d{3}/g)).size;
    expect(line).toContain(`…and ${100 - named} more`);
    expect(all.join('\n')).toContain('*Past advisories:*');
  });
});

describe('the audit reply of a repository that pins the same old releases in many files', () => {
  const files = (n: number) => Array.from({ length: n }, (_, i) => `services/svc${String(i).padStart(3, '0')}/requirements.txt`);
  /** urllib3 1.20 with 8 advisories, pinned at line 8 of `pinned` files (the audit lists 20 at most and counts the rest). */
  function pinnedEverywhere(pinned: number): Finding[] {
    const listed = files(Math.min(pinned, 20));
    const omitted = pinned - listed.length;
    const advice = {
      package: 'urllib3', from: '1.20', to: '1.26.18', constraints: [], commands: [], transitive: false,
      edits: listed.map((file) => ({ file, line: 8, write: 'urllib3==1.26.18' })),
      ...(omitted ? { placesOmitted: omitted } : {}),
    };
    return Array.from({ length: 8 }, (_, i) =>
      vuln('urllib3', i, {
        version: '1.20', file: listed[0], line: 8,
        fix: { version: '1.26.18', text: 'Upgrade urllib3 1.20 to 1.26.18', advice },
        locations: listed.map((file) => ({ file, line: 8, role: 'pin' as const })),
        ...(omitted ? { locationsOmitted: omitted } : {}),
      }),
    );
  }
  const reply = (findings: Finding[], extra: Partial<AuditResult> = {}) =>
    auditReply({ auditId: 1, repo: 'octo/mono', ref: 'main', sha: SHA, htmlUrl: 'https://github.com/octo/mono', createdAt: NOW, requestedBy: null,
      result: { target: `octo/mono@${SHA}`, dependencies: 1, findings, ignored: [], notes: [], errors: [], warnings: [], notices: [], partial: false, advisorySource: 'api', ...extra } });
  const packageSection = (all: string[]) => all.find((t) => t.startsWith('🟠 *urllib3 1.20 → 1.26.18 clears 8 advisories*'))!;
  const svc = (line: string) => new Set(line.match(/svc\d{3}\/requirements\.txt:8>/g)).size;

  for (const pinned of [20, 300]) {
    it(`keeps the headline and the fix with ${pinned} places, listing those that fit and counting the rest`, () => {
      const all = fittedTexts(reply(pinnedEverywhere(pinned)));
      expectNoBareCut(all);
      const [headline, at, fix] = packageSection(all).split('\n');
      expect(headline).toBe('🟠 *urllib3 1.20 → 1.26.18 clears 8 advisories*');
      // Every place is either linked or in the count, which includes the audit's own (past 20).
      const morePlaces = Number(/; and (\d+) more places$/.exec(at!)![1]);
      expect(svc(at!) + morePlaces).toBe(pinned);
      // The fix names the edit in each file's own syntax for the first places, then counts the same edit elsewhere.
      expect(fix).toMatch(/^\*Fix:\* set `urllib3==1\.26\.18` in </);
      const moreEdits = Number(/ and the same in (\d+) more places\.$/.exec(fix!)![1]);
      expect(svc(fix!) + moreEdits).toBe(pinned);
      expect(fix!.match(/`urllib3==1\.26\.18` in </g)).toHaveLength(svc(fix!));
    });
  }

  it('says once, at the end, the command whose report lists what it only counted', () => {
    const hygiene = Array.from({ length: 318 }, (_, i): Finding => ({
      kind: 'not-on-index', severity: 'medium', package: `pkg${i}`, version: '1.0', file: files(318)[i]!, line: 1, fix: { version: null, text: 'Check the name.' },
    }));
    const all = fittedTexts(reply([...pinnedEverywhere(20), ...hygiene]));
    expect(all.join('\n')).toContain('…and 313 more');
    const hints = all.filter((t) => t.includes('depwatch audit'));
    expect(hints).toEqual([`:information_source: The terminal's report of the same commit lists what this reply only counts: \`depwatch audit octo/mono@${SHA}\` (add \`--markdown\` for a file to share).`]);
    expect(all[all.length - 1]).toBe(hints[0]);
  });

  it('names the --unknown-as the reply was rated with in that command', () => {
    const all = fittedTexts(reply(pinnedEverywhere(300), { unknownAs: 'medium' }));
    expect(all.filter((t) => t.includes('depwatch audit'))).toEqual([expect.stringContaining(`\`depwatch audit --unknown-as medium octo/mono@${SHA}\``)]);
  });

  it('says no command when every list is whole', () => {
    const all = fittedTexts(reply(pinnedEverywhere(2)));
    expect(all.join('\n')).not.toContain('depwatch audit');
    expect(packageSection(all).split('\n')[2]).toMatch(/^\*Fix:\* set `urllib3==1\.26\.18` in .* and `urllib3==1\.26\.18` in [^,]*\.$/);
  });
});

describe('the audit reply’s counts of packages', () => {
  it('counts packages as the audit does (names) in the header and the vulnerabilities, and releases apart', () => {
    // 4 packages, each pinned at 3 versions in different files: 12 vulnerable releases.
    const findings = ['django', 'pillow', 'salt', 'ansible'].flatMap((pkg, p) =>
      [0, 1, 2].map((v) => vuln(pkg, p * 10 + v, { version: `1.${v}`, file: `svc${v}/requirements.txt` })),
    );
    const result: AuditResult = { target: `octo/mono@${SHA}`, dependencies: 4, findings, ignored: [], notes: [], errors: [], warnings: [], notices: [], partial: false, advisorySource: 'api' };
    const message = auditReply({ auditId: 1, repo: 'octo/mono', ref: 'main', sha: SHA, htmlUrl: 'https://github.com/octo/mono', createdAt: NOW, requestedBy: null, result });
    const all = fittedTexts(message);
    expect(all.find((t) => t.includes('(main)'))).toContain(' · 4 packages · ');
    expect(all.join('\n')).toContain('*12 vulnerabilities in 12 releases of 4 packages:*');
    expect(message.text).toContain('12 vulnerabilities in 12 releases of 4 packages (');
  });

  it('says packages alone when each is pinned at one version', () => {
    const findings = ['django', 'pillow'].map((pkg, i) => vuln(pkg, i));
    const result: AuditResult = { target: `octo/app@${SHA}`, dependencies: 5, findings, ignored: [], notes: [], errors: [], warnings: [], notices: [], partial: false, advisorySource: 'api' };
    const all = fittedTexts(auditReply({ auditId: 1, repo: 'octo/app', ref: 'main', sha: SHA, htmlUrl: 'https://github.com/octo/app', createdAt: NOW, requestedBy: null, result }));
    expect(all.find((t) => t.includes('(main)'))).toContain(' · 5 packages · ');
    expect(all.join('\n')).toContain('*2 vulnerabilities in 2 packages:*');
  });
});
