/**
 * Two ways the audit's gate passed silently (exit 0, "no known vulnerabilities", not partial), end
 * to end as CI runs it: in-process, a real SQLite mirror holding the PyPA advisories, real files,
 * --offline. Each now fails the gate at the vulnerable release's place.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { ADVISORIES_JSONL_GZ } from '../fixtures/osv/load.js';
import { inProcessCli, UNREACHABLE_SERVICES, writeTree } from '../helpers/cli-in-process.js';

let dbDir: string;
const cli = () => inProcessCli({ env: { DEPWATCH_DB: join(dbDir, 'depwatch.db'), ...UNREACHABLE_SERVICES } });

beforeAll(async () => {
  dbDir = mkdtempSync(join(tmpdir(), 'depwatch-gate-db-'));
  expect(await cli().run('db', 'import', ADVISORIES_JSONL_GZ)).toBe(0);
});

type Finding = { kind: string; package: string | null; version: string | null; file: string; line: number | null };
const vulnerable = (findings: Finding[]) => [...new Set(findings.filter((f) => f.kind === 'vulnerability').map((f) => `${f.package} ${f.version} ${f.file}:${f.line}`))].sort();

describe('the audit gate', () => {
  it('fails on vulnerable releases installed from a wheel URL, a local wheel or a git checkout, and still says they come from outside the index', async () => {
    const dir = writeTree('depwatch-gate-nonregistry-', {
      'requirements.txt': 'https://files.pythonhosted.org/packages/x/requests-2.19.0-py2.py3-none-any.whl\nurllib3 @ https://files.pythonhosted.org/packages/x/urllib3-1.24.1-py2.py3-none-any.whl\n',
      'app/uv.lock':
        'version = 1\nrequires-python = ">=3.12"\n\n[[package]]\nname = "app"\nversion = "0.1.0"\nsource = { virtual = "." }\n\n[[package]]\nname = "django"\nversion = "2.2.0"\nsource = { path = "wheels/Django-2.2.0-py3-none-any.whl" }\n\n[[package]]\nname = "werkzeug"\nversion = "0.15.0"\nsource = { git = "https://github.com/pallets/werkzeug.git?rev=0.15.0#b1916c0c083e0be1c9d887ee2f3d696922bfc5c1" }\n',
    });
    const { out, run } = cli();
    expect(await run('audit', '--json', '--offline', '--no-code', dir)).toBe(1);
    const json = JSON.parse(out.stdout);
    expect(json.partial).toBe(false);
    expect(vulnerable(json.findings)).toEqual(['django 2.2.0 app/uv.lock:9', 'requests 2.19.0 requirements.txt:1', 'urllib3 1.24.1 requirements.txt:2', 'werkzeug 0.15.0 app/uv.lock:14']);
    expect((json.findings as Finding[]).filter((f) => f.kind === 'non-registry-source').map((f) => f.package).sort()).toEqual(['django', 'requests', 'urllib3', 'werkzeug']);
  });

  it("fails on a vulnerable wheel a pyproject.toml pins by URL, and leaves the project's own folder unrated", async () => {
    const dir = writeTree('depwatch-gate-pyproject-url-', {
      'pyproject.toml':
        '[project]\nname = "app"\nversion = "0.1.0"\ndependencies = [\n  "urllib3 @ https://files.pythonhosted.org/packages/x/urllib3-1.24.1-py2.py3-none-any.whl",\n  "django @ file:///home/me/src/django",\n]\n',
    });
    const { out, run } = cli();
    expect(await run('audit', '--json', '--offline', '--no-code', dir)).toBe(1);
    const json = JSON.parse(out.stdout);
    expect(json.partial).toBe(false);
    expect(vulnerable(json.findings)).toEqual(['urllib3 1.24.1 pyproject.toml:5']);
  });

  it("fails on a vulnerable constraint pin of a pip tree below another project's poetry.lock", async () => {
    const dir = writeTree('depwatch-gate-constraint-', {
      'pyproject.toml': '[tool.poetry]\nname = "docs"\nversion = "0.1.0"\n[tool.poetry.dependencies]\npython = "^3.12"\nmarkdown = "3.5"\n',
      'poetry.lock': '[[package]]\nname = "markdown"\nversion = "3.5"\ndescription = ""\noptional = false\npython-versions = "*"\nfiles = []\n\n[metadata]\nlock-version = "2.0"\npython-versions = "^3.12"\ncontent-hash = "abc"\n',
      'services/api/requirements.txt': '-c constraints.txt\nrequests\n',
      'services/api/constraints.txt': 'requests==2.31.0\nurllib3==1.24.1\n',
    });
    const { out, run } = cli();
    expect(await run('audit', '--offline', '--no-code', dir)).toBe(1);
    expect(out.stdout).toMatch(/urllib3 1\.24\.1 → \S+ clears \d+ advisories\n\s+at services\/api\/constraints\.txt:2/);
    expect(out.stdout).not.toContain('no known vulnerabilities');
  });
});
