/**
 * When the response_url no longer answers (Slack expires it after 30 minutes or five posts), the
 * public placeholder must not wait in the channel for good (user trial s17 #7). One the bot posted
 * itself (chat.postMessage, the /audit "Auditing…") is edited through the Web API to say the result
 * could not be delivered. /audit package does the same: its "Checking…" is the bot's own message,
 * edited into the cards or the failure however late.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { GOODLIB } from '../packages/world.js';
import { slashCommand } from '../helpers/slack-requests.js';
import { blockText, CHANNEL, SHOP, startWorld, USER, waitFor, type World } from './app-world.js';

let world: World;
beforeAll(async () => {
  world = await startWorld({ repos: [SHOP], cards: { projects: [GOODLIB] } });
});
afterEach(() => {
  world.slack.responseUrlsExpired = false;
});
afterAll(async () => {
  await world.close();
});

describe('a failed /audit whose response_url has expired', () => {
  it('edits the bot\'s "Auditing…" message to say the result could not be delivered', async () => {
    world.slack.responseUrlsExpired = true;
    const { responseId } = await world.audit('nobody/nothing');
    const edited = await waitFor(() => world.slack.callsTo('chat.update').find((c) => String(c.params.text).startsWith('Could not audit nobody/nothing')), 'the placeholder edited');
    await world.bot.service.idle();
    const text = blockText(edited.params.blocks);
    expect(text).toContain("Could not audit *nobody/nothing*, and could not deliver the result: Slack's reply link had expired.");
    expect(text).toMatch(/Error id E-/);
    // Nothing reached the requester through the dead URL, and nothing in the channel still says "Auditing".
    expect(world.slack.responses.filter((r) => r.id === responseId && r.status === 200)).toEqual([]);
    expect(world.channel().some((m) => blockText(m.blocks).includes('Auditing *nobody/nothing*'))).toBe(false);
    expect(world.logs.some((l) => String(l.msg).includes('could not tell the requester privately (response_url failed)'))).toBe(true);
  });
});

describe('/audit package whose response_url no longer answers', () => {
  it('still delivers the cards: the bot posts its own placeholder and edits it, as /audit owner/repo does', async () => {
    // Four posts already spent, then expired: nothing more can go through that URL.
    const responseId = 'pkg-used-up';
    const url = world.slack.responseUrl(responseId, { channel: CHANNEL, user: USER });
    for (let i = 0; i < 4; i++) await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ response_type: 'ephemeral', text: 'earlier' }) });
    world.slack.responseUrlsExpired = true;
    const posts = world.slack.callsTo('chat.postMessage').length;
    await world.send(slashCommand({ text: 'package goodlib', channel_id: CHANNEL, user_id: USER, response_url: url }));
    const placeholder = await waitFor(() => world.slack.callsTo('chat.postMessage')[posts], 'the placeholder');
    const card = await waitFor(() => world.slack.callsTo('chat.update').find((c) => c.params.ts === placeholder.response.ts), 'the card');
    await world.bot.service.idle();
    expect(String(card.params.text)).toMatch(/^goodlib 1\.2\.0: /);
    expect(world.channel().some((m) => blockText(m.blocks).includes('checking PyPI, GitHub and the advisories'))).toBe(false);
    expect(world.logs.some((l) => String(l.msg).includes('placeholder stays'))).toBe(false);
  });

  it('edits its placeholder to say the check failed, with the error id, when the failure cannot be told privately', async () => {
    const broken = await startWorld({ repos: [SHOP], cards: { projects: [GOODLIB] } });
    try {
      broken.db.exec('ALTER TABLE advisory_packages RENAME TO advisory_packages_gone');
      broken.slack.responseUrlsExpired = true;
      const posts = broken.slack.callsTo('chat.postMessage').length;
      await broken.audit('package goodlib');
      const placeholder = await waitFor(() => broken.slack.callsTo('chat.postMessage')[posts], 'the placeholder');
      const edited = await waitFor(() => broken.slack.callsTo('chat.update').find((c) => c.params.ts === placeholder.response.ts), 'the placeholder edited');
      await broken.bot.service.idle();
      expect(String(edited.params.text)).toMatch(/^Could not check goodlib \(error id E-[A-Z0-9]{5}\)$/);
      expect(broken.channel().some((m) => blockText(m.blocks).includes('checking PyPI'))).toBe(false);
    } finally {
      await broken.close();
    }
  });
});
