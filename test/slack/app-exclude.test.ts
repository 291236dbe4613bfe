/**
 * `/audit owner/repo` of a repository shaped like python-poetry/poetry, through the fake GitHub: its
 * test fixtures (a lockfile that is not valid TOML, an old vulnerable pin) make every reply partial
 * until `.depwatch.yml` excludes them; then the reply is complete, holds the root's findings only,
 * and says once what was not read, where and why. A whole-tree exclude is refused and changes nothing.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { blockText, startWorld, waitFor, type World, latestAudit } from './app-world.js';

const FILES = {
  'pyproject.toml': '[project]\nname = "app"\nversion = "1.0"\ndependencies = ["urllib3"]\n',
  'poetry.lock': '[[package]]\nname = "urllib3"\nversion = "1.24.1"\ndescription = ""\noptional = false\npython-versions = "*"\n\n[metadata]\nlock-version = "2.0"\npython-versions = "*"\ncontent-hash = "x"\n',
  '.gitignore': '.env\n*.env\n',
  'tests/fixtures/invalid_lock/poetry.lock': '[[package]\nname = "broken\n',
  'tests/fixtures/old/requirements.txt': 'django==2.1.5\n',
  'tests/fixtures/old/views.py': 'def search(request):\n    return eval(request.GET["q"])\n',
};
const REASON = 'test data for the lockfile parsers, not our dependencies';
const exclude = (path: string) => `exclude:\n  - path: ${path}\n    reason: ${REASON}\n`;

let world: World;
beforeAll(async () => {
  world = await startWorld({
    repos: [
      { owner: 'octo', name: 'plain', files: FILES },
      { owner: 'octo', name: 'excluding', files: { ...FILES, '.depwatch.yml': exclude('tests/fixtures/') } },
      { owner: 'octo', name: 'hiding', files: { ...FILES, '.depwatch.yml': exclude('"**"') } },
      { owner: 'octo', name: 'fixtures-only', files: { 'README.md': '# parsers\n', 'tests/fixtures/old/requirements.txt': 'django==2.1.5\n', '.depwatch.yml': exclude('tests/fixtures/') } },
    ],
  });
});
afterAll(async () => {
  await world.close();
});

/** The reply's whole text (message and thread), once the audit is complete. */
async function replyTo(repo: string): Promise<string> {
  const before = world.slack.callsTo('chat.update').length;
  await world.audit(repo);
  await waitFor(() => world.slack.callsTo('chat.update').length > before, 'the audit reply');
  await world.bot.service.idle();
  const posted = world.slack.callsTo('chat.postMessage').filter((c) => !c.params.thread_ts).at(-1)!;
  const ts = String(posted.response?.ts);
  const message = world.slack.message(String(posted.params.channel), ts)!;
  const thread = world.slack.thread(String(posted.params.channel), ts);
  return [message, ...thread].map((m) => blockText(m.blocks)).join('\n');
}

describe('/audit of a repository whose test fixtures are not its project', () => {
  it('without exclude: partial, naming the broken fixture, with the fixtures\' findings', async () => {
    const text = await replyTo('octo/plain');
    expect(text).toMatch(/Partial result:\* tests\/fixtures\/invalid_lock\/poetry\.lock:\d+ not read completely/);
    const stored = await latestAudit(world, 'octo/plain');
    expect(stored.result.partial).toBe(true);
    expect(stored.result.findings.map((f) => f.package)).toContain('django');
    expect(stored.result.code?.findings.map((f) => f.file)).toContain('tests/fixtures/old/views.py');
  });

  it('with tests/fixtures/ excluded: complete, the root\'s findings only, and one line saying what was not read, where and why', async () => {
    const text = await replyTo('octo/excluding');
    expect(text).not.toContain('Partial result');
    expect(text).toContain('urllib3');
    expect(text).not.toContain('django');
    expect(text).not.toContain('views.py');
    const line = `3 files under tests/fixtures/ were not scanned (2 manifests among them, not read either): excluded by .depwatch.yml (${REASON})`;
    expect(text.split(line)).toHaveLength(2); // said exactly once
    const stored = await latestAudit(world, 'octo/excluding');
    expect(stored.result.partial).toBe(false);
    expect(stored.result.partialReasons).toEqual([]);
    expect(stored.result.exclusions).toEqual([{ path: 'tests/fixtures/', reason: REASON, source: '.depwatch.yml', manifests: 2, files: 3 }]);
    expect(stored.result.code?.notes).toEqual([]);
    expect(world.slack.violations).toEqual([]);
  });

  it('an exclude of the whole tree is refused with a note and changes nothing: still partial, the fixtures still read', async () => {
    const text = await replyTo('octo/hiding');
    expect(text).toContain('Partial result');
    expect(text).toMatch(/exclude entry 1: "\*\*" would exclude the whole tree/);
    const stored = await latestAudit(world, 'octo/hiding');
    expect(stored.result.partial).toBe(true);
    expect(stored.result.exclusions).toBeUndefined();
    expect(stored.result.findings.map((f) => f.package)).toContain('django');
  });

  it('a repository whose only manifests are excluded is audited (nothing read, and said why), not answered "no manifests", though none was downloaded', async () => {
    const text = await replyTo('octo/fixtures-only');
    expect(text).toContain(`1 file under tests/fixtures/ was not scanned (a manifest, not read either): excluded by .depwatch.yml (${REASON})`);
    const stored = await latestAudit(world, 'octo/fixtures-only');
    expect(stored.result.exclusions).toEqual([{ path: 'tests/fixtures/', reason: REASON, source: '.depwatch.yml', manifests: 1, files: 1 }]);
  });
});
