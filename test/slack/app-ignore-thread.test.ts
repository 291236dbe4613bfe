/**
 * An /audit reply too long for one message continues in its thread. After Ignore…, the whole reply
 * is re-rendered: the thread's continuation messages are updated in place too (their ts are kept
 * with the audit), and one no longer needed is deleted (chat:write lets the bot delete its own
 * messages, so no new scope).
 */
import { webApi } from '@slack/bolt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FAKE_BOT_TOKEN } from '../fakes/slack-api.js';
import { blockAction, ignoreModalValues, viewSubmission } from '../helpers/slack-requests.js';
import { blockText, buttons, CHANNEL, startWorld, USER, waitFor, type World, latestAudit } from './app-world.js';

describe('Ignore… on a reply with a thread', () => {
  let world: World;
  let parentTs: string;

  beforeAll(async () => {
    world = await startWorld();
    await world.audit('octo/shop');
    await waitFor(() => world.slack.callsTo('chat.update')[0], 'the audit');
    await world.bot.service.idle();
    parentTs = world.channel()[0]!.ts;
  });
  afterAll(async () => {
    await world.close();
  });

  const stored = () => latestAudit(world, 'octo/shop');
  const threadTexts = () => world.slack.thread(CHANNEL, parentTs).map((m) => blockText(m.blocks));
  const renderedReplies = async () => (await world.bot.service.render(await stored())).replies.map((r) => blockText(r.blocks));

  /** Presses the n-th Ignore… of the message and submits the modal with a reason. */
  async function ignore(n: number): Promise<void> {
    const opens = world.slack.callsTo('views.open').length;
    const button = buttons(world.slack.message(CHANNEL, parentTs)!.blocks).filter((b) => b.action_id === 'audit_ignore')[n]!;
    await world.send(blockAction({ actionId: 'audit_ignore', value: button.value!, channel: CHANNEL, message_ts: parentTs, blockId: 'f:x' }));
    const opened = await waitFor(() => world.slack.callsTo('views.open')[opens], 'views.open');
    const view = opened.params.view as { private_metadata: string; blocks: { block_id?: string; element?: { initial_value?: string } }[] };
    const initial = (blockId: string) => view.blocks.find((b) => b.block_id === blockId)?.element?.initial_value;
    const [advisory, pkg] = [initial('ignore_advisory'), initial('ignore_package')];
    const response = await world.send(
      viewSubmission({
        callbackId: 'ignore_submit',
        privateMetadata: view.private_metadata,
        user: USER,
        values: ignoreModalValues({ advisory: advisory ?? '', reason: 'Not reachable in our deployment', until: '2999-12-31', pkg: pkg ?? '' }),
      }),
    );
    expect(response.status).toBe(200);
    await world.bot.service.idle();
  }

  it('keeps the continuation messages with the audit', async () => {
    const thread = world.slack.thread(CHANNEL, parentTs);
    expect(thread.length).toBeGreaterThan(0);
    expect((await stored()).replyParts).toEqual(thread.map((m) => m.ts));
  });

  it('updates every continuation message after an ignore, not only the first message', async () => {
    const before = threadTexts();
    await ignore(0);
    expect(await world.bot.service.state.ignoresForRepo('octo/shop')).toHaveLength(1);
    const after = threadTexts();
    expect(after).not.toEqual(before); // the re-render changed the thread…
    expect(after).toEqual(await renderedReplies()); // …and the thread shows it, part by part
    expect((await stored()).replyParts).toEqual(world.slack.thread(CHANNEL, parentTs).map((m) => m.ts));
    expect(world.slack.violations).toEqual([]);
  });

  it('deletes a continuation the reply no longer needs', async () => {
    // A reply that once needed one more message than it does now.
    const client = new webApi.WebClient(FAKE_BOT_TOKEN, { slackApiUrl: world.slack.url, retryConfig: { retries: 0 } });
    const extra = await client.chat.postMessage({ channel: CHANNEL, thread_ts: parentTs, text: 'an older, longer reply went on here' });
    const parts = (await stored()).replyParts!;
    await world.bot.service.state.setReplyParts((await stored()).id, [...parts, extra.ts!]);

    await ignore(1);
    expect(world.slack.callsTo('chat.delete').map((c) => c.params.ts)).toEqual([extra.ts]);
    expect(world.slack.thread(CHANNEL, parentTs).map((m) => m.ts)).toEqual(parts);
    expect((await stored()).replyParts).toEqual(parts);
    expect(threadTexts()).toEqual(await renderedReplies());
  });
});
