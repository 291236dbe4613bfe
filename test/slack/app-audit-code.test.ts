/**
 * `/audit owner/repo` with code scanning on (the default): the repository's archive is downloaded
 * once per commit, scanned off the Slack path, and the reply shows code findings beside the
 * dependency findings: a count line, the worst few with their fix, the rest one line each. A
 * hardcoded secret appears as kind and fingerprint; its value reaches no Slack payload, log line or
 * database row. An archive the scan cannot read makes the reply partial and says why.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ROUTES } from '../fakes/github.js';
import { eventCallback } from '../helpers/slack-requests.js';
import { blockText, SHOP, startWorld, USER, waitFor, type World, latestAudit } from './app-world.js';

// Built at run time so this file does not read as a leaked token.
const TOKEN = 'ghp_' + 'R4nd0mT0k3nV4lu3abcdefGHIJKLmnopqrST';

const APP = {
  owner: 'octo',
  name: 'webapp',
  files: {
    ...SHOP.files,
    '.gitignore': '.env\n*.env\nconfig/secret*.py\n',
    'app/views.py': 'def search(request):\n    return eval(request.GET["q"])\n',
    'app/settings.py': `GITHUB_TOKEN = "${TOKEN}"\n`,
    'tests/test_math.py': 'def test_sum():\n    assert eval("1+1") == 2\n',
  },
};

let world: World;
beforeAll(async () => {
  world = await startWorld({
    repos: [
      APP,
      // The same files as octo/webapp, audited only by the test that counts archive downloads (the tests run in any order).
      { ...APP, name: 'repeat' },
      { owner: 'octo', name: 'bomb', files: { 'requirements.txt': 'attrs==23.1.0\n' } },
      // A host that is not a documentation one: the scan's secret-url-password reports its password too.
      { owner: 'octo', name: 'privateindex', files: { 'requirements.txt': '--index-url https://user:hunter3pass@pkgs.acme-corp.net/simple\nattrs==23.1.0\n' } },
      { owner: 'octo', name: 'privateindexbomb', files: { 'requirements.txt': '--index-url https://user:hunter3pass@private.example/simple\nattrs==23.1.0\n' } },
      { owner: 'octo', name: 'badsettings', files: { 'requirements.txt': 'attrs==23.1.0\n', '.depwatch.yml': 'ignore: [[[\n  - x: {\n' } },
      {
        owner: 'octo',
        name: 'misnamedsettings',
        files: { 'requirements.txt': 'attrs==23.1.0\n', 'depwatch.yml': 'ignore: []\n', '.depwatch.yaml/ignores.yml': 'ignore: []\n' },
      },
      {
        owner: 'octo',
        name: 'bothsettings',
        files: {
          'requirements.txt': 'attrs==23.1.0\n',
          '.gitignore': '.env\n*.env\n',
          'app/run.py': 'import os\nos.system("ls")\n\ndef calc(expr):\n    return eval(expr)\n',
          '.depwatch.yml': 'ignore:\n  - id: py-eval-exec\n    reason: the expression is ours\n',
          '.depwatch.yaml': 'ignore:\n  - id: py-os-system\n    reason: a fixed command\n',
        },
      },
    ],
  });
});
afterAll(async () => {
  await world.close();
});

async function replyTo(repo: string): Promise<{ text: string; message: string }> {
  const before = world.slack.callsTo('chat.update').length;
  await world.audit(repo);
  await waitFor(() => world.slack.callsTo('chat.update').length > before, 'the audit reply');
  await world.bot.service.idle();
  const posted = world.slack.callsTo('chat.postMessage').filter((c) => !c.params.thread_ts).at(-1)!;
  const ts = String(posted.response?.ts);
  const message = world.slack.message(String(posted.params.channel), ts)!;
  const thread = world.slack.thread(String(posted.params.channel), ts);
  return { text: [message, ...thread].map((m) => blockText(m.blocks)).join('\n'), message: String(message.text) };
}

describe('/audit with code scanning', () => {
  it('shows code findings next to the vulnerabilities, the secret by kind and fingerprint only', async () => {
    const { text, message } = await replyTo('octo/webapp');
    expect(text).toMatch(/\*\d+ vulnerabilities in \d+ (?:releases of \d+ )?packages:\*/);
    expect(text).toContain('*2 code findings*: 🔴 2 critical');
    expect(text).toContain('*Code and configuration:* 2 code findings (2 critical)');
    expect(text).toMatch(/`py-eval-exec` <[^|]+\/blob\/[0-9a-f]{40}\/app\/views\.py#L2\|app\/views\.py:2:\d+>/);
    expect(text).toMatch(/`secret-github-token` <[^>]+>: GitHub token, fingerprint [0-9a-f]{16}/);
    expect(text).not.toContain('tests/test_math.py');
    expect(message).toContain('2 code findings (2 critical)');
    expect(world.slack.violations).toEqual([]);
  });

  it('counts the code findings on App Home as the reply does, apart from the dependency findings', async () => {
    await replyTo('octo/webapp');
    const before = world.slack.callsTo('views.publish').length;
    await world.send(eventCallback({ type: 'app_home_opened', user: USER, channel: 'D0HOME00001', tab: 'home', event_ts: `${Math.floor(Date.now() / 1000)}.000100` }));
    await waitFor(() => world.slack.callsTo('views.publish').length > before, 'views.publish');
    const text = blockText(world.slack.homeView(USER)!.view.blocks);
    expect(text).toMatch(/\|octo\/webapp>\* @ [^\n]+\nOpen: 1 high · 23 not rated · 45 medium · 1 low · 2 info\nOpen in code: 2 critical\n/);
    expect(world.slack.violations).toEqual([]);
  });

  it('downloads one archive per commit: a repeat /audit of the same commit downloads none', async () => {
    const tarballs = world.github.count(ROUTES.tarball);
    const codeloads = world.github.count(ROUTES.codeload);
    await replyTo('octo/repeat');
    expect(world.github.count(ROUTES.tarball)).toBe(tarballs + 1);
    expect(world.github.count(ROUTES.codeload)).toBe(codeloads + 1);
    await replyTo('octo/repeat');
    expect(world.github.count(ROUTES.tarball)).toBe(tarballs + 1);
  });

  it('never lets the secret’s value reach Slack, the logs or the database', async () => {
    await replyTo('octo/webapp');
    expect(JSON.stringify(world.slack.calls)).not.toContain(TOKEN);
    expect(JSON.stringify(world.logs)).not.toContain(TOKEN);
    const tables = world.db.prepare("SELECT name FROM sqlite_master WHERE type = 'table'").all() as { name: string }[];
    expect(tables.map((t) => t.name)).toContain('code_scans');
    for (const { name } of tables) {
      const rows = world.db.prepare(`SELECT * FROM "${name}"`).all();
      expect(JSON.stringify(rows), name).not.toContain(TOKEN);
    }
  });

  it('marks the reply partial when the archive cannot be read (garbage or a bomb), dependencies still audited', async () => {
    world.github.setArchive('octo', 'bomb', Buffer.from('<html>not an archive</html>'));
    const { text, message } = await replyTo('octo/bomb');
    expect(text).toMatch(/⚠️ \*Partial result:\* .*the archive could not be read/);
    expect(message).toContain('(partial result)');
    // The code section says it is incomplete where it stands, not only at the top (fail closed).
    expect(text).toContain('partial: not all code was scanned');
    expect(text).toMatch(/:warning: \*Code and configuration \(partial, see above\):\* \d+ code findings? .*in what could be scanned/);
    expect(message).toMatch(/code findings? \(.*\) in what could be scanned \(PARTIAL: not all code was scanned\)/);
    const stored = (await latestAudit(world, 'octo/bomb'));
    expect(stored.result.partialReasons).toEqual([expect.objectContaining({ kind: 'unscanned', file: '(archive)' })]);
    expect(stored.result.dependencies).toBe(1);
  });

  it('reports a password in an index URL when the archive cannot be read: the audit reads manifests itself', async () => {
    world.github.setArchive('octo', 'privateindexbomb', Buffer.from('<html>not an archive</html>'));
    const { text } = await replyTo('octo/privateindexbomb');
    expect(text).toContain('partial: not all code was scanned');
    const stored = await latestAudit(world, 'octo/privateindexbomb');
    expect(stored.result.findings.filter((f) => f.kind === 'extra-index-url')).toEqual([
      expect.objectContaining({ file: 'requirements.txt', line: 1, severity: 'high', details: expect.objectContaining({ credentials: true }) }),
    ]);
    expect(text).toContain('writes credentials into the URL of https://private.example/simple');
    expect(JSON.stringify(world.slack.calls)).not.toContain('hunter3pass');
    expect(JSON.stringify(world.logs)).not.toContain('hunter3pass');
  });

  it('reports a password in an index URL once when the code scan runs too (its secret-url-password gives way)', async () => {
    await replyTo('octo/privateindex');
    const stored = await latestAudit(world, 'octo/privateindex');
    expect(stored.result.findings.filter((f) => f.kind === 'extra-index-url' && f.line === 1)).toHaveLength(1);
    expect(stored.result.code?.findings.filter((f) => f.file === 'requirements.txt' && f.line === 1)).toEqual([]);
    expect(JSON.stringify(world.slack.calls)).not.toContain('hunter3pass');
  });

  it('says a .depwatch.yml that is not valid once: the commit\'s scan reads it too, and the audit gives its note', async () => {
    const { text } = await replyTo('octo/badsettings');
    expect(text.match(/\.depwatch\.yml: not valid YAML/g)).toHaveLength(1);
    const stored = await latestAudit(world, 'octo/badsettings');
    expect(stored.result.notes).toEqual([expect.objectContaining({ kind: 'invalid', message: expect.stringMatching(/^\.depwatch\.yml: not valid YAML/) })]);
    expect(stored.result.code?.notes.filter((n) => n.kind === 'invalid')).toEqual([]);
  });

  it('with .depwatch.yml and .depwatch.yaml, applies .depwatch.yml only, as the CLI does, and says once that .depwatch.yaml was not read', async () => {
    const notRead = '.depwatch.yaml: not read, because .depwatch.yml is the settings file; merge its entries into .depwatch.yml';
    const { text } = await replyTo('octo/bothsettings');
    expect(text.split(notRead)).toHaveLength(2);
    const stored = await latestAudit(world, 'octo/bothsettings');
    expect(stored.result.notes).toEqual([expect.objectContaining({ kind: 'invalid', message: notRead })]);
    expect(stored.result.code?.notes.filter((n) => n.kind === 'invalid')).toEqual([]);
    // The commit's scan reads the archive's own settings: .depwatch.yaml's ignore hides nothing.
    expect(stored.result.code?.findings.map((f) => `${f.rule} ${f.file}`)).toEqual(['py-os-system app/run.py']);
    expect(stored.result.code?.ignored.map((f) => f.rule)).toEqual(['py-eval-exec']);
    expect(stored.result.partial).toBe(false);
  });

  it('says once that a depwatch.yml without the dot is not read, and that a .depwatch.yaml folder is no settings file, though the snapshot downloaded neither', async () => {
    const misnamed = 'depwatch.yml: not read as settings; the settings file is named .depwatch.yml or .depwatch.yaml (a leading dot, lower case)';
    const folder = '.depwatch.yaml: a folder, not a settings file; nothing in it is read as settings (write the settings in a file of that name)';
    const { text } = await replyTo('octo/misnamedsettings');
    expect(text.split(misnamed)).toHaveLength(2);
    expect(text.split(folder)).toHaveLength(2);
    const stored = await latestAudit(world, 'octo/misnamedsettings');
    expect(stored.result.notes.map((n) => n.message)).toEqual([folder, misnamed]);
    expect(stored.result.partial).toBe(false);
  });
});
