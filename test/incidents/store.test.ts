import { describe, expect, it } from 'vitest';
import { stepsFromTemplate } from '../../src/incidents/checklist.js';
import { parseIncidentCommand } from '../../src/incidents/command.js';
import { milestonesAfter, parseStatusUpdate, progressLine, progressOf, transitionStep } from '../../src/incidents/state.js';
import { builtinTemplate } from '../../src/incidents/templates.js';
import type { IncidentContext } from '../../src/incidents/types.js';
import { openDb } from '../../src/store/db.js';
import {
  changeStep,
  claimReminder,
  closeIncident,
  createIncident,
  getStep,
  incidentStats,
  listSteps,
  listTimeline,
  overdueSteps,
  setRole,
  snoozeStep,
} from '../../src/store/incidents.js';

const START = '2024-11-28T10:00:00.000Z';
const at = (minutes: number): string => new Date(Date.parse(START) + minutes * 60_000).toISOString();

const CONTEXT: IncidentContext = {
  title: 'PYSEC-2019-13 in django 2.1.5',
  severity: 'critical',
  advisory: { id: 'PYSEC-2019-13', aliases: ['CVE-2019-14234'], summary: 'SQL injection in JSONField key transforms', package: 'django' },
  repos: [
    { repo: 'octo/app', version: '2.1.5', file: 'requirements/base.txt', line: 1 },
    { repo: 'octo/api', version: '2.1.5', file: 'poetry.lock', line: 88 },
  ],
  fix: 'Upgrade django to 2.1.11',
};

function start(db = openDb(':memory:'), options: { kind?: 'real' | 'drill'; source?: string } = {}) {
  const template = builtinTemplate();
  const result = createIncident(db, {
    kind: options.kind ?? 'real',
    title: CONTEXT.title,
    severity: 'critical',
    template,
    channel: 'C0INCIDENT1',
    source: options.source ?? null,
    context: CONTEXT,
    createdBy: 'U0ALICE0001',
    now: START,
    steps: stepsFromTemplate(template, CONTEXT, START),
  });
  if (!result.created) throw new Error('not created');
  return { db, incident: result.incident };
}

describe('a new incident from the default template', () => {
  it('fills the first steps from the findings and sets due times from the offsets', () => {
    const { db, incident } = start();
    const steps = listSteps(db, incident.id);
    expect(steps).toHaveLength(14);
    expect(steps[0]).toMatchObject({ title: 'Confirm the affected repos and services', dueAt: at(15), status: 'open', role: 'commander', version: 0 });
    expect(steps[0]?.detail).toBe(
      'Check every repository and service that ships the affected version.\nAffected:\n• octo/app 2.1.5 (requirements/base.txt:1)\n• octo/api 2.1.5 (poetry.lock:88)',
    );
    expect(steps[1]?.detail).toContain('Advisory PYSEC-2019-13 (CVE-2019-14234): SQL injection in JSONField key transforms');
    expect(steps[2]?.detail).toBe('Fix: Upgrade django to 2.1.11');
    expect(listTimeline(db, incident.id).map((e) => [e.type, e.actor])).toEqual([['started', 'U0ALICE0001']]);
  });

  it('is not started twice from the same alert while it is open', () => {
    const { db, incident } = start(undefined, { source: 'alert:7' });
    const again = createIncident(db, { kind: 'real', title: 'x', severity: 'high', template: builtinTemplate(), channel: 'C0INCIDENT1', source: 'alert:7', createdBy: 'U0BOB000001', now: at(1), steps: [] });
    expect(again).toMatchObject({ created: false, existing: { id: incident.id, createdBy: 'U0ALICE0001' } });
  });
});

describe('step transitions', () => {
  it('follow the state machine: done, skip with a reason, not applicable, reopen, assign', () => {
    const { db, incident } = start();
    const step = getStep(db, incident.id, 1)!;
    const open = { status: 'open' as const };
    expect(transitionStep(open, step, { type: 'skip', reason: '  ' }, 'U1', at(1))).toMatchObject({ ok: false, error: 'reason_required' });
    expect(transitionStep(open, step, { type: 'reopen' }, 'U1', at(1))).toMatchObject({ ok: false, error: 'already_open' });
    expect(transitionStep({ status: 'closed' }, step, { type: 'done' }, 'U1', at(1))).toMatchObject({ ok: false, error: 'incident_closed' });
    const done = transitionStep(open, step, { type: 'done' }, 'U1', at(5));
    expect(done).toMatchObject({ ok: true, step: { status: 'done', changedBy: 'U1', finishedAt: at(5), version: 1 } });
    if (!done.ok) return;
    expect(transitionStep(open, done.step, { type: 'assign', owner: 'U2' }, 'U1', at(6))).toMatchObject({ ok: false, error: 'not_open' });
    expect(transitionStep(open, done.step, { type: 'reopen' }, 'U1', at(7))).toMatchObject({ ok: true, step: { status: 'open', finishedAt: null, version: 2 } });
    expect(transitionStep(open, step, { type: 'skip', reason: 'no customers affected' }, 'U1', at(8))).toMatchObject({ ok: true, step: { status: 'skipped', reason: 'no customers affected' } });
  });

  it('let exactly one of two presses on the same rendering win; the other learns who and when', () => {
    const { db, incident } = start();
    const first = changeStep(db, { incidentId: incident.id, stepId: 3, expectedVersion: 0, action: { type: 'done' }, actor: 'U0BOB000001', now: at(20) });
    const second = changeStep(db, { incidentId: incident.id, stepId: 3, expectedVersion: 0, action: { type: 'done' }, actor: 'U0CAROL0001', now: at(20) });
    expect(first).toMatchObject({ ok: true, step: { status: 'done', changedBy: 'U0BOB000001', version: 1 } });
    expect(second).toMatchObject({ ok: false, reason: 'conflict', current: { changedBy: 'U0BOB000001', changedAt: at(20), status: 'done' } });
    expect(listTimeline(db, incident.id).filter((e) => e.type === 'step').map((e) => e.actor)).toEqual(['U0BOB000001']);
  });

  it('record milestones once: acknowledged at the first human action, contained and resolved by their steps', () => {
    const { db, incident } = start();
    changeStep(db, { incidentId: incident.id, stepId: 5, expectedVersion: 0, action: { type: 'done' }, actor: 'U0BOB000001', now: at(4) });
    const contained = changeStep(db, { incidentId: incident.id, stepId: 3, expectedVersion: 0, action: { type: 'done' }, actor: 'U0BOB000001', now: at(90) });
    expect(contained).toMatchObject({ ok: true, incident: { acknowledgedAt: at(4), containedAt: at(90), resolvedAt: null } });
    changeStep(db, { incidentId: incident.id, stepId: 3, expectedVersion: 1, action: { type: 'reopen' }, actor: 'U0BOB000001', now: at(95) });
    const resolved = changeStep(db, { incidentId: incident.id, stepId: 4, expectedVersion: 0, action: { type: 'done' }, actor: 'U0BOB000001', now: at(200) });
    expect(resolved).toMatchObject({ ok: true, incident: { containedAt: at(90), resolvedAt: at(200) } });
    expect(milestonesAfter({ acknowledgedAt: null, containedAt: null, resolvedAt: null }, [], null)).toEqual({ acknowledgedAt: null, containedAt: null, resolvedAt: null });
  });

  it('count progress as finished of total, with a text bar', () => {
    const p = progressOf([{ status: 'done' }, { status: 'skipped' }, { status: 'na' }, { status: 'open' }, { status: 'open' }, { status: 'open' }, { status: 'open' }, { status: 'open' }, { status: 'open' }, { status: 'open' }]);
    expect(p).toEqual({ total: 10, finished: 3, done: 1, skipped: 1, na: 1, percent: 30 });
    expect(progressLine(p)).toBe('▰▰▰▱▱▱▱▱▱▱ 3 of 10 steps (30%) · 1 skipped, 1 n/a');
    // A one-step checklist is "of 1 step", not "of 1 steps".
    expect(progressLine(progressOf([{ status: 'open' }]))).toBe('▱▱▱▱▱▱▱▱▱▱ 0 of 1 step (0%)');
  });
});

describe('reminders in the store', () => {
  it('find overdue open steps once per interval, honour snoozes and stop after close', () => {
    const { db, incident } = start();
    expect(overdueSteps(db, at(14), 60)).toEqual([]);
    const due = overdueSteps(db, at(16), 60);
    expect(due.map((d) => d.step.id)).toEqual([1]);
    expect(claimReminder(db, due[0]!.step, at(16))).toMatchObject({ id: 1, lastRemindedAt: at(16) });
    expect(claimReminder(db, due[0]!.step, at(16))).toBeNull();
    expect(overdueSteps(db, at(40), 60).map((d) => d.step.id)).toEqual([5]);
    expect(overdueSteps(db, at(77), 60).map((d) => d.step.id)).toEqual([1, 5, 2, 6]);
    snoozeStep(db, incident.id, 2, at(77 + 240), 'U0BOB000001', at(77), '4 h');
    expect(overdueSteps(db, at(77), 60).map((d) => d.step.id)).toEqual([1, 5, 6]);
    closeIncident(db, incident.id, 'U0ALICE0001', 'done', at(80));
    expect(overdueSteps(db, at(500), 60)).toEqual([]);
  });
});

describe('roles and metrics', () => {
  it('hand over the commander role once, and leave drills out of metrics', () => {
    const { db, incident } = start();
    expect(setRole(db, incident.id, 'commander', 'U0BOB000001', 'U0ALICE0001', at(3))).toEqual({ changed: true, previous: 'U0ALICE0001' });
    expect(setRole(db, incident.id, 'commander', 'U0BOB000001', 'U0ALICE0001', at(4))).toEqual({ changed: false, previous: 'U0BOB000001' });
    closeIncident(db, incident.id, 'U0BOB000001', null, at(120));
    const drill = start(db, { kind: 'drill' }).incident;
    closeIncident(db, drill.id, 'U0BOB000001', null, at(10));
    expect(incidentStats(db, START)).toEqual({ closed: 1, meanMsToAcknowledge: 3 * 60_000, meanMsToContain: null, meanMsToResolve: 120 * 60_000 });
  });
});

describe('/incident command text', () => {
  it('parses every verb, with #ids and escaped mentions', () => {
    expect(parseIncidentCommand('start critical template:supply-chain Django RCE')).toEqual({ kind: 'start', title: 'Django RCE', severity: 'critical', template: 'supply-chain' });
    expect(parseIncidentCommand('start high is the title')).toEqual({ kind: 'start', title: 'is the title', severity: 'high', template: null });
    expect(parseIncidentCommand('start')).toMatchObject({ kind: 'error' });
    expect(parseIncidentCommand('status #12 conditions: patched 2 of 3; needs: a reviewer')).toEqual({ kind: 'status', id: 12, text: 'conditions: patched 2 of 3; needs: a reviewer' });
    expect(parseIncidentCommand('commander <@U0BOB000001|bob>')).toEqual({ kind: 'commander', id: null, user: 'U0BOB000001' });
    expect(parseIncidentCommand('role #3 comms <@U0BOB000001|bob>')).toEqual({ kind: 'role', id: 3, role: 'comms', user: 'U0BOB000001' });
    expect(parseIncidentCommand('action Pin hashes in every lockfile <@U0BOB000001|bob>')).toEqual({ kind: 'action', id: null, text: 'Pin hashes in every lockfile', owner: 'U0BOB000001' });
    expect(parseIncidentCommand('severity urgent')).toMatchObject({ kind: 'error' });
    expect(parseIncidentCommand('close #4 Upgraded everywhere')).toEqual({ kind: 'close', id: 4, summary: 'Upgraded everywhere' });
    expect(parseIncidentCommand('drill typosquat')).toEqual({ kind: 'drill', scenario: 'typosquat' });
    expect(parseIncidentCommand('frobnicate')).toMatchObject({ kind: 'error' });
  });

  it('reads a severity only in lower case, as the help shows it, so a title may begin with a severity word', () => {
    expect(parseIncidentCommand('start High CPU on the build runners')).toEqual({ kind: 'start', title: 'High CPU on the build runners', severity: null, template: null });
    expect(parseIncidentCommand('start LOW disk on the mirror')).toEqual({ kind: 'start', title: 'LOW disk on the mirror', severity: null, template: null });
    expect(parseIncidentCommand('start low Low disk on the mirror')).toEqual({ kind: 'start', title: 'Low disk on the mirror', severity: 'low', template: null });
    expect(parseIncidentCommand('start Template:Supply-Chain critical Django RCE')).toEqual({ kind: 'start', title: 'Django RCE', severity: 'critical', template: 'supply-chain' });
  });

  it('takes only a mention that ends an action item as its owner, and keeps every other mention in the text', () => {
    expect(parseIncidentCommand('action Ask <@U0BOB000001|bob> to rotate the token')).toEqual({ kind: 'action', id: null, text: 'Ask <@U0BOB000001> to rotate the token', owner: null });
    expect(parseIncidentCommand('action Ask <@U0BOB000001|bob> to rotate the token, then tell Carol <@U0CAROL0001|carol>')).toEqual({
      kind: 'action',
      id: null,
      text: 'Ask <@U0BOB000001> to rotate the token, then tell Carol',
      owner: 'U0CAROL0001',
    });
    expect(parseIncidentCommand('action #2 Rotate the token <@U0BOB000001|bob>  ')).toEqual({ kind: 'action', id: 2, text: 'Rotate the token', owner: 'U0BOB000001' });
    expect(parseIncidentCommand('action <@U0BOB000001|bob>')).toMatchObject({ kind: 'error' });
  });

  it('reads mentions in time linear in the text, however it is nested', () => {
    const started = performance.now();
    parseIncidentCommand(`action ${'<@U0A|'.repeat(20_000)}x`);
    parseIncidentCommand(`commander ${'<@U0A|'.repeat(20_000)}x`);
    expect(performance.now() - started).toBeLessThan(500);
  });

  it('splits a status update into conditions, actions and needs', () => {
    expect(parseStatusUpdate('patched 2 of 3 services; actions: deploying api; needs: a DBA')).toEqual({ conditions: 'patched 2 of 3 services', actions: 'deploying api', needs: 'a DBA' });
    expect(parseStatusUpdate('Needs: nothing; Conditions: calm')).toEqual({ conditions: 'calm', actions: '', needs: 'nothing' });
    expect(parseStatusUpdate('conditions: a\nactions: b\nneeds: c')).toEqual({ conditions: 'a', actions: 'b', needs: 'c' });
  });

  it('reads a label only at the start or after a ; or a line break, so a part may say "Actions:" itself', () => {
    expect(parseStatusUpdate('conditions: GitHub Actions: runner compromised; needs: a new runner image')).toEqual({
      conditions: 'GitHub Actions: runner compromised',
      actions: '',
      needs: 'a new runner image',
    });
    expect(parseStatusUpdate('the Needs: column of the sheet is empty')).toEqual({ conditions: 'the Needs: column of the sheet is empty', actions: '', needs: '' });
  });

  it('still reads the form the help showed before, labels after spaces with no ; between parts', () => {
    expect(parseStatusUpdate('conditions: db down actions: failover needs: dba')).toEqual({ conditions: 'db down', actions: 'failover', needs: 'dba' });
    expect(parseStatusUpdate('db down needs: dba actions: failover')).toEqual({ conditions: 'db down', actions: 'failover', needs: 'dba' });
    // Lower case, as the help writes labels: a capitalised one inside the text stays text.
    expect(parseStatusUpdate('conditions: GitHub Actions: runner compromised needs: a new runner image')).toEqual({
      conditions: 'GitHub Actions: runner compromised',
      actions: '',
      needs: 'a new runner image',
    });
    // With a ; the parts are told apart by it alone: a lower-case label word inside a part is text.
    expect(parseStatusUpdate('conditions: the needs: column is empty; actions: refill it')).toEqual({ conditions: 'the needs: column is empty', actions: 'refill it', needs: '' });
  });
});
