/**
 * The one layout helper every outgoing message and view goes through. Layout code builds the blocks
 * it wants to say; this module makes them something Slack accepts:
 *
 * - every block within its own limits (text cut with "…", oversize sections split at line
 *   boundaries, lists of fields / context elements / buttons split into several blocks);
 * - the first message within 50 blocks and the cumulative text budget, the rest in thread replies
 *   that each stay within the same limits (optionally led by a "continued (2/3)" block); a message
 *   that must stay one (fitOneMessage: posted, then updated in place) throws instead;
 * - a notification `text` that is always present and at most 3,000 characters;
 * - views within 100 blocks and 250 kB, the tail replaced by "N more not shown".
 *
 * Pure. The input is typed as KnownBlock, but anything may arrive at run time (casts, stored JSON),
 * so blocks are handled as plain objects here; unknown block types are dropped rather than sent.
 */
import type { KnownBlock, View } from '@slack/types';
import { EMPTY_TEXT, clampId, safeCutIndex, truncate } from './kit.js';
import { SLACK_LIMITS, cumulativeText } from './limits.js';

export interface FittedMessage {
  text: string;
  blocks: KnownBlock[];
}

export interface FitMessageInput {
  /** Notification / accessibility fallback. Derived from the blocks when empty. */
  text: string;
  blocks: KnownBlock[];
  /**
   * Blocks that lead each thread reply, e.g. a "continued (2/3)" context. `index` is the 1-based
   * position of the message in the sequence (the first reply is 2), `total` how many messages there are.
   */
  continuation?: (index: number, total: number) => KnownBlock[];
}

export interface FitViewOptions {
  /** Text of the final context block when blocks are cut from the tail. */
  moreLabel?: (hidden: number) => string;
}

/** The most notification text worth sending; Slack's own cap is 40,000 but notifications show far less. */
export const FALLBACK_TEXT_MAX = 3000;

/**
 * Most visible text one block may carry after fitting, so that any block plus a continuation
 * header still fits a message's budget (a full 3,000-character section with a button stays below).
 */
const BLOCK_TEXT_CAP = 4000;
const MARKDOWN_CHUNK = 8000;

type Obj = Record<string, unknown>;

function isObj(value: unknown): value is Obj {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * Splits text into pieces of at most `max` characters: at the last line break if there is one in the
 * second half of the window, else at the last space, else hard; never inside a link or an escape.
 */
export function splitText(text: string, max: number): string[] {
  const pieces: string[] = [];
  let rest = text;
  while (rest.length > max) {
    const window = rest.slice(0, max + 1);
    let cut = window.lastIndexOf('\n');
    if (cut < max / 2) cut = window.lastIndexOf(' ');
    if (cut < max / 2) cut = max;
    cut = safeCutIndex(rest, Math.min(cut, max));
    // A single link or mention longer than the window can't be kept whole; cut it rather than loop.
    if (cut <= 0) cut = max;
    const piece = rest.slice(0, cut).replace(/\s+$/, '');
    if (piece.length > 0) pieces.push(piece);
    rest = rest.slice(cut).replace(/^[\n ]/, '');
  }
  if (rest.trim().length > 0 || pieces.length === 0) pieces.push(rest);
  return pieces;
}

// ---------------------------------------------------------------- text objects and elements

interface TextFix {
  max: number;
  plain?: boolean;
}

/** A valid text object for `value` (accepting bare strings), or undefined when there is no text. */
function fixText(value: unknown, fix: TextFix): Obj | undefined {
  let type: string;
  let text: string;
  if (typeof value === 'string') {
    type = fix.plain ? 'plain_text' : 'mrkdwn';
    text = value;
  } else if (isObj(value) && typeof value.text === 'string') {
    type = fix.plain || value.type === 'plain_text' ? 'plain_text' : 'mrkdwn';
    text = value.text;
  } else {
    return undefined;
  }
  const out: Obj = isObj(value) ? { ...value, type } : { type };
  if (type === 'plain_text') delete out.verbatim;
  if (type === 'mrkdwn') delete out.emoji;
  out.text = truncate(text.length === 0 ? EMPTY_TEXT : text, fix.max);
  return out;
}

function fixConfirm(value: unknown): Obj | undefined {
  if (!isObj(value)) return undefined;
  const text = fixText(value.text, { max: SLACK_LIMITS.confirmText });
  if (!text) return undefined;
  const out: Obj = { ...value, text };
  for (const [key, max] of [['title', SLACK_LIMITS.confirmTitle], ['confirm', SLACK_LIMITS.confirmButton], ['deny', SLACK_LIMITS.confirmButton]] as const) {
    const fixed = fixText(value[key], { max, plain: true });
    if (fixed) out[key] = fixed;
    else delete out[key];
  }
  if (out.style !== 'primary' && out.style !== 'danger') delete out.style;
  return out;
}

function fixOption(value: unknown): Obj | undefined {
  if (!isObj(value)) return undefined;
  const text = fixText(value.text, { max: SLACK_LIMITS.optionText });
  if (!text) return undefined;
  const out: Obj = { ...value, text };
  const description = fixText(value.description, { max: SLACK_LIMITS.optionDescription });
  if (description) out.description = description;
  else delete out.description;
  if (typeof out.value === 'string') out.value = clampId(out.value, SLACK_LIMITS.optionValue);
  if (typeof out.url === 'string' && out.url.length > SLACK_LIMITS.buttonUrl) delete out.url;
  return out;
}

function fixOptions(value: unknown, max: number): Obj[] | undefined {
  if (!Array.isArray(value)) return undefined;
  return value.map(fixOption).filter((o): o is Obj => o !== undefined).slice(0, max);
}

const OPTION_LIMITS: Record<string, number> = {
  overflow: SLACK_LIMITS.overflowOptions,
  checkboxes: SLACK_LIMITS.checkboxOptions,
  radio_buttons: SLACK_LIMITS.checkboxOptions,
};

/** An interactive element within its limits, or undefined when it can't be made valid. */
function fixElement(value: unknown): Obj | undefined {
  if (!isObj(value) || typeof value.type !== 'string') return undefined;
  const out: Obj = { ...value };
  if (typeof out.action_id === 'string') out.action_id = clampId(out.action_id, SLACK_LIMITS.actionId);
  if (out.confirm !== undefined) {
    const confirm = fixConfirm(out.confirm);
    if (confirm) out.confirm = confirm;
    else delete out.confirm;
  }
  if (out.placeholder !== undefined) {
    const placeholder = fixText(out.placeholder, { max: SLACK_LIMITS.placeholder, plain: true });
    if (placeholder) out.placeholder = placeholder;
    else delete out.placeholder;
  }
  switch (value.type) {
    case 'button': {
      const text = fixText(value.text, { max: SLACK_LIMITS.buttonText, plain: true });
      if (!text) return undefined;
      out.text = text;
      if (typeof out.value === 'string') out.value = clampId(out.value, SLACK_LIMITS.buttonValue);
      if (typeof out.url === 'string' && out.url.length > SLACK_LIMITS.buttonUrl) delete out.url;
      if (out.style !== undefined && out.style !== 'primary' && out.style !== 'danger') delete out.style;
      if (typeof out.accessibility_label === 'string') out.accessibility_label = truncate(out.accessibility_label, SLACK_LIMITS.accessibilityLabel);
      return out;
    }
    case 'image':
      if (typeof out.alt_text === 'string') out.alt_text = truncate(out.alt_text, SLACK_LIMITS.imageAlt);
      return out;
    case 'plain_text_input':
      for (const key of ['max_length', 'min_length'] as const) {
        if (typeof out[key] === 'number' && (out[key] as number) > SLACK_LIMITS.plainTextInputMax) out[key] = SLACK_LIMITS.plainTextInputMax;
      }
      return out;
    default: {
      const options = fixOptions(value.options, OPTION_LIMITS[value.type] ?? SLACK_LIMITS.staticSelectOptions);
      if (options) out.options = options;
      if (Array.isArray(value.option_groups)) {
        out.option_groups = value.option_groups
          .filter(isObj)
          .slice(0, SLACK_LIMITS.optionGroups)
          .map((group) => ({ ...group, options: fixOptions(group.options, SLACK_LIMITS.staticSelectOptions) ?? [] }));
      }
      return out;
    }
  }
}

// ---------------------------------------------------------------- blocks

function partId(blockId: unknown, part: number): string | undefined {
  if (typeof blockId !== 'string') return undefined;
  if (part === 0) return clampId(blockId, SLACK_LIMITS.blockId);
  const suffix = `~${part + 1}`;
  return clampId(blockId, SLACK_LIMITS.blockId - suffix.length) + suffix;
}

function withId(block: Obj, blockId: unknown, part: number): Obj {
  const id = partId(blockId, part);
  if (id === undefined) {
    const { block_id: _dropped, ...rest } = block;
    return rest;
  }
  return { ...block, block_id: id };
}

/**
 * Groups items into runs of at most `maxCount` items and `maxText` visible characters (an item
 * larger than that gets a run of its own), starting a new run where `breakBefore` says so.
 */
function chunk<T>(items: T[], maxCount: number, maxText: number, measure: (item: T) => number, breakBefore?: (run: T[], item: T) => boolean): T[][] {
  const runs: T[][] = [];
  let run: T[] = [];
  let text = 0;
  for (const item of items) {
    const size = measure(item);
    if (run.length > 0 && (run.length >= maxCount || text + size > maxText || breakBefore?.(run, item))) {
      runs.push(run);
      run = [];
      text = 0;
    }
    run.push(item);
    text += size;
  }
  if (run.length > 0) runs.push(run);
  return runs;
}

const measureOne = (item: unknown): number => cumulativeText([item]);

function fitSection(block: Obj): Obj[] {
  const accessory = block.accessory === undefined ? undefined : fixElement(block.accessory);
  const fieldObjects = Array.isArray(block.fields)
    ? block.fields.map((f) => fixText(f, { max: SLACK_LIMITS.fieldText })).filter((f): f is Obj => f !== undefined)
    : [];
  const textObject = isObj(block.text) || typeof block.text === 'string' ? fixText(block.text, { max: Number.MAX_SAFE_INTEGER }) : undefined;
  const rawText = isObj(block.text) && typeof block.text.text === 'string' ? block.text.text : typeof block.text === 'string' ? block.text : '';

  const { text: _text, fields: _fields, accessory: _accessory, ...base } = block;
  const parts: Obj[] = [];
  if (textObject && rawText.trim().length > 0) {
    for (const piece of splitText(rawText, SLACK_LIMITS.sectionText)) parts.push({ ...base, text: { ...textObject, text: piece } });
  } else if (fieldObjects.length === 0 && accessory) {
    parts.push({ ...base, text: { type: 'mrkdwn', text: EMPTY_TEXT } });
  }
  const fieldRuns = chunk(fieldObjects, SLACK_LIMITS.fields, BLOCK_TEXT_CAP, measureOne);
  fieldRuns.forEach((run, i) => {
    const last = parts[parts.length - 1];
    // The first run of fields joins the last text part when the two together stay small.
    if (i === 0 && last && measureOne(last) + cumulativeText(run) <= BLOCK_TEXT_CAP) last.fields = run;
    else parts.push({ ...base, fields: run });
  });
  if (parts.length === 0) return [];
  const first = parts[0];
  if (accessory && first) first.accessory = accessory;
  return parts.map((part, i) => withId(part, block.block_id, i));
}

function fitContext(block: Obj): Obj[] {
  const elements = Array.isArray(block.elements) ? block.elements : [];
  const fixed = elements
    .map((e): Obj | undefined => {
      if (isObj(e) && e.type === 'image') return typeof e.alt_text === 'string' ? { ...e, alt_text: truncate(e.alt_text, SLACK_LIMITS.imageAlt) } : e;
      return fixText(e, { max: SLACK_LIMITS.textObject });
    })
    .filter((e): e is Obj => e !== undefined);
  return chunk(fixed, SLACK_LIMITS.contextElements, BLOCK_TEXT_CAP, measureOne).map((run, i) => withId({ ...block, elements: run }, block.block_id, i));
}

function fitActions(block: Obj): Obj[] {
  const elements = Array.isArray(block.elements) ? block.elements : [];
  const fixed = elements.map(fixElement).filter((e): e is Obj => e !== undefined);
  // A repeated action_id moves to the next block rather than being renamed: listeners match on it.
  const repeats = (run: Obj[], item: Obj): boolean => typeof item.action_id === 'string' && run.some((e) => e.action_id === item.action_id);
  return chunk(fixed, SLACK_LIMITS.actionsElements, BLOCK_TEXT_CAP, measureOne, repeats).map((run, i) => withId({ ...block, elements: run }, block.block_id, i));
}

function fitOne(block: unknown): Obj[] {
  if (!isObj(block)) return [];
  switch (block.type) {
    case 'section':
      return fitSection(block);
    case 'header': {
      const text = fixText(block.text, { max: SLACK_LIMITS.headerText, plain: true });
      return text ? [withId({ ...block, text }, block.block_id, 0)] : [];
    }
    case 'context':
      return fitContext(block);
    case 'actions':
      return fitActions(block);
    case 'divider':
      return [withId(block, block.block_id, 0)];
    case 'markdown': {
      if (typeof block.text !== 'string' || block.text.trim().length === 0) return [];
      return splitText(block.text, MARKDOWN_CHUNK).map((text, i) => withId({ ...block, text }, block.block_id, i));
    }
    case 'image': {
      const out: Obj = { ...block, alt_text: truncate(typeof block.alt_text === 'string' ? block.alt_text : '', SLACK_LIMITS.imageAlt) };
      const title = block.title === undefined ? undefined : fixText(block.title, { max: SLACK_LIMITS.imageTitle, plain: true });
      if (title) out.title = title;
      else delete out.title;
      return [withId(out, block.block_id, 0)];
    }
    case 'input': {
      const label = fixText(block.label, { max: SLACK_LIMITS.inputLabel, plain: true });
      const element = fixElement(block.element);
      if (!label || !element) return [];
      const out: Obj = { ...block, label, element };
      const hint = block.hint === undefined ? undefined : fixText(block.hint, { max: SLACK_LIMITS.inputHint, plain: true });
      if (hint) out.hint = hint;
      else delete out.hint;
      return [withId(out, block.block_id, 0)];
    }
    case 'table': {
      const rows = Array.isArray(block.rows) ? block.rows.slice(0, SLACK_LIMITS.tableRows).map((row: unknown) => (Array.isArray(row) ? row.slice(0, SLACK_LIMITS.tableCells) : row)) : block.rows;
      return [withId({ ...block, rows }, block.block_id, 0)];
    }
    case 'rich_text':
    case 'file':
    case 'video':
    case 'alert':
    case 'card':
    case 'carousel':
    case 'container':
    case 'context_actions':
    case 'data_table':
    case 'task_card':
    case 'plan':
      return [withId(block, block.block_id, 0)];
    default:
      return [];
  }
}

/** Every block within its own limits; a block too big for Slack becomes several. */
export function fitBlocks(blocks: readonly unknown[]): KnownBlock[] {
  return blocks.flatMap(fitOne) as unknown as KnownBlock[];
}

/** Renames repeated block_ids within one message or view (`id~2`), which Slack rejects. */
function uniqueBlockIds(blocks: Obj[]): Obj[] {
  const seen = new Set<string>();
  return blocks.map((block) => {
    if (typeof block.block_id !== 'string') return block;
    let id = block.block_id;
    for (let n = 2; seen.has(id); n++) {
      const suffix = `~${n}`;
      id = clampId(block.block_id, SLACK_LIMITS.blockId - suffix.length) + suffix;
    }
    seen.add(id);
    return id === block.block_id ? block : { ...block, block_id: id };
  });
}

// ---------------------------------------------------------------- messages

interface Reserve {
  count: number;
  text: number;
}

function pack(blocks: Obj[], sizes: number[], reserve: Reserve): Obj[][] {
  const messages: Obj[][] = [];
  let current: Obj[] = [];
  let text = 0;
  blocks.forEach((block, i) => {
    const size = sizes[i] ?? 0;
    const isFirst = messages.length === 0;
    const maxCount = SLACK_LIMITS.messageBlocks - (isFirst ? 0 : reserve.count);
    const maxText = SLACK_LIMITS.messageTextBudget - (isFirst ? 0 : reserve.text);
    if (current.length > 0 && (current.length + 1 > maxCount || text + size > maxText)) {
      messages.push(current);
      current = [];
      text = 0;
    }
    current.push(block);
    text += size;
  });
  messages.push(current);
  // A divider that would open or close a message only separates it from nothing.
  return messages
    .map((message, i) => {
      let start = 0;
      let end = message.length;
      while (i > 0 && start < end && message[start]?.type === 'divider') start++;
      while (end > start && message[end - 1]?.type === 'divider' && i < messages.length - 1) end--;
      return message.slice(start, end);
    })
    .filter((message, i) => i === 0 || message.length > 0);
}

function visibleLines(blocks: readonly unknown[]): string[] {
  const lines: string[] = [];
  for (const block of blocks) {
    if (!isObj(block)) continue;
    if (isObj(block.text) && typeof block.text.text === 'string') lines.push(block.text.text);
    else if (typeof block.text === 'string') lines.push(block.text);
    if (Array.isArray(block.fields)) for (const f of block.fields) if (isObj(f) && typeof f.text === 'string') lines.push(f.text);
  }
  return lines;
}

function fallbackText(text: string, blocks: readonly unknown[]): string {
  const source = text.trim().length > 0 ? text : visibleLines(blocks).join('\n');
  return source.trim().length > 0 ? truncate(source, FALLBACK_TEXT_MAX) : EMPTY_TEXT;
}

function replyText(firstText: string, index: number, total: number): string {
  const suffix = ` (continued ${index}/${total})`;
  const firstLine = firstText.split('\n', 1)[0] ?? '';
  return truncate(firstLine, 200) + suffix;
}

/**
 * Packs blocks into a first message and as many thread replies as needed, each within Slack's
 * limits. The order of blocks is kept; a block is never split across messages unless it is bigger
 * than a message can hold on its own.
 */
export function fitMessage(input: FitMessageInput): { first: FittedMessage; replies: FittedMessage[] } {
  const blocks = fitBlocks(input.blocks) as unknown as Obj[];
  const sizes = blocks.map(measureOne);
  const text = fallbackText(input.text, blocks);
  const continuationFor = (index: number, total: number): Obj[] =>
    input.continuation ? (fitBlocks(input.continuation(index, total)) as unknown as Obj[]) : [];

  let reserve: Reserve = { count: 0, text: 0 };
  let messages = pack(blocks, sizes, reserve);
  let leads: Obj[][] = [];
  for (let attempt = 0; attempt < 5; attempt++) {
    const total = messages.length;
    leads = messages.map((_, i) => (i === 0 ? [] : continuationFor(i + 1, total)));
    const needed = leads.reduce<Reserve>((r, lead) => ({ count: Math.max(r.count, lead.length), text: Math.max(r.text, cumulativeText(lead)) }), { count: 0, text: 0 });
    if (needed.count <= reserve.count && needed.text <= reserve.text) break;
    reserve = { count: Math.max(reserve.count, needed.count), text: Math.max(reserve.text, needed.text) };
    // A continuation that would crowd out the content is not worth sending.
    if (reserve.count > SLACK_LIMITS.messageBlocks / 2 || reserve.text > SLACK_LIMITS.messageTextBudget - BLOCK_TEXT_CAP) {
      reserve = { count: 0, text: 0 };
      messages = pack(blocks, sizes, reserve);
      leads = messages.map(() => []);
      break;
    }
    messages = pack(blocks, sizes, reserve);
  }
  if (leads.length !== messages.length) leads = messages.map(() => []);

  const total = messages.length;
  const fitted = messages.map((message, i): FittedMessage => ({
    text: i === 0 ? text : replyText(text, i + 1, total),
    blocks: uniqueBlockIds([...(leads[i] ?? []), ...message]) as unknown as KnownBlock[],
  }));
  const [first, ...replies] = fitted;
  return { first: first ?? { text, blocks: [] }, replies };
}

/**
 * `message` (already fitted) ending with a notice that must be seen, still one message within
 * Slack's limits: blocks are dropped from the end of the message to make room, never the notice
 * ("N more parts not shown" on the last post response_url allows). A notice appended and fitted
 * again would be packed into a reply of its own when the message was full, and lost with it.
 * `notice` is told how many blocks of this message it displaced.
 */
export function withClosingNotice(message: FittedMessage, notice: (droppedBlocks: number) => KnownBlock): FittedMessage {
  const kept = [...message.blocks] as unknown as Obj[];
  const sizes = kept.map(measureOne);
  let text = sizes.reduce((a, b) => a + b, 0);
  // The notice's size hardly depends on the count it names; measured with the most it can say.
  const tail = fitBlocks([notice(kept.length)]) as unknown as Obj[];
  const tailText = cumulativeText(tail);
  while (kept.length > 0 && (kept.length + tail.length > SLACK_LIMITS.messageBlocks || text + tailText > SLACK_LIMITS.messageTextBudget)) {
    kept.pop();
    text -= sizes[kept.length] ?? 0;
  }
  // A divider left at the end would separate the message from its notice only.
  while (kept.length > 0 && kept[kept.length - 1]?.type === 'divider') kept.pop();
  const dropped = message.blocks.length - kept.length;
  const closing = fitBlocks([notice(dropped)]) as unknown as Obj[];
  return { text: message.text, blocks: uniqueBlockIds([...kept, ...closing]) as unknown as KnownBlock[] };
}

/** A message that must be one Slack message needed more: a layout that does not cap what it lists. */
export class MessageOverflow extends Error {
  override name = 'MessageOverflow';
}

/**
 * A message that is one Slack message or nothing: one posted and then updated in place (an alert,
 * a review card), which has no thread for fitMessage's replies to go to. Its layout caps what it
 * lists and says how much it left out (listSections, listWithin); a message that still needs
 * replies is a layout bug, thrown here rather than sent with its tail silently dropped.
 */
export function fitOneMessage(input: FitMessageInput, what: string): FittedMessage {
  const { first, replies } = fitMessage(input);
  if (replies.length > 0) {
    const size = cumulativeText([first.blocks, ...replies.map((r) => r.blocks)]);
    throw new MessageOverflow(`${what} needs ${replies.length + 1} Slack messages (${size} characters of text); it must fit one, its layout has to cap what it lists`);
  }
  return first;
}

// ---------------------------------------------------------------- views

function byteLength(value: unknown): number {
  return Buffer.byteLength(JSON.stringify(value), 'utf8');
}

/**
 * A modal or Home tab within Slack's limits: blocks fitted, at most 100 of them and 250 kB in all,
 * the tail replaced by a "N more not shown" context. Title, submit and close are cut to 24
 * characters. `private_metadata`, `callback_id` and `external_id` are our own data and can't be cut
 * without corrupting them, so those throw a RangeError when too long (a bug in the caller).
 */
export function fitView<V extends View>(view: V, options: FitViewOptions = {}): V {
  const raw = view as unknown as Obj;
  for (const [key, max] of [['private_metadata', SLACK_LIMITS.privateMetadata], ['callback_id', SLACK_LIMITS.callbackId], ['external_id', SLACK_LIMITS.externalId]] as const) {
    const value = raw[key];
    if (typeof value === 'string' && value.length > max) throw new RangeError(`view ${key} is ${value.length} characters; Slack allows ${max}`);
  }
  const out: Obj = { ...raw };
  for (const [key, max] of [['title', SLACK_LIMITS.modalTitle], ['submit', SLACK_LIMITS.modalSubmit], ['close', SLACK_LIMITS.modalClose]] as const) {
    if (raw[key] === undefined) continue;
    const fixed = fixText(raw[key], { max, plain: true });
    if (fixed) out[key] = fixed;
    else delete out[key];
  }
  const label = options.moreLabel ?? ((hidden: number) => `${hidden} more not shown`);
  const blocks = uniqueBlockIds(fitBlocks(Array.isArray(raw.blocks) ? raw.blocks : []) as unknown as Obj[]);
  const note = (hidden: number): Obj => ({ type: 'context', elements: [{ type: 'mrkdwn', text: truncate(label(hidden), SLACK_LIMITS.textObject) }] });

  let kept = blocks.length > SLACK_LIMITS.viewBlocks ? SLACK_LIMITS.viewBlocks - 1 : blocks.length;
  const shell = byteLength({ ...out, blocks: [] });
  const blockBytes = blocks.map((b) => byteLength(b) + 1);
  const noteBytes = byteLength(note(blocks.length)) + 1;
  let bytes = shell + blockBytes.slice(0, kept).reduce((a, b) => a + b, 0) + (kept < blocks.length ? noteBytes : 0);
  while (bytes > SLACK_LIMITS.viewBytes && kept > 0) {
    if (kept === blocks.length) bytes += noteBytes;
    kept -= 1;
    bytes -= blockBytes[kept] ?? 0;
  }
  out.blocks = kept < blocks.length ? [...blocks.slice(0, kept), note(blocks.length - kept)] : blocks;
  return out as unknown as V;
}
