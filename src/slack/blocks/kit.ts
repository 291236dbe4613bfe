/**
 * Small typed Block Kit builders that can't produce a block Slack rejects for size: visible text is
 * cut with "…" at the limit (never inside a `<url|label>` link, a `<@U123>` mention or an `&amp;`
 * escape, which would render as garbage), ids and values are cut hard, and a URL too long for Slack
 * is dropped rather than cut (a truncated link leads somewhere wrong).
 */
import type {
  ActionsBlock,
  ActionsBlockElement,
  Button,
  ConfirmationDialog,
  ContextBlock,
  DividerBlock,
  HeaderBlock,
  MrkdwnElement,
  PlainTextElement,
  SectionBlock,
  SectionBlockAccessory,
} from '@slack/types';
import { SLACK_LIMITS } from './limits.js';
import { md, Mrkdwn, showInvisibleControls } from './mrkdwn.js';
import { countFitting, fitList, type ListFit } from '../../list-fit.js';

export type { ListFit };

export { escapeMrkdwn, escapeMrkdwnLines, escapeMrkdwnText, md, Mrkdwn } from './mrkdwn.js';

/** mrkdwn text: a string the caller escaped, or Mrkdwn from the `md` template. */
export type MrkdwnText = string | Mrkdwn;

const ELLIPSIS = '…';

/** Slack requires at least one character in every text object; this stands in for an empty string. */
export const EMPTY_TEXT = '—';

const ENTITY = /^&(?:[a-zA-Z]+|#[0-9]+|#x[0-9a-fA-F]+);/;
const LONGEST_ENTITY = 10;

/**
 * The largest index ≤ `at` where `text` can be cut without splitting a `<…>` link or mention, an
 * `&…;` escape or a UTF-16 surrogate pair. May return 0 when the construct starts the text.
 */
export function safeCutIndex(text: string, at: number): number {
  let cut = Math.max(0, Math.min(at, text.length));
  for (;;) {
    const before = cut;
    const open = text.lastIndexOf('<', cut - 1);
    if (open !== -1 && text.lastIndexOf('>', cut - 1) < open) {
      const close = text.indexOf('>', open);
      if (close !== -1 && close >= cut) cut = open;
    }
    const amp = text.lastIndexOf('&', cut - 1);
    if (amp !== -1 && cut - amp < LONGEST_ENTITY) {
      const entity = ENTITY.exec(text.slice(amp, amp + LONGEST_ENTITY));
      if (entity && amp + entity[0].length > cut) cut = amp;
    }
    const code = text.charCodeAt(cut - 1);
    if (cut > 0 && cut < text.length && code >= 0xd800 && code <= 0xdbff) cut -= 1;
    if (cut === before) return cut;
  }
}

/** Cuts visible text to at most `max` characters, ending with "…" when anything was removed. */
export function truncate(text: string, max: number): string {
  if (text.length <= max) return text;
  if (max <= ELLIPSIS.length) return ELLIPSIS.slice(0, max);
  const cut = safeCutIndex(text, max - ELLIPSIS.length);
  return `${text.slice(0, cut).trimEnd()}${ELLIPSIS}`;
}

/** Cuts machine data (ids, values) hard: an ellipsis would only make it a different wrong id. */
export function clampId(value: string, max: number): string {
  return value.length <= max ? value : value.slice(0, max);
}

function nonEmpty(text: string): string {
  return text.length === 0 ? EMPTY_TEXT : text;
}

/**
 * A plain_text object: shown as typed, but for invisible controls (a right-to-left override in a
 * repository name, a PR or incident title), shown as visible escapes before the text is cut to `max`.
 */
export function plainText(text: string, max: number = SLACK_LIMITS.textObject): PlainTextElement {
  return { type: 'plain_text', text: truncate(nonEmpty(showInvisibleControls(text)), max), emoji: true };
}

/**
 * A plain_text_input's initial value (an advisory id, a package, a title the user typed before):
 * its invisible controls shown, as plainText does, and cut to the input's max_length, which Slack
 * refuses an initial value to exceed.
 */
export function initialValue(text: string, maxLength: number): string {
  const shown = showInvisibleControls(text);
  if (shown.length <= maxLength) return shown;
  // Cut, not ellipsised (it is the user's text to edit), character by character, so that neither
  // an escape nor a surrogate pair is cut in two.
  let out = '';
  for (const c of text) {
    const piece = showInvisibleControls(c);
    if (out.length + piece.length > maxLength) break;
    out += piece;
  }
  return out;
}

export function mrkdwn(text: MrkdwnText, max: number = SLACK_LIMITS.textObject): MrkdwnElement {
  return { type: 'mrkdwn', text: truncate(nonEmpty(String(text)), max) };
}

export function header(text: string): HeaderBlock {
  return { type: 'header', text: plainText(text, SLACK_LIMITS.headerText) };
}

export function section(text: MrkdwnText, accessory?: SectionBlockAccessory): SectionBlock {
  const block: SectionBlock = { type: 'section', text: mrkdwn(text, SLACK_LIMITS.sectionText) };
  if (accessory) block.accessory = accessory;
  return block;
}

/**
 * A list on one line (`a, b, c`) within `fit.room` characters: the items that fit whole, then
 * `fit.more(left)` for the rest. A list shortened to fit says so; nothing is cut silently.
 */
export function listWithin(items: readonly string[], separator: string, fit: ListFit): string {
  return listFit(items, separator, fit).text;
}

/** listWithin's line, and how many items it left out (`alsoLeft` included), for a layout that says where the rest are. */
export function listFit(items: readonly string[], separator: string, fit: ListFit): { text: string; left: number } {
  const { kept, left } = fitList(items, separator.length, fit);
  return { text: kept.join(separator), left };
}

/**
 * A list one item a line under `heading`, in as many sections as Slack's 3,000 characters a
 * section need, all of them within `fit.room` characters: the items that fit whole, then
 * `fit.more(left)` for the rest. For messages that must stay one message (posted, then updated in
 * place), where fitMessage could only move the tail to thread replies nobody posts.
 */
export function listSections(heading: string, items: readonly string[], fit: ListFit): SectionBlock[] {
  const lines = heading ? [heading] : [];
  const kept = countFitting(items, 1, { ...fit, room: fit.room - (heading ? heading.length + 1 : 0) });
  const left = items.length - kept + (fit.alsoLeft ?? 0);
  lines.push(...items.slice(0, kept), ...(left > 0 ? [fit.more(left)] : []));
  const texts: string[] = [];
  for (const line of lines) {
    const last = texts[texts.length - 1];
    if (last !== undefined && last.length + 1 + line.length <= SLACK_LIMITS.sectionText) texts[texts.length - 1] = `${last}\n${line}`;
    else texts.push(line);
  }
  return texts.map((text) => section(text));
}

/** A two-column section; Slack shows at most 10 fields, so any beyond that are left out. */
export function fields(...texts: MrkdwnText[]): SectionBlock {
  const shown = texts.slice(0, SLACK_LIMITS.fields);
  if (shown.length === 0) return section(EMPTY_TEXT);
  return { type: 'section', fields: shown.map((t) => mrkdwn(t, SLACK_LIMITS.fieldText)) };
}

/** A context line; at most 10 elements are shown. */
export function context(...texts: MrkdwnText[]): ContextBlock {
  const shown = texts.slice(0, SLACK_LIMITS.contextElements);
  return { type: 'context', elements: (shown.length > 0 ? shown : [EMPTY_TEXT]).map((t) => mrkdwn(t)) };
}

export function divider(): DividerBlock {
  return { type: 'divider' };
}

/** An actions block; elements past Slack's 25 are left out (use fitMessage to keep them all). */
export function actions(blockId: string, ...elements: ActionsBlockElement[]): ActionsBlock {
  return { type: 'actions', block_id: clampId(blockId, SLACK_LIMITS.blockId), elements: elements.slice(0, SLACK_LIMITS.actionsElements) };
}

export interface ConfirmInput {
  title?: string;
  text: MrkdwnText;
  confirm?: string;
  deny?: string;
  style?: 'primary' | 'danger';
}

export function confirmDialog(input: ConfirmInput): ConfirmationDialog {
  const dialog: ConfirmationDialog = { text: mrkdwn(input.text, SLACK_LIMITS.confirmText) };
  if (input.title !== undefined) dialog.title = plainText(input.title, SLACK_LIMITS.confirmTitle);
  if (input.confirm !== undefined) dialog.confirm = plainText(input.confirm, SLACK_LIMITS.confirmButton);
  if (input.deny !== undefined) dialog.deny = plainText(input.deny, SLACK_LIMITS.confirmButton);
  if (input.style !== undefined) dialog.style = input.style;
  return dialog;
}

export interface ButtonInput {
  text: string;
  actionId: string;
  /** Ids only (e.g. `incidentId:stepId`), never state: every click re-reads the store. */
  value?: string;
  style?: 'primary' | 'danger';
  url?: string;
  confirm?: ConfirmationDialog | ConfirmInput;
  accessibilityLabel?: string;
}

function isDialog(value: ConfirmationDialog | ConfirmInput): value is ConfirmationDialog {
  return typeof value.text === 'object' && !(value.text instanceof Mrkdwn);
}

export function button(input: ButtonInput): Button {
  const element: Button = {
    type: 'button',
    text: plainText(input.text, SLACK_LIMITS.buttonText),
    action_id: clampId(input.actionId, SLACK_LIMITS.actionId),
  };
  if (input.value !== undefined) element.value = clampId(input.value, SLACK_LIMITS.buttonValue);
  if (input.style === 'primary' || input.style === 'danger') element.style = input.style;
  if (input.url !== undefined && input.url.length <= SLACK_LIMITS.buttonUrl) element.url = input.url;
  if (input.confirm !== undefined) element.confirm = isDialog(input.confirm) ? input.confirm : confirmDialog(input.confirm);
  if (input.accessibilityLabel !== undefined) element.accessibility_label = truncate(showInvisibleControls(input.accessibilityLabel), SLACK_LIMITS.accessibilityLabel);
  return element;
}

/**
 * A mrkdwn link; the label is escaped so `&`, `<`, `>` and `|` in it can't break the link syntax, and
 * the URL is http(s) with `<`, `>`, `|` and spaces percent-encoded (see md.link).
 */
export function link(url: string, label: string): string {
  return md.link(url, label).text;
}
