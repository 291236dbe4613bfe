/**
 * The request guard in Socket Mode (HTTP mode is driven end to end in app-guard.test.ts): the same
 * payload check and the same "nothing handled it" rule wrap the app the receiver dispatches to, and
 * a refused event is acked so Slack does not redeliver it.
 */
import { LogLevel, type App, type ReceiverEvent } from '@slack/bolt';
import { describe, expect, it } from 'vitest';
import { GuardedSocketModeReceiver, RefusedRequestError } from '../../src/slack/receiver.js';

const quiet = { debug: () => {}, info: () => {}, warn: () => {}, error: () => {}, setLevel: () => {}, getLevel: () => LogLevel.ERROR, setName: () => {} };

function receiverWith(processEvent: (event: ReceiverEvent) => Promise<void>) {
  const receiver = new GuardedSocketModeReceiver({ appToken: 'xapp-1-test', logger: quiet, boltLogger: quiet });
  receiver.init({ processEvent } as unknown as App);
  // What the receiver dispatches Socket Mode envelopes to.
  return (receiver as unknown as { app: { processEvent(e: ReceiverEvent): Promise<void> }; processEventErrorHandler(args: unknown): Promise<boolean> });
}

const event = (body: unknown, acks: unknown[] = []): ReceiverEvent => ({ body: body as Record<string, unknown>, ack: async (r?: unknown) => void acks.push(r ?? 'ack') });

describe('the guarded Socket Mode receiver', () => {
  it('refuses a null or malformed payload before the app sees it, and acks the refusal', async () => {
    const seen: unknown[] = [];
    const guarded = receiverWith(async (e) => void seen.push(e.body));
    await expect(guarded.app.processEvent(event(null))).rejects.toBeInstanceOf(RefusedRequestError);
    await expect(guarded.app.processEvent(event({ type: 'block_actions', user: { id: 42 }, actions: [] }))).rejects.toThrow(/user\.id/);
    expect(seen).toEqual([]);
    expect(await guarded.processEventErrorHandler({ error: new RefusedRequestError('payload is null'), logger: quiet, event: event(null) })).toBe(true);
  });

  it('passes well-formed requests through, and refuses one nothing acknowledged', async () => {
    const command = { command: '/audit', text: 'help', user_id: 'U0ALICE0001', channel_id: 'C0AUDITS001', team_id: 'T1', trigger_id: 't', response_url: 'https://hooks.slack.com/commands/T1/1/x' };
    const acks: unknown[] = [];
    const handled = receiverWith(async (e) => e.ack());
    await handled.app.processEvent(event(command, acks));
    expect(acks).toEqual(['ack']);
    const ignored = receiverWith(async () => {});
    await expect(ignored.app.processEvent(event(command))).rejects.toThrow(/nothing handles \/audit/);
  });
});
