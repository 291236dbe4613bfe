/**
 * `/audit` of a repository whose requirements.txt lists nothing: the reply says so, naming the file,
 * rather than "0 dependencies" with nothing to say why; not a partial result (the file was read).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { blockText, startWorld, waitFor, type World, latestAudit } from './app-world.js';

describe('a requirements.txt that lists no requirements', () => {
  let world: World;
  beforeAll(async () => {
    world = await startWorld({ repos: [{ owner: 'octo', name: 'blank', files: { 'requirements.txt': '# filled in later\n\n', 'README.md': '# blank\n' } }] });
  });
  afterAll(async () => {
    await world.close();
  });

  it('is named in the reply as a notice, and the result is not partial', async () => {
    await world.audit('octo/blank');
    const update = await waitFor(() => world.slack.callsTo('chat.update')[0], 'the audit reply');
    await world.bot.service.idle();
    const text = blockText(update.params.blocks);
    expect(text).toContain(':information_source: requirements.txt: lists no requirements (it is empty or holds only comments and options), so nothing in it was checked');
    expect(text).not.toContain('Partial result');
    const stored = await latestAudit(world, 'octo/blank');
    expect(stored.result.partial).toBe(false);
    expect(stored.result.dependencies).toBe(0);
    expect(world.slack.violations).toEqual([]);
  });
});
