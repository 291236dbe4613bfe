/**
 * A digest whose summary cannot name every repository it speaks of names them all in its thread:
 * the summary's "not fully checked" line says the thread lists them, and the thread does, through
 * the real outbox into the fake Slack. A thread Slack refused is not pointed at: the summary is
 * edited to say the details could not be posted there.
 */
import { afterEach, describe, expect, it } from 'vitest';
import type { Finding } from '../../src/audit/findings.js';
import { MAX_THREAD_PARTS } from '../../src/slack/blocks/thread-cap.js';
import { checkMessage } from '../../src/slack/blocks/limits.js';
import { renderOutboxMessage } from '../../src/slack/outbox/renderers.js';
import { SlackDelivery } from '../../src/slack/outbox/slack-delivery.js';
import { DIGEST_THREAD, type DigestMessage } from '../../src/watch/messages.js';
import { createBulkSlackClient } from '../../src/slack/pacing.js';
import { PostgresWatchState } from '../../src/store/watch-state/postgres.js';
import { FAKE_BOT_TOKEN } from '../fakes/slack-api.js';
import { createTestDatabase, type TestDatabase } from '../helpers/postgres.js';
import { SqliteWatchState } from '../../src/store/watch-state/sqlite.js';
import { WatchStore } from '../../src/store/watches.js';
import { recordDigestDeliveries, runDigest } from '../../src/watch/digests.js';
import { registryOf } from '../audit/helpers.js';
import { startFakeSlack, type FakeSlack } from '../fakes/slack-api.js';
import { drainOutbox, openTestDb } from './helpers.js';

const CHANNEL = 'C0REVIEW001';
const T0 = new Date('2025-01-01T00:00:00Z');
const AT = new Date('2025-03-01T09:00:00Z');
/** Long names: the summary's one line (3,000 characters) has room for a few dozen of them. */
const REPOS = Array.from({ length: 200 }, (_, i) => `octo-organisation/a-rather-long-service-name-${String(i).padStart(3, '0')}`);

let fake: FakeSlack | undefined;
let database: TestDatabase | undefined;
afterEach(async () => {
  await fake?.close();
  fake = undefined;
  await database?.drop();
  database = undefined;
});

/** 200 watched repositories, none audited yet: every one "not fully checked (never audited)". */
function neverAudited(): WatchStore {
  const store = new WatchStore(openTestDb());
  for (const repo of REPOS) store.addWatch({ repo, channel: CHANNEL, userId: 'U1', private: false, adminLinked: true, now: T0 });
  return store;
}

async function monthlyDigest(store: WatchStore, before?: (f: FakeSlack) => void) {
  const f = (fake = await startFakeSlack());
  before?.(f);
  const state = new SqliteWatchState(store);
  const { key } = await runDigest('monthly', CHANNEL, { state, registry: registryOf([]), now: () => AT, defaultTimeZone: 'UTC' });
  await drainOutbox(store.db, f.url, { now: () => AT });
  return { f, state, key };
}

const textOf = (m: { text?: unknown; blocks?: unknown } | undefined) => `${String(m?.text)}\n${JSON.stringify(m?.blocks ?? [])}`;

describe('a monthly digest with 200 repositories not fully checked', () => {
  it('names what fits in the summary, says the thread lists them all, and the thread does', async () => {
    const { f } = await monthlyDigest(neverAudited());
    const [summary] = f.messages(CHANNEL);
    expect(textOf(summary)).toMatch(/⚠️ 200 of 200 repositories were not fully checked: .*, …and \d+ more \(the thread lists them all\)/);
    const thread = f.thread(CHANNEL, summary!.ts).map(textOf).join('\n');
    expect(thread).toContain('*Not fully checked (200 of 200 repositories)*');
    for (const repo of REPOS) expect(thread).toContain(`• *${repo}* (never audited)`);
    expect(f.violations).toEqual([]);
  });

  it('says the details could not be posted when Slack refused the thread, and points at no thread', async () => {
    // The summary is posted; the thread's first reply is refused.
    const { f, state, key } = await monthlyDigest(neverAudited(), (fake) => fake.failLater('chat.postMessage', 'invalid_arguments', { after: 1, times: 1 }));
    const [summary] = f.messages(CHANNEL);
    expect(f.thread(CHANNEL, summary!.ts)).toEqual([]);
    expect(await recordDigestDeliveries(state, key, AT)).toBe(1);
    await drainOutbox(state.store.db, f.url, { now: () => AT });
    const edited = textOf(f.message(CHANNEL, summary!.ts));
    expect(edited).toContain('⚠️ The details could not be posted in the thread.');
    expect(edited).toContain('(their list could not be posted in the thread)');
    expect(edited).not.toContain('the thread lists them all');
    expect(edited).not.toContain('Details and chart in the thread');
    // Once: a run again writes no second edit.
    expect(await recordDigestDeliveries(state, key, AT)).toBe(0);
  });

  it('edits nothing when the thread was posted', async () => {
    const { state, key } = await monthlyDigest(neverAudited());
    expect(await recordDigestDeliveries(state, key, AT)).toBe(0);
  });
});

describe('on PostgreSQL (the shared outbox of replicas)', () => {
  it('lists them all in the thread, and says so in the summary; a refused thread is said once', async () => {
    database = await createTestDatabase();
    const state = new PostgresWatchState(await database.open({ max: 2 }));
    for (const repo of REPOS) await state.addWatch({ repo, channel: CHANNEL, userId: 'U1', private: false, adminLinked: true, now: T0 });
    const f = (fake = await startFakeSlack());
    let clock = AT;
    const delivery = new SlackDelivery({ db: openTestDb(), api: createBulkSlackClient(FAKE_BOT_TOKEN, { slackApiUrl: f.url }), pacer: { minIntervalMs: 1 }, now: () => clock, shared: state.outbox });
    const { key } = await runDigest('monthly', CHANNEL, { state, registry: registryOf([]), now: () => AT, defaultTimeZone: 'UTC' });
    await delivery.deliver();
    const [summary] = f.messages(CHANNEL);
    expect(textOf(summary)).toContain('(the thread lists them all)');
    const thread = f.thread(CHANNEL, summary!.ts).map(textOf).join('\n');
    for (const repo of REPOS) expect(thread).toContain(`• *${repo}* (never audited)`);
    expect(await recordDigestDeliveries(state, key, AT)).toBe(0);

    // Next month's thread is refused: its summary is edited, once.
    const next = new Date('2025-04-01T09:00:00Z');
    clock = next;
    f.failLater('chat.postMessage', 'invalid_arguments', { after: 1, times: 1 });
    const second = await runDigest('monthly', CHANNEL, { state, registry: registryOf([]), now: () => next, defaultTimeZone: 'UTC' });
    await delivery.deliver();
    expect(await recordDigestDeliveries(state, second.key, next)).toBe(1);
    expect(await recordDigestDeliveries(state, second.key, next)).toBe(0);
    await delivery.deliver();
    await delivery.stop();
    const [, april] = f.messages(CHANNEL);
    expect(textOf(f.message(CHANNEL, april!.ts))).toContain('⚠️ The details could not be posted in the thread.');
    expect(f.violations).toEqual([]);
  });
});

describe('a digest thread longer than a thread has room for', () => {
  it('stops at MAX_THREAD_PARTS replies, the last saying how many more there were', () => {
    const unpinned: Finding = { kind: 'unpinned', severity: 'low', package: 'requests', version: null, file: 'requirements.txt', line: 3, fix: { version: null, text: `Pin requests to an exact release ${'x'.repeat(100)}` } };
    const repos = Array.from({ length: 8000 }, (_, i) => `octo/service-${String(i).padStart(5, '0')}`);
    const message: DigestMessage = {
      kind: 'quarterly',
      timeZone: 'UTC',
      digest: { generatedAt: AT.toISOString(), byKind: { unpinned: repos.map((repo) => ({ repo, finding: unpinned })), 'no-lockfile': [], 'non-registry-source': [], 'extra-index-url': [], 'python-eol': [] }, code: [], stale: [], repos: repos.length, registryUnavailable: false },
    };
    const rendered = renderOutboxMessage(DIGEST_THREAD, message);
    const parts = [rendered, ...(rendered.more ?? [])];
    expect(parts).toHaveLength(MAX_THREAD_PARTS);
    expect(textOf(parts.at(-1))).toMatch(new RegExp(`the details go on for \\d+ more messages, not posted \\(a thread has room for ${MAX_THREAD_PARTS}\\)`));
    for (const part of parts) expect(checkMessage(part)).toEqual([]);
  });
});
