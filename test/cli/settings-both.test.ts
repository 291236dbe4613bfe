/**
 * A checkout with both `.depwatch.yml` and `.depwatch.yaml`: `.depwatch.yml` is the settings file,
 * and every reader (`depwatch audit` and its code scan, `depwatch scan`, `depwatch deps`) applies it
 * and nothing of `.depwatch.yaml`, which each output names once, as not read (a note, not partial:
 * what the other file would ignore is reported, what it would exclude is read).
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, expect, it } from 'vitest';
import { ADVISORIES_JSONL_GZ } from '../fixtures/osv/load.js';
import { inProcessCli, UNREACHABLE_SERVICES, writeTree } from '../helpers/cli-in-process.js';

let dataDir: string;
const cli = () => inProcessCli({ env: { DEPWATCH_DB: join(dataDir, 'depwatch.db'), ...UNREACHABLE_SERVICES } });

const NOT_READ = '.depwatch.yaml: not read, because .depwatch.yml is the settings file; merge its entries into .depwatch.yml';
const NOT_READ_NOTE = { kind: 'invalid', message: NOT_READ };

const YML = ['ignore:', '  - id: py-eval-exec', '    reason: the expression is ours', ''].join('\n');
const YAML = ['ignore:', '  - id: py-os-system', '    reason: a fixed command', 'exclude:', '  - path: vendor/', '    reason: a copy of another project', ''].join('\n');

const checkout = (settings: Record<string, string | Uint8Array> = { '.depwatch.yml': YML, '.depwatch.yaml': YAML }) =>
  writeTree('depwatch-settings-both-', {
    ...settings,
    '.gitignore': '.env\n*.env\n',
    'requirements.txt': 'attrs==23.1.0\n',
    'vendor/requirements.txt': 'django==2.1.5\n',
    'app/run.py': 'import os\nos.system("ls")\n\ndef calc(expr):\n    return eval(expr)\n',
  });

const count = (text: string, part: string) => text.split(part).length - 1;
const rules = (findings: { rule: string; file: string }[]) => findings.map((f) => `${f.rule} ${f.file}`).sort();

beforeAll(async () => {
  dataDir = mkdtempSync(join(tmpdir(), 'depwatch-settings-both-db-'));
  expect(await cli().run('db', 'import', ADVISORIES_JSONL_GZ)).toBe(0);
});

it('depwatch audit DIR (text) applies .depwatch.yml only and says once that .depwatch.yaml was not read', async () => {
  const c = cli();
  await c.run('audit', '--offline', checkout());
  const all = c.out.stdout + c.out.stderr;
  expect(count(all, NOT_READ)).toBe(1);
  // .depwatch.yaml's ignore hides nothing, its exclude keeps nothing out; .depwatch.yml's ignore applies.
  expect(c.out.stdout).toMatch(/app\/run\.py:2:1 +py-os-system/);
  expect(c.out.stdout).not.toMatch(/py-eval-exec/);
  expect(c.out.stdout).toContain('django 2.1.5');
  expect(all).not.toContain('PARTIAL');
});

it('depwatch audit --json DIR gives the note once, in the audit\'s notes, and the result is not partial', async () => {
  const c = cli();
  await c.run('audit', '--offline', '--json', checkout());
  expect(count(c.out.stdout, NOT_READ)).toBe(1);
  const json = JSON.parse(c.out.stdout);
  expect(json.notes).toEqual([NOT_READ_NOTE]);
  expect(json.code.notes.filter((n: { kind: string }) => n.kind === 'invalid')).toEqual([]);
  expect(json.partial).toBe(false);
  expect(rules(json.code.findings)).toEqual(['py-os-system app/run.py']);
  expect(rules(json.code.ignored)).toEqual(['py-eval-exec app/run.py']);
  expect(json.findings.some((f: { package?: string }) => f.package === 'django')).toBe(true);
  expect(json.excluded ?? []).toEqual([]);
});

it('depwatch audit --markdown and --sarif DIR say it once too (SARIF: a note, the run still successful)', async () => {
  const md = cli();
  await md.run('audit', '--offline', '--markdown', checkout());
  expect(count(md.out.stdout + md.out.stderr, NOT_READ)).toBe(1);

  const c = cli();
  await c.run('audit', '--offline', '--sarif', checkout());
  expect(count(c.out.stdout, NOT_READ)).toBe(1);
  const [invocation] = JSON.parse(c.out.stdout).runs[0].invocations;
  expect(invocation.executionSuccessful).toBe(true);
  // Apart from the notices every offline audit has (the mirror's age, PyPI not asked: `depwatch/notice`).
  const notes = invocation.toolExecutionNotifications.filter((n: { descriptor: { id: string } }) => n.descriptor.id !== 'depwatch/notice');
  expect(notes).toEqual([{ level: 'note', message: { text: NOT_READ }, descriptor: { id: 'depwatch/settings' } }]);
});

it('depwatch scan DIR, text and JSON, applies .depwatch.yml only and says the note once', async () => {
  const text = cli();
  await text.run('scan', checkout());
  expect(count(text.out.stdout + text.out.stderr, NOT_READ)).toBe(1);
  expect(text.out.stdout).toMatch(/app\/run\.py:2:1 +py-os-system/);

  const c = cli();
  await c.run('scan', '--json', checkout());
  expect(count(c.out.stdout, NOT_READ)).toBe(1);
  const json = JSON.parse(c.out.stdout);
  expect(json.notes.filter((n: { kind: string }) => n.kind === 'invalid')).toEqual([NOT_READ_NOTE]);
  expect(rules(json.findings)).toEqual(['py-os-system app/run.py']);
  expect(rules(json.ignored)).toEqual(['py-eval-exec app/run.py']);
  expect(json.partial).toBe(false);
});

it('depwatch deps DIR reads what .depwatch.yaml would exclude, and says why once', async () => {
  const c = cli();
  expect(await c.run('deps', '--json', checkout())).toBe(0);
  expect(count(c.out.stdout + c.out.stderr, NOT_READ)).toBe(1);
  expect(JSON.parse(c.out.stdout).manifests.map((m: { path: string }) => m.path)).toContain('vendor/requirements.txt');
});

it('an invalid .depwatch.yaml beside .depwatch.yml is not read, so only the not-read note is given', async () => {
  const c = cli();
  await c.run('audit', '--offline', '--json', checkout({ '.depwatch.yml': YML, '.depwatch.yaml': 'ignore: [\n' }));
  expect(c.out.stdout).not.toContain('not valid YAML');
  const json = JSON.parse(c.out.stdout);
  expect(json.notes).toEqual([NOT_READ_NOTE]);
  expect(json.code.notes.filter((n: { kind: string }) => n.kind === 'invalid')).toEqual([]);
});

it('a .depwatch.yml that cannot be read is still the settings file: nothing of .depwatch.yaml applies, and the audit is partial for the unread file', async () => {
  const notUtf8 = Uint8Array.from([...Buffer.from('ignore:\n  - id: py-eval-exec\n    reason: caf'), 0xe9, 0x0a]);
  const c = cli();
  await c.run('audit', '--offline', '--json', checkout({ '.depwatch.yml': notUtf8, '.depwatch.yaml': YAML }));
  const json = JSON.parse(c.out.stdout);
  expect(json.notes).toEqual([NOT_READ_NOTE]);
  expect(json.partial).toBe(true);
  expect(json.partial_reasons).toEqual([expect.objectContaining({ kind: 'unread', file: '.depwatch.yml' })]);
  expect(json.findings.some((f: { package?: string }) => f.package === 'django')).toBe(true);
  expect(rules(json.code.findings).filter((r) => r.startsWith('py-'))).toEqual(['py-eval-exec app/run.py', 'py-os-system app/run.py']);
});
