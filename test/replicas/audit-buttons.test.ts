/**
 * `/audit` on two replicas sharing one real PostgreSQL: the slash command reaches replica A, and every
 * click under its reply reaches replica B, as a load balancer may send them. Each replica is the real
 * Slack app (createBot) with a SQLite file of its own for caches; the reply, its ignores and its fix
 * pull request live in PostgreSQL (PostgresAuditState), so B answers as A would have.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { PostgresAuditState } from '../../src/store/audit-state/postgres.js';
import { PostgresWatchState } from '../../src/store/watch-state/postgres.js';
import { blockAction, ignoreModalValues, viewSubmission } from '../helpers/slack-requests.js';
import { createTestDatabase, type TestDatabase } from '../helpers/postgres.js';
import { closeReplicaParts } from '../helpers/replicas.js';
import { blockText, buttons, CHANNEL, latestAudit, startFixWorld, USER, waitFor, type App, type World } from '../slack/app-world.js';

const ADVISORY = 'PYSEC-2023-221'; // werkzeug 0.14.1, the one high finding of octo/shop

let world: World | undefined;
let database: TestDatabase | undefined;
afterEach(async () => {
  await closeReplicaParts({ world, database });
  world = undefined;
  database = undefined;
});

/** Replica A answers /audit; replica B is a second process on the same PostgreSQL and fakes. */
async function twoReplicas(): Promise<{ a: World; b: App }> {
  database = await createTestDatabase();
  const shared = async () => {
    const pool = await database!.open({ max: 4 });
    return { auditState: new PostgresAuditState(pool), watchState: new PostgresWatchState(pool) };
  };
  const first = await shared();
  world = await startFixWorld({ githubWrite: true, env: { DEPWATCH_FIX_PRS: '1', DEPWATCH_CODE_SCAN: '0' }, auditState: first.auditState, watch: { state: first.watchState } });
  const b = await world.replica(await shared());
  return { a: world, b };
}

describe('/audit replies on two replicas sharing PostgreSQL', () => {
  it('answers /audit on one replica and every button under the reply on the other', async () => {
    const { a, b } = await twoReplicas();
    await a.audit('octo/shop');
    await waitFor(() => a.slack.callsTo('chat.update')[0], 'the audit');
    await a.bot.service.idle();
    const parentTs = a.channel()[0]!.ts;
    const reply = () => a.slack.message(CHANNEL, parentTs)!;
    const replyAndThread = () => [reply(), ...a.slack.thread(CHANNEL, parentTs)].map((m) => blockText(m.blocks)).join('\n');
    const stored = await latestAudit(b, 'octo/shop'); // B reads what A stored
    expect(stored.ts).toBe(parentTs);

    // Ignore… on B: B opens the modal from the stored audit, takes the submission, re-renders A's reply.
    const ignore = buttons(reply().blocks).find((x) => x.action_id === 'audit_ignore')!;
    expect((await b.send(blockAction({ actionId: 'audit_ignore', value: ignore.value!, channel: CHANNEL, message_ts: parentTs, blockId: 'f:x' }))).status).toBe(200);
    const opened = await waitFor(() => a.slack.callsTo('views.open')[0], 'views.open from replica B');
    const view = opened.params.view as { private_metadata: string; blocks: unknown[] };
    expect(JSON.stringify(view.blocks)).toContain(`"initial_value":"${ADVISORY}"`);
    const updatesBefore = a.slack.callsTo('chat.update').length;
    const submitted = await b.send(
      viewSubmission({
        callbackId: 'ignore_submit',
        privateMetadata: view.private_metadata,
        user: USER,
        values: ignoreModalValues({ advisory: ADVISORY, reason: 'Multipart parsing is not reachable', until: '2999-12-31', pkg: 'werkzeug' }),
      }),
    );
    expect(submitted.status).toBe(200);
    await waitFor(() => a.slack.callsTo('chat.update').slice(updatesBefore).find((c) => c.params.ts === parentTs), 'the reply re-rendered by replica B');
    await b.bot.service.idle();
    // Stored once, in PostgreSQL: both replicas read the ignore and the revised reply.
    for (const r of [a, b]) expect((await r.bot.service.state.ignoresForRepo('octo/shop')).map((i) => [i.advisoryId, i.createdBy])).toEqual([[ADVISORY, USER]]);
    expect((await latestAudit(a, 'octo/shop')).result.ignored.map((f) => f.id)).toEqual([ADVISORY]);
    expect(replyAndThread()).toContain('*Ignored:* 1');

    // Open fix PR on B: one pull request from the audited commit, shown under A's reply.
    const fix = buttons(reply().blocks).find((x) => x.action_id === 'audit_open_fix_pr')!;
    const response = await b.send(blockAction({ actionId: 'audit_open_fix_pr', value: fix.value!, user: USER, channel: CHANNEL, message_ts: parentTs, response_url: a.slack.responseUrl('fix-on-b', { channel: CHANNEL, user: USER }) }));
    expect(response.status).toBe(200);
    await b.bot.service.idle();
    expect(a.slack.responses.filter((r) => r.id === 'fix-on-b').map((r) => JSON.stringify(r.body)).join('\n')).toContain('Opened');
    expect(a.github.pulls('octo', 'shop')).toHaveLength(1);
    expect(await a.bot.service.state.fixPull(stored.id)).toMatchObject({ number: a.github.pulls('octo', 'shop')[0]!.number, state: 'open' });
    expect(blockText(reply().blocks)).toContain('Fix pull request');

    // A later /audit on B applies the ignore made through B's modal, read from PostgreSQL.
    await b.audit('octo/shop');
    await waitFor(async () => (await latestAudit(a, 'octo/shop')).id !== stored.id || undefined, 'the second audit');
    await b.bot.service.idle();
    const second = await latestAudit(a, 'octo/shop');
    expect(second.result.findings.some((f) => f.id === ADVISORY)).toBe(false);
    expect(second.result.ignored.map((f) => f.id)).toContain(ADVISORY);
    expect(a.slack.violations).toEqual([]);
  });
});
