/**
 * `/audit help` lists every subcommand the bot parses, one line each (user trial s17 #5: it showed
 * only the repository forms and `package`). The verbs come from the parsers themselves, so one added
 * there and not to the help fails here.
 */
import { describe, expect, it } from 'vitest';
import { usageMessage } from '../../src/slack/blocks/errors.js';
import { fitMessage } from '../../src/slack/blocks/fit.js';
import { parsePackageCommand } from '../../src/slack/package-service.js';
import { WATCH_USAGE_LINES, watchReplyMessage } from '../../src/slack/blocks/watch-reply.js';
import { parseWatchCommand, WATCH_VERBS } from '../../src/watch/commands.js';
import { blockText } from './app-world.js';

const helpText = (message = usageMessage()) => blockText(message.blocks);

/** The `/audit <word>` forms the help shows, as lines. */
const helpLines = (text: string) => text.split('\n').filter((line) => line.includes('`/audit '));

describe('/audit help', () => {
  it('has a line for every watch-family verb and for package, each a subcommand the parsers know', () => {
    const text = helpText();
    for (const verb of [...WATCH_VERBS, 'package']) {
      expect(text, verb).toMatch(new RegExp(`\`/audit ${verb}[\` ]`));
      expect(parseWatchCommand(verb) ?? parsePackageCommand(verb), verb).not.toBeNull();
    }
  });

  it('names nothing the bot does not parse: each line is a subcommand, a repository form or help itself', () => {
    for (const line of helpLines(helpText())) {
      const word = /`\/audit ([^\s`]+)/.exec(line)![1]!;
      const known = parseWatchCommand(word) !== null || parsePackageCommand(word) !== null || /^(owner\/repo|https:|help$)/.test(word);
      expect(known, line).toBe(true);
    }
  });

  it('fits one Slack message, every line whole', () => {
    const message = usageMessage();
    const fitted = fitMessage(message);
    expect(fitted.replies).toEqual([]);
    expect(blockText(fitted.first.blocks)).toBe(helpText(message));
  });

  it('offers only what this bot answers: no watch lines without watching, no package line without cards', () => {
    const bare = helpText(usageMessage(undefined, { packages: false, watching: false }));
    expect(bare).toContain('/audit owner/repo@branch');
    for (const verb of [...WATCH_VERBS, 'package']) expect(bare).not.toMatch(new RegExp(`/audit ${verb}[\` ]`));
  });

  it('shows the placeholders of the usage as text, not as Slack links', () => {
    const text = helpText();
    expect(text).toContain('/audit unignore &lt;advisory id&gt;');
    expect(text).not.toMatch(/<(?![@#!]|https?:)/);
  });

  it('words the watch commands as the answer to a mistyped one and the foot of /audit list do: one usage, not two', () => {
    const help = helpText();
    for (const line of WATCH_USAGE_LINES) expect(help).toContain(line);
    const mistyped = watchReplyMessage({ kind: 'usage', problem: 'usage: /audit list', ephemeral: true });
    expect(mistyped.text.split('\n').slice(1)).toEqual(WATCH_USAGE_LINES);
    const list = watchReplyMessage({ kind: 'list', ephemeral: true, repos: [], watches: [], more: 0, timeZone: 'UTC', schedules: [], unknownAs: 'high', ignores: [] });
    expect(blockText(list.blocks?.at(-1))).toContain(WATCH_USAGE_LINES.join('\n'));
  });

  it('gives schedule examples the parser takes, and a time zone command it takes', () => {
    const schedule = WATCH_USAGE_LINES.find((line) => line.includes('/audit schedule'))!;
    const examples = [...schedule.matchAll(/"([^"]+)"/g)].map((m) => m[1]!);
    expect(examples).toEqual(['mon 09:00', 'daily 8am', '1st 10:00', 'hourly']);
    for (const example of examples) expect(parseWatchCommand(`schedule weekly ${example} Europe/Berlin`), example).toMatchObject({ kind: 'schedule', timeZone: 'Europe/Berlin' });
    expect(parseWatchCommand('schedule weekly off')).toMatchObject({ kind: 'schedule', cron: null });
    expect(schedule).toContain('/audit schedule timezone Europe/Berlin');
    expect(parseWatchCommand('schedule timezone Europe/Berlin')).toEqual({ kind: 'time-zone', timeZone: 'Europe/Berlin' });
  });
});
