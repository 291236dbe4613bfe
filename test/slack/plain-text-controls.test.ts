/**
 * plain_text (headers, button labels, option texts, modal titles, inputs' initial values) is shown
 * character for character: a right-to-left override in a repository name, a PR title or an advisory
 * id would reorder what people read there. Such controls are shown as visible escapes (`\u202e`), as
 * mrkdwn shows them, with nothing else escaped, and within Slack's length limits.
 */
import { describe, expect, it } from 'vitest';
import { alertMessage } from '../../src/slack/blocks/alert.js';
import { ignoreModalView } from '../../src/slack/blocks/ignore-modal.js';
import { header, plainText } from '../../src/slack/blocks/kit.js';
import { SLACK_LIMITS } from '../../src/slack/blocks/limits.js';
import { pullRequestReviewMessage, type PullRequestRef } from '../../src/slack/blocks/pr-review.js';
import type { DependencyReview } from '../../src/watch/pr-review/review.js';

const RLO = '\u202E';
const INVISIBLE = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]/;

/** Every string Slack shows as plain text: plain_text objects, inputs' initial values, accessibility labels. */
function plainTexts(value: unknown, out: string[] = []): string[] {
  if (Array.isArray(value)) for (const v of value) plainTexts(v, out);
  else if (value && typeof value === 'object') {
    const o = value as Record<string, unknown>;
    if (o.type === 'plain_text' && typeof o.text === 'string') out.push(o.text);
    for (const key of ['initial_value', 'accessibility_label']) if (typeof o[key] === 'string') out.push(o[key]);
    for (const v of Object.values(o)) plainTexts(v, out);
  }
  return out;
}

describe('invisible controls in plain_text', () => {
  it('a PR review card: the header and the PR title show a right-to-left override escaped, nowhere raw', () => {
    const pr: PullRequestRef = { repo: `octo/${RLO}shop`, number: 42, title: `Bump deps ${RLO}gpj.exe`, url: 'https://github.com/octo/shop/pull/42', headSha: 'abcdef1234567890', state: 'open' };
    const review: DependencyReview = { changes: [], newSources: [], newIndexUrls: [], errors: [], verdict: 'ok' };
    const message = pullRequestReviewMessage(pr, review);
    const head = message.blocks[0] as { type: string; text: { text: string } };
    expect(head.type).toBe('header');
    expect(head.text.text).toBe('Dependency review: octo/\\u202eshop #42');
    expect(JSON.stringify(message.blocks)).toContain('Bump deps \\\\u202egpj.exe');
    expect(JSON.stringify(message)).not.toMatch(INVISIBLE);
  });

  it('an alert: its header and its list of "Open fix PR" buttons show them escaped', () => {
    const message = alertMessage({
      alertId: 3, advisoryId: `PYSEC-2024-${RLO}1`, aliases: [], summary: 'x', severity: 'high', cvss: 8.1, malicious: false, package: `pkg${RLO}evil`, resolved: false, offerFixPrs: true,
      affected: [{ repo: `octo/${RLO}app`, repoUrl: 'https://github.com/octo/app', version: '1.0', file: 'requirements.txt', line: 2, url: null, fix: 'Upgrade', fixVersion: '2.0', fixedBySha: null, fixedAt: null }],
    } as never);
    const texts = plainTexts(message);
    expect(texts).toContain('Open fix PR: octo/\\u202eapp');
    expect(texts.some((t) => t.includes('pkg\\u202eevil'))).toBe(true);
    expect(texts.join('\n')).not.toMatch(INVISIBLE);
  });

  it('the Ignore… modal: the pre-filled advisory id and package show them escaped, within the inputs\' max_length', () => {
    const view = ignoreModalView({ intro: 'Ignore', advisoryId: `PYSEC-${RLO}1`, packageName: `${RLO.repeat(150)}pkg`, callbackId: 'x', privateMetadata: 'm' });
    const initial = plainTexts(view.blocks).filter((t) => t.startsWith('PYSEC') || t.startsWith('\\u'));
    expect(initial[0]).toBe('PYSEC-\\u202e1');
    expect(initial[1]!.length).toBe(198); // 33 whole escapes: none is cut in two
    expect(initial[1]).toMatch(/^(\\u202e)+$/);
    expect(plainTexts(view).join('\n')).not.toMatch(INVISIBLE);
  });

  it('escapes nothing else (no &lt; in plain text), and the escapes count towards Slack\'s limits', () => {
    expect(plainText('a <b> & c\u0007').text).toBe('a <b> & c\\x07');
    const long = header(`Incident: ${RLO.repeat(100)}`).text.text;
    expect(long.length).toBeLessThanOrEqual(SLACK_LIMITS.headerText);
    expect(long).not.toMatch(INVISIBLE);
    expect(long.endsWith('…')).toBe(true);
  });
});
