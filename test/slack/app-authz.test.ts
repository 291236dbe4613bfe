/**
 * Who may change what, through the real Bolt app with signed requests: every entry that changes
 * watches, schedules, ignores or incidents (slash commands, buttons, modal submissions, events),
 * for an admin, a member who is not an admin, a request from another channel than the target's,
 * and a private repository. Allowed changes happen; refused ones change nothing, tell the person
 * why (ephemerally, or in the modal) and are kept in the audit log with who tried.
 *
 * The columns:
 * - admin: an admin (DEPWATCH_ADMINS), in the channel where the target lives;
 * - member: someone who is not an admin, same channel;
 * - other channel: an admin, from another channel than the target's (n/a where the only possible
 *   target is the channel the request comes from);
 * - private repository: a member, on a private repository (n/a where no repository is involved).
 *
 * App Home's only action ("Audit a repository…") changes nothing; who may audit a private
 * repository (there and with /audit) is app-audit-private.test.ts's; opening pull requests does not
 * exist yet, so the `pull-requests` action is covered by the policy's own tests.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ALERT_ACTIONS } from '../../src/slack/blocks/alert.js';
import { AUDIT_ACTIONS } from '../../src/slack/blocks/audit-reply.js';
import { IGNORE_BLOCKS, IGNORE_MODAL_CALLBACK } from '../../src/slack/blocks/ignore-modal.js';
import { INCIDENT_ACTIONS } from '../../src/slack/blocks/incident.js';
import { INCIDENT_VIEWS, INPUTS } from '../../src/slack/blocks/incident-modals.js';
import { viewMetadataSealFor } from '../../src/slack/bot.js';
import { ALERT_IGNORE_CALLBACK } from '../../src/slack/listeners/actions/alert-ignore.js';
import { AccessLog } from '../../src/store/access-log.js';
import { getIncident, getStep, listOpenIncidents, listTimeline } from '../../src/store/incidents.js';
import type { FakeRepoInit } from '../fakes/github.js';
import { blockAction, eventCallback, slashCommand, viewSubmission, type BoltResponse } from '../helpers/slack-requests.js';
import { buttons, CHANNEL, EMPTY_REPO, SHOP, startWorld, waitFor, type World } from './app-world.js';

const ADMIN = 'U0ADMIN0001';
const MEMBER = 'U0MEMBER001';
const OTHER = 'C0ELSEWHERE';
const VAULT: FakeRepoInit = { ...SHOP, name: 'vault', private: true };

type Column = 'admin' | 'member' | 'other channel' | 'private repository';
type Outcome = 'allowed' | 'refused' | 'n/a';

/** Who asks, from where, about which repository, in each column. */
interface Cell {
  user: string;
  /** The channel the request comes from. */
  from: string;
  /** The repository the row acts on. */
  repo: 'shop' | 'vault' | 'docs';
}

const CELLS: Record<Column, Cell> = {
  admin: { user: ADMIN, from: CHANNEL, repo: 'shop' },
  member: { user: MEMBER, from: CHANNEL, repo: 'shop' },
  'other channel': { user: ADMIN, from: OTHER, repo: 'shop' },
  'private repository': { user: MEMBER, from: CHANNEL, repo: 'vault' },
};

/**
 * What the world holds before the rows run: replies, an alert and incidents in CHANNEL. The rows run
 * in any order, so each incident a row closes is that row's own: the others stay open for theirs.
 */
interface Seeded {
  replies: Record<'shop' | 'vault', { ts: string; ignore: string; incident: string }>;
  alertId: number;
  incident: number;
  second: number;
  /** Closed by the Close modal's row. */
  closedByModal: number;
  /** Closed by `/incident close #id`'s row. */
  closedByCommand: number;
}

interface Row {
  action: string;
  expect: Record<Column, Outcome>;
  /** Sends the request(s); returns the HTTP answer and the response_url id the answer may go to. */
  run(w: World, cell: Cell, seeded: Seeded, responseId: string): Promise<BoltResponse>;
  /** Whether the change happened. */
  changed(w: World, cell: Cell, seeded: Seeded): boolean | Promise<boolean>;
}

const seal = (w: World, user: string, channel: string, data: Record<string, string | number | null>) => viewMetadataSealFor(w.config).seal({ user, channel, data });
const command = (w: World, c: Cell, text: string, responseId: string, name = '/audit') =>
  w.send(slashCommand({ command: name, text, user_id: c.user, channel_id: c.from, response_url: w.slack.responseUrl(responseId, { channel: c.from, user: c.user }) }));
const click = (w: World, c: Cell, actionId: string, value: string, responseId: string, extra: Partial<Parameters<typeof blockAction>[0]> = {}) =>
  w.send(blockAction({ actionId, value, user: c.user, channel: c.from, response_url: w.slack.responseUrl(responseId, { channel: c.from, user: c.user }), ...extra }));
const repoName = (c: Cell) => `octo/${c.repo}`;
const watchTarget = (c: Cell) => (c.from === CHANNEL ? '' : ` <#${CHANNEL}>`);
const ignoreValues = (advisory: string) => ({
  [IGNORE_BLOCKS.advisory]: { value: { type: 'plain_text_input', value: advisory } },
  [IGNORE_BLOCKS.reason]: { value: { type: 'plain_text_input', value: 'not reachable here' } },
});

const ROWS: Row[] = [
  {
    action: '/audit watch',
    expect: { admin: 'allowed', member: 'refused', 'other channel': 'allowed', 'private repository': 'refused' },
    run: (w, c, _s, id) => command(w, c, `watch ${c.repo === 'shop' ? 'octo/docs' : repoName(c)}${watchTarget(c)}`, id),
    changed: (w, c) => w.watch!.store.watchesForChannel(CHANNEL).some((x) => x.repo === (c.repo === 'shop' ? 'octo/docs' : repoName(c))),
  },
  {
    action: '/audit unwatch',
    expect: { admin: 'allowed', member: 'refused', 'other channel': 'allowed', 'private repository': 'refused' },
    run: (w, c, _s, id) => command(w, c, `unwatch ${c.repo === 'shop' ? 'octo/old' : 'octo/vault-old'}${watchTarget(c)}`, id),
    changed: (w, c) => !w.watch!.store.watchesForChannel(CHANNEL).some((x) => x.repo === (c.repo === 'shop' ? 'octo/old' : 'octo/vault-old')),
  },
  {
    action: '/audit schedule',
    expect: { admin: 'allowed', member: 'refused', 'other channel': 'n/a', 'private repository': 'n/a' },
    run: (w, c, _s, id) => command(w, c, 'schedule weekly fri 16:00', id),
    changed: (w) => w.watch!.store.schedulesForChannel(CHANNEL).some((s) => s.kind === 'weekly' && s.cron === '0 16 * * 5'),
  },
  {
    action: '/audit schedule timezone',
    expect: { admin: 'allowed', member: 'refused', 'other channel': 'n/a', 'private repository': 'n/a' },
    run: (w, c, _s, id) => command(w, c, 'schedule timezone Europe/Berlin', id),
    changed: (w) => w.watch!.store.channelTimeZone(CHANNEL) === 'Europe/Berlin',
  },
  {
    action: '/audit ignore',
    expect: { admin: 'allowed', member: 'refused', 'other channel': 'n/a', 'private repository': 'n/a' },
    run: (w, c, _s, id) => command(w, c, 'ignore PYSEC-2099-1 only in test fixtures', id),
    changed: (w) => w.watch!.store.ignoresForChannel(CHANNEL).some((i) => i.advisory === 'PYSEC-2099-1'),
  },
  {
    action: '/audit unignore',
    expect: { admin: 'allowed', member: 'refused', 'other channel': 'n/a', 'private repository': 'n/a' },
    run: (w, c, _s, id) => command(w, c, 'unignore PYSEC-2099-2', id),
    changed: (w) => !w.watch!.store.ignoresForChannel(CHANNEL).some((i) => i.advisory === 'PYSEC-2099-2'),
  },
  {
    action: '"Watch this repo" button',
    expect: { admin: 'allowed', member: 'refused', 'other channel': 'refused', 'private repository': 'refused' },
    // The value names the audit whose reply the button sits on: honoured only in that reply's channel.
    run: (w, c, s, id) => click(w, c, AUDIT_ACTIONS.watch, String(Number(s.replies[c.repo as 'shop' | 'vault'].ignore.split(':')[0])), id),
    changed: (w, c) => w.watch!.store.watchesForChannel(CHANNEL).some((x) => x.repo === repoName(c)),
  },
  {
    action: '"Ignore…" button under an /audit reply',
    expect: { admin: 'allowed', member: 'refused', 'other channel': 'refused', 'private repository': 'refused' },
    run: (w, c, s, id) => click(w, c, AUDIT_ACTIONS.ignore, s.replies[c.repo as 'shop' | 'vault'].ignore, id, { message_ts: s.replies[c.repo as 'shop' | 'vault'].ts }),
    changed: (w, c) => w.slack.callsTo('views.open').some((v) => (v.params.view as { callback_id?: string }).callback_id === IGNORE_MODAL_CALLBACK && JSON.stringify(v.params.view).includes(`octo/${c.repo}`)),
  },
  {
    action: 'Ignore modal under an /audit reply (submit)',
    expect: { admin: 'allowed', member: 'refused', 'other channel': 'refused', 'private repository': 'refused' },
    // The modal as Slack would return it had this person opened it from `from` (its metadata sealed so).
    run: (w, c, s) => {
      const reply = s.replies[c.repo as 'shop' | 'vault'];
      const auditId = Number(reply.ignore.split(':')[0]);
      return w.send(viewSubmission({ callbackId: IGNORE_MODAL_CALLBACK, user: c.user, privateMetadata: seal(w, c.user, c.from, { a: auditId, t: reply.ts }), values: ignoreValues('PYSEC-2023-221') }));
    },
    changed: async (w, c) => (await w.bot.service.state.ignoresForRepo(repoName(c))).length > 0,
  },
  {
    action: '"Ignore…" button on an alert',
    expect: { admin: 'allowed', member: 'refused', 'other channel': 'refused', 'private repository': 'n/a' },
    run: (w, c, s, id) => click(w, c, ALERT_ACTIONS.ignore, String(s.alertId), id),
    changed: (w) => w.slack.callsTo('views.open').some((v) => (v.params.view as { callback_id?: string }).callback_id === ALERT_IGNORE_CALLBACK),
  },
  {
    action: 'Ignore modal on an alert (submit)',
    expect: { admin: 'allowed', member: 'refused', 'other channel': 'refused', 'private repository': 'n/a' },
    run: (w, c, s) => w.send(viewSubmission({ callbackId: ALERT_IGNORE_CALLBACK, user: c.user, privateMetadata: seal(w, c.user, c.from, { alert: s.alertId }), values: ignoreValues('PYSEC-2099-3') })),
    changed: (w) => w.watch!.store.ignoresForChannel(CHANNEL).some((i) => i.advisory === 'PYSEC-2099-3'),
  },
  {
    action: '/incident start',
    expect: { admin: 'allowed', member: 'allowed', 'other channel': 'n/a', 'private repository': 'n/a' },
    run: (w, c, _s, id) => command(w, c, 'start low Disk almost full', id, '/incident'),
    changed: (w) => listOpenIncidents(w.db, { channel: CHANNEL }).some((i) => i.title === 'Disk almost full'),
  },
  {
    action: '/incident severity #id',
    expect: { admin: 'allowed', member: 'allowed', 'other channel': 'refused', 'private repository': 'n/a' },
    run: (w, c, s, id) => command(w, c, `severity #${s.second} critical`, id, '/incident'),
    changed: (w, _c, s) => getIncident(w.db, s.second)?.severity === 'critical',
  },
  {
    action: '"Start incident" button under an /audit reply',
    expect: { admin: 'allowed', member: 'allowed', 'other channel': 'refused', 'private repository': 'allowed' },
    run: (w, c, s, id) => click(w, c, AUDIT_ACTIONS.incident, s.replies[c.repo as 'shop' | 'vault'].incident, id, { message_ts: s.replies[c.repo as 'shop' | 'vault'].ts }),
    changed: (w, c) => listOpenIncidents(w.db).some((i) => i.title.includes(`(${repoName(c)})`)),
  },
  {
    action: '"Start incident" button on an alert',
    expect: { admin: 'allowed', member: 'allowed', 'other channel': 'refused', 'private repository': 'n/a' },
    run: (w, c, s, id) => click(w, c, ALERT_ACTIONS.startIncident, String(s.alertId), id),
    changed: (w) => listOpenIncidents(w.db).some((i) => i.title.startsWith('PYSEC-2099-9')),
  },
  {
    action: 'checklist "Done" button',
    expect: { admin: 'allowed', member: 'allowed', 'other channel': 'refused', 'private repository': 'n/a' },
    run: (w, c, s, id) => click(w, c, INCIDENT_ACTIONS.stepDone, `${s.incident}:1:0`, id),
    changed: (w, _c, s) => getStep(w.db, s.incident, 1)?.status === 'done',
  },
  {
    action: 'severity menu on the incident',
    expect: { admin: 'allowed', member: 'allowed', 'other channel': 'refused', 'private repository': 'n/a' },
    run: (w, c, s, id) => click(w, c, INCIDENT_ACTIONS.severity, '', id, { actionType: 'static_select', selectedOption: { text: 'Low', value: `${s.incident}:low` } }),
    changed: (w, _c, s) => getIncident(w.db, s.incident)?.severity === 'low',
  },
  {
    action: '📌 on an incident message',
    expect: { admin: 'allowed', member: 'allowed', 'other channel': 'n/a', 'private repository': 'n/a' },
    run: (w, c, s) => {
      const root = getIncident(w.db, s.incident)!;
      return w.send(eventCallback({ type: 'reaction_added', user: c.user, reaction: 'pushpin', item_user: 'U0DEPBOT001', item: { type: 'message', channel: root.channel, ts: root.rootTs }, event_ts: '1732788500.000100' }));
    },
    changed: (w, _c, s) => listTimeline(w.db, s.incident).some((e) => e.type === 'pin'),
  },
  {
    action: '"Close…" button on the incident',
    expect: { admin: 'allowed', member: 'allowed', 'other channel': 'refused', 'private repository': 'n/a' },
    run: (w, c, s, id) => click(w, c, INCIDENT_ACTIONS.close, String(s.incident), id),
    changed: (w) => w.slack.callsTo('views.open').some((v) => (v.params.view as { callback_id?: string }).callback_id === INCIDENT_VIEWS.close),
  },
  {
    action: 'Close modal (submit)',
    expect: { admin: 'allowed', member: 'allowed', 'other channel': 'refused', 'private repository': 'n/a' },
    run: (w, c, s) =>
      w.send(viewSubmission({ callbackId: INCIDENT_VIEWS.close, user: c.user, privateMetadata: seal(w, c.user, c.from, { i: s.closedByModal }), values: { [INPUTS.summary]: { [INPUTS.summary]: { type: 'plain_text_input', value: 'fixed' } } } })),
    changed: (w, _c, s) => getIncident(w.db, s.closedByModal)?.status === 'closed',
  },
  {
    action: '/incident close #id',
    expect: { admin: 'allowed', member: 'allowed', 'other channel': 'refused', 'private repository': 'n/a' },
    run: (w, c, s, id) => command(w, c, `close #${s.closedByCommand} done`, id, '/incident'),
    changed: (w, _c, s) => getIncident(w.db, s.closedByCommand)?.status === 'closed',
  },
];

async function seed(w: World): Promise<Seeded> {
  const now = new Date();
  const store = w.watch!.store;
  store.addWatch({ repo: 'octo/old', channel: CHANNEL, userId: ADMIN, private: false, adminLinked: true, now });
  store.addWatch({ repo: 'octo/vault-old', channel: CHANNEL, userId: ADMIN, private: true, adminLinked: true, now });
  store.addIgnore({ channel: CHANNEL, advisory: 'PYSEC-2099-2', package: null, reason: 'seeded', until: null, userId: ADMIN, now });
  const alert = store.recordAlert({ channel: CHANNEL, advisoryId: 'PYSEC-2099-9', affected: [], now });

  const replies = {} as Seeded['replies'];
  for (const repo of ['shop', 'vault'] as const) {
    const updates = w.slack.callsTo('chat.update').length;
    await w.audit(`octo/${repo}`, { user: ADMIN });
    const update = await waitFor(() => w.slack.callsTo('chat.update')[updates], `the audit of octo/${repo}`);
    await w.bot.service.idle();
    const message = w.slack.message(CHANNEL, String(update.params.ts))!;
    const ignore = buttons(message.blocks).find((b) => b.action_id === AUDIT_ACTIONS.ignore)!.value!;
    const incident = buttons(message.blocks).find((b) => b.action_id === AUDIT_ACTIONS.incident)!.value!;
    replies[repo] = { ts: message.ts, ignore, incident };
  }
  const titles = ['Seeded incident', 'Second incident', 'Closed by the modal', 'Closed by command'];
  for (const title of titles) {
    await w.send(slashCommand({ command: '/incident', text: `start high ${title}`, user_id: ADMIN, channel_id: CHANNEL, response_url: w.slack.responseUrl(`seed-${title}`, { channel: CHANNEL, user: ADMIN }) }));
    await waitFor(() => listOpenIncidents(w.db, { channel: CHANNEL }).find((i) => i.title === title && i.rootTs), title);
  }
  const [first, second, closedByModal, closedByCommand] = titles.map((t) => listOpenIncidents(w.db, { channel: CHANNEL }).find((i) => i.title === t)!.id);
  return { replies, alertId: alert.id, incident: first!, second: second!, closedByModal: closedByModal!, closedByCommand: closedByCommand! };
}

/** Everything the person was told: answers through response_url, ephemerals, the HTTP answer (modal errors). */
function toldTo(w: World, user: string, responseId: string, http: BoltResponse): string {
  const responses = w.slack.responses.filter((r) => r.id === responseId).map((r) => String(r.body.text ?? ''));
  const ephemerals = w.slack.ephemerals().filter((e) => e.user === user).map((e) => e.text);
  return [http.text, ...responses, ...ephemerals].join('\n');
}

describe.each(Object.keys(CELLS) as Column[])('%s', (column) => {
  let world: World;
  let seeded: Seeded;
  const cell = CELLS[column];
  beforeAll(async () => {
    world = await startWorld({ repos: [SHOP, EMPTY_REPO, VAULT], watch: { admins: [ADMIN] } });
    seeded = await seed(world);
  }, 60_000);
  afterAll(async () => {
    await world.close();
  });

  const rows = ROWS.filter((r) => r.expect[column] !== 'n/a');
  it.each(rows.map((r) => [r.action, r.expect[column], r] as const))('%s: %s', async (_action, outcome, row) => {
    const w = world;
    const log = new AccessLog(w.db);
    const refusalsBefore = log.refusals(1000).length;
    const responseId = `${column}:${row.action}`;
    expect(await row.changed(w, cell, seeded)).toBe(false);
    const http = await row.run(w, cell, seeded, responseId);
    expect(http.status).toBe(200);
    if (outcome === 'allowed') {
      await waitFor(() => row.changed(w, cell, seeded), `${row.action} to happen`);
      await w.bot.service.idle();
      expect(log.refusals(1000).length).toBe(refusalsBefore);
      return;
    }
    // Refused: kept with who tried, told to them, and nothing changed.
    const refusal = await waitFor(() => log.refusals(1000).length > refusalsBefore && log.refusals(1)[0], 'the refusal on record');
    expect(refusal).toMatchObject({ userId: cell.user, channel: cell.from, rule: column === 'other channel' ? 'other-channel' : expect.stringMatching(/^(not-admin|private-repository)$/) });
    const said = await waitFor(() => {
      const text = toldTo(w, cell.user, responseId, http);
      return /Only Depwatch admins|another channel/.test(text) && text;
    }, 'the refusal told to the person');
    expect(said).toMatch(column === 'other channel' ? /another channel/ : /Only Depwatch admins \(DEPWATCH_ADMINS\) can/);
    await w.bot.service.idle();
    expect(await row.changed(w, cell, seeded)).toBe(false);
    expect(w.slack.violations).toEqual([]);
  });
});
