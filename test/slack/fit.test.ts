import type { KnownBlock, SectionBlock } from '@slack/types';
import { describe, expect, it } from 'vitest';
import { FALLBACK_TEXT_MAX, MessageOverflow, fitBlocks, fitMessage, fitOneMessage, fitView, splitText, withClosingNotice } from '../../src/slack/blocks/fit.js';
import { actions, button, context, divider, escapeMrkdwn, fields, header, link, listSections, listWithin, mrkdwn, safeCutIndex, section, truncate } from '../../src/slack/blocks/kit.js';
import { SLACK_LIMITS, checkMessage, checkView, cumulativeText } from '../../src/slack/blocks/limits.js';

const x = (n: number): string => 'x'.repeat(n);

/** Every `<…>` is closed and every `&` starts a whole escape: nothing was cut in the middle. */
function expectIntactMarkup(text: string): void {
  expect(text.split('<').length).toBe(text.split('>').length);
  expect(text).not.toMatch(/<[^>]*$/);
  for (const match of text.matchAll(/&/g)) expect(text.slice(match.index)).toMatch(/^&(amp|lt|gt);/);
}

function expectValid(result: ReturnType<typeof fitMessage>): void {
  for (const message of [result.first, ...result.replies]) {
    expect(checkMessage(message)).toEqual([]);
    expect(message.text.length).toBeGreaterThan(0);
    expect(message.text.length).toBeLessThanOrEqual(FALLBACK_TEXT_MAX);
  }
}

function sectionTexts(blocks: KnownBlock[]): string[] {
  return blocks.filter((b): b is SectionBlock => b.type === 'section').map((b) => b.text?.text ?? '');
}

/** A finding line the way the audit reply writes one: about 300 characters with links and a button. */
function findingBlock(i: number): KnownBlock {
  const id = `PYSEC-2024-${String(i).padStart(3, '0')}`;
  const text =
    `*${link(`https://osv.dev/vulnerability/${id}`, id)}* · high · \`django==2.1.${i % 10}\` in \`requirements/base.txt:${i}\`\n` +
    `${escapeMrkdwn(`SQL injection in QuerySet.order_by() & friends <when> a user-controlled field name is passed`)}\n` +
    `Fix: upgrade to 2.2.${i % 20}`;
  return section(text, button({ text: 'Ignore', actionId: 'finding_ignore', value: `finding:${i}` }));
}

describe('kit builders', () => {
  it('escapes the three characters Slack treats as markup', () => {
    expect(escapeMrkdwn('a & b <c> d')).toBe('a &amp; b &lt;c&gt; d');
    expect(link('https://pypi.org/project/a&b/', 'a|b <x>')).toBe('<https://pypi.org/project/a&b/|a¦b &lt;x&gt;>');
  });

  it('truncates with an ellipsis and never inside a link, mention, escape or surrogate pair', () => {
    expect(truncate('hello world', 20)).toBe('hello world');
    expect(truncate('hello world', 8)).toBe('hello w…');
    const linked = `see <https://osv.dev/vulnerability/GHSA-1234|GHSA-1234> now`;
    for (let max = 5; max < linked.length; max++) {
      const cut = truncate(linked, max);
      expect(cut.length).toBeLessThanOrEqual(max);
      expect(cut.endsWith('…')).toBe(true);
      expectIntactMarkup(cut);
    }
    expect(truncate('a &amp; b', 5)).toBe('a…');
    expect(truncate('hi <@U012345> there', 10)).toBe('hi…');
    expect(truncate('ab😀cd', 4)).toBe('ab…');
    expect(safeCutIndex('x <u|l> y', 4)).toBe(2);
  });

  it('clamps every builder to its limit', () => {
    expect(header(x(500)).text.text).toHaveLength(SLACK_LIMITS.headerText);
    expect(section(x(5000)).text?.text).toHaveLength(SLACK_LIMITS.sectionText);
    expect(fields(...Array.from({ length: 12 }, () => x(2500))).fields).toHaveLength(10);
    expect(context(...Array.from({ length: 12 }, () => 'c')).elements).toHaveLength(10);
    const b = button({ text: x(100), actionId: x(300), value: x(2500), url: `https://e.com/${x(3000)}`, style: 'danger', confirm: { title: x(200), text: x(400), confirm: x(40), deny: x(40) } });
    expect(b.text.text).toHaveLength(75);
    expect(b.action_id).toHaveLength(255);
    expect(b.value).toHaveLength(2000);
    expect(b.url).toBeUndefined();
    expect(actions(x(300), b).block_id).toHaveLength(255);
    const built = [header(x(500)), section(''), fields(x(2500)), context(''), divider(), actions('a', b), section('s', b)];
    expect(checkMessage({ text: 't', blocks: built })).toEqual([]);
    expect(mrkdwn('').text).toBe('—');
  });
});

describe('lists that must fit one message', () => {
  const more = (left: number): string => `…and ${left} more`;
  const items = Array.from({ length: 40 }, (_, i) => `• item ${i} ${x(400)}`);

  it('lists the items that fit whole, in order, in sections Slack accepts, and says how many it left out', () => {
    const blocks = listSections('*Heading*', items, { room: 9000, more });
    const texts = sectionTexts(blocks);
    for (const text of texts) expect(text.length).toBeLessThanOrEqual(SLACK_LIMITS.sectionText);
    expect(cumulativeText(blocks)).toBeLessThanOrEqual(9000);
    const lines = texts.join('\n').split('\n');
    const shown = lines.filter((l) => l.startsWith('• item'));
    expect(lines[0]).toBe('*Heading*');
    expect(shown).toEqual(items.slice(0, shown.length));
    expect(lines.at(-1)).toBe(`…and ${items.length - shown.length} more`);
  });

  it('says nothing more when everything fits, and only how many when nothing does', () => {
    expect(sectionTexts(listSections('', items.slice(0, 3), { room: 9000, more }))).toEqual([items.slice(0, 3).join('\n')]);
    expect(sectionTexts(listSections('*Heading*', items, { room: 100, more }))).toEqual(['*Heading*\n…and 40 more']);
  });

  it('counts the items past `max` as left out too', () => {
    expect(sectionTexts(listSections('', ['a', 'b', 'c'], { room: 9000, more, max: 2 }))).toEqual(['a\nb\n…and 1 more']);
  });

  it('counts items left out before the list was made (`alsoLeft`), even when all it was given fit', () => {
    expect(sectionTexts(listSections('', ['a', 'b'], { room: 9000, more, alsoLeft: 60 }))).toEqual(['a\nb\n…and 60 more']);
    expect(sectionTexts(listSections('', ['a', 'b', 'c'], { room: 9000, more, max: 2, alsoLeft: 60 }))).toEqual(['a\nb\n…and 61 more']);
    expect(listWithin(['a', 'b'], ', ', { room: 9000, more, alsoLeft: 3 })).toBe('a, b, …and 3 more');
    const line = listWithin(items, ', ', { room: 200, more, alsoLeft: 1000 });
    expect(line.length).toBeLessThanOrEqual(200);
    expect(line).toMatch(new RegExp(`…and ${items.length - (line.split(', ').length - 1) + 1000} more$`));
  });

  it('keeps a one-line list within its room, the count last', () => {
    const names = Array.from({ length: 100 }, (_, i) => `package-${i}`);
    const line = listWithin(names, ', ', { room: 200, more });
    expect(line.length).toBeLessThanOrEqual(200);
    const shown = line.split(', ').filter((n) => n.startsWith('package-'));
    expect(shown).toEqual(names.slice(0, shown.length));
    expect(line.endsWith(`, …and ${names.length - shown.length} more`)).toBe(true);
    expect(listWithin(names.slice(0, 3), ', ', { room: 200, more })).toBe('package-0, package-1, package-2');
  });
});

describe('fitOneMessage', () => {
  it('gives the message when it fits one', () => {
    const message = fitOneMessage({ text: 'Alert', blocks: [header('Alert'), section('One repository')] }, 'the alert');
    expect(message.blocks.map((b) => b.type)).toEqual(['header', 'section']);
  });

  it('throws rather than drop what would need a thread reply', () => {
    const blocks = Array.from({ length: 60 }, (_, i) => findingBlock(i));
    expect(() => fitOneMessage({ text: 'Alert', blocks }, 'alert #7')).toThrow(MessageOverflow);
    expect(() => fitOneMessage({ text: 'Alert', blocks }, 'alert #7')).toThrow(/^alert #7 needs \d+ Slack messages/);
  });
});

describe('splitText', () => {
  it('splits at line boundaries and keeps every line', () => {
    const lines = Array.from({ length: 100 }, (_, i) => `line ${i}: ${x(80)}`);
    const pieces = splitText(lines.join('\n'), 1000);
    expect(pieces.length).toBeGreaterThan(1);
    for (const piece of pieces) expect(piece.length).toBeLessThanOrEqual(1000);
    expect(pieces.join('\n')).toBe(lines.join('\n'));
  });

  it('never splits a link or an escape, even in one long line', () => {
    const unit = `<https://osv.dev/vulnerability/PYSEC-2019-13|PYSEC-2019-13>&amp;`;
    const pieces = splitText(unit.repeat(200), 1000);
    for (const piece of pieces) {
      expect(piece.length).toBeLessThanOrEqual(1000);
      expectIntactMarkup(piece);
    }
    expect(pieces.join('')).toBe(unit.repeat(200));
  });
});

describe('fitMessage', () => {
  it('keeps a small message as it is', () => {
    const blocks = [header('Audit of octo/app'), section('No vulnerabilities found.')];
    const result = fitMessage({ text: 'Audit of octo/app: clean', blocks });
    expect(result.first).toEqual({ text: 'Audit of octo/app: clean', blocks });
    expect(result.replies).toEqual([]);
  });

  it('packs a 500-finding report into a first message and thread replies, all within limits, nothing lost', () => {
    const blocks = [header('Audit of octo/app: 500 findings'), section('*500* vulnerabilities in *214* dependencies'), divider(), ...Array.from({ length: 500 }, (_, i) => findingBlock(i))];
    const result = fitMessage({
      text: 'Audit of octo/app: 500 findings',
      blocks,
      continuation: (index, total) => [context(`Audit of octo/app, continued (${index}/${total})`)],
    });
    expectValid(result);
    const all = [result.first, ...result.replies];
    const total = all.length;
    expect(total).toBeGreaterThan(10);
    // Every finding arrives once, in order.
    const findings = all.flatMap((m) => sectionTexts(m.blocks)).filter((t) => t.includes('PYSEC-2024-'));
    expect(findings).toEqual(blocks.slice(3).map((b) => (b as SectionBlock).text?.text));
    result.replies.forEach((reply, i) => {
      expect(reply.blocks[0]).toEqual(context(`Audit of octo/app, continued (${i + 2}/${total})`));
      expect(reply.text).toBe(`Audit of octo/app: 500 findings (continued ${i + 2}/${total})`);
      expect(cumulativeText(reply.blocks)).toBeLessThanOrEqual(SLACK_LIMITS.messageTextBudget);
    });
    // Messages are filled, not one finding each: the text budget is what ends them.
    expect(cumulativeText(result.first.blocks)).toBeGreaterThan(SLACK_LIMITS.messageTextBudget * 0.9);
  });

  it('splits one 50,000-character section at line boundaries, then across messages', () => {
    const lines = Array.from({ length: 625 }, (_, i) => `${String(i).padStart(4, '0')} ${x(75)}`);
    const text = lines.join('\n');
    expect(text.length).toBeGreaterThan(50_000);
    const result = fitMessage({ text, blocks: [{ type: 'section', text: { type: 'mrkdwn', text } }] });
    expectValid(result);
    expect(result.first.text.length).toBeLessThanOrEqual(FALLBACK_TEXT_MAX);
    const pieces = [result.first, ...result.replies].flatMap((m) => sectionTexts(m.blocks));
    expect(pieces.join('\n')).toBe(text);
    expect(result.replies.length).toBeGreaterThanOrEqual(4);
  });

  it('splits a 50,000-character single line full of links without breaking one', () => {
    const unit = `${link('https://github.com/octo/app/blob/main/requirements.txt#L1', 'requirements.txt & co')} `;
    const text = unit.repeat(Math.ceil(50_000 / unit.length));
    const result = fitMessage({ text: '', blocks: [{ type: 'section', text: { type: 'mrkdwn', text } }] });
    expectValid(result);
    const pieces = [result.first, ...result.replies].flatMap((m) => sectionTexts(m.blocks));
    for (const piece of pieces) expectIntactMarkup(piece);
    expect(pieces.join(' ').replace(/\s+/g, ' ').trim()).toBe(text.trim());
    // No fallback text was given: it comes from the blocks, cut at a safe place.
    expectIntactMarkup(result.first.text);
  });

  it('spreads 200 actions blocks over messages of at most 50 blocks', () => {
    const blocks = Array.from({ length: 200 }, (_, i) =>
      actions(`incident:${i}`, ...Array.from({ length: 5 }, (_, j) => button({ text: `Step ${j}`, actionId: `step_${j}`, value: `${i}:${j}` }))),
    );
    const result = fitMessage({ text: 'Checklist', blocks });
    expectValid(result);
    expect(result.replies).toHaveLength(3);
    expect([result.first, ...result.replies].map((m) => m.blocks.length)).toEqual([50, 50, 50, 50]);
  });

  it('splits oversize lists inside a block: 60 buttons, 30 fields, 14 context elements, repeated action_ids', () => {
    const many = actions('bulk', ...Array.from({ length: 60 }, (_, i) => button({ text: `b${i}`, actionId: `b${i}` })));
    // Builders cap at Slack's limits; a hand-built block (or stored JSON) may not.
    (many.elements as unknown[]).push(...Array.from({ length: 35 }, (_, i) => button({ text: `c${i}`, actionId: `c${i}` })));
    const repeated: KnownBlock = { type: 'actions', elements: [button({ text: 'a', actionId: 'same' }), button({ text: 'b', actionId: 'same' })] };
    const manyFields: KnownBlock = { type: 'section', fields: Array.from({ length: 30 }, (_, i) => ({ type: 'mrkdwn', text: `field ${i} ${x(300)}` })) };
    const wideContext: KnownBlock = { type: 'context', elements: Array.from({ length: 14 }, (_, i) => ({ type: 'mrkdwn', text: `c${i}` })) };
    const fitted = fitBlocks([many, repeated, manyFields, wideContext]);
    expect(checkMessage({ text: 't', blocks: fitted })).toEqual([]);
    const actionBlocks = fitted.filter((b) => b.type === 'actions');
    expect(actionBlocks.map((b) => b.elements.length)).toEqual([25, 25, 10, 1, 1]);
    expect(actionBlocks.slice(0, 3).map((b) => b.block_id)).toEqual(['bulk', 'bulk~2', 'bulk~3']);
    const fieldCounts = fitted.filter((b): b is SectionBlock => b.type === 'section').map((b) => b.fields?.length ?? 0);
    expect(fieldCounts.reduce((a, b) => a + b, 0)).toBe(30);
    expect(Math.max(...fieldCounts)).toBeLessThanOrEqual(10);
    expect(fitted.filter((b) => b.type === 'context').map((b) => b.elements.length)).toEqual([10, 4]);
  });

  it('cuts over-long texts, makes headers plain text, renames repeated block_ids and drops what Slack would reject', () => {
    const blocks = [
      { type: 'header', text: { type: 'mrkdwn', text: `*${x(300)}*` } },
      { type: 'section', block_id: 'f', text: { type: 'mrkdwn', text: 'one' } },
      { type: 'section', block_id: 'f', text: { type: 'mrkdwn', text: 'two' } },
      { type: 'section', text: { type: 'mrkdwn', text: '' } },
      { type: 'sectoin', text: 'typo' },
      { type: 'section', text: { type: 'mrkdwn', text: 'ok' }, accessory: { type: 'button', text: { type: 'plain_text', text: x(90) }, action_id: 'a', style: 'secondary', value: x(2100) } },
    ] as unknown as KnownBlock[];
    const { first, replies } = fitMessage({ text: 'x', blocks });
    expect(replies).toEqual([]);
    expect(checkMessage(first)).toEqual([]);
    expect(first.blocks.map((b) => b.type)).toEqual(['header', 'section', 'section', 'section']);
    expect(first.blocks.map((b) => b.block_id)).toEqual([undefined, 'f', 'f~2', undefined]);
    const headerText = (first.blocks[0] as { text: { type: string; text: string } }).text;
    expect(headerText.type).toBe('plain_text');
    expect(headerText.text).toHaveLength(150);
    expect(headerText.text.endsWith('…')).toBe(true);
  });

  it('drops dividers at message boundaries and always has a fallback text', () => {
    const blocks = Array.from({ length: 119 }, (_, i) => (i % 2 === 0 ? section(`row ${i}`) : divider()));
    const result = fitMessage({ text: '   ', blocks });
    expectValid(result);
    expect(result.first.text.startsWith('row 0\nrow 2\nrow 4\n')).toBe(true);
    for (const m of [result.first, ...result.replies]) {
      expect(m.blocks.at(-1)?.type).not.toBe('divider');
    }
    expect(result.replies[0]?.blocks[0]?.type).not.toBe('divider');
    expect(fitMessage({ text: '', blocks: [] }).first).toEqual({ text: '—', blocks: [] });
  });

  it('keeps every output valid for random pathological inputs', () => {
    let seed = 42;
    const rand = (n: number): number => {
      seed = (seed * 1103515245 + 12345) % 2147483648;
      return seed % n;
    };
    const randomText = (): string => {
      const parts = ['word ', '\n', link('https://osv.dev/v/PYSEC-1', 'PYSEC-1'), '&amp;', '<@U0123ABC>', '😀', x(400)];
      return Array.from({ length: rand(60) }, () => parts[rand(parts.length)]).join('');
    };
    const randomBlock = (): unknown => {
      switch (rand(6)) {
        case 0: return { type: 'section', text: { type: 'mrkdwn', text: randomText() }, ...(rand(2) ? { accessory: button({ text: randomText(), actionId: 'a', value: randomText() }) } : {}) };
        case 1: return { type: 'section', fields: Array.from({ length: rand(25) }, () => ({ type: 'mrkdwn', text: randomText() })) };
        case 2: return { type: 'header', text: { type: 'plain_text', text: randomText() } };
        case 3: return { type: 'context', elements: Array.from({ length: 1 + rand(20) }, () => ({ type: 'mrkdwn', text: randomText() })) };
        case 4: return { type: 'actions', block_id: 'same', elements: Array.from({ length: 1 + rand(40) }, (_, i) => button({ text: randomText(), actionId: `a${rand(8)}`, value: `${i}`, confirm: { title: randomText(), text: randomText() } })) };
        default: return { type: 'markdown', text: randomText() + x(rand(20_000)) };
      }
    };
    for (let round = 0; round < 30; round++) {
      const blocks = Array.from({ length: rand(120) }, randomBlock) as KnownBlock[];
      expectValid(fitMessage({ text: randomText(), blocks, continuation: (i, n) => [context(`continued (${i}/${n})`)] }));
    }
  });
});

describe('fitView', () => {
  const row = (i: number): KnownBlock => section(`Watched repo ${i}`);

  it('leaves a view within limits alone', () => {
    const view = { type: 'home' as const, blocks: [header('Depwatch'), row(1)] };
    expect(fitView(view)).toEqual(view);
  });

  it('keeps a home tab within 100 blocks, the tail replaced by a note', () => {
    const view = fitView({ type: 'home', blocks: Array.from({ length: 250 }, (_, i) => row(i)) });
    expect(checkView(view)).toEqual([]);
    expect(view.blocks).toHaveLength(100);
    expect(view.blocks[98]).toEqual(row(98));
    expect(view.blocks[99]).toEqual({ type: 'context', elements: [{ type: 'mrkdwn', text: '151 more not shown' }] });
  });

  it('keeps a view under 250 kB and cuts modal titles and buttons to 24 characters', () => {
    const view = fitView(
      { type: 'modal', title: { type: 'plain_text', text: 'Vulnerabilities in octo/app' }, submit: { type: 'plain_text', text: x(40) }, blocks: Array.from({ length: 100 }, () => section(x(3000))) },
      { moreLabel: (n) => `…and ${n} more; see the CLI report` },
    );
    expect(checkView(view)).toEqual([]);
    expect(view.title.text).toHaveLength(24);
    expect(view.blocks.length).toBeLessThan(100);
    expect(view.blocks.at(-1)).toEqual(context(`…and ${100 - (view.blocks.length - 1)} more; see the CLI report`));
  });

  it('refuses private_metadata it would have to corrupt', () => {
    expect(() => fitView({ type: 'modal', title: { type: 'plain_text', text: 't' }, blocks: [], private_metadata: x(3001) })).toThrow(RangeError);
  });
});

describe('withClosingNotice (the last post response_url allows: "N more parts not shown")', () => {
  const notice = (dropped: number) => context(`3 more parts${dropped ? ' and the end of this one' : ''} not shown: invite me to this channel to get the whole report in a thread.`);

  it('keeps the notice on a reply fitMessage already filled to its budget, making room at its end', () => {
    const lines = Array.from({ length: 60 }, (_, i) => section(`• advisory line ${i} `.padEnd(1000, 'x')));
    const reply = fitMessage({ text: 'r', blocks: [section('head'), ...lines] }).replies[0]!;
    expect(cumulativeText(reply.blocks)).toBeGreaterThan(SLACK_LIMITS.messageTextBudget - 150);
    const closed = withClosingNotice(reply, notice);
    expect(checkMessage(closed)).toEqual([]);
    expect(cumulativeText(closed.blocks)).toBeLessThanOrEqual(SLACK_LIMITS.messageTextBudget);
    expect(blockTexts(closed.blocks).at(-1)).toBe('3 more parts and the end of this one not shown: invite me to this channel to get the whole report in a thread.');
    expect(closed.blocks.length).toBe(reply.blocks.length);
    expect(closed.text).toBe(reply.text);
  });

  it('drops nothing when there is room, and makes room under the 50-block limit too', () => {
    const roomy = fitMessage({ text: 'r', blocks: [section('a'), divider(), section('b')] }).first;
    const kept = withClosingNotice(roomy, notice);
    expect(kept.blocks.map((b) => b.type)).toEqual(['section', 'divider', 'section', 'context']);
    expect(blockTexts(kept.blocks)).toEqual(['a', 'b', '3 more parts not shown: invite me to this channel to get the whole report in a thread.']);
    const many = fitMessage({ text: 'r', blocks: Array.from({ length: 50 }, (_, i) => section(`s${i}`)) }).first;
    const closed = withClosingNotice(many, notice);
    expect(closed.blocks.length).toBe(SLACK_LIMITS.messageBlocks);
    expect(blockTexts(closed.blocks).at(-2)).toBe('s48');
    expect(blockTexts(closed.blocks).at(-1)).toContain('and the end of this one not shown');
  });
});

/** The visible text of each block that has some (dividers have none). */
function blockTexts(blocks: KnownBlock[]): string[] {
  return blocks.flatMap((b) => (b.type === 'section' ? [b.text?.text ?? ''] : b.type === 'context' ? b.elements.map((e) => ('text' in e ? e.text : '')) : []));
}
