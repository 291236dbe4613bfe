/**
 * Modals of the incident flow (Skip asks why, status update, close, action item) and the App Home
 * section listing open incidents. `private_metadata` carries ids only, sealed by the caller to the
 * person and channel the modal was opened for (view-metadata.ts).
 */
import type { InputBlock, KnownBlock, ModalView, PlainTextInput } from '@slack/types';
import type { Incident, Step } from '../../incidents/types.js';
import { fitView } from './fit.js';
import { context, escapeMrkdwn, header, initialValue, link, md, plainText, section, truncate } from './kit.js';
import { incidentName, severityLabel, slackDate } from './incident.js';
import type { HomeIncident } from '../../incidents/home.js';
import { INCIDENT_TEXT_LIMITS } from '../../incidents/command.js';

export const INCIDENT_VIEWS = {
  skip: 'incident_skip',
  update: 'incident_update',
  close: 'incident_close',
  actionItem: 'incident_action_item',
} as const;

/** Block and action ids of the inputs, shared by the views and their submission handlers. */
export const INPUTS = {
  reason: 'reason',
  conditions: 'conditions',
  actions: 'actions',
  needs: 'needs',
  summary: 'summary',
  item: 'item',
  owner: 'owner',
} as const;

function textInput(id: string, label: string, options: { multiline?: boolean; optional?: boolean; max?: number; placeholder?: string; initial?: string } = {}): InputBlock {
  const element: PlainTextInput = { type: 'plain_text_input', action_id: id, multiline: options.multiline ?? false, max_length: options.max ?? 2000 };
  if (options.placeholder) element.placeholder = plainText(options.placeholder, 150);
  if (options.initial) element.initial_value = initialValue(options.initial, element.max_length!);
  return { type: 'input', block_id: id, label: plainText(label, 2000), optional: options.optional ?? false, element };
}

function modal(callbackId: string, title: string, submit: string, metadata: string, blocks: KnownBlock[]): ModalView {
  return fitView({ type: 'modal', callback_id: callbackId, private_metadata: metadata, title: plainText(title, 24), submit: plainText(submit, 24), close: plainText('Cancel', 24), blocks });
}

export function skipModal(step: Step, metadata: string): ModalView {
  return modal(INCIDENT_VIEWS.skip, 'Skip a step', 'Skip', metadata, [
    section(`Skipping step ${step.id}: *${escapeMrkdwn(truncate(step.title, 200))}*`),
    textInput(INPUTS.reason, 'Why is it skipped?', { multiline: true, max: 500, placeholder: 'e.g. no customer data was exposed' }),
  ]);
}

export function updateModal(incident: Incident, metadata: string): ModalView {
  return modal(INCIDENT_VIEWS.update, 'Status update', 'Post', metadata, [
    section(`Update for *${escapeMrkdwn(incidentName(incident))}*, posted in its thread.`),
    textInput(INPUTS.conditions, 'Conditions: what is the situation now?', { multiline: true, max: 900 }),
    textInput(INPUTS.actions, 'Actions: what is being done?', { multiline: true, optional: true, max: 900 }),
    textInput(INPUTS.needs, 'Needs: what help is needed?', { multiline: true, optional: true, max: 900 }),
  ]);
}

export function closeModal(incident: Incident, openSteps: number, metadata: string): ModalView {
  return modal(INCIDENT_VIEWS.close, 'Close the incident', 'Close', metadata, [
    section(`Closing *${escapeMrkdwn(incidentName(incident))}* posts the post-incident report in its thread.${openSteps > 0 ? `\n⚠️ ${openSteps === 1 ? '1 step is' : `${openSteps} steps are`} still open; they will be reported as not done.` : ''}`),
    textInput(INPUTS.summary, 'Summary: what happened and how it ended', { multiline: true, max: INCIDENT_TEXT_LIMITS.summary }),
  ]);
}

export function actionItemModal(incident: Incident, metadata: string): ModalView {
  return modal(INCIDENT_VIEWS.actionItem, 'Add an action item', 'Add', metadata, [
    textInput(INPUTS.item, 'Action item', { max: INCIDENT_TEXT_LIMITS.action, placeholder: 'e.g. add hash pinning to every lockfile' }),
    { type: 'input', block_id: INPUTS.owner, optional: true, label: plainText('Owner'), element: { type: 'users_select', action_id: INPUTS.owner, placeholder: plainText('Who owns it?') } },
  ]);
}

/** The App Home section: open incidents, real ones first (drills labelled EXERCISE). */
export function incidentHomeBlocks(items: HomeIncident[]): KnownBlock[] {
  const blocks: KnownBlock[] = [header('Open incidents')];
  if (items.length === 0) {
    blocks.push(section('No open incidents. Start one with `/incident start &lt;title&gt;`, or practise with `/incident drill`.'));
    return blocks;
  }
  const sorted = [...items].sort((a, b) => (a.incident.kind === b.incident.kind ? b.incident.id - a.incident.id : a.incident.kind === 'real' ? -1 : 1));
  for (const { incident: i, progress, commander } of sorted.slice(0, 30)) {
    const name = i.rootPermalink ? link(i.rootPermalink, incidentName(i)) : escapeMrkdwn(incidentName(i));
    blocks.push(section(`${severityLabel(i.severity)} *${name}*\n${escapeMrkdwn(progress)}`));
    blocks.push(context(`${md.channel(i.channel)} · commander ${commander ? md.user(commander) : 'nobody'} · started ${slackDate(i.createdAt)}`));
  }
  if (sorted.length > 30) blocks.push(context(`${sorted.length - 30} more open incidents not shown.`));
  return blocks;
}

