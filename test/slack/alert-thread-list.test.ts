/**
 * The complete list of an alert's repositories (src/slack/blocks/alert-list.ts): every repository a
 * line, cut at whole lines into thread replies within Slack's limits, "(list 1 of 3)" on each; and
 * through the real outbox delivery loop into the fake Slack's thread, each part once.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { alertListMessages } from '../../src/slack/blocks/alert-list.js';
import { MAX_THREAD_PARTS } from '../../src/slack/blocks/thread-cap.js';
import { alertMessage } from '../../src/slack/blocks/alert.js';
import { checkMessage } from '../../src/slack/blocks/limits.js';
import { SqliteOutbox } from '../../src/store/outbox/sqlite.js';
import type { AffectedRepo } from '../../src/store/watches.js';
import { ADVISORY_ALERT, ADVISORY_ALERT_LIST, type AdvisoryAlert, type AdvisoryAlertList } from '../../src/watch/messages.js';
import { startFakeSlack, type FakeSlack } from '../fakes/slack-api.js';
import { drainOutbox, openTestDb } from '../watch/helpers.js';

const name = (i: number) => `octo-corp/service-${String(i).padStart(5, '0')}`;
const pin = (i: number, p = 0): AffectedRepo => ({
  repo: name(i),
  repoUrl: `https://github.com/${name(i)}`,
  version: '2.1.5',
  file: `services/part-${p}/requirements.txt`,
  line: 12,
  url: `https://github.com/${name(i)}/blob/abc/services/part-${p}/requirements.txt#L12`,
  fix: 'upgrade django to 2.2.28',
  fixVersion: '2.2.28',
  fixedBySha: null,
  fixedAt: null,
});
const listOf = (affected: AffectedRepo[]): AdvisoryAlertList => ({ alertId: 7, advisoryId: 'PYSEC-2024-1', package: 'django', asOf: '2026-12-07T12:45:00.000Z', resolved: false, affected, digest: 'd' });
const textOf = (m: { text: string; blocks: unknown }) => `${m.text}\n${JSON.stringify(m.blocks)}`;
/** The repositories a part names, in order (one line each). */
const named = (m: { blocks: unknown }) => [...JSON.stringify(m.blocks).matchAll(/(?:•|✅|➖) \*([^*]+)\*/g)].map((x) => x[1]!);

describe('the complete list of an alert on 2,000 repositories', () => {
  const affected = Array.from({ length: 2000 }, (_, i) => pin(i));
  const parts = alertListMessages(listOf(affected));

  it('names every repository once, in order, across the parts', () => {
    expect(parts.flatMap(named)).toEqual(affected.map((a) => a.repo));
  });

  it('says which part of how many each one is, and stays within Slack’s limits', () => {
    expect(parts.length).toBeGreaterThan(1);
    parts.forEach((part, i) => {
      expect(textOf(part)).toContain(`(list ${i + 1} of ${parts.length})`);
      expect(checkMessage(part)).toEqual([]);
    });
  });
});

describe('a list longer than a thread has room for', () => {
  const affected = Array.from({ length: 6000 }, (_, i) => pin(i));
  const parts = alertListMessages(listOf(affected));

  it('stops at MAX_THREAD_PARTS replies, counting what it left out and saying how to get it all', () => {
    expect(parts).toHaveLength(MAX_THREAD_PARTS);
    const listed = parts.flatMap(named).length;
    const last = textOf(parts.at(-1)!);
    expect(last).toContain(`…and ${6000 - listed} more repositories, not listed: a thread has room for ${MAX_THREAD_PARTS} messages of this list`);
    expect(last).toContain('`depwatch watch affected PYSEC-2024-1` lists them all');
    for (const part of parts) expect(checkMessage(part)).toEqual([]);
  });
});

describe('a repository with many pins and one closed', () => {
  it('keeps a repository’s pins on its line and says why a closed one is not open', () => {
    const affected = [pin(1, 0), pin(1, 1), { ...pin(2), fixedAt: '2026-12-01T00:00:00Z', fixedBySha: 'abcdef1234567' }, { ...pin(3), fixedAt: '2026-12-01T00:00:00Z', closedReason: 'ignored in .depwatch.yml: not reachable' }];
    const [part] = alertListMessages(listOf(affected));
    const text = textOf(part!);
    expect(text).toContain('• *octo-corp/service-00001* `2.1.5` in services/part-0/requirements.txt:12, `2.1.5` in services/part-1/requirements.txt:12');
    expect(text).toContain('✅ *octo-corp/service-00002*: fixed by `abcdef1`');
    expect(text).toContain('➖ *octo-corp/service-00003*: not fixed, ignored in .depwatch.yml: not reachable');
    expect(text).toContain('3 repositories, 1 open, 2 closed');
    expect(text).not.toContain('(list 1 of');
  });
});

describe('the alert’s own message', () => {
  const view = (listInThread?: AdvisoryAlert['listInThread']): AdvisoryAlert => ({ alertId: 7, advisoryId: 'PYSEC-2024-1', aliases: [], summary: 'SQL injection', severity: 'high', cvss: 8.1, malicious: false, package: 'django', affected: Array.from({ length: 300 }, (_, i) => pin(i)), resolved: false, ...(listInThread ? { listInThread } : {}) });
  const moreLine = (v: AdvisoryAlert) => JSON.stringify(alertMessage(v).blocks).match(/…and \d+ more repositor[^"]*/)![0];

  it('claims no list before it is posted', () => {
    expect(moreLine(view())).not.toContain('thread');
  });

  it('points at the list once posted, and says when it could not be', () => {
    expect(moreLine(view('posted'))).toMatch(/^…and 275 more repositories \(the complete list is in this thread\): /);
    expect(moreLine(view('posted'))).toMatch(/…and \d+ more not named here \(the thread lists them\)$/);
    expect(moreLine(view('failed'))).toContain('(their complete list could not be posted in this thread; `depwatch watch affected PYSEC-2024-1` lists them)');
    for (const v of [view('posted'), view('failed')]) expect(checkMessage(alertMessage(v))).toEqual([]);
  });
});

describe('through the outbox', () => {
  let slack: FakeSlack | undefined;
  afterEach(async () => {
    await slack?.close();
  });

  it('posts every part in the alert’s thread once, each with its own key, paced like any thread', async () => {
    slack = await startFakeSlack();
    const db = openTestDb();
    const outbox = new SqliteOutbox(db);
    const channel = 'C0SECURITY1';
    const affected = Array.from({ length: 300 }, (_, i) => pin(i, i % 2));
    const alert: AdvisoryAlert = { alertId: 7, advisoryId: 'PYSEC-2024-1', aliases: [], summary: 'SQL injection', severity: 'high', cvss: 8.1, malicious: false, package: 'django', affected, resolved: false };
    await outbox.write(
      [
        { kind: ADVISORY_ALERT, data: alert, channel, op: 'post', messageKey: 'alert:7', idempotencyKey: 'alert:7' },
        { kind: ADVISORY_ALERT_LIST, data: listOf(affected), channel, op: 'reply', messageKey: 'alert:7', idempotencyKey: 'alert:7:list' },
      ],
      new Date(),
    );
    await drainOutbox(db, slack.url);
    const [posted] = slack.messages(channel);
    const thread = slack.thread(channel, posted!.ts);
    expect(thread.length).toBeGreaterThan(1);
    expect(thread.flatMap((m) => named(m as never))).toEqual([...new Set(affected.map((a) => a.repo))]);
    expect(slack.callsTo('chat.postMessage').map((c) => (c.params.metadata as { event_payload: { key: string } }).event_payload.key)).toEqual(['alert:7', 'alert:7:list', ...thread.slice(1).map((_, i) => `alert:7:list#${i + 2}`)]);
    expect(slack.violations).toEqual([]);
    // Delivered again: nothing more.
    await drainOutbox(db, slack.url);
    expect(slack.thread(channel, posted!.ts)).toHaveLength(thread.length);
    db.close();
  });
});
