/**
 * A step owner a DM cannot reach (deactivated account, unknown id, a bot) is not counted or
 * recorded as reminded: the commander is reminded in their place, told the owner could not be
 * reached, and Slack is not asked about the departed account again every interval.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { runReminderTick } from '../../src/incidents/reminders.js';
import { getStep, listTimeline } from '../../src/store/incidents.js';
import { ALICE, BOB, CHANNEL, startHarness, waitFor, type Harness } from './harness.js';

let h: Harness;

beforeEach(async () => {
  h = await startHarness();
});

afterEach(async () => {
  await h.close();
});

const opensFor = (user: string): number => h.fake.callsTo('conversations.open').filter((c) => c.params.users === user).length;

describe('a reminder for an owner no DM reaches', () => {
  it('reminds the commander instead, says why in the thread and the timeline, and does not ask again each interval', async () => {
    await h.command('start medium Token leak');
    await waitFor(() => h.fake.messages(CHANNEL).length === 1 && h.thread().some((m) => m.text.startsWith('Checklist')), 'incident and its checklist');
    await h.click({ actionId: 'incident_step_assign', actionType: 'users_select', blockId: 'incident_step:1:1:0', selectedUser: BOB, user: ALICE, message_ts: h.checklist(0).ts });
    await waitFor(() => getStep(h.db, 1, 1)?.owner === BOB, 'step 1 assigned to Bob');
    h.clock.ms += 20 * 60_000;
    // Bob's account is deactivated after he took the step.
    h.fake.failNext('conversations.open', 'user_disabled');
    const deps = h.reminderDeps();
    const asked = opensFor(BOB);

    const tick = await runReminderTick(deps);
    expect(tick).toEqual({ reminded: 1, direct: 1 });
    const reminder = h.thread().find((m) => m.text.startsWith('Reminder'));
    expect(JSON.stringify(reminder?.blocks)).toContain(`⏰ <@${ALICE}>: step 1`);
    expect(JSON.stringify(reminder?.blocks)).toContain(`Its owner <@${BOB}> could not be reached by DM (their account is deactivated): reassign it.`);
    // The DM went to the commander; nothing was written for Bob.
    const dms = h.fake.callsTo('chat.postMessage').filter((c) => String(c.params.channel).startsWith('D'));
    expect(dms).toHaveLength(1);
    expect(h.fake.callsTo('conversations.open').filter((c) => c.params.users === ALICE && c.response && (c.response as { ok: boolean }).ok)).not.toHaveLength(0);
    expect(opensFor(BOB)).toBe(asked + 1);
    const timeline = listTimeline(h.db, 1).filter((e) => e.type === 'reminder').map((e) => e.text);
    expect(timeline).toEqual([expect.stringMatching(new RegExp(`^could not reach <@${BOB}> by DM \\(their account is deactivated\\) about “.+”, overdue; told <@${ALICE}>$`))]);
    expect(timeline.join()).not.toContain(`reminded <@${BOB}>`);

    // The next interval: the commander again, and Slack is not asked about Bob again.
    h.clock.ms += 61 * 60_000;
    const again = await runReminderTick(deps);
    expect(again.direct).toBeGreaterThan(0);
    expect(opensFor(BOB)).toBe(asked + 1);
    expect(h.fake.violations).toEqual([]);
  });

  it('tells the channel when the commander is the one no DM reaches', async () => {
    await h.command('start medium Token leak');
    await waitFor(() => h.fake.messages(CHANNEL).length === 1 && h.thread().some((m) => m.text.startsWith('Checklist')), 'incident and its checklist');
    h.clock.ms += 20 * 60_000;
    h.fake.failNext('conversations.open', 'user_not_found');
    const tick = await runReminderTick(h.reminderDeps());
    expect(tick).toEqual({ reminded: 1, direct: 0 });
    expect(h.fake.callsTo('chat.postMessage').filter((c) => String(c.params.channel).startsWith('D'))).toEqual([]);
    const reminder = h.thread().find((m) => m.text.startsWith('Reminder'));
    expect(JSON.stringify(reminder?.blocks)).toMatch(new RegExp(`⏰ Step 1 \\*.+ is still open\\. Its owner <@${ALICE}> could not be reached by DM \\(no such user in this workspace\\): reassign it\\.`));
    expect(listTimeline(h.db, 1).filter((e) => e.type === 'reminder').map((e) => e.text)).toEqual([expect.stringMatching(/; told the channel$/)]);
    expect(h.fake.messages(CHANNEL)).toHaveLength(1);
  });
});
