/**
 * `depwatch audit` of a project whose lockfile repeats its Python requirement: one end-of-life
 * finding, naming both places, in text, JSON, Markdown and SARIF.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { ADVISORIES_JSONL_GZ } from '../fixtures/osv/load.js';
import { inProcessCli, UNREACHABLE_SERVICES, writeTree } from '../helpers/cli-in-process.js';

let dataDir: string;
const cli = () => inProcessCli({ env: { DEPWATCH_DB: join(dataDir, 'depwatch.db'), ...UNREACHABLE_SERVICES } });

beforeAll(async () => {
  dataDir = mkdtempSync(join(tmpdir(), 'depwatch-python-eol-db-'));
  expect(await cli().run('db', 'import', ADVISORIES_JSONL_GZ)).toBe(0);
});

const PYPROJECT = '[project]\nname = "app"\nversion = "1"\nrequires-python = ">=3.8"\ndependencies = ["idna"]\n';
const UV_LOCK =
  'version = 1\nrequires-python = ">=3.8"\n\n[[package]]\nname = "app"\nversion = "1"\nsource = { editable = "." }\ndependencies = [{ name = "idna" }]\n\n' +
  '[[package]]\nname = "idna"\nversion = "3.7"\nsource = { registry = "https://pypi.org/simple" }\n';

async function audit(...flags: string[]) {
  const c = cli();
  const dir = writeTree('depwatch-python-eol-', { 'pyproject.toml': PYPROJECT, 'uv.lock': UV_LOCK });
  await c.run('audit', '--offline', '--fail-on', 'never', ...flags, dir);
  return c.out.stdout;
}

describe('a Python requirement that uv.lock repeats', () => {
  it('is one finding in JSON, at pyproject.toml, with both places in locations', async () => {
    const doc = JSON.parse(await audit('--json')) as { findings: { kind: string; file: string; locations?: unknown[] }[] };
    const eol = doc.findings.filter((f) => f.kind === 'python-eol');
    expect(eol).toEqual([
      expect.objectContaining({
        file: 'pyproject.toml',
        locations: [
          { file: 'pyproject.toml', line: null, role: 'declaration', specifier: '>=3.8' },
          { file: 'uv.lock', line: null, role: 'lock' },
        ],
      }),
    ]);
  });

  it('is one finding in text, naming the lock beside the declaration', async () => {
    const text = await audit();
    expect(text.split('\n').filter((l) => l.trim().startsWith('python-eol'))).toHaveLength(1);
    expect(text).toContain('      at pyproject.toml; locked in uv.lock\n');
  });

  it('is one row in Markdown and one SARIF result whose related location is the lock', async () => {
    const markdown = await audit('--markdown');
    expect(markdown.split('\n').filter((l) => l.startsWith('| python-eol |'))).toEqual([expect.stringContaining('`pyproject.toml`; locked in `uv.lock`')]);
    const sarif = JSON.parse(await audit('--sarif')) as { runs: { results: { ruleId: string; relatedLocations?: { physicalLocation: { artifactLocation: { uri: string } }; message: { text: string } }[] }[] }[] };
    const results = sarif.runs[0]!.results.filter((r) => r.ruleId === 'depwatch/python-eol');
    expect(results).toHaveLength(1);
    expect(results[0]!.relatedLocations?.map((l) => [l.physicalLocation.artifactLocation.uri, l.message.text])).toEqual([['uv.lock', 'locked here']]);
  });
});
