/**
 * The log line of an audit posted as a partial result says so, as the reply does: an operator
 * reading the logs during an OSV or PyPI outage sees `partial: true` and why, not only a count.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startWorld, waitFor, type World } from './app-world.js';

describe('the "audit posted" log line of a partial result', () => {
  let world: World;
  beforeAll(async () => {
    world = await startWorld({ osvRetries: 0 });
  });
  afterAll(async () => {
    await world.close();
  });

  const postedLine = (repo: string) => waitFor(() => world.logs.find((l) => l.msg === 'audit posted' && l.repo === repo), `the log line of ${repo}`);

  it('a complete result is logged as not partial', async () => {
    await world.audit('octo/shop');
    const line = await postedLine('octo/shop');
    await world.bot.service.idle();
    expect(line.partialReasons).toBeUndefined();
    expect(line.partial).toBe(false);
    expect(line.partialReasons).toBeUndefined();
  });

  it('OSV down: partial, with the reason the reply gives', async () => {
    world.github.addRepo({ owner: 'acme', name: 'clean', files: { 'requirements.txt': 'urllib3==1.24.1\n' } });
    world.osv.failNext(1, 503);
    await world.audit('acme/clean');
    const line = await postedLine('acme/clean');
    await world.bot.service.idle();
    expect(line.partial).toBe(true);
    expect(line.partialReasons).toEqual(expect.arrayContaining([{ kind: 'data-source', message: expect.stringContaining('OSV answered 503') }]));
  });

  it('PyPI down: partial, saying the registry was not reached', async () => {
    world.github.addRepo({ owner: 'acme', name: 'blog', files: { 'requirements.txt': 'django==2.1.5\n' } });
    world.pypi.fail({ match: 'django', times: 100, status: 503 });
    await world.audit('acme/blog');
    const line = await postedLine('acme/blog');
    await world.bot.service.idle();
    expect(line.partial).toBe(true);
    expect(line.partialReasons).toEqual(expect.arrayContaining([{ kind: 'data-source', message: expect.stringContaining('package registry unavailable') }]));
  });
});
