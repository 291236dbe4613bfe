/**
 * A repository's `.depwatch.yml` is read by every command, and the YAML library reports what it
 * does not understand (an unknown tag) through process.emitWarning, which Node prints on stderr
 * with the file's raw line: terminal escapes from the repository would clear the screen, set the
 * title or forge a line ("depwatch: all clear"), in a terminal, a CI log or the bot's logs. The
 * library is kept quiet, and the problem is a note on the entry it spoils, which is not applied.
 * The compiled CLI, as users run it, for the real stderr Node writes warnings to.
 */
import { rmSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { ADVISORIES_JSONL_GZ } from '../fixtures/osv/load.js';
import { BIN, buildCliIfStale, run } from '../helpers/built-cli.js';
import { inProcessCli, UNREACHABLE_SERVICES, writeTree } from '../helpers/cli-in-process.js';

const FORGED = '\u001b]0;pwned\u0007\u001b[2J\u001b[31mFORGED depwatch: all clear';

let tree: string;

beforeAll(async () => {
  buildCliIfStale();
  tree = writeTree('depwatch-yaml-tags-', {
    '.depwatch.yml': [
      'ignore:',
      `  - id: !!foo "${FORGED}"`,
      '    reason: copied from an old config',
      'exclude:',
      `  - path: !!python/object:evil "${FORGED}/"`,
      '    reason: fixtures',
      '  - path: vendor/',
      '    reason: not ours',
    ].join('\n') + '\n',
    'requirements.txt': 'attrs==23.1.0\n',
    'vendor/requirements.txt': 'django==2.1.5\n',
  });
  expect(await inProcessCli({ env: { DEPWATCH_DB: `${tree}/mirror.db` } }).run('db', 'import', ADVISORIES_JSONL_GZ)).toBe(0);
}, 300_000); // a build when the sources changed since the last one (built.ts)

afterAll(() => rmSync(tree, { recursive: true, force: true }));

const depwatch = (...args: string[]) => run(process.execPath, [BIN, ...args], { cwd: tree, env: { PATH: process.env.PATH ?? '', HOME: tree, ...UNREACHABLE_SERVICES } });

describe('a .depwatch.yml with an unknown YAML tag', () => {
  it('scan: nothing raw on stderr, and each tagged entry is a note, not applied', async () => {
    const { code, stdout, stderr } = await depwatch('scan', '--json', '.');
    expect(stderr).not.toContain('\u001b');
    expect(stderr).not.toMatch(/Warning|trace-warnings/);
    expect(code).not.toBeNull();
    const notes = (JSON.parse(stdout) as { notes: { kind: string; message: string }[] }).notes.filter((n) => n.kind === 'invalid').map((n) => n.message);
    expect(notes).toEqual([
      '.depwatch.yml: ignore entry 1: unknown YAML tag "!!foo" on line 2; not applied',
      '.depwatch.yml: exclude entry 1: unknown YAML tag "!!python/object:evil" on line 5; not applied',
    ]);
  });

  it('deps: nothing raw on stderr; the tagged exclude is a notice and the others still apply', async () => {
    const { code, stdout, stderr } = await depwatch('deps', '--json', '.');
    expect(stderr).not.toContain('\u001b');
    expect(stderr).not.toMatch(/Warning|trace-warnings/);
    expect(code).toBe(0);
    const out = JSON.parse(stdout) as { notices: string[]; manifests: { path: string }[] };
    expect(out.notices).toContain('.depwatch.yml: exclude entry 1: unknown YAML tag "!!python/object:evil" on line 5; not applied');
    expect(out.manifests.map((m) => m.path)).toEqual(['requirements.txt']);
  });

  it('audit: the library never calls process.emitWarning, and the text shows the note escaped', async () => {
    const warn = vi.spyOn(process, 'emitWarning');
    try {
      const c = inProcessCli({ cwd: tree, env: { DEPWATCH_DB: `${tree}/mirror.db`, ...UNREACHABLE_SERVICES } });
      await c.run('audit', '--offline', '.');
      expect(warn).not.toHaveBeenCalled();
      expect(c.out.stderr + c.out.stdout).not.toContain('\u001b');
      expect(c.out.stdout).toContain('note: .depwatch.yml: ignore entry 1: unknown YAML tag "!!foo" on line 2; not applied');
    } finally {
      warn.mockRestore();
    }
  });
});
