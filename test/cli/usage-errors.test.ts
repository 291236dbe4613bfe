/**
 * Usage errors, as the contract has them: one clear line on stderr, exit status 2, nothing on
 * stdout (which a script may be reading as JSON). Each line names its command once.
 */
import { rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { COMMAND_NAMES } from '../../src/cli.js';
import { inProcessCli, UNREACHABLE_SERVICES, writeTree } from '../helpers/cli-in-process.js';

const dir = writeTree('depwatch-usage-', { 'requirements.txt': 'attrs==23.1.0\n' });
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const cli = () => inProcessCli({ cwd: dir, env: { DEPWATCH_DB: join(dir, 'depwatch.db'), ...UNREACHABLE_SERVICES } });

/** Runs depwatch with `argv`: its exit status, stdout and stderr. */
async function depwatch(...argv: string[]) {
  const c = cli();
  const code = await c.run(...argv);
  return { code, ...c.out };
}

describe('usage errors', () => {
  it('no command at all: one line on stderr naming the commands, nothing on stdout, exit 2', async () => {
    expect(await depwatch()).toEqual({
      code: 2,
      stdout: '',
      stderr: `depwatch: no command given (commands: ${COMMAND_NAMES.join(', ')}); depwatch --help shows the usage\n`,
    });
  });

  it('asking for the usage is not an error: on stdout, exit 0', async () => {
    const help = await depwatch('--help');
    expect(help.code).toBe(0);
    expect(help.stdout).toMatch(/^usage: depwatch /);
    expect(help.stderr).toBe('');
  });

  it('the usage gives the exit status of a partial result, as each command\'s help and the README do', async () => {
    const { stdout } = await depwatch('--help');
    expect(stdout.replace(/\s+/g, ' ')).toContain('2 a usage or runtime error, or a partial result that findings did not already fail');
  });

  it('db without an action: one line on stderr, exit 2', async () => {
    expect(await depwatch('db')).toEqual({ code: 2, stdout: '', stderr: 'depwatch db: give an action: import FILE, sync or status (depwatch db --help shows the usage)\n' });
    expect((await depwatch('db', '--help')).code).toBe(0);
  });

  it.each([
    [['audit', '--json', '--sarif', '.'], 'depwatch audit: choose one of --json, --markdown, --sarif, --cyclonedx'],
    [['audit'], 'depwatch audit: give one directory, manifest file, owner/repo or GitHub URL'],
    [['deps'], 'depwatch deps: give at least one directory or file (try: depwatch deps .)'],
    [['check'], 'depwatch check: give at least one name==version'],
    [['scan'], 'depwatch scan: give one directory (try: depwatch scan .)'],
    [['fix', 'a', 'b'], 'depwatch fix: give one directory or manifest file (default: the current folder)'],
    [['package'], 'depwatch package: give at least one name or name==version'],
    [['package', '--fail-on', 'never', 'requests'], 'depwatch package: --fail-on takes avoid or caution, not "never"'],
    [['db', 'frobnicate'], 'depwatch db: unknown action "frobnicate" (import, sync or status)'],
    [['db', 'import'], 'depwatch db import: give one file or directory'],
    [['deps', 'no-such-dir'], 'depwatch deps: no-such-dir: no such file or directory'],
    [['audit', '--bogus', '.'], 'depwatch audit: unknown option --bogus (depwatch audit --help shows the options)'],
    [['scan', '-x', '.'], 'depwatch scan: unknown option -x (depwatch scan --help shows the options)'],
    [['check', '--db'], "depwatch check: option '--db <value>' argument missing (depwatch check --help shows the options)"],
    [['audit', '--json=yes', '.'], "depwatch audit: option '--json' does not take an argument (depwatch audit --help shows the options)"],
    [['deps', '--format', 'toml', '.'], 'depwatch deps: --format: unknown format "toml" (one of requirements, pyproject, poetry-lock, pipfile, pipfile-lock, uv-lock, pdm-lock, pylock, setup-cfg, setup-py, conda-env, dockerfile)'],
  ])('depwatch %j names its command once', async (argv, line) => {
    expect(await depwatch(...argv)).toEqual({ code: 2, stdout: '', stderr: `${line}\n` });
  });

  it('a failed db import names "db import" once', async () => {
    writeFileSync(join(dir, 'bad.jsonl'), '{"id": "X-1"}\n');
    const failed = await depwatch('db', 'import', join(dir, 'bad.jsonl'));
    expect(failed.code).toBe(2);
    expect(failed.stderr).toMatch(/^depwatch db import: nothing imported from \S*bad\.jsonl: all 1 records? (was|were) rejected/);
  });
});
