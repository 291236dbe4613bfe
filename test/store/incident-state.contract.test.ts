/**
 * The incident state's contract, run against both implementations: SQLite (two connections to one
 * file, as two processes would have) and the run's real PostgreSQL (two pools on one database, as
 * two replicas behind a load balancer would have). Every case reads like what the Slack listeners
 * and the reminder tick rely on when the same incident is touched through either replica.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { stepsFromTemplate } from '../../src/incidents/checklist.js';
import { builtinTemplate } from '../../src/incidents/templates.js';
import type { IncidentContext, Step } from '../../src/incidents/types.js';
import { PostgresIncidentStore } from '../../src/store/incident-state/postgres.js';
import { SqliteIncidentStore } from '../../src/store/incident-state/sqlite.js';
import type { Announce, IncidentStore, RemindDecision } from '../../src/store/incident-state/types.js';
import { createTestDatabase } from '../helpers/postgres.js';
import { openTestDb, tempDbPath } from '../watch/helpers.js';

type Dialect = 'sqlite' | 'postgres';

async function openStores(dialect: Dialect): Promise<{ stores: [IncidentStore, IncidentStore]; close: () => Promise<void> }> {
  if (dialect === 'sqlite') {
    const path = tempDbPath();
    const dbs = [openTestDb(path), openTestDb(path)];
    return { stores: [new SqliteIncidentStore(dbs[0]!), new SqliteIncidentStore(dbs[1]!)], close: async () => dbs.forEach((db) => db.close()) };
  }
  const database = await createTestDatabase();
  const pools = await Promise.all([database.open({ max: 4 }), database.open({ max: 4 })]);
  return { stores: [new PostgresIncidentStore(pools[0]!), new PostgresIncidentStore(pools[1]!)], close: () => database.drop() };
}

const START = '2024-11-28T10:00:00.000Z';
const at = (minutes: number): string => new Date(Date.parse(START) + minutes * 60_000).toISOString();
const CHANNEL = 'C0INCIDENT1';
const ALICE = 'U0ALICE0001';
const BOB = 'U0BOB000001';
const CAROL = 'U0CAROL0001';

const CONTEXT: IncidentContext = {
  title: 'PYSEC-2019-13 in django 2.1.5',
  severity: 'critical',
  advisory: { id: 'PYSEC-2019-13', aliases: ['CVE-2019-14234'], summary: 'SQL injection', package: 'django' },
  repos: [{ repo: 'octo/app', version: '2.1.5', file: 'requirements.txt', line: 1 }],
  fix: 'Upgrade django to 2.1.11',
};

function newIncident(options: { source?: string | null; kind?: 'real' | 'drill'; channel?: string; now?: string } = {}) {
  const template = builtinTemplate();
  const now = options.now ?? START;
  return {
    kind: options.kind ?? ('real' as const),
    title: CONTEXT.title,
    severity: 'critical' as const,
    template,
    channel: options.channel ?? CHANNEL,
    source: options.source ?? null,
    context: CONTEXT,
    createdBy: ALICE,
    now,
    steps: stepsFromTemplate(template, CONTEXT, now),
  };
}

/** What the listeners' redraw would say, reduced to what the tests check: the version and the finished steps it shows. */
const redrawOf = (label: string): Announce => ({ incident, steps, messages }) => [
  {
    kind: 'test-redraw',
    data: { label, version: incident.version, status: incident.status, severity: incident.severity, finished: steps.filter((s) => s.status !== 'open').map((s) => s.id), messages: messages.length },
    channel: incident.channel,
    op: 'update',
    messageKey: `incident:${incident.id}:root`,
    idempotencyKey: `incident:${incident.id}:root:v${incident.version}`,
  },
];

const reminderOf = (incidentId: number, stepId: number, now: string): RemindDecision => ({ roles }) => ({
  timeline: { incidentId, at: now, actor: null, type: 'reminder', text: `reminded <@${roles.find((r) => r.role === 'commander')?.userId}>` },
  messages: [{ kind: 'incident-reminder', data: { incidentId, stepId }, channel: CHANNEL, op: 'post', messageKey: `reminder:${incidentId}:${stepId}:${now}`, idempotencyKey: `reminder:${incidentId}:${stepId}:${now}` }],
});

describe.each<Dialect>(['sqlite', 'postgres'])('the incident state on %s', (dialect) => {
  let close: (() => Promise<void>) | null = null;
  afterEach(async () => {
    await close?.();
    close = null;
  });
  const open = async () => {
    const opened = await openStores(dialect);
    close = opened.close;
    return opened.stores;
  };

  it('starts an incident with its checklist, its starter as commander and a timeline, and one incident when two replicas start it from one alert', async () => {
    const [a, b] = await open();
    const [first, second] = await Promise.all([a.createIncident(newIncident({ source: 'alert:42' })), b.createIncident(newIncident({ source: 'alert:42' }))]);
    const created = [first, second].filter((r) => r.created);
    expect(created).toHaveLength(1);
    const incident = created[0]!.created ? created[0]!.incident : null;
    const other = [first, second].find((r) => !r.created);
    expect(other).toEqual({ created: false, existing: incident });
    expect(incident).toMatchObject({ id: 1, kind: 'real', status: 'open', channel: CHANNEL, source: 'alert:42', context: CONTEXT, createdBy: ALICE, createdAt: START, version: 0, rootTs: null, injectsSent: 0 });

    const steps = await b.listSteps(1);
    expect(steps).toHaveLength(14);
    expect(steps[0]).toMatchObject({ incidentId: 1, id: 1, title: 'Confirm the affected repos and services', dueAt: at(15), status: 'open', role: 'commander', version: 0 });
    expect(await b.listRoles(1)).toEqual([{ role: 'commander', userId: ALICE, assignedBy: ALICE, assignedAt: START }]);
    expect((await b.listTimeline(1)).map((e) => [e.type, e.actor, e.text])).toEqual([['started', ALICE, 'started the incident “PYSEC-2019-13 in django 2.1.5” (critical)']]);
    expect(await a.listOpenIncidents({ channel: CHANNEL })).toEqual([incident]);
  });

  it('remembers its messages: the root on the incident, checklist parts in order, and which incident a message belongs to', async () => {
    const [a, b] = await open();
    await a.createIncident(newIncident());
    const withRoot = await a.recordRootMessage(1, '1700000000.000100', 'https://slack.example/p1', 'Incident #1');
    expect(withRoot).toMatchObject({ rootTs: '1700000000.000100', rootPermalink: 'https://slack.example/p1' });
    await b.recordMessage(1, { ts: '1700000000.000300', kind: 'checklist', part: 1, text: 'part 1' });
    await b.recordMessage(1, { ts: '1700000000.000200', kind: 'checklist', part: 0, text: 'part 0' });
    expect((await a.listMessages(1, 'checklist')).map((m) => [m.part, m.ts])).toEqual([
      [0, '1700000000.000200'],
      [1, '1700000000.000300'],
    ]);
    expect((await a.listMessages(1)).map((m) => m.kind)).toEqual(['root', 'checklist', 'checklist']);
    expect(await b.incidentForMessage(CHANNEL, '1700000000.000300')).toMatchObject({ incident: { id: 1 }, message: { kind: 'checklist', part: 1, text: 'part 1' } });
    expect(await b.incidentForMessage('C0ELSEWHERE', '1700000000.000300')).toBeNull();
  });

  it('lets one of two replicas pressing the same button win; the other learns who, and only the winner redraws', async () => {
    const [a, b] = await open();
    await a.createIncident(newIncident());
    const press = (store: IncidentStore, actor: string, label: string) =>
      store.changeStep({ incidentId: 1, stepId: 1, expectedVersion: 0, action: { type: 'done' }, actor, now: at(3) }, redrawOf(label));
    const results = await Promise.all([press(a, BOB, 'a'), press(b, CAROL, 'b')]);
    const won = results.filter((r) => r.ok);
    const lost = results.filter((r) => !r.ok);
    expect(won).toHaveLength(1);
    expect(lost).toEqual([{ ok: false, reason: 'conflict', current: expect.objectContaining({ status: 'done', version: 1 }), incident: expect.objectContaining({ id: 1 }) }]);
    const winner = won[0]!.ok ? won[0]!.step.changedBy : null;
    expect(lost[0]!.ok === false && lost[0]!.reason === 'conflict' ? lost[0]!.current.changedBy : null).toBe(winner);
    expect(won[0]).toMatchObject({ incident: { acknowledgedAt: at(3), version: 1 }, step: { status: 'done', finishedAt: at(3) }, before: { status: 'open' } });

    const rows = await b.outbox.rows();
    expect(rows.map((r) => [r.op, r.idempotencyKey, r.data])).toEqual([['update', 'incident:1:root:v1', { label: winner === BOB ? 'a' : 'b', version: 1, status: 'open', severity: 'critical', finished: [1], messages: 0 }]]);
    expect((await a.listTimeline(1)).filter((e) => e.type === 'step').map((e) => [e.actor, e.text])).toEqual([[winner, 'marked “Confirm the affected repos and services” done']]);
  });

  it('takes changes of one incident from two replicas in turn, so the newest redraw shows both', async () => {
    const [a, b] = await open();
    await a.createIncident(newIncident());
    const results = await Promise.all([
      a.changeStep({ incidentId: 1, stepId: 1, expectedVersion: 0, action: { type: 'done' }, actor: BOB, now: at(3) }, redrawOf('a')),
      b.changeStep({ incidentId: 1, stepId: 2, expectedVersion: 0, action: { type: 'na' }, actor: CAROL, now: at(3) }, redrawOf('b')),
      a.setSeverity(1, 'high', BOB, at(3), redrawOf('severity')),
    ]);
    expect(results).toEqual([expect.objectContaining({ ok: true }), expect.objectContaining({ ok: true }), { changed: true, from: 'critical' }]);
    const rows = await a.outbox.rows();
    expect(rows.map((r) => (r.data as { version: number }).version)).toEqual([1, 2, 3]);
    expect(rows.at(-1)?.data).toMatchObject({ version: 3, severity: 'high', finished: [1, 2] });
    expect(await b.getIncident(1)).toMatchObject({ version: 3, severity: 'high' });
  });

  it('keeps every milestone when replicas change different steps of one incident at once', async () => {
    const [a, b] = await open();
    // Several incidents, so that the two changes of each overlap at least once on a busy machine.
    for (let i = 0; i < 6; i++) await a.createIncident(newIncident());
    await Promise.all(
      [1, 2, 3, 4, 5, 6].map((id) =>
        Promise.all([
          a.changeStep({ incidentId: id, stepId: 3, expectedVersion: 0, action: { type: 'done' }, actor: BOB, now: at(20) }),
          b.changeStep({ incidentId: id, stepId: 2, expectedVersion: 0, action: { type: 'done' }, actor: CAROL, now: at(21) }),
        ]),
      ),
    );
    for (const id of [1, 2, 3, 4, 5, 6]) {
      const incident = await b.getIncident(id);
      expect(incident).toMatchObject({ containedAt: at(20), version: 2 });
      // Acknowledged by whichever change committed first.
      expect([at(20), at(21)]).toContain(incident?.acknowledgedAt);
    }
  });

  it('refuses what the state machine refuses and writes nothing for it', async () => {
    const [a, b] = await open();
    await a.createIncident(newIncident());
    expect(await b.changeStep({ incidentId: 1, stepId: 1, expectedVersion: 0, action: { type: 'reopen' }, actor: BOB, now: at(1) }, redrawOf('x'))).toMatchObject({ ok: false, reason: 'already_open' });
    expect(await b.changeStep({ incidentId: 1, stepId: 99, expectedVersion: 0, action: { type: 'done' }, actor: BOB, now: at(1) }, redrawOf('x'))).toEqual({ ok: false, reason: 'not_found' });
    expect(await a.setSeverity(1, 'critical', BOB, at(1), redrawOf('x'))).toEqual({ changed: false, from: 'critical' });
    expect(await a.outbox.rows()).toEqual([]);
    expect(await a.getIncident(1)).toMatchObject({ version: 0, acknowledgedAt: null });
  });

  it('hands roles over, keeps action items and pins once, and closes once when two people press Close', async () => {
    const [a, b] = await open();
    await a.createIncident(newIncident());
    expect(await a.setRole(1, 'commander', BOB, ALICE, at(2), redrawOf('role'))).toEqual({ changed: true, previous: ALICE });
    expect(await b.setRole(1, 'commander', BOB, ALICE, at(2), redrawOf('role'))).toEqual({ changed: false, previous: BOB });
    expect(await b.setRole(1, 'comms', CAROL, BOB, at(3))).toEqual({ changed: true, previous: null });
    expect((await a.listRoles(1)).map((r) => [r.role, r.userId])).toEqual([
      ['commander', BOB],
      ['comms', CAROL],
    ]);
    expect(await b.addActionItem({ incidentId: 1, text: 'Pin django in the base image', owner: CAROL, createdBy: BOB, now: at(4) })).toEqual({ id: 1, incidentId: 1, text: 'Pin django in the base image', owner: CAROL, createdBy: BOB, createdAt: at(4) });
    expect(await a.listActionItems(1)).toHaveLength(1);
    const pin = { incidentId: 1, at: at(5), actor: CAROL, text: '📌 pinned: the root', messageTs: '1700000000.000100' };
    expect(await Promise.all([a.addPin(pin), b.addPin(pin)])).toEqual(expect.arrayContaining([true, false]));
    await a.addTimeline({ incidentId: 1, at: at(6), actor: BOB, type: 'status_update', text: 'posted a status update' }, { acknowledge: true });

    const [x, y] = await Promise.all([a.closeIncident(1, BOB, 'Patched', at(10), redrawOf('close')), b.closeIncident(1, CAROL, 'Patched too', at(10), redrawOf('close'))]);
    const closed = [x, y].filter((c) => c !== null);
    expect(closed).toHaveLength(1);
    expect(closed[0]).toMatchObject({ status: 'closed', closedAt: at(10), resolvedAt: at(10), acknowledgedAt: at(2) });
    await b.saveReport(1, '# Report');
    expect(await a.getIncident(1)).toMatchObject({ report: '# Report' });
    expect(await a.listOpenIncidents()).toEqual([]);
    expect((await a.listTimeline(1)).map((e) => e.type)).toEqual(['started', 'role', 'role', 'action_item', 'pin', 'status_update', 'closed']);
    expect((await b.outbox.rows()).map((r) => r.data)).toEqual([expect.objectContaining({ label: 'role', version: 1 }), expect.objectContaining({ label: 'close', status: 'closed', version: 3 })]);
    expect(await b.incidentStats(START)).toEqual({ closed: 1, meanMsToAcknowledge: 2 * 60_000, meanMsToContain: null, meanMsToResolve: 10 * 60_000 });
  });

  it('writes a status update or an action item only while the incident is open, in the write itself', async () => {
    const [a, b] = await open();
    await a.createIncident(newIncident());
    // Replica b read the incident open (the modal's check); replica a closes it before b writes.
    expect(await b.getIncident(1)).toMatchObject({ status: 'open' });
    expect(await a.closeIncident(1, ALICE, 'Patched', at(5))).toMatchObject({ status: 'closed' });
    expect(await b.addTimeline({ incidentId: 1, at: at(6), actor: BOB, type: 'status_update', text: 'posted a status update' }, { acknowledge: true })).toBe(false);
    expect(await b.addActionItem({ incidentId: 1, text: 'Pin django in the base image', owner: CAROL, createdBy: BOB, now: at(6) })).toBeNull();
    expect(await a.listActionItems(1)).toEqual([]);
    expect((await a.listTimeline(1)).map((e) => e.type)).toEqual(['started', 'closed']);
    expect(await a.getIncident(1)).toMatchObject({ acknowledgedAt: at(5), version: 1 });

    // Raced against the close: either the item is in before the close, or it is not in at all.
    await a.createIncident(newIncident());
    const [item, closed] = await Promise.all([
      b.addActionItem({ incidentId: 2, text: 'Rotate the token', owner: null, createdBy: BOB, now: at(7) }),
      a.closeIncident(2, ALICE, 'Done', at(7)),
    ]);
    expect(closed).toMatchObject({ status: 'closed' });
    const types = (await a.listTimeline(2)).map((e) => e.type);
    if (item) expect(types).toEqual(['started', 'action_item', 'closed']);
    else expect(types).toEqual(['started', 'closed']);
    expect(await a.listActionItems(2)).toEqual(item ? [item] : []);
  });

  it('reminds an overdue step once when two replicas tick at once, then not again within the interval or while snoozed', async () => {
    const [a, b] = await open();
    await a.createIncident(newIncident());
    expect(await a.overdueSteps(at(10), 60)).toEqual([]);
    const overdue = await a.overdueSteps(at(16), 60);
    expect(overdue.map((o) => [o.incident.id, o.step.id])).toEqual([[1, 1]]);
    const seenByB = await b.overdueSteps(at(16), 60);
    const step = overdue[0]!.step;
    const won = await Promise.all([a.remind(step, at(16), reminderOf(1, 1, at(16))), b.remind(seenByB[0]!.step, at(16.5), reminderOf(1, 1, at(16.5)))]);
    expect(won.filter(Boolean)).toHaveLength(1);
    expect((await a.outbox.rows()).map((r) => r.kind)).toEqual(['incident-reminder']);
    expect((await b.listTimeline(1)).filter((e) => e.type === 'reminder').map((e) => e.text)).toEqual([`reminded <@${ALICE}>`]);
    expect((await b.overdueSteps(at(30), 60)).map((o) => o.step.id)).not.toContain(1);

    expect(await b.snoozeStep(1, 1, at(200), BOB, at(80), '2 h')).toMatchObject({ id: 1, snoozedUntil: at(200) });
    expect((await a.overdueSteps(at(90), 60)).map((o) => o.step.id)).not.toContain(1);
    expect((await a.overdueSteps(at(201), 60)).map((o) => o.step.id)).toContain(1);
    // A step that was done meanwhile is not reminded from a stale read.
    const stale = (await a.overdueSteps(at(201), 60)).find((o) => o.step.id === 1)!.step;
    await b.changeStep({ incidentId: 1, stepId: 1, expectedVersion: stale.version, action: { type: 'done' }, actor: BOB, now: at(201) });
    expect(await a.remind(stale, at(202), reminderOf(1, 1, at(202)))).toBe(false);
  });

  it('reminds a snoozed step when its snooze ends, not a whole interval after its last reminder', async () => {
    const [a, b] = await open();
    await a.createIncident(newIncident());
    const stepIds = async (store: IncidentStore, minutes: number) => (await store.overdueSteps(at(minutes), 60)).map((o) => o.step.id);
    const first = (await a.overdueSteps(at(16), 60)).find((o) => o.step.id === 1)!.step;
    expect(await a.remind(first, at(16), reminderOf(1, 1, at(16)))).toBe(true);

    // "Snooze 30 min" on that reminder: reminded again at 47, where the hourly interval alone says 76.
    await b.snoozeStep(1, 1, at(47), BOB, at(17), '30 min');
    expect(await stepIds(a, 46)).not.toContain(1);
    expect(await stepIds(b, 47)).toContain(1);
    const afterSnooze = (await a.overdueSteps(at(47), 60)).find((o) => o.step.id === 1)!.step;
    expect(await a.remind(afterSnooze, at(47), reminderOf(1, 1, at(47)))).toBe(true);

    // Once reminded after its snooze, the interval counts again.
    expect(await stepIds(b, 106)).not.toContain(1);
    expect(await stepIds(b, 107)).toContain(1);
  });

  it('claims a reminder only for the step and incident as the tick read them, and decides it from the row as claimed', async () => {
    const [a, b] = await open();
    await a.createIncident(newIncident());
    const readBeforeHandover = (await a.overdueSteps(at(16), 60)).find((o) => o.step.id === 1)!.step;
    // Step 1 goes to Carol between the tick's read and its claim: the read's owner (the commander) is out of date.
    await b.changeStep({ incidentId: 1, stepId: 1, expectedVersion: 0, action: { type: 'assign', owner: CAROL }, actor: BOB, now: at(16) });
    expect(await a.remind(readBeforeHandover, at(16.5), reminderOf(1, 1, at(16.5)))).toBe(false);
    expect(await a.outbox.rows()).toEqual([]);

    const readAfterHandover = (await a.overdueSteps(at(17), 60)).find((o) => o.step.id === 1)!.step;
    const decidedFrom: Step[] = [];
    const won = await a.remind(readAfterHandover, at(17), (claimed) => {
      decidedFrom.push(claimed.step);
      return reminderOf(1, 1, at(17))(claimed);
    });
    expect(won).toBe(true);
    expect(decidedFrom).toEqual([expect.objectContaining({ id: 1, owner: CAROL, lastRemindedAt: at(17), version: 1 })]);

    // The incident is closed between the tick's read and its claim: no reminder for a closed incident.
    const readBeforeClose = (await a.overdueSteps(at(90), 60)).find((o) => o.step.id !== 1)!.step;
    await b.closeIncident(1, BOB, 'Patched', at(90));
    expect(await a.remind(readBeforeClose, at(90.5), reminderOf(1, readBeforeClose.id, at(90.5)))).toBe(false);
    expect((await b.listTimeline(1)).filter((e) => e.type === 'reminder')).toHaveLength(1);
  });

  it('counts drill injects once from what each caller saw, with their timeline entries', async () => {
    const [a, b] = await open();
    await a.createIncident(newIncident({ kind: 'drill' }));
    const inject = { incidentId: 1, at: at(1), actor: null, type: 'inject' as const, text: 'inject 1: the CFO calls' };
    expect(await Promise.all([a.markInjectsSent(1, 0, 1, [inject]), b.markInjectsSent(1, 0, 1, [inject])])).toEqual(expect.arrayContaining([true, false]));
    expect(await a.getIncident(1)).toMatchObject({ injectsSent: 1 });
    expect((await b.listTimeline(1)).filter((e) => e.type === 'inject')).toHaveLength(1);
    expect(await a.listOpenIncidents({ includeDrills: false })).toEqual([]);
    await b.deleteIncident(1);
    expect(await a.getIncident(1)).toBeNull();
    expect(await a.listSteps(1)).toEqual([]);
  });
});
