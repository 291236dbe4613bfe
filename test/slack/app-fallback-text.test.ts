/**
 * A message's `text` is what notifications, screen readers and search show, and Slack formats
 * `*bold*`, `_italic_`, `~strike~` and `` `code` `` there as in blocks, with no escape for them. Text
 * from outside (a repository named `_shop_`, an advisory id) is written there with its formatting
 * characters as look-alikes, as a link's label is, through the real Bolt app against the fake Slack.
 */
import { afterEach, describe, expect, it } from 'vitest';
import type { FakeRepoInit } from '../fakes/github.js';
import { blockText, CHANNEL, SHOP, startWorld, USER, waitFor, type World } from './app-world.js';

const ITALIC_SHOP: FakeRepoInit = { ...SHOP, name: '_shop_' };
const ITALIC_WEB: FakeRepoInit = { owner: 'acme', name: '_web_', files: { 'requirements.txt': 'pillow==8.0.0\n' } };
const alertsJob = { key: `alerts:${CHANNEL}`, channel: CHANNEL, kind: 'alerts' as const, cron: '*/1 * * * *', timeZone: 'UTC', since: new Date(0) };

let world: World | undefined;
afterEach(async () => {
  await world?.close();
  world = undefined;
});

/** Whether `text` has a `_…_` Slack would show in italics around `name`. */
const italic = (text: string, name: string) => text.includes(`_${name}_`);

describe('outsider text in a message’s notification text', () => {
  it('an /audit reply of a repository named _shop_: its placeholder and result say ˍshopˍ, never italic', async () => {
    const w = (world = await startWorld({ repos: [ITALIC_SHOP] }));
    await w.audit('octo/_shop_');
    await waitFor(() => w.slack.callsTo('chat.update')[0], 'the audit');
    await w.bot.service.idle();

    const placeholder = w.slack.callsTo('chat.postMessage').find((c) => String(c.params.text).startsWith('Auditing'))!;
    expect(placeholder.params.text).toBe('Auditing octo/ˍshopˍ…');
    const message = w.channel()[0]!;
    expect(message.text).toMatch(/^octo\/ˍshopˍ@[0-9a-f]{7}: \d+ vulnerabilities/);
    for (const call of w.slack.calls.filter((c) => typeof c.params.text === 'string')) expect(italic(String(call.params.text), 'shop')).toBe(false);
    // The blocks name it as it is: the header is plain_text, shown character for character.
    expect(blockText(message.blocks)).toContain('Dependency audit: octo/_shop_');
  });

  it('a watch alert about acme/_web_ says ˍwebˍ in its text', async () => {
    const w = (world = await startWorld({ watch: {}, env: { DEPWATCH_CODE_SCAN: '0' }, repos: [ITALIC_WEB] }));
    await w.watch!.state.addWatch({ repo: 'acme/_web_', channel: CHANNEL, userId: USER, private: false, adminLinked: false, now: new Date() });
    await w.watch!.runJob(alertsJob, new Date());
    const said = await waitFor(() => w.channel().find((m) => m.text.startsWith('Now watching')), 'the watch-started message');
    expect(said.text).toMatch(/^Now watching acme\/ˍwebˍ: \d+ known vulnerabilities$/);
  });
});
