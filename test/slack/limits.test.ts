import { describe, expect, it } from 'vitest';
import { SLACK_LIMITS, checkMessage, checkView, cumulativeText } from '../../src/slack/blocks/limits.js';

const x = (n: number): string => 'x'.repeat(n);
const mrkdwn = (text: string) => ({ type: 'mrkdwn', text });
const plain = (text: string) => ({ type: 'plain_text', text, emoji: true });
const button = (extra: Record<string, unknown> = {}) => ({ type: 'button', text: plain('Ignore'), action_id: 'ignore', value: 'finding:1', ...extra });
const section = (text: string, extra: Record<string, unknown> = {}) => ({ type: 'section', text: mrkdwn(text), ...extra });
const actions = (elements: unknown[], extra: Record<string, unknown> = {}) => ({ type: 'actions', elements, ...extra });

/** The rule names a message breaks. */
function messageRules(blocks: unknown[], text: unknown = 'fallback'): string[] {
  return checkMessage({ text, blocks }).map((v) => v.rule);
}

function viewRules(view: Record<string, unknown>): string[] {
  return checkView(view).map((v) => v.rule);
}

const modal = (extra: Record<string, unknown> = {}) => ({ type: 'modal', title: plain('Depwatch'), blocks: [section('hello')], ...extra });

describe('checkMessage accepts what Slack accepts', () => {
  it('passes a realistic audit reply, right at the limits, with emoji in plain_text', () => {
    const blocks = [
      { type: 'header', text: plain(`:rotating_light: ${x(SLACK_LIMITS.headerText - 17)}`) },
      section(x(SLACK_LIMITS.sectionText), { accessory: button({ style: 'danger', confirm: { title: plain(x(100)), text: mrkdwn(x(300)), confirm: plain(x(30)), deny: plain(x(30)) } }) }),
      { type: 'section', fields: Array.from({ length: 10 }, () => mrkdwn(x(200))) },
      { type: 'context', elements: Array.from({ length: 10 }, (_, i) => (i === 0 ? { type: 'image', image_url: 'https://example.com/a.png', alt_text: 'a' } : mrkdwn('ctx'))) },
      actions(Array.from({ length: 25 }, (_, i) => button({ action_id: `a${i}`, value: x(SLACK_LIMITS.buttonValue) })), { block_id: x(255) }),
      { type: 'divider' },
      { type: 'markdown', text: '**bold**' },
      { type: 'rich_text', elements: [{ type: 'rich_text_section', elements: [{ type: 'text', text: 'hi' }] }] },
    ];
    expect(checkMessage({ text: 'Audit of octo/app', blocks })).toEqual([]);
  });

  it('passes exactly 50 blocks and exactly the text budget', () => {
    const perBlock = SLACK_LIMITS.messageTextBudget / 50;
    const blocks = Array.from({ length: 50 }, () => section(x(perBlock)));
    expect(cumulativeText(blocks)).toBe(SLACK_LIMITS.messageTextBudget);
    expect(checkMessage({ text: 't', blocks })).toEqual([]);
  });

  it('passes a text-only message and never throws on junk', () => {
    expect(checkMessage({ text: 'just text' })).toEqual([]);
    for (const junk of [null, 42, 'blocks', {}, [null], [[1]], [{ type: 'section', text: null }]]) {
      expect(() => checkMessage({ blocks: junk })).not.toThrow();
    }
  });
});

describe('checkMessage catches each rule', () => {
  const cases: [string, unknown[], string?][] = [
    ['message.blocks', Array.from({ length: 51 }, () => ({ type: 'divider' }))],
    ['message.textBudget', Array.from({ length: 4 }, () => section(x(2900)))],
    ['block.type', [{ type: 'sectoin', text: mrkdwn('hi') }]],
    ['block.block_id', [section('hi', { block_id: x(256) })]],
    ['block.block_id.duplicate', [section('a', { block_id: 'f1' }), section('b', { block_id: 'f1' })]],
    ['section.empty', [{ type: 'section' }]],
    ['section.text', [section(x(3001))]],
    ['text.min', [section('')]],
    ['text.type', [{ type: 'section', text: { type: 'markdown', text: 'hi' } }]],
    ['section.fields', [{ type: 'section', fields: Array.from({ length: 11 }, () => mrkdwn('f')) }]],
    ['section.field', [{ type: 'section', fields: [mrkdwn(x(2001))] }]],
    ['header.text', [{ type: 'header', text: plain(x(151)) }]],
    ['header.text.type', [{ type: 'header', text: mrkdwn('*bold*') }]],
    ['context.elements', [{ type: 'context', elements: Array.from({ length: 11 }, () => mrkdwn('c')) }]],
    ['context.elements.min', [{ type: 'context', elements: [] }]],
    ['context.element.type', [{ type: 'context', elements: [button()] }]],
    ['text.max', [{ type: 'context', elements: [mrkdwn(x(3001))] }]],
    ['actions.elements', [actions(Array.from({ length: 26 }, (_, i) => button({ action_id: `b${i}` })))]],
    ['actions.elements.min', [actions([])]],
    ['actions.action_id.duplicate', [actions([button(), button()])]],
    ['element.type', [actions([{ type: 'buton', text: plain('x'), action_id: 'a' }])]],
    ['element.action_id', [actions([button({ action_id: x(256) })])]],
    ['button.text', [actions([button({ text: plain(x(76)) })])]],
    ['button.text.type', [actions([button({ text: mrkdwn('*Ignore*') })])]],
    ['button.value', [actions([button({ value: x(2001) })])]],
    ['button.url', [actions([button({ url: `https://e.com/${x(3000)}` })])]],
    ['button.style', [actions([button({ style: 'secondary' })])]],
    ['button.accessibility_label', [actions([button({ accessibility_label: x(76) })])]],
    ['confirm.title', [actions([button({ confirm: { title: plain(x(101)), text: plain('sure?') } })])]],
    ['confirm.text', [actions([button({ confirm: { text: plain(x(301)) } })])]],
    ['confirm.confirm', [actions([button({ confirm: { text: plain('sure?'), confirm: plain(x(31)) } })])]],
    ['confirm.deny', [actions([button({ confirm: { text: plain('sure?'), deny: plain(x(31)) } })])]],
    ['select.options', [actions([{ type: 'static_select', action_id: 's', options: Array.from({ length: 101 }, (_, i) => ({ text: plain(`o${i}`), value: `${i}` })) }])]],
    ['option.text', [actions([{ type: 'static_select', action_id: 's', options: [{ text: plain(x(76)), value: 'v' }] }])]],
    ['option.value', [actions([{ type: 'static_select', action_id: 's', options: [{ text: plain('o'), value: x(76) }] }])]],
    ['overflow.options', [section('more', { accessory: { type: 'overflow', action_id: 'o', options: Array.from({ length: 6 }, (_, i) => ({ text: plain(`o${i}`), value: `${i}` })) } })]],
    ['choice.options', [actions([{ type: 'checkboxes', action_id: 'c', options: Array.from({ length: 11 }, (_, i) => ({ text: plain(`o${i}`), value: `${i}` })) }])]],
    ['image.alt_text', [{ type: 'image', image_url: 'https://example.com/a.png', alt_text: x(2001) }]],
    ['markdown.text', [{ type: 'markdown', text: x(12001) }]],
    ['table.rows', [{ type: 'table', rows: Array.from({ length: 101 }, () => [{ type: 'raw_text', text: 'c' }]) }]],
    ['element.placeholder', [actions([{ type: 'static_select', action_id: 's', placeholder: plain(x(151)), options: [{ text: plain('o'), value: 'v' }] }])]],
  ];

  it.each(cases)('%s', (rule, blocks) => {
    const found = checkMessage({ text: 'fallback', blocks });
    expect(found.map((v) => v.rule)).toContain(rule);
    for (const v of found) {
      expect(v.path.length).toBeGreaterThan(0);
      expect(v.message.length).toBeGreaterThan(0);
    }
  });

  it('reports where and by how much', () => {
    const [violation] = checkMessage({ text: 't', blocks: [{ type: 'divider' }, section('ok', { accessory: button({ value: x(2005) }) })] });
    expect(violation).toEqual({
      path: 'blocks[1].accessory.value',
      rule: 'button.value',
      limit: 2000,
      actual: 2005,
      message: 'blocks[1].accessory.value is 2005 characters; the limit is 2000',
    });
  });

  it('flags a fallback text over 40,000 characters and blocks that are not an array', () => {
    expect(messageRules([], x(40001))).toEqual(['message.text']);
    expect(checkMessage({ text: 't', blocks: 'nope' }).map((v) => v.rule)).toEqual(['blocks.array']);
  });

  it('counts duplicate action_ids only within one actions block', () => {
    expect(messageRules([actions([button()], { block_id: 'a' }), actions([button()], { block_id: 'b' })])).toEqual([]);
  });
});

describe('cumulativeText', () => {
  it('counts what a reader sees: text objects, markdown, rich text, confirm dialogs; not ids, values or urls', () => {
    const blocks = [
      { type: 'header', text: plain('12345') },
      section('1234567890', { block_id: x(100), accessory: button({ value: x(500), url: 'https://example.com', confirm: { text: plain('abc') } }) }),
      { type: 'markdown', text: 'mmmm' },
      { type: 'rich_text', elements: [{ type: 'rich_text_section', elements: [{ type: 'text', text: 'rr' }, { type: 'link', url: 'https://e.com', text: 'l' }] }] },
    ];
    // 5 header + 10 section + 6 "Ignore" + 3 confirm + 4 markdown + 2 + 1 rich text
    expect(cumulativeText(blocks)).toBe(31);
  });
});

describe('checkView', () => {
  it('passes a modal with inputs and a home tab of 100 blocks', () => {
    const input = { type: 'input', block_id: 'repo', label: plain('Repository'), element: { type: 'plain_text_input', action_id: 'repo', max_length: 3000, placeholder: plain('owner/repo') } };
    expect(checkView(modal({ submit: plain('Watch'), close: plain('Cancel'), blocks: [input], private_metadata: x(3000), callback_id: 'watch' }))).toEqual([]);
    expect(checkView({ type: 'home', blocks: Array.from({ length: 100 }, (_, i) => section(`row ${i}`)) })).toEqual([]);
  });

  const viewCases: [string, Record<string, unknown>][] = [
    ['view.blocks', { type: 'home', blocks: Array.from({ length: 101 }, () => ({ type: 'divider' })) }],
    ['view.type', { type: 'dialog', blocks: [] }],
    ['view.title', modal({ title: plain(x(25)) })],
    ['view.title.required', { type: 'modal', blocks: [] }],
    ['view.title.type', modal({ title: mrkdwn('*Depwatch*') })],
    ['view.submit', modal({ submit: plain(x(25)) })],
    ['view.close', modal({ close: plain(x(25)) })],
    ['view.submit.required', modal({ blocks: [{ type: 'input', label: plain('Repo'), element: { type: 'plain_text_input', action_id: 'r' } }] })],
    ['view.private_metadata', modal({ private_metadata: x(3001) })],
    ['view.callback_id', modal({ callback_id: x(256) })],
    ['view.external_id', modal({ external_id: x(256) })],
    ['view.bytes', { type: 'home', blocks: Array.from({ length: 90 }, () => section(x(3000))) }],
    ['input.label', modal({ submit: plain('Go'), blocks: [{ type: 'input', label: plain(x(2001)), element: { type: 'plain_text_input', action_id: 'r' } }] })],
    ['input.hint', modal({ submit: plain('Go'), blocks: [{ type: 'input', label: plain('l'), hint: plain(x(2001)), element: { type: 'plain_text_input', action_id: 'r' } }] })],
    ['input.element.required', modal({ submit: plain('Go'), blocks: [{ type: 'input', label: plain('l') }] })],
    ['plain_text_input.length', modal({ submit: plain('Go'), blocks: [{ type: 'input', label: plain('l'), element: { type: 'plain_text_input', action_id: 'r', max_length: 3001 } }] })],
    ['blocks.array', { type: 'home' }],
  ];

  it.each(viewCases)('%s', (rule, view) => {
    expect(viewRules(view)).toContain(rule);
  });

  it('has no message text budget: a home tab may carry more than 11,000 characters', () => {
    expect(checkView({ type: 'home', blocks: Array.from({ length: 10 }, () => section(x(3000))) })).toEqual([]);
  });
});
