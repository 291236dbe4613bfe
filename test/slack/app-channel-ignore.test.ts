/**
 * `/audit ignore` stops reporting an advisory in the channel it was typed in: the channel's
 * `/audit owner/repo` replies count it as ignored (listed under *Ignored*, with the reason and the
 * channel that set it), and `/audit list` counts it apart from the open vulnerabilities. Another
 * channel's replies still report it.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { blockText, CHANNEL, startWorld, USER, waitFor, type World } from './app-world.js';

const ADVISORY = 'PYSEC-2023-221'; // werkzeug 0.14.1, the one high finding of octo/shop
const OTHER_CHANNEL = 'C0OTHER0001';

const responseText = (w: World, id: string) =>
  w.slack.responses
    .filter((r) => r.id === id)
    .map((r) => `${String((r.body as { text?: unknown }).text ?? '')}\n${blockText((r.body as { blocks?: unknown }).blocks ?? [])}`)
    .join('\n');

let world: World;
beforeAll(async () => {
  world = await startWorld({ watch: {}, env: { DEPWATCH_CODE_SCAN: '0' } });
  const ignored = await world.audit(`ignore ${ADVISORY} we never run the debugger package:werkzeug until 2099-01-31`);
  expect(await waitFor(() => responseText(world, ignored.responseId), 'the ignore reply')).toContain(`ignored ${ADVISORY} for werkzeug in this channel until 2099-01-31`);
});
afterAll(async () => {
  await world.close();
});

/** The reply to `/audit octo/shop` in `channel`: the message and its thread. */
async function replyIn(channel: string): Promise<string> {
  const before = world.slack.callsTo('chat.update').length;
  await world.audit('octo/shop', { channel });
  await waitFor(() => world.slack.callsTo('chat.update').length > before, 'the audit reply');
  await world.bot.service.idle();
  const root = world.channel(channel).at(-1)!;
  return [root, ...world.slack.thread(channel, root.ts)].map((m) => blockText(m.blocks)).join('\n');
}

describe('/audit ignore in a channel', () => {
  it("applies to the channel's /audit replies: counted and listed as ignored, with the channel that set it", async () => {
    const text = await replyIn(CHANNEL);
    // Without the ignore: 24 vulnerabilities, 1 high (werkzeug's).
    expect(text).toContain('*23 vulnerabilities in 10 releases of 9 packages:* ⚪ 23 not rated (count as high)');
    expect(text).toContain(' · 1 ignored');
    expect(text).toMatch(new RegExp(`\\*Ignored:\\* 1\\n• <https://osv\\.dev/vulnerability/${ADVISORY}\\|${ADVISORY}> in \\*werkzeug\\*: “we never run the debugger” \\(\`/audit ignore\` in <#${CHANNEL}> until 2099-01-31\\)`));
    // A channel ignore is for whichever watched repository has the advisory: never "matches nothing; remove it".
    expect(text).not.toContain('matches nothing');
    expect(world.slack.violations).toEqual([]);
  });

  it("leaves other channels' replies as they were", async () => {
    const text = await replyIn(OTHER_CHANNEL);
    expect(text).toContain('*24 vulnerabilities in 10 releases of 9 packages:* 🟠 1 high · ⚪ 23 not rated (count as high)');
    expect(text).not.toContain('*Ignored:*');
  });

  it('counts it apart in /audit list', async () => {
    await world.watch!.state.addWatch({ repo: 'octo/shop', channel: CHANNEL, userId: USER, private: false, adminLinked: false, now: new Date() });
    await world.watch!.sweeps.runNow();
    const list = await world.audit('list');
    const text = await waitFor(() => responseText(world, list.responseId), 'the list');
    expect(text).toMatch(/\*octo\/shop\*: 23 open vulnerabilities \(and 1 ignored here\), checked /);
    expect(text).toContain(`${ADVISORY} (werkzeug): we never run the debugger — until 2099-01-31`);
  });
});
