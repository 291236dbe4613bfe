/**
 * The "Auditing…" placeholder of /audit: an admin's is posted at once, anyone else's only once
 * GitHub has said the repository may be shown in the channel. Whichever way an audit ends (refused,
 * its placeholder failing to post), nothing is left as an unhandled promise rejection: the
 * placeholder's promise, the audit's and the first stage's are all awaited or caught.
 */
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { FakeRepoInit } from '../fakes/github.js';
import { blockText, SHOP, startWorld, waitFor, type World } from './app-world.js';

const ADMIN = 'U0ADMIN0001';
const MEMBER = 'U0MEMBER001';
const VAULT: FakeRepoInit = { ...SHOP, name: 'vault', private: true };

/** Rejections nobody handled while a test ran (vitest would fail the run; this says which test). */
const unhandled: unknown[] = [];
const record = (reason: unknown): void => {
  unhandled.push(reason);
};

/** After the service is idle, a macrotask: Node reports an unhandled rejection once microtasks drain. */
async function settled(world: World): Promise<void> {
  await world.bot.service.idle();
  await new Promise((resolve) => setTimeout(resolve, 20));
}

describe('the /audit placeholder with DEPWATCH_ADMINS set', () => {
  let world: World;
  beforeAll(async () => {
    world = await startWorld({ repos: [SHOP, VAULT], env: { DEPWATCH_ADMINS: ADMIN } });
  });
  afterAll(async () => {
    await world.close();
  });
  beforeEach(() => {
    unhandled.length = 0;
    process.on('unhandledRejection', record);
  });
  afterEach(() => {
    process.off('unhandledRejection', record);
  });

  it('a refused audit answers privately, posts nothing and leaves no rejection unhandled', async () => {
    const posts = world.slack.callsTo('chat.postMessage').length;
    const { responseId } = await world.audit('octo/vault', { user: MEMBER });
    const refusal = await waitFor(() => world.slack.responses.find((r) => r.id === responseId), 'the refusal');
    await settled(world);
    expect(refusal.body).toMatchObject({ response_type: 'ephemeral', text: 'Only Depwatch admins (DEPWATCH_ADMINS) can audit a private repository.' });
    expect(world.slack.responses.filter((r) => r.id === responseId)).toHaveLength(1);
    expect(world.slack.callsTo('chat.postMessage')).toHaveLength(posts);
    expect(unhandled).toEqual([]);
  });

  it('anyone else’s typo in a ref is answered to them alone: no placeholder is posted, as for a repository GitHub does not show', async () => {
    const posts = world.slack.callsTo('chat.postMessage').length;
    for (const typo of ['octo/shop@<!channel>', 'octo/nothing-here']) {
      const { responseId } = await world.audit(typo, { user: MEMBER });
      const told = await waitFor(() => world.slack.responses.find((r) => r.id === responseId), 'the answer');
      await settled(world);
      expect(told.body).toMatchObject({ response_type: 'ephemeral' });
      expect(world.slack.responses.filter((r) => r.id === responseId)).toHaveLength(1);
    }
    expect(world.slack.callsTo('chat.postMessage')).toHaveLength(posts);
    expect(unhandled).toEqual([]);
  });

  it('anyone else’s placeholder waits for GitHub, then the reply replaces it', async () => {
    const posts = world.slack.callsTo('chat.postMessage').length;
    await world.audit('octo/shop', { user: MEMBER });
    const update = await waitFor(() => world.slack.callsTo('chat.update').find((c) => String(c.params.text).startsWith('octo/shop@')), 'the audit of octo/shop');
    await settled(world);
    expect(blockText(world.slack.callsTo('chat.postMessage')[posts]?.params.blocks)).toContain('Auditing *octo/shop*…');
    expect(blockText(update.params.blocks)).toContain('Dependency audit: octo/shop');
    expect(unhandled).toEqual([]);
  });

  for (const [who, user] of [['an admin', ADMIN], ['anyone else', MEMBER]] as const) {
    it(`a placeholder that cannot be posted (${who}) is the failure told privately, with no rejection unhandled`, async () => {
      const updates = world.slack.callsTo('chat.update').length;
      world.slack.failNext('chat.postMessage', 'is_archived');
      const { responseId } = await world.audit('octo/shop', { user });
      const told = await waitFor(() => world.slack.responses.find((r) => r.id === responseId), 'the failure');
      await settled(world);
      expect(told.body).toMatchObject({ response_type: 'ephemeral' });
      expect(String(told.body.text)).toMatch(/error id/);
      // The audit ran to the end, but had no reply to edit.
      expect(world.slack.callsTo('chat.update')).toHaveLength(updates);
      expect(unhandled).toEqual([]);
    });
  }
});
