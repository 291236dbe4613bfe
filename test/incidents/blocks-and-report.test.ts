import { describe, expect, it } from 'vitest';
import { stepsFromTemplate } from '../../src/incidents/checklist.js';
import { DRILL_SCENARIOS, drillScoreMarkdown, findScenario, injectsDue, scoreDrill } from '../../src/incidents/drills.js';
import { buildReport, reportMarkdown } from '../../src/incidents/report.js';
import { builtinTemplate, loadTemplateLibrary, parseTemplate } from '../../src/incidents/templates.js';
import type { Incident, RoleHolder, Step, TimelineEvent } from '../../src/incidents/types.js';
import { checkMessage, checkView } from '../../src/slack/blocks/limits.js';
import { checklistPart, checklistPartCount, drillListMessage, incidentListMessage, reminderMessage, rootMessage, statusUpdateMessage, templatesMessage } from '../../src/slack/blocks/incident.js';
import { actionItemModal, closeModal, incidentHomeBlocks, skipModal, updateModal } from '../../src/slack/blocks/incident-modals.js';
import { reportBlocks } from '../../src/slack/blocks/incident-report.js';
import { fitMessage } from '../../src/slack/blocks/fit.js';

const START = '2024-11-28T10:00:00.000Z';
const at = (minutes: number): string => new Date(Date.parse(START) + minutes * 60_000).toISOString();

/** A template at the edge of every field limit: 40 steps, 200-character titles, 1,000-character details. */
function fortyStepTemplate(): string {
  const lines = ['id: big', 'name: Forty steps', 'roles:', '  - {id: comms, name: Comms}', 'sections:'];
  for (let s = 0; s < 4; s++) {
    lines.push(`  - id: s${s}`, `    title: Section ${s} ${'x'.repeat(80)}`, '    steps:');
    for (let i = 0; i < 10; i++) {
      lines.push(`      - id: s${s}-${i}`, `        title: "${`Step ${s}.${i} & <check> `.padEnd(200, 'y')}"`, `        detail: "${'d'.repeat(1000)}"`, `        due: ${i + 1}h`, '        role: comms');
    }
  }
  return lines.join('\n');
}

function incident(overrides: Partial<Incident> = {}): Incident {
  return {
    id: 7, kind: 'real', title: 'Critical RCE in pyyaml', severity: 'critical', status: 'open', template: 'default', templateName: 'Vulnerable or malicious dependency',
    channel: 'C0INCIDENT1', rootTs: '1732780000.000100', rootPermalink: 'https://x.slack.com/archives/C0INCIDENT1/p1732780000000100', source: null,
    context: DRILL_SCENARIOS[0]?.context ?? null, scenario: null, injectsSent: 0, createdBy: 'U0ALICE0001', createdAt: START,
    acknowledgedAt: null, containedAt: null, resolvedAt: null, closedAt: null, closedBy: null, summary: null, report: null, version: 0, ...overrides,
  };
}

function stepsOf(templateText: string | null): Step[] {
  const template = templateText ? parseTemplate(templateText, 'big.yml') : builtinTemplate();
  return stepsFromTemplate(template, DRILL_SCENARIOS[0]?.context ?? null, START).map((s) => ({ ...s, incidentId: 7 }));
}

const ROLES: RoleHolder[] = [{ role: 'commander', userId: 'U0ALICE0001', assignedBy: 'U0ALICE0001', assignedAt: START }];

describe('checklist layout', () => {
  it('fits a 40-step template at the field limits: 4 parts, each one message within every Block Kit limit', () => {
    const steps = stepsOf(fortyStepTemplate());
    expect(steps).toHaveLength(40);
    const view = { incident: incident(), steps, roles: ROLES, now: at(30) };
    expect(checklistPartCount(steps.length)).toBe(4);
    for (let part = 0; part < 4; part++) {
      const message = checklistPart(view, part);
      expect(checkMessage(message)).toEqual([]);
      expect(fitMessage(message).replies).toEqual([]);
      expect(message.blocks.length).toBeLessThanOrEqual(50);
    }
    const closed = { ...view, incident: incident({ status: 'closed', closedAt: at(60) }) };
    expect(checkMessage(checklistPart(closed, 3))).toEqual([]);
    expect(checkMessage(rootMessage(view))).toEqual([]);
  });

  it('gives each open step Done, Skip, Not applicable and an assignee picker, carrying ids and the version shown', () => {
    const steps = stepsOf(null);
    steps[1] = { ...steps[1]!, status: 'done', changedBy: 'U0BOB000001', finishedAt: at(5), version: 1 };
    const message = checklistPart({ incident: incident(), steps, roles: ROLES, now: at(30) }, 0);
    const json = JSON.stringify(message.blocks);
    expect(json).toContain('"action_id":"incident_step_done","value":"7:1:0"');
    expect(json).toContain('"block_id":"incident_step:7:1:0"');
    expect(json).toContain('"action_id":"incident_step_reopen","value":"7:2:1"');
    expect(json).toContain('⏰ *overdue*');
    expect(message.text).toBe('Checklist for Incident #7: Critical RCE in pyyaml: 1 of 14 steps');
  });

  it('marks every drill message EXERCISE and keeps modals and reminders within limits', () => {
    const drill = incident({ kind: 'drill', scenario: 'rce-pinned' });
    const steps = stepsOf(null);
    const root = rootMessage({ incident: drill, steps, roles: ROLES, now: START });
    expect(root.text.startsWith('[EXERCISE]')).toBe(true);
    expect(JSON.stringify(root.blocks[0])).toContain('EXERCISE');
    const reminder = reminderMessage({ incident: drill, step: steps[0]!, owner: 'U0ALICE0001', now: at(20) });
    expect(reminder.text.startsWith('[EXERCISE]')).toBe(true);
    for (const m of [reminder, statusUpdateMessage(drill, { conditions: 'c'.repeat(5000), actions: '', needs: 'n' }, 'U0ALICE0001', at(3)), drillListMessage(DRILL_SCENARIOS), templatesMessage(loadTemplateLibrary(null), '/data/templates')]) {
      expect(checkMessage(m)).toEqual([]);
    }
    for (const v of [skipModal(steps[0]!, 'm'), updateModal(drill, 'm'), closeModal(drill, 3, 'm'), actionItemModal(drill, 'm')]) expect(checkView(v)).toEqual([]);
    const home = { type: 'home', blocks: incidentHomeBlocks([{ incident: drill, progress: '▱▱▱ 0 of 14', commander: 'U0ALICE0001' }, { incident: incident({ id: 8 }), progress: '', commander: null }]) };
    expect(checkView(home)).toEqual([]);
    expect(JSON.stringify(home.blocks[1])).toContain('Incident #8');
  });
});

describe('lists longer than one message holds', () => {
  it('count the open incidents and templates they leave out, and the template errors past their room', () => {
    const incidents = Array.from({ length: 55 }, (_, i) => incident({ id: i + 1 }));
    const list = incidentListMessage(incidents);
    expect(checkMessage(list)).toEqual([]);
    expect(JSON.stringify(list.blocks)).toContain('Incident #40');
    expect(JSON.stringify(list.blocks)).not.toContain('Incident #41');
    expect(JSON.stringify(list.blocks)).toContain('…and 15 more open incidents, not listed here');

    const builtIn = loadTemplateLibrary(null).templates[0]!;
    const library = {
      templates: Array.from({ length: 45 }, (_, i) => ({ ...builtIn, id: `t${i}`, name: `Template ${i}` })),
      errors: Array.from({ length: 200 }, (_, i) => `broken-${i}.yml: not a checklist`),
    };
    const message = templatesMessage(library, '/data/templates');
    const text = JSON.stringify(message.blocks);
    expect(checkMessage(message)).toEqual([]);
    expect(text).toContain('…and 5 more templates, not listed here');
    expect(text).toContain('broken-0.yml');
    const shown = (text.match(/broken-\d+\.yml/g) ?? []).length;
    expect(text).toContain(`…and ${200 - shown} more (every one is in the log at start-up)`);
  });
});

describe('the post-incident report', () => {
  const steps = stepsOf(null).map((s, i): Step => {
    if (i === 0) return { ...s, status: 'done', changedBy: 'U0BOB000001', finishedAt: at(10), owner: 'U0BOB000001' };
    if (i === 2) return { ...s, status: 'done', changedBy: 'U0ALICE0001', finishedAt: at(300) };
    if (i === 7) return { ...s, status: 'skipped', reason: 'no customer data | exposed', changedBy: 'U0ALICE0001', finishedAt: at(60) };
    return s;
  });
  const timeline: TimelineEvent[] = [
    { id: 2, incidentId: 7, at: at(10), actor: 'U0BOB000001', type: 'step', text: 'marked “Confirm” done', messageTs: null },
    { id: 1, incidentId: 7, at: START, actor: 'U0ALICE0001', type: 'started', text: 'started the incident', messageTs: null },
    { id: 3, incidentId: 7, at: at(2), actor: 'U0CAROL0001', type: 'pin', text: '📌 pinned: <!channel> look', messageTs: '1732780120.000100' },
  ];
  const closed = incident({ status: 'closed', acknowledgedAt: at(10), containedAt: at(300), resolvedAt: at(600), closedAt: at(600), closedBy: 'U0ALICE0001', summary: 'Upgraded pyyaml everywhere.' });
  const report = buildReport({ incident: closed, steps, roles: ROLES, timeline, actionItems: [{ id: 1, incidentId: 7, text: 'Pin hashes', owner: 'U0BOB000001', createdBy: 'U0ALICE0001', createdAt: at(500) }] });

  it('measures acknowledge, contain and resolve, and step durations from the start', () => {
    expect([report.timeToAcknowledgeMs, report.timeToContainMs, report.timeToResolveMs].map((ms) => (ms ?? 0) / 60_000)).toEqual([10, 300, 600]);
    expect(report.steps[0]).toMatchObject({ owner: 'U0BOB000001', status: 'done', durationMs: 10 * 60_000, targetMs: 15 * 60_000, finishedBy: 'U0BOB000001' });
    expect(report.steps[1]).toMatchObject({ owner: 'U0ALICE0001', status: 'open', durationMs: null });
    expect(report.timeline.map((e) => e.id)).toEqual([1, 3, 2]);
  });

  it('renders Markdown with the summary, key times, steps, action items and timeline', () => {
    const md = reportMarkdown(report, { U0BOB000001: 'bob', U0ALICE0001: 'alice' });
    expect(md).toContain('# Post-incident report: #7 Critical RCE in pyyaml');
    expect(md).toContain('| Time to contain | 5 h |');
    expect(md).toContain('| 1 | Immediate steps | Confirm the affected repos and services | @bob | done (@bob) | 10 min | 15 min |');
    expect(md).toContain('skipped: no customer data \\| exposed');
    expect(md).toContain('- [ ] Pin hashes — owner: @bob');
    expect(md).toContain('- 2024-11-28 10:02 UTC — @U0CAROL0001 📌 pinned: <!channel> look');
  });

  it('fits Slack, escaping what people typed', () => {
    const message = reportBlocks(report, null);
    const { first, replies } = fitMessage(message);
    for (const m of [first, ...replies]) expect(checkMessage(m)).toEqual([]);
    expect(JSON.stringify(message.blocks)).not.toContain('<!channel>');
    expect(JSON.stringify(message.blocks)).toContain('&lt;!channel&gt;');
  });
});

describe('drills', () => {
  it('has the five scenarios of the product issue', () => {
    expect(DRILL_SCENARIOS.map((s) => s.id)).toEqual(['rce-pinned', 'typosquat', 'leaked-key', 'yanked-release', 'maintainer-compromise']);
    expect(findScenario(' Typosquat ')?.title).toBe('Typosquatted package found in requirements');
  });

  it('releases injects step by step, each once', () => {
    const scenario = findScenario('rce-pinned')!;
    expect(injectsDue(scenario, 0, 0).map((d) => d.index)).toEqual([0]);
    expect(injectsDue(scenario, 0, 1)).toEqual([]);
    expect(injectsDue(scenario, 3, 1).map((d) => d.index)).toEqual([1, 2]);
    expect(injectsDue(scenario, 14, 4)).toEqual([]);
  });

  it('scores the time per step against its target', () => {
    const drillSteps = stepsOf(null).map((s, i): Step => (i === 0 ? { ...s, status: 'done', finishedAt: at(12) } : i === 4 ? { ...s, status: 'done', finishedAt: at(45) } : s));
    const score = scoreDrill(buildReport({ incident: incident({ kind: 'drill' }), steps: drillSteps, roles: ROLES, timeline: [], actionItems: [] }));
    expect(score.steps[0]).toMatchObject({ verdict: 'on time', spentMs: 12 * 60_000 });
    expect(score.steps[4]).toMatchObject({ verdict: 'late', spentMs: 33 * 60_000 });
    expect([score.onTime, score.late, score.notDone, score.score]).toEqual([1, 1, 12, 7]);
    expect(drillScoreMarkdown(score)).toContain('| 5 | Notify the owners and the team | late | 33 min | 45 min | 30 min |');
  });
});
