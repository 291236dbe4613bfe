/**
 * When the response_url no longer answers (Slack expires it after 30 minutes or five posts), the
 * public placeholder must not wait in the channel for good (user trial s17 #7). One the bot posted
 * itself (chat.postMessage, the /audit "Auditing…") is edited through the Web API to say the result
 * could not be delivered; one posted through response_url (the /audit package "Checking…") has no
 * ts the Web API could edit, so the log says it stays.
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

describe('/audit package whose response_url fails after the placeholder', () => {
  it('logs that the in-channel placeholder stays (the Web API cannot edit a response_url post)', async () => {
    // Four posts already spent: the placeholder takes the fifth, the cards find the URL used up.
    const responseId = 'pkg-used-up';
    const url = world.slack.responseUrl(responseId, { channel: CHANNEL, user: USER });
    for (let i = 0; i < 4; i++) await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ response_type: 'ephemeral', text: 'earlier' }) });
    await world.send(slashCommand({ text: 'package goodlib', channel_id: CHANNEL, user_id: USER, response_url: url }));
    const logged = await waitFor(() => world.logs.find((l) => String(l.msg).includes('the in-channel placeholder stays')), 'the log line');
    await world.bot.service.idle();
    expect(logged.msg).toBe('/audit package: the in-channel placeholder stays: it was posted through response_url, which failed');
    expect(world.slack.responses.filter((r) => r.id === responseId).map((r) => r.status)).toEqual([200, 200, 200, 200, 200, 404, 404, 404]);
  });
});
