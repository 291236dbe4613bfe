/**
 * An alert naming more repositories than its message lists in full (ALERT_REPOS_LISTED) gets the
 * complete list in its thread, through the outbox: written with the alert, posted once under it,
 * and only then pointed at by the alert's message ("the complete list is in this thread"). A list
 * Slack refused is never claimed: the message says it could not be posted and how to get it.
 * Real watch service, real outbox and delivery loop, the fake Slack (which rejects what Slack would).
 */
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { OsvRecord } from '../../src/advisories/types.js';
import { ADVISORY_ALERT, ADVISORY_ALERT_LIST, ALERT_REPOS_LISTED } from '../../src/watch/messages.js';
import { fixtureRecord } from '../fixtures/osv/load.js';
import { afterWatchStarted, startWorld, type World } from './helpers.js';

const URLLIB3 = fixtureRecord('PYSEC-2019-132');
const REQUESTS: OsvRecord = { ...fixtureRecord('PYSEC-2014-13'), modified: '2025-01-06T10:00:00Z' };
const CHANNEL = 'C0SECURITY1';
const ADMIN = 'U0ADMIN0001';
const alertsJob = { key: `alerts:${CHANNEL}`, channel: CHANNEL, kind: 'alerts' as const, cron: '0 * * * *', timeZone: 'UTC', since: new Date(0) };
const REPOS = Array.from({ length: ALERT_REPOS_LISTED + 5 }, (_, i) => `svc-${String(i).padStart(2, '0')}`);

let world: World;
afterEach(async () => {
  await world?.close();
});

const textOf = (m: { text?: unknown; blocks?: unknown }) => `${String(m.text)}\n${JSON.stringify(m.blocks ?? [])}`;

/** A channel watching `repos` (each pinning requests 2.2.0), swept once, then alerted of REQUESTS an hour later. */
async function alertedOfRequests(repos: readonly string[], before?: (w: World) => void) {
  world = await startWorld({ records: [URLLIB3], start: '2025-01-06T09:30:00Z' });
  for (const name of repos) world.github.addRepo({ owner: 'octo', name, files: { 'requirements.txt': 'requests==2.2.0\n' } });
  const { watch } = world.service();
  for (const name of repos) await watch.handleCommand(`watch octo/${name}`, { userId: ADMIN, channelId: CHANNEL });
  await watch.runJob(alertsJob, world.clock.now());
  world.osv.addRecord(REQUESTS);
  world.clock.advance(3_600_000);
  before?.(world);
  await watch.runJob(alertsJob, world.clock.now());
  const [alert] = afterWatchStarted(world.slack.messages(CHANNEL));
  return { watch, alert: alert! };
}

describe('an alert on more repositories than its message lists', () => {
  it('posts the complete list in its thread, then points at it from the “and N more” line', async () => {
    const { watch, alert } = await alertedOfRequests(REPOS);
    const thread = world.slack.thread(CHANNEL, alert.ts);
    expect(thread).toHaveLength(1);
    const list = textOf(thread[0]!);
    for (const name of REPOS) expect(list).toContain(`*octo/${name}*`);
    expect(list).toContain(`PYSEC-2014-13 in requests hits (alert #`);
    expect(list).toContain(`${REPOS.length} repositories, ${REPOS.length} open`);
    expect(list).not.toContain('(list 1 of');

    // The message now (after its edit) says where the rest are; it did not before the list was posted.
    const now = world.slack.message(CHANNEL, alert.ts)!;
    expect(textOf(now)).toContain('…and 5 more repositories (the complete list is in this thread): ');
    const [record] = watch.store.alertsForChannel(CHANNEL);
    const rows = await watch.outbox.rows({ channel: CHANNEL });
    const ofAlert = rows.filter((r) => r.messageKey === record!.clientKey);
    expect(ofAlert.map((r) => [r.kind, r.op, r.idempotencyKey, r.state])).toEqual([
      [ADVISORY_ALERT, 'post', record!.clientKey, 'posted'],
      [ADVISORY_ALERT_LIST, 'reply', `${record!.clientKey}:list`, 'posted'],
      [ADVISORY_ALERT, 'update', `${record!.clientKey}:list:said-posted`, 'posted'],
    ]);
    expect((ofAlert[0]!.data as { listInThread?: string }).listInThread).toBeUndefined();
    expect(world.slack.violations).toEqual([]);
  });

  it('posts the list once: the next runs write no list and no edit when nothing changed', async () => {
    const { watch, alert } = await alertedOfRequests(REPOS);
    const rowsBefore = (await watch.outbox.rows({ channel: CHANNEL })).length;
    for (let i = 0; i < 2; i++) {
      world.clock.advance(3_600_000);
      await watch.runJob(alertsJob, world.clock.now());
    }
    expect(world.slack.thread(CHANNEL, alert.ts)).toHaveLength(1);
    expect(await watch.outbox.rows({ channel: CHANNEL })).toHaveLength(rowsBefore);
  });

  it('posts a new list, and points at it, when the repositories it lists change', async () => {
    const { watch, alert } = await alertedOfRequests(REPOS);
    world.github.pushCommit('octo', REPOS[0]!, { 'requirements.txt': 'requests==2.20.0\n' }, { message: 'bump requests' });
    world.clock.advance(3_600_000);
    await watch.runJob(alertsJob, world.clock.now());
    const thread = world.slack.thread(CHANNEL, alert.ts);
    expect(thread).toHaveLength(2);
    expect(textOf(thread[1]!)).toMatch(new RegExp(`✅ \\*octo/${REPOS[0]}\\*: fixed by`));
    expect(textOf(thread[1]!)).toContain(`${REPOS.length} repositories, ${REPOS.length - 1} open, 1 closed`);
    expect(textOf(world.slack.message(CHANNEL, alert.ts)!)).toContain('(the complete list is in this thread)');
    expect(world.slack.violations).toEqual([]);
  });

  it('never claims a list Slack refused: the message says it could not be posted, and how to get it', async () => {
    // The alert's post goes through; the list's post after it is refused.
    const { watch, alert } = await alertedOfRequests(REPOS, (w) => w.slack.failLater('chat.postMessage', 'invalid_arguments', { after: 1, times: 1 }));
    expect(world.slack.thread(CHANNEL, alert.ts)).toEqual([]);
    const said = textOf(world.slack.message(CHANNEL, alert.ts)!);
    expect(said).not.toContain('the complete list is in this thread');
    expect(said).toContain('…and 5 more repositories (their complete list could not be posted in this thread; `depwatch watch affected PYSEC-2014-13` lists them): ');
    const [record] = watch.store.alertsForChannel(CHANNEL);
    expect(record!.state).toBe('posted');
  });

  it('reads what the alerts’ lists say in one outbox read a run, however many long alerts the channel has', async () => {
    // Two advisories of requests 2.2.0: two long alerts, each with its list posted and pointed at.
    const { watch } = await alertedOfRequests(REPOS, (w) => w.osv.addRecord({ ...fixtureRecord('PYSEC-2014-14'), modified: '2025-01-06T10:00:00Z' }));
    const alerts = watch.store.alertsForChannel(CHANNEL);
    expect(alerts).toHaveLength(2);
    for (const alert of alerts) expect(textOf(world.slack.message(CHANNEL, alert.messageTs!)!)).toContain('(the complete list is in this thread)');
    const outbox = watch.state.outbox;
    const reads = [vi.spyOn(outbox, 'latestOfMessage'), vi.spyOn(outbox, 'postedTs'), vi.spyOn(outbox, 'latestOfMessages')];
    world.clock.advance(3_600_000);
    await watch.runJob(alertsJob, world.clock.now());
    expect(reads.reduce((n, spy) => n + spy.mock.calls.length, 0)).toBe(1);
  });

  it('lists them in the message alone when they fit (no thread, no list row)', async () => {
    const few = REPOS.slice(0, 3);
    const { watch, alert } = await alertedOfRequests(few);
    expect(world.slack.thread(CHANNEL, alert.ts)).toEqual([]);
    expect((await watch.outbox.rows({ channel: CHANNEL })).some((r) => r.kind === ADVISORY_ALERT_LIST)).toBe(false);
  });
});
