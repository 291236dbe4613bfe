/**
 * /audit with PyPI failing for one project: the reply still lists what PyPI said of the others
 * (werkzeug's major update) and is partial, naming the project not read (requests), as the CLI says
 * it. It used to drop every outdated and yanked release and say the registry was unavailable.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { blockText, CHANNEL, latestAudit, startWorld, type World } from './app-world.js';

describe('an /audit reply when PyPI fails for one project', () => {
  let world: World;
  beforeAll(async () => {
    world = await startWorld();
  });
  afterAll(async () => {
    await world.close();
  });

  it('keeps the other projects\' updates, and says which project was not read', async () => {
    world.pypi.fail({ match: '/pypi/requests/', status: 503, times: 1000 });
    await world.audit('octo/shop');
    await world.bot.service.idle();
    const [message] = world.slack.messages(CHANNEL);
    const whole = [message!, ...world.slack.thread(CHANNEL, message!.ts)].map((m) => blockText(m.blocks)).join('\n');
    expect(whole).toContain('*werkzeug* 0.14.1 → 3.0.1 (major)');
    expect(whole).toMatch(/\*Partial result:\* package registry unavailable for requests \(PyPI answered 503 [^\n]*\): whether it is outdated, yanked or not on the index was not checked/);
    expect(message!.text).toContain('(partial result)');
    const stored = await latestAudit(world, 'octo/shop');
    expect(stored.result.findings.filter((f) => f.kind === 'outdated').map((f) => f.package)).toEqual(['werkzeug']);
    expect(stored.result.partialReasons?.map((r) => r.message)).toEqual([expect.stringMatching(/^package registry unavailable for requests \(/)]);
    expect(world.slack.violations).toEqual([]);
  });
});
