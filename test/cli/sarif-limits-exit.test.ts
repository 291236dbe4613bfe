/**
 * A SARIF cut to GitHub code scanning's limits is not the whole result: the CLI says so on stderr
 * and does not pass (exit 2, even with --fail-on never), as for any partial result.
 */
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { inProcessCli, UNREACHABLE_SERVICES, writeTree } from '../helpers/cli-in-process.js';

/** 126 files of 200 `eval` calls each (the most one file lists) and a manifest without a lockfile (info): 25,201 results. */
const OVER_THE_LIMIT: Record<string, string> = {
  '.gitignore': '.env\n*.env\n',
  'requirements.txt': 'attrs==23.1.0\n',
  ...Object.fromEntries(Array.from({ length: 126 }, (_, i) => [`pkg/m${i}.py`, Array.from({ length: 200 }, (_, j) => `eval(x${j})\n`).join('')])),
};

/** A mirror of one advisory, about a package the tree does not use: the audit is whole but for the SARIF. */
const RECORD = {
  id: 'PYSEC-2099-1',
  modified: '2026-01-01T00:00:00Z',
  published: '2026-01-01T00:00:00Z',
  summary: 'A flaw in flask',
  affected: [{ package: { ecosystem: 'PyPI', name: 'flask' }, ranges: [{ type: 'ECOSYSTEM', events: [{ introduced: '0' }, { fixed: '1.0' }] }] }],
};

let root: string;
let env: Record<string, string>;
beforeAll(async () => {
  root = writeTree('depwatch-sarif-limit-', OVER_THE_LIMIT);
  const data = writeTree('depwatch-sarif-limit-db-', { 'one.jsonl': `${JSON.stringify(RECORD)}\n` });
  env = { DEPWATCH_DB: join(data, 'm.db'), DEPWATCH_MAX_DATA_AGE_DAYS: '36500', ...UNREACHABLE_SERVICES };
  expect(await inProcessCli({ env }).run('db', 'import', join(data, 'one.jsonl'))).toBe(0);
});

describe('a SARIF over GitHub\'s result limit', () => {
  it('audit --sarif --fail-on never: 25,000 results, a PARTIAL line naming what was left out, exit 2', async () => {
    const c = inProcessCli({ cwd: root, env });
    const code = await c.run('audit', '--offline', '--sarif', '--fail-on', 'never', '.');
    const run = JSON.parse(c.out.stdout).runs[0];
    expect(run.results).toHaveLength(25_000);
    expect(run.invocations[0].executionSuccessful).toBe(false);
    expect(c.out.stderr).toContain('depwatch: PARTIAL: the SARIF leaves out 201 results of 25,201, the least severe (200 high, 1 info): GitHub code scanning rejects a run of more than 25,000; "depwatch audit --json" lists them all\n');
    expect(code).toBe(2);
  }, 60_000);

  it('scan --sarif: the same cut, the same words, naming scan\'s --json, exit 2 (no finding fails --fail-on never)', async () => {
    const c = inProcessCli({ cwd: root, env });
    const code = await c.run('scan', '--sarif', '--fail-on', 'never', '.');
    expect(JSON.parse(c.out.stdout).runs[0].results).toHaveLength(25_000);
    expect(c.out.stderr).toBe('depwatch scan: PARTIAL: the SARIF leaves out 200 results of 25,200, the least severe (200 high): GitHub code scanning rejects a run of more than 25,000; "depwatch scan --json" lists them all\n');
    expect(code).toBe(2);
  }, 60_000);
});
