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
import { blockText, buttons, CHANNEL, SHOP, startWorld, USER, waitFor, type World, latestAudit } from './app-world.js';

/**
 * Each test audits a repository of its own (the same files as octo/shop), so an ignore one test
 * stores never changes the reply another test reads, whatever order they run in.
 */
const REPOS = ['kept', 'updated', 'trimmed'].map((name) => ({ ...SHOP, name }));

describe('Ignore… on a reply with a thread', () => {
  let world: World;

  beforeAll(async () => {
    world = await startWorld({ repos: REPOS });
  });
  afterAll(async () => {
    await world.close();
  });

  /** An /audit reply in CHANNEL: its repository and the ts of its first message. */
  interface Reply {
    repo: string;
    ts: string;
  }

  async function auditReply(repo: string): Promise<Reply> {
    const before = world.slack.callsTo('chat.update').length;
    await world.audit(repo);
    const update = await waitFor(() => world.slack.callsTo('chat.update').slice(before).find((c) => String(c.params.text).startsWith(`${repo}@`)), `the audit of ${repo}`);
    await world.bot.service.idle();
    return { repo, ts: String(update.params.ts) };
  }

  const stored = (reply: Reply) => latestAudit(world, reply.repo);
  const threadTexts = (reply: Reply) => world.slack.thread(CHANNEL, reply.ts).map((m) => blockText(m.blocks));
  const renderedReplies = async (reply: Reply) => (await world.bot.service.render(await stored(reply))).replies.map((r) => blockText(r.blocks));

  /** Presses the n-th Ignore… of the message and submits the modal with a reason. */
  async function ignore(reply: Reply, n: number): Promise<void> {
    const opens = world.slack.callsTo('views.open').length;
    const button = buttons(world.slack.message(CHANNEL, reply.ts)!.blocks).filter((b) => b.action_id === 'audit_ignore')[n]!;
    await world.send(blockAction({ actionId: 'audit_ignore', value: button.value!, channel: CHANNEL, message_ts: reply.ts, blockId: 'f:x' }));
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
    const reply = await auditReply('octo/kept');
    const thread = world.slack.thread(CHANNEL, reply.ts);
    expect(thread.length).toBeGreaterThan(0);
    expect((await stored(reply)).replyParts).toEqual(thread.map((m) => m.ts));
  });

  it('updates every continuation message after an ignore, not only the first message', async () => {
    const reply = await auditReply('octo/updated');
    const before = threadTexts(reply);
    await ignore(reply, 0);
    expect(await world.bot.service.state.ignoresForRepo(reply.repo)).toHaveLength(1);
    const after = threadTexts(reply);
    expect(after).not.toEqual(before); // the re-render changed the thread…
    expect(after).toEqual(await renderedReplies(reply)); // …and the thread shows it, part by part
    expect((await stored(reply)).replyParts).toEqual(world.slack.thread(CHANNEL, reply.ts).map((m) => m.ts));
    expect(world.slack.violations).toEqual([]);
  });

  it('deletes a continuation the reply no longer needs', async () => {
    const reply = await auditReply('octo/trimmed');
    // A reply that once needed one more message than it does now.
    const client = new webApi.WebClient(FAKE_BOT_TOKEN, { slackApiUrl: world.slack.url, retryConfig: { retries: 0 } });
    const extra = await client.chat.postMessage({ channel: CHANNEL, thread_ts: reply.ts, text: 'an older, longer reply went on here' });
    const parts = (await stored(reply)).replyParts!;
    await world.bot.service.state.setReplyParts((await stored(reply)).id, [...parts, extra.ts!]);

    await ignore(reply, 1);
    expect(world.slack.callsTo('chat.delete').map((c) => c.params.ts)).toEqual([extra.ts]);
    expect(world.slack.thread(CHANNEL, reply.ts).map((m) => m.ts)).toEqual(parts);
    expect((await stored(reply)).replyParts).toEqual(parts);
    expect(threadTexts(reply)).toEqual(await renderedReplies(reply));
  });
});
