/**
 * Delivering a long /audit reply: its thread continuations go out at Slack's pace (the fake answers
 * 429 to a channel flooded with posts, as Slack does), at most MAX_REPLY_CONTINUATIONS of them, the
 * last saying what was left out and where the whole list is. A part Slack refuses costs that part
 * and those after it, said in the message, never the results already posted.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { MAX_REPLY_CONTINUATIONS } from '../../src/slack/audit-service.js';
import type { FakeRepoInit } from '../fakes/github.js';
import { blockAction, ignoreModalValues, viewSubmission } from '../helpers/slack-requests.js';
import { blockText, buttons, CHANNEL, latestAudit, SHOP, startWorld, TEST_CHANNEL_PACE, USER, waitFor, type World } from './app-world.js';

/** A monorepo of `services` services pinning old django, pillow, salt and ansible: a reply of dozens of messages. */
function monorepo(services: number): FakeRepoInit {
  const files: Record<string, string> = { 'README.md': '# mono\n' };
  for (let i = 0; i < services; i++) {
    files[`services/svc${String(i).padStart(3, '0')}/requirements.txt`] = [`django==1.4.${i}`, `pillow==2.${i}.0`, `salt==2015.5.${i}`, `ansible==2.0.${i}`].join('\n') + '\n';
  }
  return { owner: 'octo', name: 'mono', files };
}

let world: World | undefined;
afterEach(async () => {
  await world?.close();
  world = undefined;
});

async function auditMono(services = 40): Promise<World> {
  world = await startWorld({ repos: [monorepo(services)], osvRetries: 0 });
  await world.audit('octo/mono');
  await waitFor(() => world!.slack.callsTo('chat.update')[0], 'the audit');
  await world.bot.service.idle();
  return world;
}

/** The Slack calls that wrote to the channel (posts, edits, deletes), in the order the fake took them. */
function writes(w: World) {
  return w.slack.calls.filter((c) => ['chat.postMessage', 'chat.update', 'chat.delete'].includes(c.method) && c.params.channel === CHANNEL);
}

describe('a reply too long for its thread', () => {
  it('posts at most MAX_REPLY_CONTINUATIONS continuations, the last saying how many parts were left out and how to get them all', async () => {
    const w = await auditMono();
    const message = w.channel()[0]!;
    const record = await latestAudit(w, 'octo/mono');
    const all = (await w.bot.service.render(record)).replies.length;
    expect(all).toBeGreaterThan(MAX_REPLY_CONTINUATIONS);
    const thread = w.slack.thread(CHANNEL, message.ts);
    expect(thread).toHaveLength(MAX_REPLY_CONTINUATIONS);
    expect(record.replyParts).toEqual(thread.map((m) => m.ts));
    const last = blockText(thread.at(-1)!.blocks);
    expect(last).toContain(`continued (${MAX_REPLY_CONTINUATIONS + 1}/${all + 1})`);
    expect(last).toContain(`${all - MAX_REPLY_CONTINUATIONS} more parts of this reply not posted, to keep the channel readable.`);
    expect(last).toContain(`\`depwatch audit octo/mono@${record.sha}\``);
    expect(blockText(message.blocks)).not.toContain('Could not audit');
    expect(w.slack.violations).toEqual([]);
  });

  it('posts at the channel pace, never meeting a 429, with the answer itself first', async () => {
    const w = await auditMono();
    expect(w.slack.calls.filter((c) => c.status === 429)).toEqual([]);
    const times = writes(w).map((c) => c.time);
    // A burst, then one call an interval: any burst + 1 calls in a row span an interval at least.
    const { burst = 1, minIntervalMs = 1000 } = TEST_CHANNEL_PACE;
    for (let i = 0; i + burst < times.length; i++) expect(times[i + burst]! - times[i]!).toBeGreaterThanOrEqual(minIntervalMs - 1);
    // The whole reply took about (calls - burst) intervals.
    expect(times.at(-1)! - times[0]!).toBeGreaterThanOrEqual((times.length - 1 - burst) * minIntervalMs - 50);
    // The placeholder, then the results in its place, then the thread.
    const [placeholder, answer, ...rest] = writes(w);
    expect([placeholder?.method, answer?.method, answer?.params.ts]).toEqual(['chat.postMessage', 'chat.update', w.channel()[0]!.ts]);
    expect(rest.filter((c) => c.method === 'chat.postMessage').every((c) => c.params.thread_ts === answer?.params.ts)).toBe(true);
  });

  it('re-renders only the capped thread after Ignore…, at the same pace', async () => {
    const w = await auditMono();
    const parent = w.channel()[0]!.ts;
    const before = writes(w).length;
    await ignoreFirst(w, parent);
    const edits = writes(w).slice(before);
    expect(edits.filter((c) => c.method === 'chat.update')).toHaveLength(MAX_REPLY_CONTINUATIONS + 1);
    expect(edits.filter((c) => c.method === 'chat.postMessage')).toEqual([]);
    expect(w.slack.calls.filter((c) => c.status === 429)).toEqual([]);
    expect(w.slack.thread(CHANNEL, parent)).toHaveLength(MAX_REPLY_CONTINUATIONS);
  });
});

describe('a part of the reply Slack refuses', () => {
  it('keeps the results and what was posted, and says in the message which parts are missing and what to do', async () => {
    world = await startWorld({ repos: [monorepo(40)], osvRetries: 0 });
    const w = world;
    // The placeholder and part 2 go out; every post after them is refused (Slack does not retry fatal_error).
    w.slack.failLater('chat.postMessage', 'fatal_error', { after: 2, times: 50 });
    await w.audit('octo/mono');
    await waitFor(() => w.slack.callsTo('chat.update')[0], 'the audit');
    await w.bot.service.idle();
    w.slack.unscript('chat.postMessage');

    const message = w.channel()[0]!;
    const text = blockText(message.blocks);
    expect(message.text).toMatch(/^octo\/mono@[0-9a-f]{7}: \d+ vulnerabilities/);
    expect(text).not.toContain('Could not audit');
    const total = (await w.bot.service.render(await latestAudit(w, 'octo/mono'))).replies.length + 1;
    expect(text).toContain(`This reply is incomplete:* part 3 of ${total} could not be posted in the thread (Slack: fatal_error), so parts 3–${total} of ${total} are missing`);
    expect(text).toContain('Run `/audit octo/mono` again for the whole reply.');
    const thread = w.slack.thread(CHANNEL, message.ts);
    expect(thread.map((m) => blockText(m.blocks).match(/continued \(\d+\/\d+\)/)?.[0])).toEqual([`continued (2/${total})`]);
    // Nothing but the reply: no error to the requester, no stack trace anywhere in Slack.
    expect(w.slack.responses).toEqual([]);
    expect(w.slack.ephemerals()).toEqual([]);
    expect(JSON.stringify(w.slack.calls.map((c) => c.params))).not.toMatch(/\bat .*\.[jt]s:\d+/);
    expect(w.logs.find((l) => l.msg === 'could not post a part of the audit reply; the reply says it is incomplete')).toMatchObject({ part: 3, parts: total });

    // The next edit (an Ignore…) posts what was missing, and the message stops saying it is incomplete.
    await ignoreFirst(w, message.ts);
    expect(blockText(w.channel()[0]!.blocks)).not.toContain('incomplete');
    expect(w.slack.thread(CHANNEL, message.ts)).toHaveLength(MAX_REPLY_CONTINUATIONS);
    expect((await latestAudit(w, 'octo/mono')).replyParts).toEqual(w.slack.thread(CHANNEL, message.ts).map((m) => m.ts));
  });

  it('says a part still rate limited after the retries as rate limited, keeping the results', async () => {
    world = await startWorld({ repos: [monorepo(12)], osvRetries: 0 });
    const w = world;
    await w.audit('octo/mono');
    await waitFor(() => w.slack.callsTo('chat.postMessage')[0], 'the placeholder');
    // The test app's client does not retry: the first 429 outlasts its retries.
    for (let i = 0; i < 20; i++) w.slack.rateLimitNext('chat.postMessage', 0);
    await waitFor(() => w.slack.callsTo('chat.update')[0], 'the audit');
    await w.bot.service.idle();
    w.slack.unscript('chat.postMessage');
    const text = blockText(w.channel()[0]!.blocks);
    expect(text).toMatch(/\d+ vulnerabilities/);
    expect(text).toMatch(/This reply is incomplete:\* part 2 of \d+ could not be posted in the thread \(Slack: rate limited\)/);
    expect(w.slack.ephemerals()).toEqual([]);
  });
});

/** A repository whose reply fits in one message: every edit of the reply is an edit of its own message. */
const TINY: FakeRepoInit = { owner: 'octo', name: 'tiny', files: { 'requirements.txt': 'flask==0.12.2\n' } };

describe('the reply’s own message Slack will not edit', () => {
  it('posts the finished audit as a new message instead of saying "Could not audit", and keeps that one as the reply', async () => {
    world = await startWorld({ repos: [TINY] });
    const w = world;
    // The edit that puts the result in place of "Auditing…" is refused.
    w.slack.failLater('chat.update', 'cant_update_message', { after: 0, times: 1 });
    await w.audit('octo/tiny');
    await waitFor(() => w.slack.callsTo('chat.update')[0], 'the refused edit');
    await w.bot.service.idle();

    const record = await latestAudit(w, 'octo/tiny');
    expect((await w.bot.service.render(record)).replies).toEqual([]);
    const { first } = await w.bot.service.render(record);
    // One message in the channel, the complete result: the one Slack would not edit is deleted.
    const messages = w.channel();
    expect(messages.map((m) => m.text)).toEqual([first.text]);
    expect(messages[0]!.blocks).toEqual(first.blocks);
    expect(blockText(messages[0]!.blocks)).not.toContain('Could not audit');
    expect(record.ts).toBe(messages[0]!.ts);
    expect(w.logs.find((l) => l.msg === 'Slack refused the edit of the audit reply; posting it as a new message')).toBeDefined();
    expect(w.logs.find((l) => l.msg === 'audit failed')).toBeUndefined();

    // Its buttons edit the new message from now on.
    await ignoreFirst(w, messages[0]!.ts);
    expect(w.slack.callsTo('chat.update').at(-1)!.params.ts).toBe(messages[0]!.ts);
    expect(w.channel()).toHaveLength(1);
  });

  it('moves a reply with a thread whose message Slack will not edit any more: the new message gets the result and the thread, the old ones go', async () => {
    world = await startWorld({ repos: [SHOP] });
    const w = world;
    await w.audit('octo/shop');
    await waitFor(() => w.slack.callsTo('chat.update')[0], 'the audit');
    await w.bot.service.idle();
    const old = w.channel()[0]!;
    const oldThread = w.slack.thread(CHANNEL, old.ts);
    expect(oldThread.length).toBeGreaterThan(0);

    // An Ignore… re-renders the reply: its thread first, then the message, which Slack now refuses.
    w.slack.refuseEditsOf(CHANNEL, old.ts, 'cant_update_message');
    await ignoreFirst(w, old.ts);

    const record = await latestAudit(w, 'octo/shop');
    const rendered = await w.bot.service.render(record);
    const [moved, ...others] = w.channel();
    expect(others).toEqual([]);
    expect(moved!.ts).not.toBe(old.ts);
    expect(record.ts).toBe(moved!.ts);
    expect(moved!.text).toBe(rendered.first.text);
    expect(moved!.blocks).toEqual(rendered.first.blocks);
    const thread = w.slack.thread(CHANNEL, moved!.ts);
    expect(thread.map((m) => m.text)).toEqual(rendered.replies.map((r) => r.text));
    expect(record.replyParts).toEqual(thread.map((m) => m.ts));
    // The old thread is gone with its message.
    for (const part of oldThread) expect(w.slack.message(CHANNEL, part.ts)).toBeUndefined();
  });

  it('still ends with the complete result when Slack refuses every edit: the result a new message, the one it could not edit deleted', async () => {
    world = await startWorld({ repos: [TINY] });
    const w = world;
    w.slack.failLater('chat.update', 'cant_update_message', { after: 0, times: 100 });
    await w.audit('octo/tiny');
    await waitFor(() => w.slack.callsTo('chat.update')[0], 'the refused edits');
    await w.bot.service.idle();
    w.slack.unscript('chat.update');

    const record = await latestAudit(w, 'octo/tiny');
    const { first } = await w.bot.service.render(record);
    expect(w.channel().map((m) => m.text)).toEqual([first.text]);
    expect(record.ts).toBe(w.channel()[0]!.ts);
    expect(w.slack.ephemerals()).toEqual([]);
  });
});

/** Three services pinning the same old releases: each package is in three places. */
const TRIPLETS: FakeRepoInit = {
  owner: 'octo',
  name: 'triplets',
  files: Object.fromEntries(
    ['a', 'b', 'c'].map((svc) => [`services/${svc}/requirements.txt`, ['django==1.4.0', 'pillow==2.0.0', 'salt==2015.5.0', 'ansible==2.0.0', 'jinja2==2.10', 'requests==2.18.4'].join('\n') + '\n']),
  ),
};

describe('the one-line list of packages past the detailed ones', () => {
  it('names every place of a package, as its detailed section does, not only the first', async () => {
    world = await startWorld({ repos: [TRIPLETS], osvRetries: 0 });
    const w = world;
    await w.audit('octo/triplets');
    await waitFor(() => w.slack.callsTo('chat.update')[0], 'the audit');
    await w.bot.service.idle();

    const message = w.channel()[0]!;
    const lines = [message, ...w.slack.thread(CHANNEL, message.ts)].flatMap((m) => blockText(m.blocks).split('\n'));
    // A package line of the one-line list: its headline, its places and its advisories, joined by " · ".
    const compact = lines.filter((l) => / · .*requirements\.txt:\d+.* · /.test(l) && !l.startsWith('At '));
    expect(compact.length).toBeGreaterThan(0);
    for (const line of compact) {
      for (const svc of ['a', 'b', 'c']) expect(line).toContain(`services/${svc}/requirements.txt:`);
    }
  });
});

/** Presses the first Ignore… of the reply and submits the modal, then waits for the re-render. */
async function ignoreFirst(w: World, parentTs: string): Promise<void> {
  const opens = w.slack.callsTo('views.open').length;
  const button = buttons(w.slack.message(CHANNEL, parentTs)!.blocks).find((b) => b.action_id === 'audit_ignore')!;
  await w.send(blockAction({ actionId: 'audit_ignore', value: button.value!, channel: CHANNEL, message_ts: parentTs, blockId: 'f:x' }));
  const opened = await waitFor(() => w.slack.callsTo('views.open')[opens], 'views.open');
  const view = opened.params.view as { private_metadata: string; blocks: { block_id?: string; element?: { initial_value?: string } }[] };
  const initial = (blockId: string) => view.blocks.find((b) => b.block_id === blockId)?.element?.initial_value ?? '';
  const response = await w.send(
    viewSubmission({
      callbackId: 'ignore_submit',
      privateMetadata: view.private_metadata,
      user: USER,
      values: ignoreModalValues({ advisory: initial('ignore_advisory'), reason: 'Not reachable in our deployment', until: '2999-12-31', pkg: initial('ignore_package') }),
    }),
  );
  expect(response.status).toBe(200);
  await w.bot.service.idle();
}
