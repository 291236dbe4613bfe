/**
 * An edit of the /audit reply that got no clear answer from Slack (a 5xx, a dropped connection, a
 * rate limit) is sent again: chat.update of the same message with the same content is idempotent,
 * so Slack having applied the first try changes nothing. The result moves to a new message only
 * when Slack refused the edit or every try went unanswered: nothing lost, nothing posted twice.
 */
import { afterEach, describe, expect, it } from 'vitest';
import type { FakeRepoInit } from '../fakes/github.js';
import { CHANNEL, latestAudit, startWorld, waitFor, type World } from './app-world.js';
import { EDIT_ATTEMPTS } from '../../src/slack/idempotent-edit.js';

/** A repository whose reply fits in one message: every edit of the reply is an edit of its own message. */
const TINY: FakeRepoInit = { owner: 'octo', name: 'tiny', files: { 'requirements.txt': 'flask==0.12.2\n' } };

let world: World | undefined;
afterEach(async () => {
  await world?.close();
  world = undefined;
});

/** Audits octo/tiny with `script` applied to Slack before the request, and waits for the reply to settle. */
async function auditTiny(script: (w: World) => void): Promise<World> {
  world = await startWorld({ repos: [TINY] });
  const w = world;
  script(w);
  await w.audit('octo/tiny');
  await waitFor(() => w.slack.callsTo('chat.update')[0], 'the first edit');
  await w.bot.service.idle();
  return w;
}

/** The reply stayed where it was posted and holds the complete result: one message, never moved, never deleted. */
async function expectResultInPlace(w: World): Promise<void> {
  const placeholder = w.slack.callsTo('chat.postMessage')[0]!;
  const posted = (placeholder.response as { ts: string }).ts;
  const record = await latestAudit(w, 'octo/tiny');
  const { first } = await w.bot.service.render(record);
  const messages = w.channel();
  expect(messages.map((m) => m.ts)).toEqual([posted]);
  expect(messages[0]!.text).toBe(first.text);
  expect(messages[0]!.blocks).toEqual(first.blocks);
  expect(record.ts).toBe(posted);
  // Only the placeholder was posted, and nothing deleted.
  expect(w.slack.callsTo('chat.postMessage')).toHaveLength(1);
  expect(w.slack.callsTo('chat.delete')).toEqual([]);
  expect(w.logs.filter((l) => /posting it as a new message/.test(String(l.msg)))).toEqual([]);
  expect(w.slack.ephemerals()).toEqual([]);
}

describe('an edit of the reply Slack made but did not answer', () => {
  it('is sent again after a 500 that came after Slack applied it: the one reply holds the result, no copy is posted', async () => {
    const w = await auditTiny((w) => w.slack.serverErrorNext('chat.update', 500, { handled: true }));
    expect(w.slack.callsTo('chat.update')[0]!.status).toBe(500);
    await expectResultInPlace(w);
    expect(w.logs.find((l) => l.msg === 'the edit of an audit reply got no clear answer from Slack; sending it again')).toMatchObject({ attempt: 1 });
  });

  it('is sent again after the connection dropped with the edit made (a timeout as the client sees it)', async () => {
    const w = await auditTiny((w) => w.slack.dropNext('chat.update', { handled: true }));
    expect(w.slack.callsTo('chat.update')[0]!.status).toBe(0);
    await expectResultInPlace(w);
  });

  it('is sent again after a 429, once its Retry-After has passed', async () => {
    // The test app's client does not retry on its own: the 429 reaches the reply's edit.
    const w = await auditTiny((w) => w.slack.rateLimitNext('chat.update', 1));
    const [limited, again] = w.slack.callsTo('chat.update');
    expect(limited!.status).toBe(429);
    expect(again!.params.ts).toBe(limited!.params.ts);
    expect(again!.time - limited!.time).toBeGreaterThanOrEqual(1000 - 50);
    await expectResultInPlace(w);
  });

  it('is sent again after `fatal_error` (Slack: some of it may have succeeded)', async () => {
    const w = await auditTiny((w) => w.slack.failNext('chat.update', 'fatal_error'));
    await expectResultInPlace(w);
  });
});

describe('an edit of the reply Slack did not do', () => {
  it('moves the result to a new message at once when Slack refused it, without trying again', async () => {
    const w = await auditTiny((w) => w.slack.failNext('chat.update', 'edit_window_closed'));
    const refused = w.slack.callsTo('chat.update')[0]!;
    expect(w.slack.callsTo('chat.update').filter((c) => c.params.ts === refused.params.ts && c.params.text === refused.params.text)).toHaveLength(1);
    const record = await latestAudit(w, 'octo/tiny');
    const { first } = await w.bot.service.render(record);
    expect(w.channel().map((m) => m.text)).toEqual([first.text]);
    expect(record.ts).toBe(w.channel()[0]!.ts);
    expect(record.ts).not.toBe(refused.params.ts);
  });

  it('moves the result to a new message once every try went unanswered, and the one it could not edit goes', async () => {
    const w = await auditTiny((w) => {
      for (let i = 0; i < EDIT_ATTEMPTS; i++) w.slack.serverErrorNext('chat.update', 503);
    });
    const first = w.slack.callsTo('chat.update')[0]!;
    expect(w.slack.callsTo('chat.update').slice(0, EDIT_ATTEMPTS).map((c) => [c.params.ts, c.status])).toEqual(Array.from({ length: EDIT_ATTEMPTS }, () => [first.params.ts, 503]));
    const record = await latestAudit(w, 'octo/tiny');
    const { first: result } = await w.bot.service.render(record);
    expect(w.channel().map((m) => m.text)).toEqual([result.text]);
    expect(record.ts).toBe(w.channel()[0]!.ts);
    expect(w.slack.message(CHANNEL, first.params.ts as string)).toBeUndefined();
    expect(w.logs.find((l) => l.msg === 'Slack did not answer the edit of the audit reply after every try; posting it as a new message')).toBeDefined();
  });
});

describe('the message a moved reply left behind', () => {
  it('is replaced, sent again after a 500, when Slack will not delete it: it points at the new message', async () => {
    const w = await auditTiny((w) => {
      for (let i = 0; i < EDIT_ATTEMPTS; i++) w.slack.serverErrorNext('chat.update', 503);
      w.slack.failNext('chat.delete', 'cant_delete_message');
      w.slack.serverErrorNext('chat.update', 500);
    });
    const old = w.slack.callsTo('chat.update')[0]!.params.ts as string;
    const record = await latestAudit(w, 'octo/tiny');
    expect(record.ts).not.toBe(old);
    expect(w.slack.message(CHANNEL, old)?.text).toBe('This audit reply moved to a newer message below.');
    expect(w.logs.filter((l) => /could not delete or replace/.test(String(l.msg)))).toEqual([]);
  });
});

describe('the failure said in the reply’s place', () => {
  it('is sent again when its edit got a 500, so the channel is not left with “Auditing…”', async () => {
    world = await startWorld({ repos: [TINY] });
    const w = world;
    w.services.advisories = () => {
      throw new TypeError('boom');
    };
    w.slack.serverErrorNext('chat.update', 500);
    await w.audit('octo/tiny');
    await waitFor(() => w.slack.callsTo('chat.update')[0], 'the failure');
    await w.bot.service.idle();
    const messages = w.channel();
    expect(messages).toHaveLength(1);
    expect(messages[0]!.text).toMatch(/^Could not audit octo\/tiny: something went wrong \(error id E-[A-Z0-9]{5}\)$/);
    expect(w.logs.find((l) => l.msg === 'could not tell the user that the audit failed')).toBeUndefined();
  });
});
