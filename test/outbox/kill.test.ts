/**
 * Two replicas on one real PostgreSQL, one of them a separate process SIGKILLed after Slack
 * accepted a post and before it recorded the ts: the survivor finishes the outbox, finds that
 * message in the channel by its metadata key instead of posting it again, and every row is in
 * Slack exactly once.
 */
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { PostgresOutbox } from '../../src/store/outbox/postgres.js';
import { startFakeSlack, type FakeSlack } from '../fakes/slack-api.js';
import { createTestDatabase, type TestDatabase } from '../helpers/postgres.js';
import { deliverer, note, postedKeys, TestClock } from './world.js';

const CHANNEL = 'C0OUTBOXKIL';

let database: TestDatabase | undefined;
let slack: FakeSlack | undefined;
afterEach(async () => {
  await database?.drop();
  await slack?.close();
});

describe('a replica killed between Slack accepting a post and recording it', () => {
  it('leaves the row to the other replica, which does not post it twice', async () => {
    database = await createTestDatabase();
    slack = await startFakeSlack({ startTs: Math.floor(Date.now() / 1000) });
    const pool = await database.open({ max: 4 });
    const outbox = new PostgresOutbox(pool);
    const keys = ['k1', 'k2', 'k3', 'k4', 'k5', 'k6'];
    await outbox.enqueue(
      keys.map((k) => note(CHANNEL, k)),
      new Date(),
    );

    const child = spawn(process.execPath, ['--import', 'tsx', join(import.meta.dirname, 'replica-process.ts')], {
      env: { ...process.env, DATABASE_URL: database.url, SLACK_API_URL: slack.url, HANG_AFTER_SEND: 'k3' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
    const sent = await new Promise<string>((resolve, reject) => {
      child.stdout.on('data', (c: Buffer) => {
        stdout += c.toString();
        const m = /SENT k3 (\S+)/.exec(stdout);
        if (m) resolve(m[1]!);
      });
      child.on('exit', (code) => reject(new Error(`replica exited (${code}) before sending k3: ${stdout}${stderr}`)));
    });
    child.kill('SIGKILL');
    await new Promise((resolve) => child.once('exit', resolve));

    const stuck = await outbox.row('k3');
    expect(stuck).toMatchObject({ state: 'posting', messageTs: null });
    expect(postedKeys(slack, CHANNEL)).toContain('k3');

    // The survivor, once the dead replica's 2 s lease has run out.
    const later = new TestClock(Date.now() + 2_500);
    const report = await deliverer(outbox, slack, later, 'survivor').deliver();
    expect(report.reconciled.map((r) => r.idempotencyKey)).toEqual(['k3']);
    expect(report.posted.map((r) => r.idempotencyKey)).not.toContain('k3');

    expect(postedKeys(slack, CHANNEL).sort()).toEqual(keys);
    expect(await outbox.row('k3')).toMatchObject({ state: 'posted', messageTs: sent });
    expect((await outbox.rows()).every((r) => r.state === 'posted')).toBe(true);
  });
});
