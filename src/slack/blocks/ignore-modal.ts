/**
 * The Ignore… modal: which advisory (pre-filled), why (required), until when (optional), for which
 * package (pre-filled). private_metadata carries ids only (audit id, channel, ts), sealed by the
 * caller (view-metadata.ts); the submission is validated here, purely, and errors go back into the
 * modal (`response_action: errors`).
 */
import type { InputBlock, KnownBlock, ModalView } from '@slack/types';
import { isAdvisoryIdForm } from '../../audit/advisory-id.js';
import { advisoryKindIgnoreRefusal, isAdvisoryKind, isFindingKind, type Finding } from '../../audit/findings.js';
import { escapeMrkdwn, initialValue, link, md, plainText, section, truncate } from './kit.js';
import { showInvisibleControls } from './mrkdwn.js';
import { osvUrl } from './audit-reply.js';

export const IGNORE_MODAL_CALLBACK = 'ignore_submit';
export const IGNORE_BLOCKS = { advisory: 'ignore_advisory', reason: 'ignore_reason', until: 'ignore_until', package: 'ignore_package' } as const;
export const INPUT_ACTION = 'value';

/** Submitted values, as Slack sends them in `view.state.values[block_id][action_id]`. */
export type StateValues = Record<string, Record<string, { value?: string | null; selected_date?: string | null } | undefined> | undefined>;

export interface IgnoreInput {
  advisoryId: string;
  reason: string;
  until: string | null;
  package: string | null;
}

export type IgnoreSubmission = { ok: true; value: IgnoreInput } | { ok: false; errors: Record<string, string> };

function textInput(blockId: string, label: string, options: { initial?: string; multiline?: boolean; optional?: boolean; hint?: string; placeholder?: string; maxLength?: number }): InputBlock {
  const block: InputBlock = {
    type: 'input',
    block_id: blockId,
    label: plainText(label),
    optional: options.optional ?? false,
    element: {
      type: 'plain_text_input',
      action_id: INPUT_ACTION,
      multiline: options.multiline ?? false,
      ...(options.initial ? { initial_value: options.maxLength ? initialValue(options.initial, options.maxLength) : showInvisibleControls(options.initial) } : {}),
      ...(options.placeholder ? { placeholder: plainText(options.placeholder, 150) } : {}),
      ...(options.maxLength ? { max_length: options.maxLength } : {}),
    },
  };
  if (options.hint) block.hint = plainText(options.hint);
  return block;
}

export function ignoreModal(input: { repo: string; finding: Finding; privateMetadata: string }): ModalView {
  const f = input.finding;
  return ignoreModalView({
    intro:
      `Ignore ${f.id ? link(osvUrl(f.id), f.id) : 'this finding'} for *${escapeMrkdwn(f.package ?? '?')}* ${escapeMrkdwn(f.version ?? '')} in *${escapeMrkdwn(input.repo)}*.` +
      '\nLater audits of this repository leave it out of the findings and list it as ignored, with your reason.',
    advisoryId: f.id ?? '',
    packageName: f.package ?? '',
    callbackId: IGNORE_MODAL_CALLBACK,
    privateMetadata: input.privateMetadata,
  });
}

/** The modal's shape, shared by the /audit reply's and the new-advisory alert's "Ignore…". */
export function ignoreModalView(input: { intro: string; advisoryId: string; packageName: string; callbackId: string; privateMetadata: string }): ModalView {
  const blocks: KnownBlock[] = [
    section(input.intro),
    textInput(IGNORE_BLOCKS.advisory, 'Advisory id', { initial: input.advisoryId, hint: 'Any alias works (PYSEC, GHSA, CVE).', maxLength: 200 }),
    textInput(IGNORE_BLOCKS.reason, 'Reason', { multiline: true, placeholder: 'Why is it safe to ignore? (e.g. the vulnerable feature is not used)', maxLength: 2000 }),
    {
      type: 'input',
      block_id: IGNORE_BLOCKS.until,
      optional: true,
      label: plainText('Ignore until'),
      hint: plainText('Leave empty to ignore it until someone removes the ignore.'),
      element: { type: 'datepicker', action_id: INPUT_ACTION },
    },
    textInput(IGNORE_BLOCKS.package, 'Package', { initial: input.packageName, optional: true, hint: 'Leave empty to ignore this advisory for every package.', maxLength: 200 }),
  ];
  return {
    type: 'modal',
    callback_id: input.callbackId,
    title: plainText('Ignore a finding', 24),
    submit: plainText('Ignore', 24),
    close: plainText('Cancel', 24),
    private_metadata: input.privateMetadata,
    blocks,
  };
}

const DATE = /^\d{4}-\d{2}-\d{2}$/;

/** Validates a submission; `today` is YYYY-MM-DD. "Until" must be a day after today. */
export function readIgnoreSubmission(values: StateValues, today: string): IgnoreSubmission {
  const read = (block: string) => values[block]?.[INPUT_ACTION];
  const advisoryId = (read(IGNORE_BLOCKS.advisory)?.value ?? '').trim();
  const reason = (read(IGNORE_BLOCKS.reason)?.value ?? '').trim();
  const until = read(IGNORE_BLOCKS.until)?.selected_date ?? null;
  const pkg = (read(IGNORE_BLOCKS.package)?.value ?? '').trim();
  const errors: Record<string, string> = {};
  if (!advisoryId) errors[IGNORE_BLOCKS.advisory] = 'Give the advisory id to ignore.';
  else if (isAdvisoryKind(advisoryId)) errors[IGNORE_BLOCKS.advisory] = `${advisoryKindIgnoreRefusal(advisoryId)}.`;
  else if (!isAdvisoryIdForm(advisoryId) && !isFindingKind(advisoryId)) errors[IGNORE_BLOCKS.advisory] = 'That does not look like an advisory id (e.g. PYSEC-2019-13, GHSA-…, CVE-…).';
  if (!reason) errors[IGNORE_BLOCKS.reason] = 'A reason is required: why is it safe to ignore?';
  if (until !== null && (!DATE.test(until) || Number.isNaN(Date.parse(until)))) errors[IGNORE_BLOCKS.until] = 'Pick a date.';
  else if (until !== null && until <= today) errors[IGNORE_BLOCKS.until] = 'Pick a date in the future (or leave it empty).';
  if (pkg && !/^[A-Za-z0-9]([A-Za-z0-9._-]{0,198}[A-Za-z0-9])?$/.test(pkg)) errors[IGNORE_BLOCKS.package] = 'That is not a valid Python package name.';
  if (Object.keys(errors).length) return { ok: false, errors };
  return { ok: true, value: { advisoryId, reason, until, package: pkg || null } };
}

/** What an ignore saved over an earlier one of the same advisory and package was (mrkdwn). */
export interface ReplacedIgnore {
  advisoryId: string;
  package: string | null;
  reason: string;
  until: string | null;
  createdBy: string;
}

/**
 * Said when a saved ignore took the place of the repository's earlier one (mrkdwn), or null when
 * nothing it says changed (the same form saved twice: a double-click, a Slack retry).
 */
export function ignoreReplacedNote(repo: string, previous: ReplacedIgnore, saved: { reason: string; until: string | null }): string | null {
  if (previous.reason === saved.reason && previous.until === saved.until) return null;
  const what = md`${previous.advisoryId}${previous.package ? md` for ${previous.package}` : ''}`;
  const was = previous.until ? `until ${previous.until}` : 'with no expiry';
  return md`:information_source: This replaced the earlier ignore of ${what} in ${repo} (was ${was}, by ${md.user(previous.createdBy)}: “${truncate(previous.reason, 200)}”).`.text;
}

/** Shown in the modal when the reply can't be edited in place (it was posted through response_url). */
export function ignoreSavedView(advisoryId: string, repo: string, warning: string | null = null): ModalView {
  return {
    type: 'modal',
    title: plainText('Ignored', 24),
    close: plainText('Done', 24),
    blocks: [
      section(`:white_check_mark: *${escapeMrkdwn(advisoryId)}* is ignored for *${escapeMrkdwn(repo)}*. The next \`/audit\` of it lists it as ignored.`),
      // Already mrkdwn (ignoredIdWarning and ignoreReplacedNote escape what they quote).
      ...(warning ? [section(warning)] : []),
    ],
  };
}
