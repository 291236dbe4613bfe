/**
 * Slack's Block Kit limits, checked offline. Slack has no offline validator (`blocks.validate` needs the
 * network and a token), and a payload it rejects is a message nobody sees, so every layout is checked
 * against this table in tests, and the loopback fake of the Web API answers `invalid_blocks` exactly
 * when this checker finds something.
 *
 * Pure: takes parsed JSON of unknown shape, never throws, returns every violation it finds. Lengths
 * are JavaScript string lengths (UTF-16 code units), which is never less than Slack's character
 * count, so a payload that passes here is not too long for Slack.
 *
 * Structural rules (unknown types, empty text, duplicates…) report `limit: 0, actual: 1` unless a
 * count means something (duplicates report how many times the id occurs).
 */

export const SLACK_LIMITS = {
  messageBlocks: 50,
  viewBlocks: 100,
  sectionText: 3000,
  fieldText: 2000,
  fields: 10,
  headerText: 150,
  contextElements: 10,
  actionsElements: 25,
  blockId: 255,
  actionId: 255,
  buttonText: 75,
  buttonValue: 2000,
  buttonUrl: 3000,
  accessibilityLabel: 75,
  optionText: 75,
  optionValue: 75,
  optionDescription: 75,
  staticSelectOptions: 100,
  optionGroups: 100,
  overflowOptions: 5,
  checkboxOptions: 10,
  confirmTitle: 100,
  confirmText: 300,
  confirmButton: 30,
  imageAlt: 2000,
  imageTitle: 2000,
  markdownBlock: 12000,
  modalTitle: 24,
  modalSubmit: 24,
  modalClose: 24,
  privateMetadata: 3000,
  callbackId: 255,
  externalId: 255,
  /** views.publish answers `view_too_large` above 250 kB of JSON. */
  viewBytes: 250_000,
  /**
   * Cumulative visible text of all blocks in one message. Undocumented: Slack answers
   * `msg_blocks_too_long` near 12-13k (bolt-js #2509), and #2867 saw a failure at 11.3k, so stay below.
   */
  messageTextBudget: 11000,
  messageText: 40000,
  /** Any text object not covered by a tighter rule (context elements, section text). */
  textObject: 3000,
  inputLabel: 2000,
  inputHint: 2000,
  placeholder: 150,
  plainTextInputMax: 3000,
  tableRows: 100,
  tableCells: 20,
} as const;

export interface LimitViolation {
  /** Where, JSON-path style: `blocks[3].accessory.text.text`. */
  path: string;
  /** A stable rule name, e.g. `section.text`, `block.block_id.duplicate`. */
  rule: string;
  limit: number;
  actual: number;
  message: string;
}

/** Every block type Slack knows (the KnownBlock union of @slack/types 3.2). */
const BLOCK_TYPES = new Set([
  'actions', 'alert', 'card', 'carousel', 'container', 'context', 'context_actions', 'data_table', 'divider', 'file',
  'header', 'image', 'input', 'markdown', 'rich_text', 'section', 'table', 'task_card', 'plan', 'video',
]);

const SELECT_TYPES = new Set([
  'static_select', 'multi_static_select', 'external_select', 'multi_external_select', 'users_select', 'multi_users_select',
  'conversations_select', 'multi_conversations_select', 'channels_select', 'multi_channels_select',
]);

/** Interactive and input elements (ActionsBlockElement, SectionBlockAccessory, InputBlockElement). */
const ELEMENT_TYPES = new Set([
  ...SELECT_TYPES,
  'button', 'checkboxes', 'radio_buttons', 'overflow', 'datepicker', 'datetimepicker', 'timepicker', 'image',
  'plain_text_input', 'email_text_input', 'url_text_input', 'number_input', 'rich_text_input', 'file_input',
  'workflow_button', 'feedback_buttons', 'icon_button',
]);

const TEXT_TYPES = new Set(['plain_text', 'mrkdwn']);

/** Objects whose `text` string a reader sees (text objects, markdown blocks, rich text leaves, table cells). */
const VISIBLE_TEXT_TYPES = new Set(['plain_text', 'mrkdwn', 'markdown', 'text', 'link', 'raw_text']);

type Obj = Record<string, unknown>;

function isObj(value: unknown): value is Obj {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function lengthOf(value: unknown): number {
  return typeof value === 'string' ? value.length : 0;
}

class Findings {
  readonly list: LimitViolation[] = [];

  add(path: string, rule: string, limit: number, actual: number, message: string): void {
    this.list.push({ path, rule, limit, actual, message });
  }

  structural(path: string, rule: string, message: string): void {
    this.add(path, rule, 0, 1, message);
  }

  /** A string field with a maximum length; absent fields are fine. */
  maxLength(path: string, rule: string, value: unknown, limit: number): void {
    if (value === undefined) return;
    if (typeof value !== 'string') {
      this.structural(path, `${rule}.type`, `${path} must be a string`);
      return;
    }
    if (value.length > limit) this.add(path, rule, limit, value.length, `${path} is ${value.length} characters; the limit is ${limit}`);
  }

  maxCount(path: string, rule: string, value: unknown, limit: number): void {
    if (Array.isArray(value) && value.length > limit) {
      this.add(path, rule, limit, value.length, `${path} has ${value.length} items; the limit is ${limit}`);
    }
  }
}

interface TextRule {
  rule: string;
  max: number;
  plainOnly?: boolean;
  required?: boolean;
}

/** A text object `{type: plain_text|mrkdwn, text}`: type, 1..max characters. */
function checkTextObject(f: Findings, path: string, value: unknown, rule: TextRule): void {
  if (value === undefined) {
    if (rule.required) f.structural(path, `${rule.rule}.required`, `${path} is required`);
    return;
  }
  if (!isObj(value) || typeof value.type !== 'string' || !TEXT_TYPES.has(value.type)) {
    f.structural(path, 'text.type', `${path} must be a text object of type plain_text or mrkdwn`);
    return;
  }
  if (rule.plainOnly && value.type !== 'plain_text') {
    f.structural(`${path}.type`, `${rule.rule}.type`, `${path} must be plain_text, not ${value.type}`);
  }
  if (typeof value.text !== 'string') {
    f.structural(`${path}.text`, 'text.type', `${path}.text must be a string`);
    return;
  }
  if (value.text.length === 0) {
    f.add(`${path}.text`, 'text.min', 1, 0, `${path}.text must not be empty`);
    return;
  }
  f.maxLength(`${path}.text`, rule.rule, value.text, rule.max);
}

function checkConfirm(f: Findings, path: string, value: unknown): void {
  if (value === undefined) return;
  if (!isObj(value)) {
    f.structural(path, 'confirm.type', `${path} must be a confirmation dialog object`);
    return;
  }
  checkTextObject(f, `${path}.title`, value.title, { rule: 'confirm.title', max: SLACK_LIMITS.confirmTitle, plainOnly: true });
  checkTextObject(f, `${path}.text`, value.text, { rule: 'confirm.text', max: SLACK_LIMITS.confirmText, required: true });
  checkTextObject(f, `${path}.confirm`, value.confirm, { rule: 'confirm.confirm', max: SLACK_LIMITS.confirmButton, plainOnly: true });
  checkTextObject(f, `${path}.deny`, value.deny, { rule: 'confirm.deny', max: SLACK_LIMITS.confirmButton, plainOnly: true });
  if (value.style !== undefined && value.style !== 'primary' && value.style !== 'danger') {
    f.structural(`${path}.style`, 'confirm.style', `${path}.style must be primary or danger`);
  }
}

function checkOption(f: Findings, path: string, value: unknown): void {
  if (!isObj(value)) {
    f.structural(path, 'option.type', `${path} must be an option object`);
    return;
  }
  checkTextObject(f, `${path}.text`, value.text, { rule: 'option.text', max: SLACK_LIMITS.optionText, required: true });
  checkTextObject(f, `${path}.description`, value.description, { rule: 'option.description', max: SLACK_LIMITS.optionDescription });
  f.maxLength(`${path}.value`, 'option.value', value.value, SLACK_LIMITS.optionValue);
  f.maxLength(`${path}.url`, 'option.url', value.url, SLACK_LIMITS.buttonUrl);
}

function checkOptions(f: Findings, path: string, options: unknown, rule: string, limit: number): void {
  if (options === undefined) return;
  if (!Array.isArray(options)) {
    f.structural(path, `${rule}.type`, `${path} must be an array`);
    return;
  }
  f.maxCount(path, rule, options, limit);
  options.forEach((option, i) => checkOption(f, `${path}[${i}]`, option));
}

function checkElement(f: Findings, path: string, element: unknown): void {
  if (!isObj(element) || typeof element.type !== 'string' || !ELEMENT_TYPES.has(element.type)) {
    const shown = isObj(element) ? String(element.type) : typeof element;
    f.structural(path, 'element.type', `${path} has unknown element type ${shown}`);
    return;
  }
  f.maxLength(`${path}.action_id`, 'element.action_id', element.action_id, SLACK_LIMITS.actionId);
  checkConfirm(f, `${path}.confirm`, element.confirm);
  checkTextObject(f, `${path}.placeholder`, element.placeholder, { rule: 'element.placeholder', max: SLACK_LIMITS.placeholder, plainOnly: true });
  const type = element.type;
  if (type === 'button') {
    checkTextObject(f, `${path}.text`, element.text, { rule: 'button.text', max: SLACK_LIMITS.buttonText, plainOnly: true, required: true });
    f.maxLength(`${path}.value`, 'button.value', element.value, SLACK_LIMITS.buttonValue);
    f.maxLength(`${path}.url`, 'button.url', element.url, SLACK_LIMITS.buttonUrl);
    f.maxLength(`${path}.accessibility_label`, 'button.accessibility_label', element.accessibility_label, SLACK_LIMITS.accessibilityLabel);
    if (element.style !== undefined && element.style !== 'primary' && element.style !== 'danger') {
      f.structural(`${path}.style`, 'button.style', `${path}.style must be primary or danger, not ${String(element.style)}`);
    }
  } else if (SELECT_TYPES.has(type)) {
    checkOptions(f, `${path}.options`, element.options, 'select.options', SLACK_LIMITS.staticSelectOptions);
    if (element.option_groups !== undefined) {
      f.maxCount(`${path}.option_groups`, 'select.option_groups', element.option_groups, SLACK_LIMITS.optionGroups);
      if (Array.isArray(element.option_groups)) {
        element.option_groups.forEach((group, i) => {
          if (isObj(group)) checkOptions(f, `${path}.option_groups[${i}].options`, group.options, 'select.options', SLACK_LIMITS.staticSelectOptions);
        });
      }
    }
  } else if (type === 'overflow') {
    checkOptions(f, `${path}.options`, element.options, 'overflow.options', SLACK_LIMITS.overflowOptions);
  } else if (type === 'checkboxes' || type === 'radio_buttons') {
    checkOptions(f, `${path}.options`, element.options, 'choice.options', SLACK_LIMITS.checkboxOptions);
  } else if (type === 'image') {
    f.maxLength(`${path}.alt_text`, 'image.alt_text', element.alt_text, SLACK_LIMITS.imageAlt);
  } else if (type === 'plain_text_input') {
    for (const key of ['max_length', 'min_length'] as const) {
      const n = element[key];
      if (typeof n === 'number' && n > SLACK_LIMITS.plainTextInputMax) {
        f.add(`${path}.${key}`, 'plain_text_input.length', SLACK_LIMITS.plainTextInputMax, n, `${path}.${key} is ${n}; the limit is ${SLACK_LIMITS.plainTextInputMax}`);
      }
    }
  }
}

function checkSection(f: Findings, path: string, block: Obj): void {
  if (block.text === undefined && block.fields === undefined) {
    f.structural(path, 'section.empty', `${path} needs text or fields`);
  }
  checkTextObject(f, `${path}.text`, block.text, { rule: 'section.text', max: SLACK_LIMITS.sectionText });
  if (block.fields !== undefined) {
    if (!Array.isArray(block.fields)) {
      f.structural(`${path}.fields`, 'section.fields.type', `${path}.fields must be an array`);
    } else {
      f.maxCount(`${path}.fields`, 'section.fields', block.fields, SLACK_LIMITS.fields);
      block.fields.forEach((field, i) => checkTextObject(f, `${path}.fields[${i}]`, field, { rule: 'section.field', max: SLACK_LIMITS.fieldText }));
    }
  }
  if (block.accessory !== undefined) checkElement(f, `${path}.accessory`, block.accessory);
}

function checkContext(f: Findings, path: string, block: Obj): void {
  const elements = block.elements;
  if (!Array.isArray(elements) || elements.length === 0) {
    f.add(`${path}.elements`, 'context.elements.min', 1, 0, `${path} needs at least one element`);
    return;
  }
  f.maxCount(`${path}.elements`, 'context.elements', elements, SLACK_LIMITS.contextElements);
  elements.forEach((element, i) => {
    const at = `${path}.elements[${i}]`;
    if (isObj(element) && element.type === 'image') {
      f.maxLength(`${at}.alt_text`, 'image.alt_text', element.alt_text, SLACK_LIMITS.imageAlt);
    } else if (isObj(element) && typeof element.type === 'string' && TEXT_TYPES.has(element.type)) {
      checkTextObject(f, at, element, { rule: 'text.max', max: SLACK_LIMITS.textObject });
    } else {
      f.structural(at, 'context.element.type', `${at} must be an image, plain_text or mrkdwn element`);
    }
  });
}

function checkActions(f: Findings, path: string, block: Obj): void {
  const elements = block.elements;
  if (!Array.isArray(elements) || elements.length === 0) {
    f.add(`${path}.elements`, 'actions.elements.min', 1, 0, `${path} needs at least one element`);
    return;
  }
  f.maxCount(`${path}.elements`, 'actions.elements', elements, SLACK_LIMITS.actionsElements);
  const seen = new Map<string, number>();
  elements.forEach((element, i) => {
    checkElement(f, `${path}.elements[${i}]`, element);
    if (isObj(element) && typeof element.action_id === 'string') {
      seen.set(element.action_id, (seen.get(element.action_id) ?? 0) + 1);
    }
  });
  for (const [id, count] of seen) {
    if (count > 1) f.add(`${path}.elements`, 'actions.action_id.duplicate', 1, count, `action_id ${JSON.stringify(id)} occurs ${count} times in ${path}`);
  }
}

function checkTable(f: Findings, path: string, block: Obj): void {
  const rows = block.rows;
  if (!Array.isArray(rows)) return;
  f.maxCount(`${path}.rows`, 'table.rows', rows, SLACK_LIMITS.tableRows);
  rows.forEach((row, i) => f.maxCount(`${path}.rows[${i}]`, 'table.cells', row, SLACK_LIMITS.tableCells));
}

function checkBlock(f: Findings, path: string, block: unknown): void {
  if (!isObj(block)) {
    f.structural(path, 'block.type', `${path} must be a block object`);
    return;
  }
  if (typeof block.type !== 'string' || !BLOCK_TYPES.has(block.type)) {
    f.structural(`${path}.type`, 'block.type', `${path} has unknown block type ${String(block.type)}`);
    return;
  }
  f.maxLength(`${path}.block_id`, 'block.block_id', block.block_id, SLACK_LIMITS.blockId);
  switch (block.type) {
    case 'section':
      checkSection(f, path, block);
      break;
    case 'header':
      checkTextObject(f, `${path}.text`, block.text, { rule: 'header.text', max: SLACK_LIMITS.headerText, plainOnly: true, required: true });
      break;
    case 'context':
      checkContext(f, path, block);
      break;
    case 'actions':
      checkActions(f, path, block);
      break;
    case 'image':
      f.maxLength(`${path}.alt_text`, 'image.alt_text', block.alt_text, SLACK_LIMITS.imageAlt);
      checkTextObject(f, `${path}.title`, block.title, { rule: 'image.title', max: SLACK_LIMITS.imageTitle, plainOnly: true });
      break;
    case 'markdown':
      if (typeof block.text !== 'string' || block.text.length === 0) {
        f.add(`${path}.text`, 'text.min', 1, 0, `${path}.text must be a non-empty string`);
      } else {
        f.maxLength(`${path}.text`, 'markdown.text', block.text, SLACK_LIMITS.markdownBlock);
      }
      break;
    case 'input':
      checkTextObject(f, `${path}.label`, block.label, { rule: 'input.label', max: SLACK_LIMITS.inputLabel, plainOnly: true, required: true });
      checkTextObject(f, `${path}.hint`, block.hint, { rule: 'input.hint', max: SLACK_LIMITS.inputHint, plainOnly: true });
      if (block.element === undefined) f.structural(`${path}.element`, 'input.element.required', `${path} needs an element`);
      else checkElement(f, `${path}.element`, block.element);
      break;
    case 'table':
      checkTable(f, path, block);
      break;
    default:
      break;
  }
}

function checkBlocks(f: Findings, blocks: unknown, maxBlocks: number, rule: string): Obj[] {
  if (blocks === undefined) return [];
  if (!Array.isArray(blocks)) {
    f.structural('blocks', 'blocks.array', 'blocks must be an array');
    return [];
  }
  f.maxCount('blocks', rule, blocks, maxBlocks);
  const ids = new Map<string, number>();
  blocks.forEach((block, i) => {
    checkBlock(f, `blocks[${i}]`, block);
    if (isObj(block) && typeof block.block_id === 'string') ids.set(block.block_id, (ids.get(block.block_id) ?? 0) + 1);
  });
  for (const [id, count] of ids) {
    if (count > 1) f.add('blocks', 'block.block_id.duplicate', 1, count, `block_id ${JSON.stringify(id)} occurs ${count} times`);
  }
  return blocks.filter(isObj);
}

/**
 * The visible-text measure behind the message budget: the length of every `text` string a reader
 * sees (text objects, markdown blocks, rich text and table cells), anywhere in the blocks, including
 * confirm dialogs and options (conservative: Slack's own count is undocumented).
 */
export function cumulativeText(blocks: unknown[]): number {
  let total = 0;
  const visit = (value: unknown): void => {
    if (Array.isArray(value)) {
      for (const item of value) visit(item);
    } else if (isObj(value)) {
      if (typeof value.type === 'string' && VISIBLE_TEXT_TYPES.has(value.type)) total += lengthOf(value.text);
      for (const child of Object.values(value)) if (typeof child === 'object') visit(child);
    }
  };
  visit(blocks);
  return total;
}

/** A message payload as chat.postMessage / chat.update / response_url take it (blocks already parsed). */
export function checkMessage(payload: { text?: unknown; blocks?: unknown }): LimitViolation[] {
  const f = new Findings();
  f.maxLength('text', 'message.text', payload.text, SLACK_LIMITS.messageText);
  const blocks = checkBlocks(f, payload.blocks, SLACK_LIMITS.messageBlocks, 'message.blocks');
  const measured = cumulativeText(blocks);
  if (measured > SLACK_LIMITS.messageTextBudget) {
    f.add('blocks', 'message.textBudget', SLACK_LIMITS.messageTextBudget, measured, `blocks carry ${measured} characters of text; Slack rejects messages near 12,000 (budget ${SLACK_LIMITS.messageTextBudget})`);
  }
  return f.list;
}

/** A modal or App Home view as views.open / views.update / views.push / views.publish take it. */
export function checkView(view: unknown): LimitViolation[] {
  const f = new Findings();
  if (!isObj(view)) {
    f.structural('view', 'view.type', 'view must be an object');
    return f.list;
  }
  if (view.type !== 'modal' && view.type !== 'home') {
    f.structural('type', 'view.type', `view type must be modal or home, not ${String(view.type)}`);
  }
  const isModal = view.type === 'modal';
  checkTextObject(f, 'title', view.title, { rule: 'view.title', max: SLACK_LIMITS.modalTitle, plainOnly: true, required: isModal });
  checkTextObject(f, 'submit', view.submit, { rule: 'view.submit', max: SLACK_LIMITS.modalSubmit, plainOnly: true });
  checkTextObject(f, 'close', view.close, { rule: 'view.close', max: SLACK_LIMITS.modalClose, plainOnly: true });
  f.maxLength('private_metadata', 'view.private_metadata', view.private_metadata, SLACK_LIMITS.privateMetadata);
  f.maxLength('callback_id', 'view.callback_id', view.callback_id, SLACK_LIMITS.callbackId);
  f.maxLength('external_id', 'view.external_id', view.external_id, SLACK_LIMITS.externalId);
  if (view.blocks === undefined) f.structural('blocks', 'blocks.array', 'a view needs blocks');
  const blocks = checkBlocks(f, view.blocks, SLACK_LIMITS.viewBlocks, 'view.blocks');
  if (isModal && view.submit === undefined && blocks.some((b) => b.type === 'input')) {
    f.structural('submit', 'view.submit.required', 'a modal with input blocks needs a submit button');
  }
  const bytes = Buffer.byteLength(JSON.stringify(view), 'utf8');
  if (bytes > SLACK_LIMITS.viewBytes) {
    f.add('view', 'view.bytes', SLACK_LIMITS.viewBytes, bytes, `view is ${bytes} bytes of JSON; Slack answers view_too_large above ${SLACK_LIMITS.viewBytes}`);
  }
  return f.list;
}
