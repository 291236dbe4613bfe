/**
 * `/audit` of a repository whose uv.lock repeats pyproject.toml's Python requirement: the reply's
 * hygiene summary says end-of-life Python once, linking both places.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { blockText, startWorld, waitFor, type World, latestAudit } from './app-world.js';

const PYPROJECT = '[project]\nname = "app"\nversion = "1"\nrequires-python = ">=3.8"\ndependencies = ["requests"]\n';
const UV_LOCK =
  'version = 1\nrequires-python = ">=3.8"\n\n[[package]]\nname = "app"\nversion = "1"\nsource = { editable = "." }\ndependencies = [{ name = "requests" }]\n\n' +
  '[[package]]\nname = "requests"\nversion = "2.32.3"\nsource = { registry = "https://pypi.org/simple" }\n';

describe('a Python requirement that uv.lock repeats', () => {
  let world: World;
  beforeAll(async () => {
    world = await startWorld({ repos: [{ owner: 'octo', name: 'uvapp', files: { 'pyproject.toml': PYPROJECT, 'uv.lock': UV_LOCK } }] });
  });
  afterAll(async () => {
    await world.close();
  });

  it('is one end-of-life Python finding, linking pyproject.toml and the lock', async () => {
    await world.audit('octo/uvapp');
    const update = await waitFor(() => world.slack.callsTo('chat.update')[0], 'the audit reply');
    await world.bot.service.idle();
    const text = blockText(update.params.blocks);
    const sha = world.github.headSha('octo', 'uvapp');
    expect(text).toContain('1 end-of-life Python');
    expect(text.split('_end-of-life Python_').length - 1).toBe(1);
    expect(text).toContain(`(<https://github.com/octo/uvapp/blob/${sha}/pyproject.toml|pyproject.toml>; locked in <https://github.com/octo/uvapp/blob/${sha}/uv.lock|uv.lock>)`);
    const stored = await latestAudit(world, 'octo/uvapp');
    expect(stored.result.findings.filter((f) => f.kind === 'python-eol')).toHaveLength(1);
    expect(world.slack.violations).toEqual([]);
  });
});
