/**
 * `/audit` reads its text as typed: Slack sends a typed `&` as `&amp;` (and `<`, `>` as `&lt;`,
 * `&gt;`), so an ignore reason "R&D sign-off" is stored and shown as "R&D sign-off", not "R&amp;D".
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { slashCommand } from '../helpers/slack-requests.js';
import { CHANNEL, startWorld, waitFor, type World } from './app-world.js';

const ADMIN = 'U0ADMIN0001';
let world: World;

beforeAll(async () => {
  world = await startWorld({ watch: { admins: [ADMIN] } });
});

afterAll(async () => {
  await world.close();
});

describe('/audit command text', () => {
  it('stores and shows an ignore reason with the & that was typed', async () => {
    await world.send(slashCommand({ command: '/audit', text: 'ignore PYSEC-2099-1 R&amp;D sign-off &lt;until the fix&gt;', user_id: ADMIN, channel_id: CHANNEL, response_url: world.slack.responseUrl('ignore', { channel: CHANNEL, user: ADMIN }) }));
    const ignore = await waitFor(() => world.watch!.store.ignoresForChannel(CHANNEL).find((i) => i.advisory === 'PYSEC-2099-1'), 'the ignore');
    expect(ignore.reason).toBe('R&D sign-off <until the fix>');
    // The reply shows it escaped once, as mrkdwn wants it.
    const replies = () => JSON.stringify((world.slack as unknown as { responses: unknown[] }).responses);
    await waitFor(() => replies().includes('sign-off'), 'the reply');
    expect(replies()).toContain('R&amp;D sign-off &lt;until the fix&gt;');
    expect(replies()).not.toContain('&amp;amp;');
  });
});
