/**
 * The checkout decides what its files are called and what they contain, and the text formats and
 * stderr show both to a terminal. Control characters in them (ESC, line breaks, C1, DEL, U+2028/9)
 * are shown as visible escapes there, so a file name cannot clear the screen, colour the report or
 * forge a line of it ("fake: all clear") or of stderr. JSON and SARIF already escape them, and
 * keep the names as they are.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ADVISORIES_JSONL_GZ } from '../fixtures/osv/load.js';
import { inProcessCli, UNREACHABLE_SERVICES, writeTree } from '../helpers/cli-in-process.js';

/** What a terminal acts on: every C0 control but the line feed ending each line, DEL, C1, U+2028/9. */
const ACTIVE = /[\u0000-\u0009\u000b-\u001f\u007f-\u009f\u2028\u2029]/u;

const EVIL = '\u001b[2J\u001b[31mevil\nfake: all clear.py';
const EVIL_SHOWN = '\\e[2J\\e[31mevil\\nfake: all clear.py';
const BAD = 'bad\nname.py';
const BAD_SHOWN = 'bad\\nname.py';
const SEPARATED = 'sep\u2028arated\u009b.py';
const SEPARATED_SHOWN = 'sep\\u2028arated\\x9b.py';

let dataDir: string;
let checkout: string;
const cli = () => inProcessCli({ cwd: checkout, env: { DEPWATCH_DB: join(dataDir, 'depwatch.db'), ...UNREACHABLE_SERVICES } });

async function depwatch(...argv: string[]) {
  const c = cli();
  const code = await c.run(...argv);
  return { code, ...c.out };
}

/** Every line of `text` shows its control characters escaped, and none is forged. */
function expectSafe(text: string): void {
  expect(text).not.toMatch(ACTIVE);
  for (const line of text.split('\n')) expect(line).not.toMatch(/^(fake: all clear|name\.py|arated)/);
}

beforeAll(async () => {
  dataDir = mkdtempSync(join(tmpdir(), 'depwatch-terminal-db-'));
  expect(await inProcessCli({ env: { DEPWATCH_DB: join(dataDir, 'depwatch.db') } }).run('db', 'import', ADVISORIES_JSONL_GZ)).toBe(0);
  checkout = writeTree('depwatch-terminal-', {
    'requirements.txt': 'attrs==23.1.0\n',
    [EVIL]: 'def run():\n    return eval(input())\n',
    [SEPARATED]: 'import os\nos.system(input())\n',
    // Not UTF-8: not scanned, so the result is partial and says so, naming the file.
    [BAD]: Buffer.from([0x70, 0x72, 0x69, 0x6e, 0x74, 0x28, 0xff, 0xfe, 0x29, 0x0a]),
    [`sub\u001b[8m/requirements.txt`]: 'django==2.1.5\nthis is not a requirement ==\n',
  });
});

afterAll(() => {
  rmSync(checkout, { recursive: true, force: true });
  rmSync(dataDir, { recursive: true, force: true });
});

describe('text formats escape control characters in names and content', () => {
  it('audit: the report shows each name escaped, on its own line', async () => {
    const { stdout, stderr } = await depwatch('audit', '--offline', '.');
    expectSafe(stdout);
    expectSafe(stderr);
    expect(stdout).toContain(`${EVIL_SHOWN}:2:`);
    expect(stdout).toContain(`${SEPARATED_SHOWN}:2:`);
    expect(stdout).toContain(BAD_SHOWN);
    expect(stdout).toContain('sub\\e[8m/requirements.txt');
  });

  it('audit --json: one stderr line per reason, escaped; the JSON keeps the names as they are', async () => {
    const { stdout, stderr } = await depwatch('audit', '--offline', '--json', '.');
    expectSafe(stderr);
    for (const line of stderr.split('\n').slice(0, -1)) expect(line).toMatch(/^depwatch: (PARTIAL|WARNING): /);
    expect(stderr).toContain(BAD_SHOWN);
    const json = JSON.parse(stdout) as { code: { findings: { file: string }[] }; partial_reasons: { file?: string }[] };
    expect(json.code.findings.map((f) => f.file)).toEqual(expect.arrayContaining([EVIL, SEPARATED]));
    expect(json.partial_reasons.map((r) => r.file)).toEqual(expect.arrayContaining([BAD, `sub\u001b[8m/requirements.txt`]));
  });

  it('scan: findings, files not scanned and the partial line', async () => {
    const { stdout, stderr } = await depwatch('scan', '.');
    expectSafe(stdout);
    expectSafe(stderr);
    expect(stdout).toContain(`${EVIL_SHOWN}:2:`);
    expect(stdout).toContain(BAD_SHOWN);
  });

  it('deps: the table, its problems and the stderr lines', async () => {
    const text = await depwatch('deps', '.');
    expectSafe(text.stdout);
    expectSafe(text.stderr);
    expect(text.stdout).toContain('sub\\e[8m/requirements.txt');
    const json = await depwatch('deps', '--json', '.');
    expectSafe(json.stderr);
    expect(json.stderr).toContain('depwatch deps: PARTIAL: sub\\e[8m/requirements.txt:2 not read completely');
  });

  it('fix: what it would rewrite and why it is partial', async () => {
    const { stdout, stderr } = await depwatch('fix', '--dry-run', '--offline', '.');
    expectSafe(stderr);
    expect(stderr).toContain('sub\\e[8m/requirements.txt');
    // The diff is a patch for `git apply`: its file names are quoted as git quotes them.
    expect(stdout).toContain('--- "a/sub\\033[8m/requirements.txt"\n');
  });

  it('an error line names the path given, escaped', async () => {
    expect(await depwatch('deps', 'no\u001b[2Jdir\nfake')).toEqual({ code: 2, stdout: '', stderr: 'depwatch deps: no\\e[2Jdir\\nfake: no such file or directory\n' });
    expect((await depwatch('no\u001bpe')).stderr).toMatch(/^depwatch: unknown command "no\\epe" \(/);
  });
});
