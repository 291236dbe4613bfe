/**
 * Zero-width characters (U+200B, U+200C, U+200D, U+2060, U+FEFF) are shown as escapes wherever
 * outsider text is shown, as bidi controls are: `requirem\u200bents.txt` must not look exactly like
 * `requirements.txt` in the terminal, in Markdown, in SARIF or in Slack. The zero-width space
 * Depwatch itself puts after an `@` in Markdown (to break GitHub mentions) stays what it is.
 */
import { describe, expect, it } from 'vitest';
import type { AuditResult } from '../../src/audit/audit.js';
import { fileFinding } from '../../src/audit/findings.js';
import { markdownCode, markdownText } from '../../src/report/markdown-text.js';
import { renderSarif } from '../../src/report/sarif.js';
import { terminalSafe } from '../../src/report/terminal-text.js';
import { escapeMrkdwn, escapeMrkdwnLines, md, showInvisibleControls } from '../../src/slack/blocks/mrkdwn.js';

const ZERO_WIDTH = ['\u200b', '\u200c', '\u200d', '\u2060', '\ufeff'];
const shown = (c: string) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`;

describe('zero-width characters', () => {
  it.each(ZERO_WIDTH.map((c) => [shown(c), c]))('%s is shown in the terminal, in Markdown and in Slack', (escape, c) => {
    const path = `requirem${c}ents.txt`;
    expect(terminalSafe(path)).toBe(`requirem${escape}ents.txt`);
    expect(markdownText(path)).toBe(`requirem\\${escape}ents.txt`);
    expect(markdownCode(path)).toBe(`\`requirem${escape}ents.txt\``);
    expect(escapeMrkdwn(path)).toBe(`requirem${escape}ents.txt`);
    expect(escapeMrkdwnLines(path)).toBe(`requirem${escape}ents.txt`);
    expect(showInvisibleControls(path)).toBe(`requirem${escape}ents.txt`);
  });

  it('is shown next to a bidi control in a Slack link and sentence alike', () => {
    const folder = 'b\u200b\u202eprod\u202c/requirements.txt';
    expect(md`in ${folder}`.text).toBe('in b\\u200b\\u202eprod\\u202c/requirements.txt');
    expect(md.link('https://github.com/o/r', folder).text).toBe('<https://github.com/o/r|b\\u200b\\u202eprod\\u202c/requirements.txt>');
  });

  it('keeps the zero-width space Depwatch puts after an @, and shows the one the text brought', () => {
    expect(markdownCode('@team')).toBe('`@\u200bteam`');
    expect(markdownCode('@\u200bteam')).toBe('`@\\u200bteam`');
    expect(markdownText('@team')).toBe('@\u200bteam');
    expect(markdownText('x\u200b@team')).toBe('x\\\\u200b@\u200bteam');
  });

  it('is shown in SARIF message text and advisory descriptions', () => {
    const finding = {
      ...fileFinding({ kind: 'no-hashes', severity: 'low', file: 'requirem\u200bents.txt', line: 1, text: 'Hash requirem\u200bents.txt.' }),
    };
    const result = {
      target: 'app', dependencies: 1, findings: [finding], ignored: [], notes: [], errors: [], warnings: [], notices: ['notice \u2060here'], partial: false, partialReasons: [], advisorySource: 'api',
    } as unknown as AuditResult;
    const run = JSON.parse(renderSarif(result, {})).runs[0];
    expect(run.results[0].message.text).toContain('Hash requirem\\u200bents.txt.');
    expect(run.tool.driver.rules[0].help.text).not.toMatch(/[\u200b-\u200d\u2060\ufeff]/);
    expect(JSON.stringify(run.invocations)).toContain('notice \\\\u2060here');
    // Every text a viewer shows (fingerprints are data, and keep the path as it is).
    const texts: string[] = [];
    const collect = (v: unknown, key = ''): void => {
      if (typeof v === 'string') {
        if (key === 'text') texts.push(v);
      } else if (v && typeof v === 'object') for (const [k, x] of Object.entries(v)) collect(x, k);
    };
    collect(run);
    expect(texts.length).toBeGreaterThan(2);
    expect(texts.filter((t) => /[\u200b-\u200d\u2060\ufeff]/.test(t))).toEqual([]);
  });
});
