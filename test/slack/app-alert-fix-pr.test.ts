/**
 * "Open fix PR: owner/repo" under a new-advisory alert (DEPWATCH_FIX_PRS on): the alert names the
 * repository, the flow takes the commit and findings of its last sweep, pushes one branch from that
 * commit and opens one pull request; a second click links it; a read-only token gets the missing
 * permission in one line; a value naming a repository the alert does not list is refused.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { blockAction } from '../helpers/slack-requests.js';
import { refreshFixPullStates } from '../../src/slack/fix-pr-flow.js';
import { PostgresWatchState } from '../../src/store/watch-state/postgres.js';
import type { WatchStateStore } from '../../src/store/watch-state/types.js';
import { createTestDatabase, type TestDatabase } from '../helpers/postgres.js';
import { closeReplicaParts } from '../helpers/replicas.js';
import { ROUTES } from '../fakes/github.js';
import { AccessLog } from '../../src/store/access-log.js';
import { blockText, buttons, CHANNEL, latestAudit, SHOP, startFixWorld, USER, waitFor, type World } from './app-world.js';

let world: World | undefined;
let database: TestDatabase | undefined;
afterEach(async () => {
  await closeReplicaParts({ world, database });
  world = undefined;
  database = undefined;
});

const alertsJob = { key: `alerts:${CHANNEL}`, channel: CHANNEL, kind: 'alerts' as const, cron: '0 * * * *', timeZone: 'UTC', since: new Date(0) };

/**
 * Watches a repository without vulnerable pins, then a commit adds one: the next alerts job posts an
 * alert. urllib3 1.24.1 has several advisories: they are said in one message for the dependency,
 * which offers "Open fix PR" as an alert does; urllib3 1.26.17 has one, which gets its own alert.
 */
async function alerted(githubWrite: boolean, state?: WatchStateStore, admins: string[] = [], extraFiles: Record<string, string> = {}, pin = 'urllib3==1.24.1') {
  const w = (world = await startFixWorld({ watch: { admins, ...(state ? { state } : {}) }, githubWrite, env: { DEPWATCH_FIX_PRS: '1', DEPWATCH_CODE_SCAN: '0' }, repos: [{ owner: 'octo', name: 'shop', files: { 'README.md': SHOP.files['README.md']!, 'requirements.txt': 'attrs==23.1.0\n', ...extraFiles } }] }));
  await w.watch!.state.addWatch({ repo: 'octo/shop', channel: CHANNEL, userId: USER, private: false, adminLinked: false, now: new Date() });
  await w.watch!.sweeps.runNow();
  const sha = w.github.pushCommit('octo', 'shop', { 'requirements.txt': `attrs==23.1.0\n${pin}\n` });
  await w.watch!.runJob(alertsJob, new Date());
  const alert = await waitFor(() => w.slack.callsTo('chat.postMessage').find((c) => String(c.params.text).includes('urllib3')), 'an alert');
  const fix = buttons(alert.params.blocks).find((b) => b.action_id.startsWith('depwatch_alert_fix_pr_'));
  return { w, sha, alertTs: String(alert.response?.ts), fix };
}

let clicks = 0;
async function click(w: World, ts: string, actionId: string, value: string) {
  const id = `alert-fix-${++clicks}`;
  const response = await w.send(blockAction({ actionId, value, user: USER, channel: CHANNEL, message_ts: ts, response_url: w.slack.responseUrl(id, { channel: CHANNEL, user: USER }) }));
  expect(response.status).toBe(200);
  await w.bot.service.idle();
  return w.slack.responses.filter((r) => r.id === id).map((r) => JSON.stringify(r.body)).join('\n');
}

describe('Open fix PR under an alert', () => {
  it('opens one pull request from the swept commit, and links it on a second click', async () => {
    const { w, sha, alertTs, fix } = await alerted(true, undefined, [], {}, 'urllib3==1.26.17');
    expect(fix).toMatchObject({ text: 'Open fix PR: octo/shop', value: expect.stringMatching(/^\d+:octo\/shop$/) });
    expect(await click(w, alertTs, fix!.action_id, fix!.value!)).toContain('Opened');
    const pulls = w.github.pulls('octo', 'shop');
    expect(pulls).toHaveLength(1);
    expect(pulls[0]!.base).toBe('main');
    expect(w.github.commitParent(w.github.headSha('octo', 'shop', pulls[0]!.head))).toBe(sha);
    expect(w.github.branchFiles('octo', 'shop', pulls[0]!.head)!['requirements.txt']).toMatch(/^attrs==23\.1\.0\nurllib3==(?!1\.26\.17)[\d.]+\n$/);
    // The audit recorded from the sweep does not claim to be complete, and the pull request says what that leaves out.
    const recorded = await latestAudit(w, 'octo/shop');
    expect(recorded.result.partial).toBe(true);
    expect(recorded.completeness).toMatchObject({ partial: true, firstReason: 'recorded from the last sweep; files not read then are not known' });
    expect(pulls[0]!.body).toMatch(/^Depwatch audited `octo\/shop` at [0-9a-f]{40} and opened this branch from that commit\.\n\n## Not checked\n\nThe audit behind this pull request is partial: [^\n]+\n\n- recorded from the last sweep; files not read then are not known\n\n## Fixes/);

    expect(await click(w, alertTs, fix!.action_id, fix!.value!)).toContain('already has a fix pull request');
    expect(w.github.pulls('octo', 'shop')).toHaveLength(1);

    // The alert's next update shows the pull request and its state, and offers no second one.
    await w.watch!.runJob(alertsJob, new Date());
    const shown = () => w.slack.message(CHANNEL, alertTs)!;
    expect(blockText(shown().blocks)).toMatch(/fix pull request <[^|]+\|#1>: open/);
    expect(buttons(shown().blocks).some((b) => b.action_id.startsWith('depwatch_alert_fix_pr_'))).toBe(false);
    // Merged on GitHub: the sweep's check records it, and the alert says so.
    w.github.setPullState('octo', 'shop', 1, 'merged');
    expect(await refreshFixPullStates(w.bot.service.fixPrContext(), w.bot.app.client)).toBe(1);
    await w.watch!.runJob(alertsJob, new Date());
    expect(blockText(shown().blocks)).toMatch(/fix pull request <[^|]+\|#1>: merged/);
    expect(w.slack.violations).toEqual([]);
  });

  it('opens the pull request from the one message that says a dependency and the advisories it brought', async () => {
    const { w, sha, alertTs, fix } = await alerted(true);
    const said = w.slack.message(CHANNEL, alertTs)!;
    expect(String(said.text)).toMatch(/^octo\/shop now depends on urllib3 1\.24\.1, which has \d+ known advisories/);
    expect(fix).toMatchObject({ text: 'Open fix PR: octo/shop', value: expect.stringMatching(/^\d+:octo\/shop$/) });
    expect(await click(w, alertTs, fix!.action_id, fix!.value!)).toContain('Opened');
    const pulls = w.github.pulls('octo', 'shop');
    expect(pulls).toHaveLength(1);
    expect(w.github.commitParent(w.github.headSha('octo', 'shop', pulls[0]!.head))).toBe(sha);
    expect(w.github.branchFiles('octo', 'shop', pulls[0]!.head)!['requirements.txt']).toMatch(/^attrs==23\.1\.0\nurllib3==(?!1\.24\.1)[\d.]+\n$/);
    // The pull request is now on each of its advisories' alerts: they have no message of their own to edit, and get none.
    const posts = w.slack.callsTo('chat.postMessage').filter((c) => !c.params.thread_ts).length;
    await w.watch!.runJob(alertsJob, new Date());
    expect(w.slack.callsTo('chat.postMessage').filter((c) => !c.params.thread_ts)).toHaveLength(posts);
    expect(w.slack.violations).toEqual([]);
  });

  it('leaves alone the files exclude: keeps out of the audit, though they pin the same vulnerable release', async () => {
    // The sweep's record of the audit carries no exclusions: the plan must read them from the commit's own .depwatch.yml.
    const fixture = 'urllib3==1.24.1\n';
    const { w, alertTs, fix } = await alerted(true, undefined, [], { '.depwatch.yml': 'exclude:\n  - path: tests/fixtures/\n    reason: fixtures\n', 'tests/fixtures/requirements.txt': fixture });
    expect(await click(w, alertTs, fix!.action_id, fix!.value!)).toContain('Opened');
    const pulls = w.github.pulls('octo', 'shop');
    expect(pulls).toHaveLength(1);
    const files = w.github.branchFiles('octo', 'shop', pulls[0]!.head)!;
    expect(files['requirements.txt']).toMatch(/^attrs==23\.1\.0\nurllib3==(?!1\.24\.1)[\d.]+\n$/);
    expect(files['tests/fixtures/requirements.txt']).toBe(fixture);
  });

  it('opens the pull request from an alert kept in PostgreSQL (DATABASE_URL)', async () => {
    database = await createTestDatabase();
    const state = new PostgresWatchState(await database.open({ max: 4 }));
    const { w, sha, alertTs, fix } = await alerted(true, state);
    expect(w.watch!.store.alertsForChannel(CHANNEL)).toEqual([]); // not in the replica's SQLite file
    expect(await click(w, alertTs, fix!.action_id, fix!.value!)).toContain('Opened');
    const pulls = w.github.pulls('octo', 'shop');
    expect(pulls).toHaveLength(1);
    expect(w.github.commitParent(w.github.headSha('octo', 'shop', pulls[0]!.head))).toBe(sha);
  });

  it('names the missing permission when the token may only read, and refuses a repository the alert does not list', async () => {
    const { w, alertTs, fix } = await alerted(false);
    expect(await click(w, alertTs, fix!.action_id, fix!.value!)).toContain('Contents: Read and write');
    const forged = fix!.value!.replace('octo/shop', 'octo/other');
    expect(await click(w, alertTs, fix!.action_id, forged)).toContain('no longer listed as affected');
    expect(w.github.pulls('octo', 'shop')).toEqual([]);
  });

  it('says GitHub failed when the lookup of the default branch fails, not "something went wrong"', async () => {
    const { w, alertTs, fix } = await alerted(true, undefined, [], {}, 'urllib3==1.26.17');
    w.github.failRequests({ route: ROUTES.repo, status: 502, times: 5 });
    const reply = await click(w, alertTs, fix!.action_id, fix!.value!);
    expect(reply).toContain('GitHub failed the default branch lookup for octo/shop (HTTP 502');
    expect(reply).not.toContain('Something went wrong');
    expect(w.github.pulls('octo', 'shop')).toHaveLength(0);
  });

  it('refuses someone who is not an admin before asking GitHub or recording anything', async () => {
    const { w, alertTs, fix } = await alerted(true, undefined, ['U0ADMIN0001']);
    const repoLookups = w.github.count(ROUTES.repo);
    expect(await click(w, alertTs, fix!.action_id, fix!.value!)).toContain('Only Depwatch admins (DEPWATCH_ADMINS) can open pull requests');
    expect(new AccessLog(w.db).refusals(1)).toEqual([expect.objectContaining({ userId: USER, action: 'open pull request on octo/shop', rule: 'not-admin' })]);
    // No audit recorded from the sweep, and GitHub not asked for the default branch.
    expect(await w.bot.service.state.latestAuditForRepo('octo/shop')).toBeUndefined();
    expect(w.github.count(ROUTES.repo)).toBe(repoLookups);
    expect(w.github.pulls('octo', 'shop')).toEqual([]);
  });
});
