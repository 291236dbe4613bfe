/**
 * Advisories no source rated, in Slack: the /audit reply labels them "not rated by the source" and
 * says how they count in the channel (high by default, so they get "Start incident"), and
 * `/audit settings unknown-as LEVEL` changes that for the channel's replies, alerts and digests.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { blockText, buttons, CHANNEL, startWorld, waitFor, type World } from './app-world.js';

const OTHER_CHANNEL = 'C0OTHER0001';
/** The channel the setting is changed in: no other test audits there, so CHANNEL keeps the default. */
const MEDIUM_CHANNEL = 'C0MEDIUM001';

let world: World;
beforeAll(async () => {
  world = await startWorld({ watch: {} });
});
afterAll(async () => {
  await world.close();
});

async function auditReplyIn(channel: string): Promise<{ text: string; incidentButtons: number }> {
  const before = world.slack.callsTo('chat.update').length;
  await world.audit('octo/shop', { channel });
  await waitFor(() => world.slack.callsTo('chat.update')[before], 'the audit reply');
  await world.bot.service.idle();
  const message = world.channel(channel).filter((m) => m.text.startsWith('octo/shop@')).at(-1)!;
  return { text: blockText(message.blocks), incidentButtons: buttons(message.blocks).filter((b) => b.action_id === 'audit_start_incident').length };
}

const responseText = (id: string) =>
  world.slack.responses
    .filter((r) => r.id === id)
    .map((r) => String((r.body as { text?: unknown }).text ?? ''))
    .join('\n');

describe('/audit help on a bot that watches (user trial s17 #5)', () => {
  it('lists every watch command, one line each', async () => {
    const help = await world.audit('help');
    const text = blockText((help.response.json as { blocks: unknown }).blocks);
    for (const line of ['/audit watch owner/repo', '/audit unwatch owner/repo', '/audit list', '/audit schedule', '/audit ignore', '/audit unignore', '/audit settings unknown-as']) {
      expect(text).toContain(line);
    }
  });
});

describe('unrated advisories in Slack', () => {
  it('labels them and counts them as high by default, with "Start incident"', async () => {
    const { text, incidentButtons } = await auditReplyIn(CHANNEL);
    expect(text).toContain('*Not rated by the source* (counts as high)');
    expect(text).toMatch(/\d+ not rated \(count as high\)/);
    expect(incidentButtons).toBeGreaterThan(1);
  });

  it('follows the channel setting: medium here, still high in another channel', async () => {
    const { responseId } = await world.audit('settings unknown-as medium', { channel: MEDIUM_CHANNEL });
    expect(await waitFor(() => responseText(responseId), 'the settings reply')).toContain('set advisories not rated by the source to count as *medium* in this channel');
    expect(world.watch!.store.channelUnknownAs(MEDIUM_CHANNEL)).toBe('medium');
    expect(world.watch!.store.changes(MEDIUM_CHANNEL)[0]).toMatchObject({ action: 'unknown-as', detail: 'medium' });

    const here = await auditReplyIn(MEDIUM_CHANNEL);
    expect(here.text).toContain('*Not rated by the source* (counts as medium)');
    expect(here.incidentButtons).toBe(1); // werkzeug's high advisory only
    const elsewhere = await auditReplyIn(OTHER_CHANNEL);
    expect(elsewhere.text).toContain('(counts as high)');

    const { responseId: shown } = await world.audit('settings', { channel: MEDIUM_CHANNEL });
    expect(await waitFor(() => responseText(shown), 'the settings')).toContain('count as *medium* in this channel');
    const { responseId: bad } = await world.audit('settings unknown-as whatever', { channel: MEDIUM_CHANNEL });
    expect(await waitFor(() => responseText(bad), 'the refusal')).toContain('"whatever" is not a level');
  });
});
