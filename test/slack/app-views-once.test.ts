/**
 * A trigger_id opens one view: when Slack opened the modal but its answer was lost, the client's
 * retry meets `exchanged_trigger_id`, and the person must not be told that opening it failed.
 * When the first attempt never reached Slack, the retry opens the modal (retries stay for views).
 */
import { afterEach, describe, expect, it } from 'vitest';
import pino from 'pino';
import { webApi } from '@slack/bolt';
import { openViewsOnce } from '../../src/slack/views-once.js';
import { blockAction } from '../helpers/slack-requests.js';
import { startWorld, waitFor, type World } from './app-world.js';

/** The production policy's shape (bot.ts), with short waits. */
const RETRYING = { retryConfig: { retries: 4, factor: 1, minTimeout: 20, maxTimeout: 20 } };

let world: World | undefined;
afterEach(async () => {
  await world?.close();
  world = undefined;
});

/** Presses App Home's "Audit a repository…" with `script` applied to Slack first; resolves once views.open settled. */
async function openAuditModal(script: (w: World) => void): Promise<World> {
  world = await startWorld({ clientOptions: RETRYING });
  const w = world;
  script(w);
  await w.send(blockAction({ actionId: 'home_audit_open', blockId: 'home_quick_actions' }));
  await waitFor(() => w.slack.callsTo('views.open').some((c) => c.status === 200), 'an answered views.open');
  // The listener's own end (a failure it would log) comes after the answer.
  await new Promise((resolve) => setTimeout(resolve, 100));
  return w;
}

const errorLogs = (w: World) => w.logs.filter((l) => typeof l.level === 'number' && l.level >= 50);

describe('a modal Slack opened but did not answer for', () => {
  it('is taken as open when the retry finds its trigger used: no failure logged or reported', async () => {
    const w = await openAuditModal((w) => w.slack.dropNext('views.open', { handled: true }));
    const calls = w.slack.callsTo('views.open');
    expect(calls.map((c) => c.status)).toEqual([0, 200]);
    expect(calls[1]!.response).toMatchObject({ ok: false, error: 'exchanged_trigger_id' });
    await waitFor(() => w.logs.some((l) => l.msg === 'views.open: the answer was lost and the retry found its trigger used: the view is open'), 'the log line');
    expect(errorLogs(w)).toEqual([]);
    expect(w.logs.some((l) => l.msg === 'views.open: the answer was lost and the retry found its trigger used: the view is open')).toBe(true);
    expect(w.slack.violations).toEqual([]);
  });

  it('is opened by the retry when the first attempt never reached Slack', async () => {
    const w = await openAuditModal((w) => w.slack.dropNext('views.open'));
    const calls = w.slack.callsTo('views.open');
    expect(calls.map((c) => c.status)).toEqual([0, 200]);
    expect(calls[1]!.response).toMatchObject({ ok: true });
    expect(errorLogs(w)).toEqual([]);
  });
});

describe('openViewsOnce', () => {
  /** A client whose views.open answers as Slack would, each trigger once. */
  function clientWithOneUsePerTrigger(): webApi.WebClient {
    const client = new webApi.WebClient('xoxb-test');
    const used = new Set<string>();
    (client.views as unknown as Record<string, unknown>).open = async (args: { trigger_id: string }) => {
      if (used.has(args.trigger_id)) throw Object.assign(new Error('An API error occurred: exchanged_trigger_id'), { code: webApi.ErrorCode.PlatformError, data: { ok: false, error: 'exchanged_trigger_id' } });
      used.add(args.trigger_id);
      return { ok: true, view: { id: 'V1' } };
    };
    return client;
  }

  it('still fails a trigger the bot itself sends a second time, as Slack says', async () => {
    const client = clientWithOneUsePerTrigger();
    openViewsOnce(client, pino({ level: 'silent' }));
    const view = { type: 'modal' as const, title: { type: 'plain_text' as const, text: 't' }, blocks: [] };
    await expect(client.views.open({ trigger_id: '1.2.a', view })).resolves.toMatchObject({ ok: true, view: { id: 'V1' } });
    await expect(client.views.open({ trigger_id: '1.2.a', view })).rejects.toMatchObject({ data: { error: 'exchanged_trigger_id' } });
  });
});
