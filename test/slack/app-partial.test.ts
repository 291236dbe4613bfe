/**
 * The /audit reply of a repository whose lockfile could not be read: a partial result, marked at the
 * top with the file and why, and never the green "No known vulnerabilities".
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import { blockText, startWorld, waitFor, type World, latestAudit } from './app-world.js';

let world: World;
beforeAll(async () => {
  world = await startWorld({
    repos: [{ owner: 'octo', name: 'locked', files: { 'pyproject.toml': '[project]\nname = "app"\ndependencies = ["urllib3"]\n', 'poetry.lock': '[[package]]\nname = "urllib3"\nversion = "1.24.1"\n<<<<<<< HEAD\n' } }],
  });
});
afterAll(async () => {
  await world.close();
});

it('marks the reply partial, naming the file that was not read', async () => {
  await world.audit('octo/locked');
  const update = await waitFor(() => world.slack.callsTo('chat.update')[0], 'the audit reply');
  await world.bot.service.idle();
  const text = blockText(update.params.blocks);
  expect(text).toMatch(/⚠️ \*Partial result:\* poetry\.lock:\d+ not read completely: poetry\.lock is not valid TOML/);
  expect(text).toContain(':warning: *No known vulnerabilities in what could be read* (see above)');
  expect(text).not.toContain(':white_check_mark:');
  expect(String(update.params.text)).toContain('(partial result)');
  const stored = (await latestAudit(world, 'octo/locked'));
  expect(stored.result.partialReasons).toEqual([expect.objectContaining({ kind: 'unread', file: 'poetry.lock' })]);
  expect(world.slack.violations).toEqual([]);
});
