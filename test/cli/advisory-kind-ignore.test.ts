/**
 * `id: vulnerability` or `id: malicious` with `package:` in `.depwatch.yml` would hide every
 * advisory of the package, those published later and malicious-package records included: what
 * pip-audit, Snyk and Dependabot never allow (they dismiss by advisory id). Such an entry is refused
 * as any bad entry is: one `invalid` note naming what to write instead, not applied, not partial
 * (the findings it would hide are reported, so the result can only show more).
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, expect, it } from 'vitest';
import { ADVISORIES_JSONL_GZ } from '../fixtures/osv/load.js';
import { inProcessCli, UNREACHABLE_SERVICES, writeTree } from '../helpers/cli-in-process.js';

let dataDir: string;
const cli = () => inProcessCli({ env: { DEPWATCH_DB: join(dataDir, 'depwatch.db'), ...UNREACHABLE_SERVICES } });

const REFUSED = '.depwatch.yml: ignore entry 1 (id: vulnerability): "vulnerability" would ignore every advisory of the package, later ones too; name the advisory ids (GHSA-…, PYSEC-…, CVE-…); not applied';

const checkout = () =>
  writeTree('depwatch-advisory-kind-', {
    '.depwatch.yml': ['ignore:', '  - id: vulnerability', '    package: django', '    reason: we upgrade next quarter', ''].join('\n'),
    '.gitignore': '.env\n*.env\n',
    'requirements.txt': 'django==2.1.5\n',
  });

const count = (text: string, part: string) => text.split(part).length - 1;

beforeAll(async () => {
  dataDir = mkdtempSync(join(tmpdir(), 'depwatch-advisory-kind-db-'));
  expect(await cli().run('db', 'import', ADVISORIES_JSONL_GZ)).toBe(0);
});

it('audit --json: the entry is refused in one note, every advisory of the package is reported, the gate fails, not partial', async () => {
  const c = cli();
  expect(await c.run('audit', '--offline', '--json', checkout())).toBe(1);
  const json = JSON.parse(c.out.stdout);
  expect(json.notes).toEqual([{ kind: 'invalid', message: REFUSED }]);
  expect(json.ignored).toEqual([]);
  expect(json.findings.filter((f: { kind: string }) => f.kind === 'vulnerability').length).toBeGreaterThan(1);
  expect(json.partial).toBe(false);
});

it('audit text, Markdown and SARIF say it once (SARIF: a settings note, the run still successful)', async () => {
  for (const format of [[], ['--markdown']]) {
    const c = cli();
    expect(await c.run('audit', '--offline', ...format, checkout())).toBe(1);
    expect(count(c.out.stdout + c.out.stderr, REFUSED)).toBe(1);
    expect(c.out.stdout + c.out.stderr).not.toContain('PARTIAL');
  }
  const c = cli();
  expect(await c.run('audit', '--offline', '--sarif', checkout())).toBe(1);
  const [invocation] = JSON.parse(c.out.stdout).runs[0].invocations;
  expect(invocation.executionSuccessful).toBe(true);
  expect(invocation.toolExecutionNotifications.filter((n: { descriptor: { id: string } }) => n.descriptor.id === 'depwatch/settings')).toEqual([
    { level: 'note', message: { text: REFUSED }, descriptor: { id: 'depwatch/settings' } },
  ]);
});

it('scan --json says it too (it reads the settings alone there), not partial', async () => {
  const c = cli();
  expect(await c.run('scan', '--json', checkout())).toBe(0);
  const json = JSON.parse(c.out.stdout);
  expect(json.notes).toEqual([{ kind: 'invalid', message: REFUSED }]);
  expect(json.partial).toBe(false);
});
