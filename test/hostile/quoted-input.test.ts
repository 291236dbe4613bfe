/**
 * A message quotes at most about 200 characters of the text it is about. A requirements file of
 * one 3 MB logical line (200,000 continued lines) made a 3 MB problem that reached stdout, stderr,
 * JSON, SARIF, Markdown, Slack and the database; a 280 KB string in pyproject.toml the same.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { memorySource } from '../../src/python/files.js';
import { extractRequirements } from '../../src/python/formats/requirements.js';
import { pyprojectFormat } from '../../src/python/formats/pyproject.js';
import { pipfileFormat } from '../../src/python/formats/pipfile.js';
import { setupCfgFormat } from '../../src/python/formats/setup-cfg.js';
import { extractUvLock } from '../../src/python/formats/uv-lock.js';
import { loadManifests } from '../../src/python/load.js';
import { parseIgnoreFile } from '../../src/audit/ignore-file.js';
import { boundMessage, clipInput, MESSAGE_MAX, quoteInput, singleQuoteInput } from '../../src/quoted-input.js';
import type { ExtractResult } from '../../src/python/types.js';
import { ADVISORIES_JSONL_GZ } from '../fixtures/osv/load.js';
import { inProcessCli, UNREACHABLE_SERVICES, writeTree } from '../helpers/cli-in-process.js';

/** Longest message a quoted input may make: the sentence around it (pip's longest is 330) plus 200 characters and the length. */
const BOUNDED = 600;

const huge = (unit: string, bytes: number) => unit.repeat(Math.ceil(bytes / unit.length));

function messagesOf(result: ExtractResult): string[] {
  expect(result.errors.length).toBeGreaterThan(0);
  return result.errors.map((e) => e.message);
}

describe('the helpers', () => {
  it('keep short text whole and cut long text to 200 characters with "…" and its length', () => {
    expect(quoteInput('djang0==1')).toBe('"djang0==1"');
    expect(singleQuoteInput('x'.repeat(200))).toBe(`'${'x'.repeat(200)}'`);
    expect(singleQuoteInput('x'.repeat(5000))).toBe(`'${'x'.repeat(200)}…' (5,000 characters)`);
    expect(quoteInput('a\u001bb'.repeat(1000))).toMatch(/^"(a\\u001bb){66}a\\u001b…" \(3,000 characters\)$/);
  });

  it('never split a surrogate pair', () => {
    const clipped = clipInput(`${'a'.repeat(199)}😀${'b'.repeat(300)}`);
    expect(clipped).toBe(`${'a'.repeat(199)}…`);
  });

  it('bound a whole message by its middle, keeping its start and its end', () => {
    const message = `Invalid thing ${'x'.repeat(100_000)} (at column 15)`;
    const bounded = boundMessage(message);
    expect(bounded.length).toBeLessThanOrEqual(MESSAGE_MAX);
    expect(bounded.startsWith('Invalid thing xxx')).toBe(true);
    expect(bounded.endsWith('x (at column 15)')).toBe(true);
    expect(bounded).toContain('characters cut');
    // encodeURIComponent throws on half a surrogate pair.
    for (const emoji of ['😀'.repeat(1000), `x${'😀'.repeat(1000)}`]) expect(() => encodeURIComponent(boundMessage(emoji))).not.toThrow();
  });
});

describe('each format quotes a huge bad value in a bounded message', () => {
  it('requirements: one 3 MB logical line of continued lines', () => {
    const [message] = messagesOf(extractRequirements('django==2.1.5 \\\n'.repeat(200_000), { file: 'requirements.txt' }));
    expect(message!.length).toBeLessThan(BOUNDED);
    expect(message).toMatch(/^Invalid requirement: 'django==2\.1\.5 django==2\.1\.5 .*…' \(2,799,999 characters\): Expected comma/);
  });

  it('requirements: a huge bad marker, option, editable and extras', () => {
    const big = 'x'.repeat(300_000);
    for (const line of [`django; ${big} ==`, `--${big}`, `-e git+https://example.invalid/${big}`, `-e ${big}://x`, `https://example.invalid/${big}.whl`]) {
      for (const message of messagesOf(extractRequirements(`${line}\n`, { file: 'requirements.txt' }))) expect(message.length, line.slice(0, 30)).toBeLessThan(BOUNDED);
    }
  });

  it('pyproject.toml: a 280 KB dependency string', () => {
    const text = `[project]\nname = "p"\ndependencies = ["${huge('django==2.1.5 ', 280_000)}"]\n`;
    const [message] = messagesOf(pyprojectFormat.extract(text, { file: 'pyproject.toml' }) as ExtractResult);
    expect(message!.length).toBeLessThan(BOUNDED);
    expect(message).toMatch(/^Invalid requirement "django==2\.1\.5 .*…" \(280,000 characters\): /);
  });

  it('pyproject.toml: a huge Poetry name, constraint and dependency group', () => {
    const big = 'y'.repeat(300_000);
    const text = `[tool.poetry]\nname = "p"\n[tool.poetry.dependencies]\n"${big}!" = "1"\nok = "${big}"\n[dependency-groups]\ndev = [{include-group = "${big}"}]\n`;
    const messages = messagesOf(pyprojectFormat.extract(text, { file: 'pyproject.toml' }) as ExtractResult);
    expect(messages.length).toBeGreaterThanOrEqual(3);
    for (const message of messages) expect(message.length).toBeLessThan(BOUNDED);
  });

  it('Pipfile: a huge version specifier and marker', () => {
    const big = 'z'.repeat(300_000);
    const text = `[packages]\ndjango = "${big}"\nflask = {version = "*", markers = "${big}"}\n`;
    const messages = messagesOf(pipfileFormat.extract(text, { file: 'Pipfile' }) as ExtractResult);
    expect(messages).toHaveLength(2);
    for (const message of messages) expect(message.length).toBeLessThan(BOUNDED);
  });

  it('setup.cfg: a huge path in a file: directive', () => {
    const text = `[options]\ninstall_requires = file: ${'a'.repeat(300_000)}\n    b.txt\n`;
    const messages = messagesOf(setupCfgFormat.extract(text, { file: 'setup.cfg' }) as ExtractResult);
    for (const message of messages) expect(message.length).toBeLessThan(BOUNDED);
  });

  it('uv.lock: a huge unknown source', () => {
    const text = `version = 1\n[[package]]\nname = "a"\nversion = "1.0"\nsource = { weird = "${'w'.repeat(300_000)}" }\n`;
    const messages = messagesOf(extractUvLock(text, { file: 'uv.lock' }));
    for (const message of messages) expect(message.length).toBeLessThan(BOUNDED);
  });

  it('any format: the loader bounds every problem, whatever a reader built', async () => {
    const big = 'v'.repeat(300_000);
    const load = await loadManifests(memorySource({ 'poetry.lock': `[[package]]\nname = "${big}"\nversion = "${big}"\n` }), {});
    expect(load.errors.length).toBeGreaterThan(0);
    for (const error of load.errors) expect(error.message.length).toBeLessThanOrEqual(MESSAGE_MAX);
  });
});

describe('settings and options quote a 10,000-character hostile value bounded and escaped', () => {
  /** Ten thousand characters that would repaint a terminal and close a quote early. */
  const hostile = `\u001b[31m"${'x'.repeat(9_994)}`;
  const escapedStart = JSON.stringify(hostile.slice(0, 12)).slice(0, -1);

  it('--max-data-age and DEPWATCH_MAX_DATA_AGE_DAYS: one short line, the value escaped, cut and counted', async () => {
    const db = join(mkdtempSync(join(tmpdir(), 'depwatch-quoted-')), 'depwatch.db');
    const flag = inProcessCli({ env: { DEPWATCH_DB: db, ...UNREACHABLE_SERVICES } });
    expect(await flag.run('check', '--offline', `--max-data-age=${hostile}`, 'attrs==23.1.0')).toBe(2);
    const setting = inProcessCli({ env: { DEPWATCH_DB: db, ...UNREACHABLE_SERVICES, DEPWATCH_MAX_DATA_AGE_DAYS: hostile } });
    expect(await setting.run('check', '--offline', 'attrs==23.1.0')).toBe(2);
    for (const { out } of [flag, setting]) {
      expect(out.stderr.split('\n').filter(Boolean)).toHaveLength(1);
      expect(out.stderr.length).toBeLessThan(BOUNDED);
      expect(out.stderr).not.toContain('\u001b');
      expect(out.stderr).toContain(`${escapedStart}`);
      expect(out.stderr).toMatch(/x…" \(10,000 characters\) is not a whole number of days/);
    }
  });

  it('.depwatch.yml: a parser error that quotes a 10,000-character alias is cut', () => {
    const { notes } = parseIgnoreFile(`ignore: *${'x'.repeat(10_000)}\n`);
    expect(notes).toHaveLength(1);
    expect(notes[0]!.message.length).toBeLessThan(BOUNDED);
    expect(notes[0]!.message).toMatch(/^\.depwatch\.yml: not valid YAML \(Unresolved alias .*x…\); nothing in it applies$/);
  });

  it('.depwatch.yml: a refused exclude glob is quoted escaped, and a long one cut', () => {
    const glob = `!\u001b"${'y'.repeat(400)}`;
    const { excludeNotes } = parseIgnoreFile(`exclude:\n  - path: ${JSON.stringify(glob)}\n    reason: hostile\n`);
    expect(excludeNotes.map((n) => n.message)).toEqual([
      `.depwatch.yml: exclude entry 1: ${JSON.stringify(glob.slice(0, 200) + '…')} (403 characters): a negation (!) has nothing to undo in an exclude; list only what to exclude; not applied`,
    ]);
  });

  it('.depwatch.yml: an unknown tag and an entry\'s id of 10,000 characters are cut, the tag counted', () => {
    const { notes } = parseIgnoreFile(`ignore:\n  - id: ${JSON.stringify(hostile)}\n    reason: r\n  - !${'t'.repeat(10_000)} {id: A-1, reason: r}\n`);
    expect(notes.map((n) => n.message)).toEqual([
      `.depwatch.yml: ignore entry 1 (id: ${hostile.slice(0, 60)}…): \`id\` is longer than 200 characters; not applied`,
      `.depwatch.yml: ignore entry 2: unknown YAML tag "!${'t'.repeat(59)}…" (10,001 characters) on line 4; not applied`,
    ]);
  });
});

describe('depwatch deps and audit on the 3 MB line', () => {
  const dir = writeTree('depwatch-huge-line-', { 'requirements.txt': 'django==2.1.5 \\\n'.repeat(200_000) });
  const dataDir = mkdtempSync(join(tmpdir(), 'depwatch-huge-line-db-'));
  const cli = () => inProcessCli({ env: { DEPWATCH_DB: join(dataDir, 'depwatch.db'), ...UNREACHABLE_SERVICES } });
  beforeAll(async () => {
    expect(await cli().run('db', 'import', ADVISORIES_JSONL_GZ)).toBe(0);
  });

  it('deps prints kilobytes, not megabytes, and every stderr line is short', async () => {
    const c = cli();
    expect(await c.run('deps', dir)).toBe(2);
    expect(c.out.stdout.length).toBeLessThan(5_000);
    expect(c.out.stderr.length).toBeLessThan(5_000);
    expect(c.out.stdout).toContain('(2,799,999 characters)');
  });

  it('audit --json keeps errors[] and partial reasons bounded', async () => {
    const c = cli();
    await c.run('audit', '--offline', '--json', dir);
    expect(c.out.stdout.length).toBeLessThan(10_000);
    const json = JSON.parse(c.out.stdout) as { partial: boolean; errors: { message: string }[] };
    expect(json.partial).toBe(true);
    expect(json.errors[0]!.message).toMatch(/^Invalid requirement: 'django==2\.1\.5 .*…' \(2,799,999 characters\)/);
  });
});
