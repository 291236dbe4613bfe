/**
 * `depwatch audit DIR` reads the checkout's `.depwatch.yml` once: one parse for the audit's ignores,
 * its excludes and the code scan, whose notes the audit gives once (the scan, handed that parse,
 * does not repeat them). `depwatch scan` alone reads and notes it itself.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, beforeEach, expect, it, vi } from 'vitest';
import { ADVISORIES_JSONL_GZ } from '../fixtures/osv/load.js';
import { inProcessCli, UNREACHABLE_SERVICES, writeTree } from '../helpers/cli-in-process.js';

const parsed = vi.hoisted(() => ({ count: 0 }));

vi.mock('../../src/audit/ignore-file.js', async (original) => {
  const real = await original<typeof import('../../src/audit/ignore-file.js')>();
  return {
    ...real,
    parseIgnoreFile: (...args: Parameters<typeof real.parseIgnoreFile>) => {
      parsed.count++;
      return real.parseIgnoreFile(...args);
    },
  };
});

let dataDir: string;
const cli = () => inProcessCli({ env: { DEPWATCH_DB: join(dataDir, 'depwatch.db'), ...UNREACHABLE_SERVICES } });

const SETTINGS = [
  'ignore:',
  '  - id: py-eval-exec',
  '    reason: the expression is ours',
  '  - id: PYSEC-0000-0',
  'exclude:',
  '  - path: vendor/',
  '    reason: a copy of another project',
  '',
].join('\n');

const checkout = () =>
  writeTree('depwatch-settings-once-', {
    '.depwatch.yml': SETTINGS,
    'requirements.txt': 'attrs==23.1.0\n',
    'vendor/requirements.txt': 'django==2.1.5\n',
    'app/calc.py': 'def calc(expr):\n    return eval(expr)\n',
  });

beforeAll(async () => {
  dataDir = mkdtempSync(join(tmpdir(), 'depwatch-settings-once-db-'));
  expect(await cli().run('db', 'import', ADVISORIES_JSONL_GZ)).toBe(0);
});

beforeEach(() => {
  parsed.count = 0;
});

it('parses .depwatch.yml once for the audit, its excludes and the code scan, and says its bad entry once', async () => {
  const c = cli();
  await c.run('audit', '--offline', '--json', checkout());
  expect(parsed.count).toBe(1);
  const json = JSON.parse(c.out.stdout);
  expect(json.notes).toEqual([{ kind: 'invalid', message: expect.stringMatching(/^\.depwatch\.yml: ignore entry 2 \(id: [^)]+\): `reason` is missing: say why it is ignored; not applied$/) }]);
  expect(json.code.notes.filter((n: { kind: string }) => n.kind === 'invalid')).toEqual([]);
  // All of it applied: the scan's ignore and both readers' exclude.
  expect(json.code.ignored.map((f: { rule: string }) => f.rule)).toEqual(['py-eval-exec']);
  expect(json.findings.some((f: { package?: string }) => f.package === 'django')).toBe(false);
  expect(json.excluded).toEqual([expect.objectContaining({ path: 'vendor/', manifests: 1 })]);
});

it('depwatch scan alone reads it itself and says the bad entry', async () => {
  const c = cli();
  await c.run('scan', '--json', checkout());
  expect(parsed.count).toBe(1);
  const json = JSON.parse(c.out.stdout);
  expect(json.notes.filter((n: { kind: string }) => n.kind === 'invalid')).toEqual([{ kind: 'invalid', message: expect.stringMatching(/^\.depwatch\.yml: ignore entry 2 \(id: [^)]+\): `reason` is missing: say why it is ignored; not applied$/) }]);
});
