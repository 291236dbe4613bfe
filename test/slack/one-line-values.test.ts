/**
 * A value from outside (a path, a name, a quoted reason, a branch, an advisory id or alias, a
 * summary) is one thing, and Slack shows it on one line: git allows a line break in a folder's name,
 * and a folder `a\n:white_check_mark: *No known vulnerabilities*: all clear\nx` would otherwise
 * print a line of its own that reads like Depwatch's verdict. Its line breaks show as `\n`, as the
 * CLI shows them. Text meant to have lines (an incident summary people typed, a status update, a
 * template's step detail, a drill's briefing and injects) keeps them, by saying so.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { OsvRecord } from '../../src/advisories/types.js';
import { stepsFromTemplate } from '../../src/incidents/checklist.js';
import type { DrillScenario } from '../../src/incidents/drills.js';
import type { Incident, IncidentContext } from '../../src/incidents/types.js';
import { parseTemplate } from '../../src/incidents/templates.js';
import { buildReport } from '../../src/incidents/report.js';
import { checklistPart, drillBriefingMessage, injectMessage, statusUpdateMessage } from '../../src/slack/blocks/incident.js';
import { reportBlocks } from '../../src/slack/blocks/incident-report.js';
import { escapeMrkdwn, escapeMrkdwnLines, md } from '../../src/slack/blocks/mrkdwn.js';
import { pullRequestReviewMessage, type PullRequestRef } from '../../src/slack/blocks/pr-review.js';
import { diffDependencies } from '../../src/watch/pr-review/diff.js';
import { reviewDependencies } from '../../src/watch/pr-review/review.js';
import { mrkdwnOf, mrkdwnSentTo } from '../helpers/mrkdwn-scan.js';
import { startPackageWorld } from '../packages/world.js';
import { SHOP, startWorld, waitFor, type World } from './app-world.js';

/** A line that reads like Depwatch's own verdict, after a line break an outsider put in a value. */
const VERDICT = ':white_check_mark: *No known vulnerabilities*: forged';
const FORGE = `\n${VERDICT}\n`;

/** The lines of what Slack would show that start with the forged verdict. */
const forgedLines = (texts: readonly string[]) => texts.flatMap((t) => t.split('\n')).filter((line) => line.trim().startsWith(VERDICT));

describe('a value interpolated into mrkdwn', () => {
  it('is written on one line: its line breaks and tabs shown as \\n and \\t', () => {
    expect(escapeMrkdwn(`a${FORGE}x/requirements.txt`)).toBe(`a\\n${VERDICT}\\nx/requirements.txt`);
    expect(md`1 of 1 pin in ${`a${FORGE}x`} has no --hash`.text).toBe(`1 of 1 pin in a\\n${VERDICT}\\nx has no --hash`);
    expect(md.text('a\r\nb\tc').text).toBe('a\\r\\nb\\tc');
  });

  it('keeps its lines only when the caller says it is text with lines', () => {
    expect(escapeMrkdwnLines('first line\nsecond <!here>')).toBe('first line\nsecond &lt;!here&gt;');
    expect(md`*Summary*\n${md.lines('what happened\nwhat we did')}`.text).toBe('*Summary*\nwhat happened\nwhat we did');
    // A separator is ours: its line break stays; the parts are values.
    expect(md.join(['a\nb', md`*c*`], '\n').text).toBe('a\\nb\n*c*');
  });

  it('makes a link whose label is on one line, and whose formatting characters format nothing', () => {
    expect(md.link('https://github.com/o/r/blob/x/a', `a${FORGE}x`).text).toBe(`<https://github.com/o/r/blob/x/a|a\\n:white_check_mark: ∗No known vulnerabilities∗: forged\\nx>`);
    expect(md.link('https://osv.dev/vulnerability/x', '*bold*').text).toBe('<https://osv.dev/vulnerability/x|∗bold∗>');
    expect(md.link('https://osv.dev/vulnerability/x', '_it_ ~gone~ `code`').text).toBe('<https://osv.dev/vulnerability/x|ˍitˍ ∼gone∼ ˋcodeˋ>');
    // Inside a word they format nothing, and a path reads as it is.
    expect(md.link('https://github.com/o/r', 'requirements_dev.txt').text).toBe('<https://github.com/o/r|requirements_dev.txt>');
    // Without a link, the label is text: on one line too.
    expect(md.link('javascript:x', `a${FORGE}`).text).toBe(`a\\n${VERDICT}\\n`);
  });
});

describe('outsider text in Slack layouts', () => {
  let world: World;
  beforeAll(async () => {
    const advisory = {
      id: 'PYSEC-9999-7', modified: '2025-01-01T00:00:00Z', published: '2025-01-01T00:00:00Z',
      aliases: ['CVE-9999-0007', '*bold*'],
      summary: `Summary${FORGE}end`,
      affected: [{ package: { ecosystem: 'PyPI', name: 'werkzeug' }, ranges: [{ type: 'ECOSYSTEM', events: [{ introduced: '0' }, { fixed: '9.9' }] }] }],
      database_specific: { severity: 'CRITICAL' },
    } as OsvRecord;
    world = await startWorld({
      repos: [SHOP, { owner: 'octo', name: 'evil', files: { 'README.md': '# evil\n', [`a${FORGE}x/requirements.txt`]: 'werkzeug==0.14.1\n' } }],
      extraAdvisories: [advisory],
      cards: {
        projects: [
          {
            name: 'evilpkg',
            releases: [{ version: '1.0', uploadTime: '2026-10-01T00:00:00Z' }],
            status: 'archived',
            statusReason: `gone${FORGE}`,
            summary: `sum${FORGE}`,
            ownership: { organization: `org${FORGE}`, roles: [{ role: 'Owner', user: `u${FORGE}` }] },
          },
        ],
      },
    });
  });
  afterAll(async () => {
    await world.close();
  });

  it('the /audit reply names a folder with a line break on one line, in links and in sentences', async () => {
    const before = world.slack.callsTo('chat.update').length;
    await world.audit('octo/evil');
    await waitFor(() => world.slack.callsTo('chat.update')[before], 'the reply');
    await world.bot.service.idle();
    const texts = mrkdwnSentTo(world.slack).map((s) => s.text);
    const all = texts.join('\n');
    // The folder is named, its line breaks shown (the Hygiene line and the link to the pin).
    expect(all).toContain(`in a\\n${VERDICT}\\nx/requirements.txt has no --hash`);
    expect(all).toContain('|a\\n:white_check_mark: ∗No known vulnerabilities∗: forged\\nx/requirements.txt');
    // An alias `*bold*` is not bold in its link.
    expect(all).toContain('|∗bold∗>');
    expect(forgedLines(texts)).toEqual([]);
  });

  it('the package card quotes a status reason, an owner and an organisation on one line', async () => {
    const before = world.slack.callsTo('chat.update').length;
    await world.audit('package evilpkg');
    await waitFor(() => world.slack.callsTo('chat.update')[before], 'the card');
    await world.bot.service.idle();
    const texts = world.slack.callsTo('chat.update').slice(before).flatMap((c) => mrkdwnOf(c.params));
    expect(texts.join('\n')).toContain(`gone\\n${VERDICT}`);
    expect(texts.join('\n')).toContain(`org\\n${VERDICT}\\n`);
    expect(forgedLines(texts)).toEqual([]);
  });
});

describe('the pull-request review card', () => {
  it('names a file that could not be read on one line in its Partial: line', async () => {
    const world = await startPackageWorld();
    try {
      const diff = await diffDependencies({ base: { 'requirements.txt': 'goodlib==1.1.0\n' }, head: { 'requirements.txt': 'goodlib==1.2.0\n', [`sub${FORGE}/requirements.txt`]: 'x y z ((\n' } });
      const review = await reviewDependencies(diff, await world.sources());
      const pr: PullRequestRef = { repo: 'octo/shop', number: 46, title: 'Bump', url: 'https://github.com/octo/shop/pull/46', headSha: 'abcdef1234567890', state: 'open' };
      const texts = mrkdwnOf(pullRequestReviewMessage(pr, review));
      expect(texts.join('\n')).toContain(`sub\\n${VERDICT}\\n/requirements.txt`);
      expect(forgedLines(texts)).toEqual([]);
    } finally {
      await world.close();
    }
  });
});

describe('text meant to have lines', () => {
  const NOW = '2025-05-01T12:00:00.000Z';
  const USER = 'U0ALICE0001';
  const CONTEXT: IncidentContext = { title: 'Leak', severity: 'high', advisory: null, repos: [], fix: null } as never;
  const TEMPLATE = parseTemplate(
    ['id: t', 'name: T', 'sections:', '  - id: s', '    title: S', '    steps:', '      - {id: a, title: Rotate, detail: "First this.\\nThen that.", due: 1h}'].join('\n'),
    't.yml',
  );
  const incident: Incident = {
    id: 7, kind: 'drill', title: 'Leak', severity: 'high', status: 'closed', template: 't', templateName: 'T', channel: 'C0INCIDENT1', rootTs: '1.2', rootPermalink: null, source: null,
    context: CONTEXT, scenario: null, injectsSent: 0, createdBy: USER, createdAt: NOW, acknowledgedAt: null, containedAt: null, resolvedAt: null, closedAt: NOW, closedBy: USER,
    summary: 'We rotated the key.\nNobody used it.', report: null, version: 0,
  };
  const steps = stepsFromTemplate(TEMPLATE, CONTEXT, NOW).map((s) => ({ ...s, incidentId: 7 }));
  const scenario: DrillScenario = { id: 'd', title: 'Drill', severity: 'high', briefing: 'You are on call.\nA key leaked.', context: CONTEXT, injects: [{ afterSteps: 0, text: 'News:\nit was used.' }] };
  const textOf = (message: unknown) => mrkdwnOf(message).join('\n');

  it('keeps its line breaks: incident summaries, status updates, step details, briefings and injects', () => {
    const report = buildReport({ incident, steps, roles: [], timeline: [], actionItems: [] });
    expect(textOf(reportBlocks(report, null))).toContain('We rotated the key.\nNobody used it.');
    expect(textOf(statusUpdateMessage(incident, { conditions: 'Contained.\nWatching.', actions: '', needs: '' }, USER, NOW))).toContain('Contained.\nWatching.');
    expect(textOf(checklistPart({ incident: { ...incident, status: 'open' }, steps, roles: [], now: NOW }, 0))).toContain('First this.\nThen that.');
    expect(textOf(drillBriefingMessage(incident, scenario))).toContain('You are on call.\nA key leaked.');
    expect(textOf(injectMessage(incident, scenario, 0, scenario.injects[0]!))).toContain('News:\nit was used.');
  });
});
