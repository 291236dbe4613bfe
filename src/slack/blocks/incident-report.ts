/**
 * The post-incident report in Slack (the thread reply; the full Markdown goes up as a file) and
 * the drill score. Pure; may span several thread replies, which fitMessage arranges.
 */
import { plural } from '../../plural.js';
import type { KnownBlock } from '@slack/types';
import type { DrillScore } from '../../incidents/drills.js';
import { formatDuration } from '../../incidents/duration.js';
import { durationText, statusIcon, type IncidentReport } from '../../incidents/report.js';
import { divider, escapeMrkdwn, escapeMrkdwnText, escapeMrkdwnLines, fields, header, listSections, section, truncate } from './kit.js';
import { actionItemMrkdwn, forIncident, incidentName, mrkdwnWithMentions, slackDate, type SlackMessageOut } from './incident.js';

const TIMELINE_SHOWN = 60;
/**
 * Characters the action items and the timeline may take in the thread; the attached Markdown report
 * has everything, and the Slack one says how many it left to it. Steps are all listed (a template
 * bounds them). Each list is packed whole line by whole line into sections of Slack's 3,000
 * characters, never cut in the middle of a line.
 */
const ACTION_ITEMS_ROOM = 6_000;
const TIMELINE_ROOM = 15_000;

export function reportBlocks(report: IncidentReport, score: DrillScore | null): SlackMessageOut {
  const { incident } = report;
  const people = incidentPeople(report);
  const blocks: KnownBlock[] = [header(`Post-incident report — ${incidentName(incident)}`)];
  blocks.push(section(`*Summary*\n${incident.summary ? escapeMrkdwnLines(truncate(incident.summary, 2500)) : '_No summary was given at close._'}`));
  blocks.push(
    fields(
      `*Time to acknowledge*\n${durationText(report.timeToAcknowledgeMs)}`,
      `*Time to contain*\n${durationText(report.timeToContainMs)}`,
      `*Time to resolve*\n${durationText(report.timeToResolveMs)}`,
      `*Commander*\n${report.commander ? `<@${report.commander}>` : 'nobody'}`,
      `*Checklist*\n${report.progress.finished} of ${report.progress.total} finished (${report.progress.skipped} skipped, ${report.progress.na} n/a)`,
      `*Open for*\n${durationText(report.openForMs)}`,
    ),
  );
  if (score) {
    blocks.push(section(`🎯 *Drill score: ${score.score}%* — ${plural(score.onTime, 'step')} on time, ${score.late} late, ${score.notDone} not done`));
  }
  blocks.push(divider(), section('*Steps*'));
  const scored = new Map(score?.steps.map((s) => [s.id, s]) ?? []);
  const stepLines = report.steps.map((s) => {
    const owner = s.owner ? `<@${s.owner}>` : 'unassigned';
    const took = s.durationMs === null ? 'open' : formatDuration(s.durationMs);
    const drill = scored.get(s.id);
    const verdict = drill ? ` · ${drill.verdict}${drill.spentMs !== null ? ` (${formatDuration(drill.spentMs)} on it)` : ''}` : '';
    const reason = s.status === 'skipped' && s.reason ? ` — _${escapeMrkdwn(truncate(s.reason, 120))}_` : '';
    return `${statusIcon(s.status)} ${s.id}. ${escapeMrkdwn(truncate(s.title, 120))} · ${owner} · ${took}${verdict}${reason}`;
  });
  blocks.push(...listSections('', stepLines, { room: Number.POSITIVE_INFINITY, more: (left) => `…and ${left} more steps in the attached report` }));
  blocks.push(divider(), section('*Action items*'));
  if (report.actionItems.length === 0) blocks.push(section('_None recorded. Add them with `/incident action` before closing next time._'));
  else {
    const items = report.actionItems.map((a) => `• ${actionItemMrkdwn(truncate(a.text, 300))} — ${a.owner ? `<@${a.owner}>` : 'no owner'}`);
    blocks.push(...listSections('', items, { room: ACTION_ITEMS_ROOM, more: (left) => `…and ${left} more action items in the attached report` }));
  }
  blocks.push(divider(), section('*Timeline*'));
  const events = report.timeline.map((e) => `${slackDate(e.at)} — ${e.actor ? `<@${e.actor}> ` : ''}${mrkdwnWithMentions(truncate(e.text, 400), people)}`);
  if (events.length) blocks.push(...listSections('', events, { room: TIMELINE_ROOM, max: TIMELINE_SHOWN, more: (left) => `…and ${left} more events in the attached report` }));
  return forIncident(incident, { text: `Post-incident report for ${escapeMrkdwnText(incidentName(incident))}`, blocks });
}

/** Everyone the incident involved: mentions of them in its timeline stay mentions. */
function incidentPeople(report: IncidentReport): Set<string> {
  const people = new Set<string>([report.incident.createdBy]);
  if (report.commander) people.add(report.commander);
  for (const s of report.steps) if (s.owner) people.add(s.owner);
  for (const e of report.timeline) if (e.actor) people.add(e.actor);
  for (const a of report.actionItems) if (a.owner) people.add(a.owner);
  return people;
}
