/**
 * A hardcoded secret committed to a watched repository: the next sweep scans the new commit's
 * archive and alerts the watching channel at once, once, with the kind, file, line and fingerprint
 * of the secret and never its value (not in any Slack payload, log line or database row). The
 * secrets a repository held when it was first watched are recorded, not alerted (its /audit reply
 * showed them), and the same secret is never alerted twice.
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import { blockText, CHANNEL, SHOP, startWorld, waitFor, type World } from './app-world.js';

// Built at run time so this file does not read as a leaked token.
const OLD_TOKEN = 'ghp_' + 'Ba5el1neT0k3nV4lu3abcdefGHIJKLmnopq';
const NEW_TOKEN = 'xoxb-' + '80417326655-2957718340261-' + 'Qw3rTy7UiOp9AsDfGhJkLzXc';

/**
 * The tests run in any order, so each commits to (and reads the alerts of) a repository of its own; all of them held
 * OLD_TOKEN when first watched.
 */
const BASELINE = 'octo/shop';
const ALERTED = 'octo/bot';
const REPEATED = 'octo/chat';
const LEAKED = 'octo/leak';
const withOldToken = (repo: string) => ({ ...SHOP, name: repo.split('/')[1]!, files: { ...SHOP.files, 'legacy/config.py': `TOKEN = "${OLD_TOKEN}"\n`, '.gitignore': '.env\n*.env\nconfig/secret*.py\n' } });

let world: World;
beforeAll(async () => {
  const repos = [BASELINE, ALERTED, REPEATED, LEAKED];
  world = await startWorld({ watch: {}, repos: repos.map(withOldToken) });
  for (const repo of repos) world.watch!.store.addWatch({ repo, channel: CHANNEL, userId: 'U0ADMIN', private: false, adminLinked: false, now: new Date() });
  await world.watch!.sweeps.runNow(); // the baseline: what each repository held when it was first watched
});
afterAll(async () => {
  await world.close();
});

/** The secret alerts posted about the repository (their text starts with its name). */
const secretAlerts = (repo: string) => world.slack.callsTo('chat.postMessage').filter((c) => String(c.params.text).startsWith(`${repo}: `) && String(c.params.text).includes('hardcoded secret'));

/** Commits NEW_TOKEN to the repository and sweeps; resolves with the alert posted about it. */
async function commitNewToken(repo: string) {
  const [owner, name] = repo.split('/') as [string, string];
  world.github.pushCommit(owner, name, { 'app/slack_bot.py': `import os\n\nBOT_TOKEN = "${NEW_TOKEN}"\n` });
  expect((await world.watch!.sweeps.runNow()).newSecrets).toBe(1);
  return waitFor(() => secretAlerts(repo)[0], `the secret alert for ${repo}`);
}

it('records the secrets of the first audit without alerting them', () => {
  expect(secretAlerts(BASELINE)).toEqual([]);
  expect(world.db.prepare('SELECT COUNT(*) AS n FROM code_secrets_alerted WHERE repo = ?').get(BASELINE)).toEqual({ n: 1 });
});

it('alerts a newly committed secret at once: kind, linked file and line, fingerprint; and a new serious code finding with it', async () => {
  const sha = world.github.pushCommit('octo', 'bot', { 'app/slack_bot.py': `import os\n\nBOT_TOKEN = "${NEW_TOKEN}"\n`, 'app/views.py': 'def search(request):\n    return eval(request.GET["q"])\n' });
  const result = await world.watch!.sweeps.runNow();
  expect(result.newSecrets).toBe(2);
  const alert = await waitFor(() => secretAlerts(ALERTED)[0], 'the secret alert');
  expect(alert.params.channel).toBe(CHANNEL);
  const text = blockText(alert.params.blocks);
  expect(text).toContain('Secret committed: octo/bot');
  expect(text).toMatch(new RegExp(`\\*Slack token\\* in <[^|]+/blob/${sha}/app/slack_bot\\.py#L3\\|app/slack_bot\\.py:3> \\(fingerprint \`[0-9a-f]{16}\`\\)`));
  expect(text).toContain('*Rotate it now*');
  expect(text).not.toContain('legacy/config.py');
  expect(text).toMatch(/1 new code finding at high or critical, first seen at .*\n• 🔴 `py-eval-exec` in <[^|]+\|app\/views\.py:2>: eval\(\)/);
});

it('does not alert the same secret again, on a later commit or a second sweep', async () => {
  await commitNewToken(REPEATED);
  world.github.pushCommit('octo', 'chat', { 'README.md': '# chat, now with a bot\n' });
  expect((await world.watch!.sweeps.runNow()).newSecrets).toBe(0);
  await world.watch!.delivery.deliver();
  expect(secretAlerts(REPEATED)).toHaveLength(1);
});

it('never lets a secret’s value reach Slack, the logs or the database', async () => {
  await commitNewToken(LEAKED);
  await world.watch!.delivery.deliver();
  for (const token of [OLD_TOKEN, NEW_TOKEN]) {
    expect(JSON.stringify(world.slack.calls)).not.toContain(token);
    expect(JSON.stringify(world.logs)).not.toContain(token);
    const tables = world.db.prepare("SELECT name FROM sqlite_master WHERE type = 'table'").all() as { name: string }[];
    for (const { name } of tables) expect(JSON.stringify(world.db.prepare(`SELECT * FROM "${name}"`).all()), name).not.toContain(token);
  }
  expect(world.slack.violations).toEqual([]);
});
