import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { formatUtc } from '../../src/incidents/duration.js';
import { openIncidentsForHome } from '../../src/incidents/home.js';
import { SqliteIncidentStore } from '../../src/store/incident-state/sqlite.js';
import { runReminderTick } from '../../src/incidents/reminders.js';
import type { IncidentContext } from '../../src/incidents/types.js';
import { getIncident, getStep, listActionItems, listTimeline } from '../../src/store/incidents.js';
import { ALICE, BOB, CAROL, CHANNEL, START, startHarness, valueOf, waitFor, type Harness } from './harness.js';

const CONTEXT: IncidentContext = {
  title: 'PYSEC-2019-13: SQL injection in django 2.1.5',
  severity: 'critical',
  advisory: { id: 'PYSEC-2019-13', aliases: ['CVE-2019-14234'], summary: 'SQL injection in JSONField key transforms', package: 'django' },
  repos: [
    { repo: 'octo/app', version: '2.1.5', file: 'requirements/base.txt', line: 1, url: 'https://github.com/octo/app/blob/main/requirements/base.txt#L1' },
    { repo: 'octo/api', version: '2.1.5', file: 'poetry.lock', line: 88 },
  ],
  fix: 'Upgrade django to 2.1.11 (clears every advisory above)',
};

let h: Harness;
const minutes = (n: number): void => {
  h.clock.ms += n * 60_000;
};
const iso = (offsetMinutes: number): string => new Date(Date.parse(START) + offsetMinutes * 60_000).toISOString();

beforeEach(async () => {
  h = await startHarness((value) => (value === 'alert:42' ? CONTEXT : null));
});

afterEach(async () => {
  await h.close();
});

describe('a whole incident over signed HTTP', () => {
  it('starts from an alert button, is worked through, survives a restart and closes with a report', async () => {
    // ---- an alert with a "Start incident" button, as the watch module posts it
    const alert = await h.webClient.chat.postMessage({ channel: CHANNEL, text: 'New advisory PYSEC-2019-13 affects octo/app', blocks: [{ type: 'section', text: { type: 'mrkdwn', text: 'New advisory' } }] });
    const started = await h.click({ actionId: 'start_incident', value: 'alert:42', user: ALICE, message_ts: alert.ts ?? '' });
    expect(started.status).toBe(200);
    await waitFor(() => h.fake.messages(CHANNEL).length === 2 && h.thread().filter((m) => m.text.startsWith('Checklist')).length === 2, 'root and checklist');

    const root = h.root();
    expect(root.text).toBe('🚨 Incident #1: PYSEC-2019-13: SQL injection in django 2.1.5 — critical, open, 0 of 14 steps');
    expect(JSON.stringify(root.blocks)).toContain('*Commander*\\n<@U0ALICE0001>');
    expect(JSON.stringify(root.blocks)).toContain('Upgrade django to 2.1.11');
    expect(h.checklist(0).text).toBe('Checklist for Incident #1: PYSEC-2019-13: SQL injection in django 2.1.5: 0 of 14 steps');
    expect(JSON.stringify(h.checklist(0).blocks)).toContain('octo/api 2.1.5 (poetry.lock:88)');
    // A note under the alert leads to the incident.
    await waitFor(() => h.fake.thread(CHANNEL, alert.ts ?? '').length === 1, 'note under the alert');
    expect(h.fake.thread(CHANNEL, alert.ts ?? '').map((m) => m.text)).toEqual([expect.stringMatching(/^🚨 <@U0ALICE0001> started <https:\/\/.*\|Incident #1: .*>; the checklist is in its thread\.$/)]);

    // A second press on the same alert does not start a second incident.
    await h.click({ actionId: 'start_incident', value: 'alert:42', user: BOB, message_ts: alert.ts ?? '' });
    await waitFor(() => h.fake.ephemerals(CHANNEL).length === 1, 'duplicate start notice');
    expect(h.fake.ephemerals(CHANNEL)[0]).toMatchObject({ user: BOB, text: expect.stringContaining('Incident #1: PYSEC-2019-13: SQL injection in django 2.1.5 is already open') });

    // ---- assign step 1 to Bob with the picker, then Bob completes it
    minutes(3);
    await h.click({ actionId: 'incident_step_assign', actionType: 'users_select', blockId: 'incident_step:1:1:0', selectedUser: BOB, user: ALICE, message_ts: h.checklist(0).ts });
    await waitFor(() => getStep(h.db, 1, 1)?.owner === BOB, 'assignment');
    await waitFor(() => valueOf(h.checklist(0), 'incident_step_done', '1:1:').endsWith(':1'), 'checklist re-rendered after assign');
    expect(JSON.stringify(h.checklist(0).blocks)).toContain('Owner: <@U0BOB000001>');

    minutes(7);
    await h.click({ actionId: 'incident_step_done', value: valueOf(h.checklist(0), 'incident_step_done', '1:1:'), user: BOB, message_ts: h.checklist(0).ts });
    await waitFor(() => h.checklist(0).text.endsWith('1 of 14 steps'), 'progress after done');
    expect(JSON.stringify(h.checklist(0).blocks)).toContain('▰▱▱▱▱▱▱▱▱▱ 1 of 14 steps (7%)');
    expect(JSON.stringify(h.checklist(0).blocks)).toContain('✅ ~1. Confirm the affected repos and services~');
    await waitFor(() => h.root().text.endsWith('1 of 14 steps'), 'root progress');
    expect(getIncident(h.db, 1)?.acknowledgedAt).toBe(iso(3));

    // ---- skip asks why (empty reasons are refused in the modal), then records the reason
    await h.click({ actionId: 'incident_step_skip', value: valueOf(h.checklist(0), 'incident_step_skip', '1:8:'), user: ALICE, message_ts: h.checklist(0).ts });
    await waitFor(() => h.fake.callsTo('views.open').length === 1, 'skip modal');
    const skipView = h.fake.callsTo('views.open')[0]?.params.view as { callback_id: string; private_metadata: string };
    expect(skipView.callback_id).toBe('incident_skip');
    expect(h.seal.open(skipView.private_metadata, ALICE)).toEqual({ channel: CHANNEL, data: { i: 1, s: 8, v: 0 } });
    const empty = await h.submit({ callbackId: 'incident_skip', privateMetadata: skipView.private_metadata, user: ALICE, values: { reason: { reason: { type: 'plain_text_input', value: '  ' } } } });
    expect(empty.json).toEqual({ response_action: 'errors', errors: { reason: 'Say why the step is skipped.' } });
    const skipped = await h.submit({ callbackId: 'incident_skip', privateMetadata: skipView.private_metadata, user: ALICE, values: { reason: { reason: { type: 'plain_text_input', value: 'Only internal services are affected' } } } });
    expect(skipped.status).toBe(200);
    await waitFor(() => h.checklist(0).text.endsWith('2 of 14 steps'), 'progress after skip');
    expect(getStep(h.db, 1, 8)).toMatchObject({ status: 'skipped', reason: 'Only internal services are affected', changedBy: ALICE });
    expect(JSON.stringify(h.checklist(0).blocks)).toContain('_Only internal services are affected_');

    // ---- a concurrent double press: one wins, the other is told who did it
    minutes(5);
    const containValue = valueOf(h.checklist(0), 'incident_step_done', '1:3:');
    const ephemeralsBefore = h.fake.ephemerals(CHANNEL).length;
    await Promise.all([
      h.click({ actionId: 'incident_step_done', value: containValue, user: BOB, message_ts: h.checklist(0).ts }),
      h.click({ actionId: 'incident_step_done', value: containValue, user: CAROL, message_ts: h.checklist(0).ts }),
    ]);
    await waitFor(() => h.fake.ephemerals(CHANNEL).length === ephemeralsBefore + 1, 'loser notice');
    const step3 = getStep(h.db, 1, 3);
    const loser = step3?.changedBy === BOB ? CAROL : BOB;
    expect(step3).toMatchObject({ status: 'done', version: 1 });
    expect(h.fake.ephemerals(CHANNEL).at(-1)).toMatchObject({
      user: loser,
      thread_ts: h.root().ts,
      text: expect.stringMatching(new RegExp(`^<@${step3?.changedBy}> already marked it done <!date\\^\\d+\\^\\{date_short_pretty\\} \\{time\\}\\|2024-11-28 10:15 UTC>: step 3 “Contain by upgrading, pinning, patching or mitigating”`)),
    });
    expect(listTimeline(h.db, 1).filter((e) => e.text.includes('Contain by')).map((e) => e.actor)).toEqual([step3?.changedBy]);
    expect(getIncident(h.db, 1)?.containedAt).toBe(iso(15));

    // ---- a status update from the command, then a 📌 on it lands on the timeline at its own time
    minutes(5);
    await h.command('status conditions: app patched, api pending; actions: deploying api; needs: a reviewer for octo/api#12');
    await waitFor(() => h.thread().some((m) => m.text.startsWith('Status update')), 'status update');
    const update = h.thread().find((m) => m.text.startsWith('Status update'));
    expect(JSON.stringify(update?.blocks)).toContain('*Needs:* a reviewer for octo/api#12');
    minutes(2);
    await h.event({ type: 'reaction_added', user: CAROL, reaction: 'pushpin', item_user: 'U0DEPBOT001', item: { type: 'message', channel: CHANNEL, ts: update?.ts }, event_ts: '1732788500.000100' });
    await waitFor(() => listTimeline(h.db, 1).some((e) => e.type === 'pin'), 'pin on the timeline');
    const pin = listTimeline(h.db, 1).find((e) => e.type === 'pin');
    expect(pin).toMatchObject({ actor: CAROL, at: new Date(Number(update?.ts) * 1000).toISOString(), text: expect.stringContaining('📌 pinned: Status update on Incident #1') });

    // ---- reminders after a clock jump: thread + DM, once per interval, snoozable
    minutes(100); // 12:02
    const opensBefore = h.fake.callsTo('conversations.open').length;
    const first = await runReminderTick(h.reminderDeps());
    // Overdue by 12:02: assess exposure (1 h), notify owners (30 min), agree cadence (1 h).
    expect(first).toEqual({ reminded: 3, direct: 3 });
    const reminders = h.thread().filter((m) => m.text.startsWith('Reminder'));
    expect(reminders.map((m) => m.text)).toEqual([
      'Reminder: “Notify the owners and the team” is overdue (Incident #1: PYSEC-2019-13: SQL injection in django 2.1.5)',
      'Reminder: “Assess exploitability and exposure” is overdue (Incident #1: PYSEC-2019-13: SQL injection in django 2.1.5)',
      'Reminder: “Agree a status-update cadence” is overdue (Incident #1: PYSEC-2019-13: SQL injection in django 2.1.5)',
    ]);
    const dm = h.fake.callsTo('conversations.open')[opensBefore]?.response as { channel: { id: string } };
    // Steps without an assignee belong to their role's holder, else the commander: nobody took the comms role.
    // (Each reminder first asks whether a DM reaches its owner, then the delivery opens the DM.)
    expect(h.fake.callsTo('conversations.open').slice(opensBefore).map((c) => c.params.users)).toEqual([ALICE, ALICE, ALICE, ALICE, ALICE, ALICE]);
    expect(h.fake.messages(dm.channel.id).map((m) => m.text.slice(0, 30))).toEqual(['Reminder: “Notify the owners a', 'Reminder: “Assess exploitabili', 'Reminder: “Agree a status-upda']);
    expect(JSON.stringify(h.fake.messages(dm.channel.id)[0]?.blocks)).toContain('|Incident #1: PYSEC-2019-13: SQL injection in django 2.1.5>');
    expect(await runReminderTick(h.reminderDeps())).toEqual({ reminded: 0, direct: 0 });

    const assessReminder = reminders[1];
    await h.click({ actionId: 'incident_snooze_240', value: valueOf(assessReminder, 'incident_snooze_240'), user: ALICE, message_ts: assessReminder?.ts ?? '' });
    await waitFor(() => getStep(h.db, 1, 2)?.snoozedUntil === iso(362), 'snooze');
    await waitFor(() => /^Snoozed reminders for “Assess exploitability and exposure” until <!date\^\d+\^\{date_short_pretty\} \{time\}\|2024-11-28 16:02 UTC>\.$/.test(h.fake.ephemerals(CHANNEL).at(-1)?.text ?? ''), 'snooze notice');
    minutes(61);
    const second = await runReminderTick(h.reminderDeps());
    expect(second.reminded).toBe(2);
    expect(h.thread().filter((m) => m.text.startsWith('Reminder')).slice(3).map((m) => m.text.split('”')[0])).toEqual(['Reminder: “Notify the owners and the team', 'Reminder: “Agree a status-update cadence']);

    // ---- a restart in the middle: buttons on messages from before it keep working
    const assessValue = valueOf(h.checklist(0), 'incident_step_done', '1:2:');
    const beforeRestart = h.checklist(0).ts;
    await h.restart();
    await h.click({ actionId: 'incident_step_done', value: assessValue, user: ALICE, message_ts: beforeRestart });
    await waitFor(() => h.checklist(0).text.endsWith('4 of 14 steps'), 'done after restart');
    expect(getStep(h.db, 1, 2)).toMatchObject({ status: 'done', changedBy: ALICE });
    // Part 2 of the checklist (steps 11-14) works too, and reopening works.
    const part1 = h.checklist(1);
    await h.click({ actionId: 'incident_step_na', value: valueOf(part1, 'incident_step_na', '1:14:'), user: ALICE, message_ts: part1.ts });
    await waitFor(() => getStep(h.db, 1, 14)?.status === 'na', 'not applicable');
    await waitFor(() => JSON.stringify(h.checklist(1).blocks).includes('"action_id":"incident_step_reopen","value":"1:14:1"'), 'reopen button');
    await h.click({ actionId: 'incident_step_reopen', value: '1:14:1', user: ALICE, message_ts: part1.ts });
    await waitFor(() => getStep(h.db, 1, 14)?.status === 'open', 'reopened');

    // ---- commander handover and severity change from the root message
    await h.click({ actionId: 'incident_commander', actionType: 'users_select', blockId: 'incident_root:1', selectedUser: BOB, user: ALICE, message_ts: h.root().ts });
    await waitFor(() => JSON.stringify(h.root().blocks).includes('*Commander*\\n<@U0BOB000001>'), 'new commander');
    await h.click({ actionId: 'incident_severity', actionType: 'static_select', selectedOption: { text: 'High', value: '1:high' }, user: BOB, message_ts: h.root().ts });
    await waitFor(() => getIncident(h.db, 1)?.severity === 'high', 'severity');
    await h.command('action Add hash pinning to every lockfile <@U0CAROL0001|carol>', BOB);
    await waitFor(() => h.thread().some((m) => m.text.includes('added an action item')), 'action item');

    expect((await openIncidentsForHome(new SqliteIncidentStore(h.db), { userId: ALICE, admin: false })).map((i) => [i.incident.id, i.commander, i.progress])).toEqual([[1, BOB, '▰▰▰▱▱▱▱▱▱▱ 4 of 14 steps (28%) · 1 skipped']]);

    // ---- close from the button: modal, report in the thread, Markdown file, stored
    const staleNotify = valueOf(h.checklist(0), 'incident_step_done', '1:5:');
    minutes(30);
    await h.click({ actionId: 'incident_close_open', value: '1', user: BOB, message_ts: h.root().ts });
    await waitFor(() => h.fake.callsTo('views.open').length === 2, 'close modal');
    const closeView = h.fake.callsTo('views.open')[1]?.params.view as { private_metadata: string };
    await h.submit({ callbackId: 'incident_close', privateMetadata: closeView.private_metadata, user: BOB, values: { summary: { summary: { type: 'plain_text_input', value: 'django upgraded to 2.1.11 in both services.' } } } });
    await waitFor(() => h.fake.files().some((f) => f.completed), 'report file');
    const incident = getIncident(h.db, 1);
    expect(incident).toMatchObject({ status: 'closed', closedBy: BOB, summary: 'django upgraded to 2.1.11 in both services.', acknowledgedAt: iso(3), containedAt: iso(15), resolvedAt: iso(213) });
    const file = h.fake.files()[0];
    expect(file).toMatchObject({ filename: 'incident-1-report.md', title: 'Post-incident report #1', channel: CHANNEL, thread_ts: h.root().ts });
    const markdown = file?.content?.toString('utf8') ?? '';
    expect(markdown).toBe(incident?.report);
    expect(markdown).toContain('| Time to acknowledge | 3 min |');
    expect(markdown).toContain('| Time to contain | 15 min |');
    expect(markdown).toContain('| Time to resolve | 3 h 33 min |');
    expect(markdown).toContain('| 1 | Immediate steps | Confirm the affected repos and services | @U0BOB000001 | done (@U0BOB000001) | 10 min | 15 min |');
    expect(markdown).toContain('- [ ] Add hash pinning to every lockfile — owner: @U0CAROL0001');
    // The pin is listed at the pinned message's own time (the fake hands out ts values near 10:00).
    expect(markdown).toContain(`- ${formatUtc(pin?.at ?? '')} — @U0CAROL0001 📌 pinned: Status update on Incident #1`);
    expect(markdown).toContain('handed the commander role from <@U0ALICE0001> to <@U0BOB000001>'.replace(/<@(\w+)>/g, '@$1'));
    const report = h.thread().find((m) => m.text === 'Post-incident report for Incident #1: PYSEC-2019-13: SQL injection in django 2.1.5');
    expect(JSON.stringify(report?.blocks)).toContain('*Time to contain*\\n15 min');
    // The root and checklist lose their buttons once closed.
    await waitFor(() => h.root().text.includes('closed'), 'root closed');
    expect(JSON.stringify(h.root().blocks)).not.toContain('incident_close_open');
    expect(JSON.stringify(h.checklist(0).blocks)).not.toContain('"action_id"');

    // ---- after close: no reminders, no changes, nothing on the App Home
    minutes(24 * 60);
    expect(await runReminderTick(h.reminderDeps())).toEqual({ reminded: 0, direct: 0 });
    await h.click({ actionId: 'incident_step_done', value: staleNotify, user: ALICE, message_ts: beforeRestart });
    await waitFor(() => h.fake.ephemerals(CHANNEL).at(-1)?.text.includes('closed') === true, 'closed notice');
    expect(await openIncidentsForHome(new SqliteIncidentStore(h.db), { userId: ALICE, admin: true })).toEqual([]);

    expect(h.fake.violations).toEqual([]);
    expect(h.logs).toEqual([]);
  });

  it('answers bad input with a clear message and loses nothing', async () => {
    await h.command('status all good');
    await waitFor(() => h.fake.ephemerals(CHANNEL).length === 1, 'no incident notice');
    expect(h.fake.ephemerals(CHANNEL)[0]?.text).toMatch(/^There is no open incident in this channel/);
    await h.command('start template:nope Something broke');
    await waitFor(() => h.fake.ephemerals(CHANNEL).length === 2, 'unknown template');
    expect(h.fake.ephemerals(CHANNEL)[1]?.text).toBe('There is no template `nope`. Available: `default`.');
    await h.click({ actionId: 'start_incident', value: 'alert:404', user: ALICE });
    await waitFor(() => h.fake.ephemerals(CHANNEL).length === 3, 'unknown alert');
    expect(h.fake.ephemerals(CHANNEL)[2]?.text).toMatch(/^I can no longer find that alert or finding/);
    h.fake.failNext('chat.postMessage', 'not_in_channel');
    await h.command('start low Lost in a private channel');
    await waitFor(() => h.fake.ephemerals(CHANNEL).length === 4, 'not in channel');
    expect(h.fake.ephemerals(CHANNEL)[3]?.text).toBe("I couldn't post the incident in this channel (not_in_channel). Invite me to the channel (`/invite @depwatch`) and try again.");
    await h.command('start low Second try works');
    await waitFor(() => h.fake.ephemerals(CHANNEL).length === 5, 'retry');
    expect(h.fake.ephemerals(CHANNEL)[4]?.text).toBe('Started Incident #2: Second try works. You are the commander; hand it over with the menu on the incident message.');
    expect(h.root().text).toBe('🚨 Incident #2: Second try works — low, open, 0 of 14 steps');
    await h.click({ actionId: 'incident_step_done', value: 'garbage', user: ALICE });
    await h.click({ actionId: 'incident_step_done', value: '999:1:0', user: ALICE });
    await waitFor(() => h.fake.ephemerals(CHANNEL).length === 6, 'missing incident notice');
    // The garbage value was ignored: the only notice is about the missing incident.
    expect(h.fake.ephemerals(CHANNEL).at(-1)?.text).toBe('That incident or step no longer exists.');
    expect(h.fake.violations).toEqual([]);
  });

  it('refuses a title, action item or summary over its limit with one line saying the limit, and starts or records nothing', async () => {
    const answers = () => h.fake.ephemerals(CHANNEL).map((e) => e.text);
    await h.command(`start critical ${'x'.repeat(3000)}`);
    await waitFor(() => answers().length === 1, 'the refusal');
    expect(answers()[0]).toBe('An incident title can have at most 150 characters; this one has 3000. Shorten it and send the command again.');
    expect(h.fake.messages(CHANNEL)).toEqual([]);

    // At the limit it is kept whole.
    const title = `Leaked token ${'y'.repeat(137)}`;
    await h.command(`start high ${title}`);
    await waitFor(() => answers().length === 2, 'the start');
    expect(answers()[1]).toBe(`Started Incident #1: ${title}. You are the commander; hand it over with the menu on the incident message.`);

    await h.command(`action ${'a'.repeat(501)}`);
    await waitFor(() => answers().length === 3, 'the action refusal');
    expect(answers()[2]).toBe('An action item can have at most 500 characters; this one has 501. Shorten it and send the command again.');
    await h.command(`close ${'s'.repeat(2001)}`);
    await waitFor(() => answers().length === 4, 'the close refusal');
    expect(answers()[3]).toBe('A closing summary can have at most 2000 characters; this one has 2001. Shorten it and send the command again.');
    expect(getIncident(h.db, 1)).toMatchObject({ status: 'open' });
    expect(listActionItems(h.db, 1)).toEqual([]);
    expect(h.fake.violations).toEqual([]);
  });
});

describe('the reminder scheduler', () => {
  it('ticks on its own timer until stopped', async () => {
    const { startIncidentReminders } = await import('../../src/incidents/reminders.js');
    await h.command('start medium Scheduler check');
    await waitFor(() => h.fake.messages(CHANNEL).length === 1, 'incident');
    minutes(20);
    const scheduler = startIncidentReminders({ ...h.reminderDeps(), everyMs: 20 });
    try {
      await waitFor(() => h.thread().some((m) => m.text.startsWith('Reminder: “Confirm the affected repos')), 'timer reminder');
    } finally {
      scheduler.stop();
    }
    // A tick that is still running makes an overlapping one return null; once it is done, nothing is left to remind.
    let again = await scheduler.tick();
    while (again === null) {
      await new Promise((resolve) => setTimeout(resolve, 10));
      again = await scheduler.tick();
    }
    expect(again).toEqual({ reminded: 0, direct: 0 });
    expect(h.fake.violations).toEqual([]);
  });

  it('keeps a reminder written before a crash and sends it once, later', async () => {
    await h.command('start medium Crash check');
    await waitFor(() => h.fake.messages(CHANNEL).length === 1 && h.thread().some((m) => m.text.startsWith('Checklist')), 'incident and its checklist');
    minutes(20);
    // The tick claims the step and writes its reminders, then the process dies before delivering.
    const { delivery, ...withoutDelivery } = h.reminderDeps();
    const written = await runReminderTick(withoutDelivery);
    expect(written.reminded).toBeGreaterThan(0);
    expect(h.thread().filter((m) => m.text.startsWith('Reminder'))).toEqual([]);
    // After the restart the step is not reminded again; the outbox still holds what was written.
    expect(await runReminderTick(withoutDelivery)).toEqual({ reminded: 0, direct: 0 });
    await delivery!.deliver();
    expect(h.thread().filter((m) => m.text.startsWith('Reminder'))).toHaveLength(written.reminded);
    await delivery!.deliver();
    expect(h.thread().filter((m) => m.text.startsWith('Reminder'))).toHaveLength(written.reminded);
    expect(h.fake.violations).toEqual([]);
  });
});
