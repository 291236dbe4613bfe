/**
 * Slack sends a slash command's `&`, `<` and `>` as `&amp;`, `&lt;` and `&gt;` (its one escaping
 * system, beside real markup such as mentions). The incident keeps what was typed: the title in
 * plain_text headers, the report and the length limit is "R&D", and a typed "<!channel>" still
 * notifies nobody.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { getIncident } from '../../src/store/incidents.js';
import { commandText } from '../../src/slack/command-text.js';
import { CHANNEL, startHarness, waitFor, type Harness } from './harness.js';

let h: Harness;

beforeEach(async () => {
  h = await startHarness();
});

afterEach(async () => {
  await h.close();
});

describe('command text as typed', () => {
  it('decodes the three entities once, leaving real markup alone', () => {
    expect(commandText('R&amp;D &lt;b&gt; &amp;lt; <@U0BOB000001|bob> <https://x.example/?a=1&amp;b=2>')).toBe('R&D <b> &lt; <@U0BOB000001|bob> <https://x.example/?a=1&b=2>');
  });

  it('titles the incident "R&D leak", in the header and the store, and escapes a typed broadcast', async () => {
    await h.command('start high R&amp;D leak &lt;!channel&gt;');
    await waitFor(() => h.fake.messages(CHANNEL).length === 1, 'the incident');
    expect(getIncident(h.db, 1)?.title).toBe('R&D leak <!channel>');
    const root = JSON.stringify(h.root().blocks);
    expect(root).toContain('"type":"plain_text","text":"🚨 Incident #1: R&D leak <!channel>"');
    expect(root).not.toContain('&amp;amp;');
    expect(h.fake.violations).toEqual([]);
  });

  it('counts the length of what was typed', async () => {
    await h.command(`start high ${'&amp;'.repeat(150)}`);
    await waitFor(() => h.fake.messages(CHANNEL).length === 1, 'the incident');
    expect(getIncident(h.db, 1)?.title).toBe('&'.repeat(150));
  });
});
