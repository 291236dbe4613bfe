/**
 * What a second `/audit` of an unchanged repository costs within the hour: no blob, no PyPI request,
 * one OSV request (the querybatch); and the first one asks PyPI about each package once.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ROUTES } from '../fakes/github.js';
import { startWorld, waitFor, type World } from './app-world.js';

describe('a repeated /audit', () => {
  let world: World;
  beforeAll(async () => {
    world = await startWorld();
  });
  afterAll(async () => {
    await world.close();
  });

  it('asks PyPI nothing and OSV one querybatch when the repository did not change', async () => {
    await world.audit('octo/shop');
    await waitFor(() => world.slack.callsTo('chat.update')[0], 'the first result');
    await world.bot.service.idle();
    const paths = world.pypi.requests.map((r) => r.path);
    expect(paths.length).toBeGreaterThan(10);
    expect(new Set(paths).size).toBe(paths.length); // no package asked twice

    const before = { pypi: world.pypi.count(), osv: world.osv.requests.length, blobs: world.github.count(ROUTES.blob) };
    await world.audit('octo/shop');
    await waitFor(() => world.slack.callsTo('chat.update').length > 1, 'the second result');
    await world.bot.service.idle();
    expect(world.pypi.count() - before.pypi).toBe(0);
    expect(world.osv.requests.slice(before.osv).map((r) => r.endpoint)).toEqual(['querybatch']);
    expect(world.github.count(ROUTES.blob) - before.blobs).toBe(0);
  });
});
