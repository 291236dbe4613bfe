/**
 * A sweep audit that could not read everything is kept as partial in the watch state, and `/audit
 * list` says so: a repository whose only lockfile is unreadable, or whose code could not be scanned,
 * never reads as "0 open vulnerabilities, checked …" alone. A complete audit clears it; an advisory
 * source that was down is cleared by the next clean re-match of the same commit.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { createAccessGate } from '../../src/authz/gate.js';
import { watchReplyMessage } from '../../src/slack/blocks/watch-reply.js';
import { handleWatchCommand, parseWatchCommand, type WatchCommandContext } from '../../src/watch/commands.js';
import type { WatchService } from '../../src/watch/service.js';
import type { SlackDelivery } from '../../src/slack/outbox/slack-delivery.js';
import { ROUTES } from '../fakes/github.js';
import { fixtureRecord } from '../fixtures/osv/load.js';
import { afterWatchStarted, startWorld, type World } from './helpers.js';

const CHANNEL = 'C0AAAAAAAA1';
const PYPROJECT = '[project]\nname = "app"\ndependencies = ["urllib3"]\n';
const CONFLICTED_LOCK = '[[package]]\nname = "urllib3"\nversion = "1.24.1"\n<<<<<<< HEAD\n';
const GOOD_LOCK = '[[package]]\nname = "urllib3"\nversion = "1.24.1"\ndescription = ""\noptional = false\npython-versions = "*"\nfiles = []\n\n[metadata]\nlock-version = "2.0"\npython-versions = "^3.8"\ncontent-hash = "0"\n';

let world: World | undefined;
afterEach(async () => {
  await world?.close();
  world = undefined;
});

/** `/audit list` in the channel, as Slack shows it. */
async function list(watch: WatchService<SlackDelivery>): Promise<string> {
  const ctx: WatchCommandContext = { userId: 'U1', channelId: CHANNEL, state: watch.state, scheduler: { reload: () => undefined }, via: 'command', gate: createAccessGate({ admins: [] }), now: new Date(), defaultTimeZone: 'UTC' };
  return JSON.stringify(watchReplyMessage(await handleWatchCommand(parseWatchCommand('list')!, ctx)).blocks);
}

async function watching(files: Record<string, string>, options: { codeScan?: boolean } = {}) {
  const w = (world = await startWorld({ records: [fixtureRecord('PYSEC-2019-132')], start: '2025-01-06T09:00:00Z' }));
  w.github.addRepo({ owner: 'octo', name: 'locked', files });
  const { watch } = w.service(options.codeScan ? { codeScan: { fingerprintKey: 'k'.repeat(32) } } : {});
  watch.store.addWatch({ repo: 'octo/locked', channel: CHANNEL, userId: 'U1', private: false, adminLinked: true, now: w.clock.now() });
  return { w, watch };
}

describe('/audit list after a sweep that could not read everything', () => {
  it('says the repository is partial and why, not "0 open vulnerabilities, checked …" alone', async () => {
    const { watch } = await watching({ 'pyproject.toml': PYPROJECT, 'poetry.lock': CONFLICTED_LOCK });
    await watch.sweeps.runNow();
    expect(watch.store.repoState('octo/locked')?.partialReasons).toEqual([expect.objectContaining({ kind: 'unread', text: expect.stringContaining('poetry.lock') })]);
    const text = await list(watch);
    expect(text).toMatch(/\*octo\/locked\*: ⚠️ partial: poetry\.lock:\d+ not read completely: [^;]+; 0 open vulnerabilities in what could be read, checked 2025-01-06 09:00 UTC/);
  });

  it('clears the mark once an audit of a later commit reads everything', async () => {
    const { w, watch } = await watching({ 'pyproject.toml': PYPROJECT, 'poetry.lock': CONFLICTED_LOCK });
    await watch.sweeps.runNow();
    w.github.pushCommit('octo', 'locked', { 'poetry.lock': GOOD_LOCK });
    w.clock.advance(3_600_000);
    await watch.sweeps.runNow();
    expect(watch.store.repoState('octo/locked')?.partialReasons).toEqual([]);
    const text = await list(watch);
    expect(text).toContain('*octo/locked*: 1 open vulnerability, checked 2025-01-06 10:00 UTC');
    expect(text).not.toContain('partial');
  });

  it('keeps "advisories unavailable" until a sweep of the same commit checks again', async () => {
    const { w, watch } = await watching({ 'requirements.txt': 'urllib3==1.24.1\n' });
    w.osv.failNext(2, 503); // the audit's query and its one retry
    await watch.sweeps.runNow();
    expect(await list(watch)).toContain('⚠️ partial: advisories unavailable');
    w.clock.advance(3_600_000);
    // Its first audit read no advisories: no baseline yet, so it is audited again, not re-matched.
    const again = await watch.sweeps.runNow();
    expect(again.audited).toEqual(['octo/locked']);
    expect(watch.store.repoState('octo/locked')?.partialReasons).toEqual([]);
    expect(await list(watch)).toContain('*octo/locked*: 1 open vulnerability, checked 2025-01-06 10:00 UTC');
  });

  it('says the code was not scanned when the archive could not be downloaded', async () => {
    const { w, watch } = await watching({ 'requirements.txt': 'urllib3==1.24.1\n' }, { codeScan: true });
    w.github.failRequests({ route: ROUTES.tarball, status: 500, times: 10 });
    await watch.sweeps.runNow();
    expect(watch.store.repoState('octo/locked')?.partialReasons).toEqual([{ kind: 'unscanned', text: expect.stringContaining('code and configuration were not scanned'), transient: true }]);
    expect(await list(watch)).toContain('⚠️ partial: code and configuration were not scanned');

    // No scan result is kept for that commit: the quarterly digest still names the repository.
    await watch.runJob({ key: `quarterly:${CHANNEL}`, channel: CHANNEL, kind: 'quarterly', cron: '0 9 1 1,4,7,10 *', timeZone: 'UTC', since: new Date(0) }, w.clock.now());
    const [summary] = afterWatchStarted(w.slack.messages(CHANNEL));
    const thread = JSON.stringify(w.slack.thread(CHANNEL, summary!.ts).map((m) => m.blocks));
    expect(thread).toContain('*octo/locked* — ⚠️ code not scanned: code and configuration were not scanned: ');
    expect(JSON.stringify(summary!.blocks)).toContain('⚠️ 1 of 1 repository was not fully checked: *octo/locked* (code and configuration were not scanned');
  });
});

describe('a sweep error as the watch state keeps it', () => {
  it('masks tokens and cuts the text before it is stored and shown', async () => {
    const { watch } = await watching({ 'requirements.txt': 'urllib3==1.24.1\n' });
    await watch.state.markError('octo/locked', `GitHub refused https://x:ghp_${'a'.repeat(36)}@github.com/octo/locked ${'!'.repeat(1000)}`, new Date('2025-01-06T09:00:00Z'));
    const error = watch.store.repoState('octo/locked')?.error ?? '';
    expect(error).not.toContain('a'.repeat(36));
    expect(error.length).toBeLessThanOrEqual(300);
    expect(await list(watch)).toContain('⚠️ GitHub refused');
  });
});
