import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { runReminderTick } from '../../src/incidents/reminders.js';
import { getIncident, incidentStats } from '../../src/store/incidents.js';
import { ALICE, BOB, CHANNEL, START, startHarness, valueOf, waitFor, type Harness } from './harness.js';

let h: Harness;
const minutes = (n: number): void => {
  h.clock.ms += n * 60_000;
};

beforeEach(async () => {
  h = await startHarness();
});

afterEach(async () => {
  await h.close();
});

describe('a whole drill over signed HTTP', () => {
  it('runs a tabletop exercise marked EXERCISE, with injects step by step, no DMs, a scored report and no metrics', async () => {
    await h.command('drill');
    await waitFor(() => h.fake.ephemerals(CHANNEL).length === 1, 'scenario list');
    const list = h.fake.ephemerals(CHANNEL)[0];
    expect(list?.text).toBe('Tabletop drills: rce-pinned, typosquat, leaked-key, yanked-release, maintainer-compromise');
    expect(JSON.stringify(list?.blocks)).toContain('"action_id":"incident_drill_start","value":"typosquat"');

    await h.click({ actionId: 'incident_drill_start', value: 'rce-pinned', user: ALICE, isEphemeral: true });
    await waitFor(() => h.fake.messages(CHANNEL).length === 1 && h.thread().length >= 4, 'drill posted');
    expect(h.root().text).toBe('[EXERCISE] 🚨 EXERCISE Incident #1: Critical remote code execution in a pinned dependency — critical, open, 0 of 14 steps');
    expect(h.thread().map((m) => m.text.slice(0, 40))).toEqual([
      '[EXERCISE] Drill briefing: Critical remo',
      '[EXERCISE] Checklist for EXERCISE Incide',
      '[EXERCISE] Checklist for EXERCISE Incide',
      '[EXERCISE] Inject 1 of 4: Security Twitt',
    ]);
    expect(JSON.stringify(h.checklist(0).blocks)).toContain('acme/ingest-worker 5.3.1 (requirements/base.txt:4)');

    // Injects arrive as steps are finished: the second after one step, the third after three.
    minutes(12);
    await h.click({ actionId: 'incident_step_done', value: valueOf(h.checklist(0), 'incident_step_done', '1:1:'), user: BOB, message_ts: h.checklist(0).ts });
    await waitFor(() => h.thread().some((m) => m.text.startsWith('[EXERCISE] Inject 2 of 4')), 'inject 2');
    minutes(33);
    await h.click({ actionId: 'incident_step_done', value: valueOf(h.checklist(0), 'incident_step_done', '1:5:'), user: BOB, message_ts: h.checklist(0).ts });
    await waitFor(() => getIncident(h.db, 1)?.version === 2, 'second step');
    expect(h.thread().filter((m) => m.text.includes('Inject 3'))).toEqual([]);
    await h.click({ actionId: 'incident_step_na', value: valueOf(h.checklist(0), 'incident_step_na', '1:9:'), user: BOB, message_ts: h.checklist(0).ts });
    await waitFor(() => h.thread().some((m) => m.text.startsWith('[EXERCISE] Inject 3 of 4: The upgrade to 5.4 breaks')), 'inject 3');

    // Overdue steps are reminded in the thread, but a drill never DMs anyone.
    minutes(120);
    const tick = await runReminderTick(h.reminderDeps());
    expect(tick.reminded).toBeGreaterThan(0);
    expect(tick.direct).toBe(0);
    expect(h.fake.callsTo('conversations.open')).toEqual([]);

    await h.command('close Drill finished; containment took too long.');
    await waitFor(() => h.fake.ephemerals(CHANNEL).some((e) => e.text.startsWith('[EXERCISE] Closed')), 'close answer');
    expect(h.fake.files().filter((f) => f.completed)).toHaveLength(1);
    const file = h.fake.files()[0];
    expect(file?.title).toBe('EXERCISE — Post-incident report #1');
    const markdown = file?.content?.toString('utf8') ?? '';
    expect(markdown).toContain('# EXERCISE — Post-incident report: #1 Critical remote code execution in a pinned dependency');
    expect(markdown).toContain('## Drill score');
    expect(markdown).toContain('| 1 | Confirm the affected repos and services | on time | 12 min | 12 min | 15 min |');
    expect(markdown).toContain('| 5 | Notify the owners and the team | late | 33 min | 45 min | 30 min |');
    expect(markdown).toContain('inject 3: The upgrade to 5.4 breaks a test');
    const report = h.thread().find((m) => m.text.includes('Post-incident report for'));
    expect(JSON.stringify(report?.blocks)).toContain('🎯 *Drill score: 8%* — 1 step on time, 1 late, 11 not done');

    // Every message the drill produced says EXERCISE, in its text and (where it has blocks) at its top.
    const everything = [h.root(), ...h.thread()];
    for (const message of everything) {
      expect(message.text.startsWith('[EXERCISE]'), message.text).toBe(true);
      if (message.blocks) expect(JSON.stringify(message.blocks[0])).toContain('EXERCISE');
    }
    expect(h.fake.ephemerals(CHANNEL).slice(1).every((e) => e.text.startsWith('[EXERCISE]'))).toBe(true);
    // Drills stay out of metrics.
    expect(incidentStats(h.db, START)).toMatchObject({ closed: 0 });
    expect(h.fake.violations).toEqual([]);
    expect(h.logs).toEqual([]);
  });
});
