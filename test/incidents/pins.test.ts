/**
 * 📌 reactions over signed HTTP: a pinned message goes onto the timeline of the incident whose
 * thread holds it, whoever posted it (reminders, which the outbox posts without recording them,
 * included); a message outside every incident's thread goes to the channel's only open incident,
 * and with several open the bot does not guess.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { runReminderTick } from '../../src/incidents/reminders.js';
import { getIncident, listTimeline } from '../../src/store/incidents.js';
import { ALICE, CAROL, CHANNEL, startHarness, waitFor, type Harness } from './harness.js';

let h: Harness;
beforeEach(async () => {
  h = await startHarness();
});
afterEach(async () => {
  await h.close();
});

const minutes = (n: number): void => {
  h.clock.ms += n * 60_000;
};
const pin = (ts: string) => h.event({ type: 'reaction_added', user: CAROL, reaction: 'pushpin', item_user: ALICE, item: { type: 'message', channel: CHANNEL, ts }, event_ts: '1732788500.000100' });
const pinsOf = (incidentId: number) => listTimeline(h.db, incidentId).filter((e) => e.type === 'pin');
const rootOf = (incidentId: number): string => getIncident(h.db, incidentId)?.rootTs ?? '';

/** `/incident start`, waited for until its checklist is in its thread. */
async function start(id: number, title: string): Promise<void> {
  await h.command(`start medium ${title}`);
  await waitFor(() => rootOf(id) !== '' && h.fake.thread(CHANNEL, rootOf(id)).some((m) => m.text.startsWith('Checklist')), `incident #${id}`);
}

/** A message someone posts: Depwatch never recorded it. */
async function someonePosts(text: string, threadTs?: string): Promise<string> {
  const posted = await h.webClient.chat.postMessage({ channel: CHANNEL, text, ...(threadTs ? { thread_ts: threadTs } : {}) });
  return posted.ts ?? '';
}

describe('a 📌 on a message Depwatch did not record', () => {
  it('puts a reminder on the timeline of the incident it reminds of, though a newer incident is open in the channel', async () => {
    await start(1, 'Lockfile drift');
    minutes(20);
    await start(2, 'Typosquat in requirements');
    // Only incident 1 has an overdue step by now; the outbox posts its reminder in incident 1's thread.
    expect((await runReminderTick(h.reminderDeps())).reminded).toBe(1);
    const reminder = h.fake.thread(CHANNEL, rootOf(1)).find((m) => m.text.startsWith('Reminder'))!;

    await pin(reminder.ts);
    await waitFor(() => pinsOf(1).length === 1, 'the pin on incident 1');
    expect(pinsOf(1)[0]).toMatchObject({ actor: CAROL, messageTs: reminder.ts, text: expect.stringMatching(/^📌 pinned a message: https:\/\//) });
    expect(pinsOf(2)).toEqual([]);
    expect(h.fake.violations).toEqual([]);
  });

  it("puts someone's reply in an incident's thread on that incident", async () => {
    await start(1, 'Lockfile drift');
    await start(2, 'Typosquat in requirements');
    const reply = await someonePosts('api pinned to 2.3.8, deploying', rootOf(1));

    await pin(reply);
    await waitFor(() => pinsOf(1).length === 1, 'the pin on incident 1');
    expect(pinsOf(2)).toEqual([]);
  });

  it('puts a message outside every incident thread on the only open incident of the channel', async () => {
    await start(1, 'Lockfile drift');
    const message = await someonePosts('heads-up: the mirror is down too');

    await pin(message);
    await waitFor(() => pinsOf(1).length === 1, 'the pin on incident 1');
    expect(h.logs).toEqual([]);
  });

  it('does not guess between two open incidents for a message outside their threads, and logs the pin it left out', async () => {
    await start(1, 'Lockfile drift');
    await start(2, 'Typosquat in requirements');
    const message = await someonePosts('heads-up: the mirror is down too');

    await pin(message);
    await waitFor(() => h.logs.some((line) => line.includes('📌')), 'the log line');
    expect(h.logs).toEqual([expect.stringMatching(new RegExp(`^incident: a 📌 outside every open incident's thread was not put on a timeline: 2 incidents are open in the channel .*"ts":"${message.replace('.', '\\.')}"`))]);
    expect([pinsOf(1), pinsOf(2)]).toEqual([[], []]);
  });

  it('does not guess between two open incidents when Slack will not say which thread holds the message', async () => {
    await start(1, 'Lockfile drift');
    await start(2, 'Typosquat in requirements');
    const reply = await someonePosts('api pinned to 2.3.8, deploying', rootOf(1));
    h.fake.failNext('conversations.replies', 'missing_scope');

    await pin(reply);
    await waitFor(() => h.logs.some((line) => line.includes('not put on a timeline')), 'the log line');
    expect(h.logs).toEqual([expect.stringContaining('missing_scope'), expect.stringContaining('2 incidents are open in the channel')]);
    expect([pinsOf(1), pinsOf(2)]).toEqual([[], []]);
  });
});
