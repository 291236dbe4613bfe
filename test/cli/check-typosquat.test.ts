/**
 * `depwatch check` is the question to ask before adding a dependency, and a squat has no advisory
 * until someone reports it: a name that looks like a more popular project's is said beside the
 * answer (text and JSON), as `package` and `audit` say it; a name that does not carries nothing more.
 */
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { inProcessCli, UNREACHABLE_SERVICES, writeTree } from '../helpers/cli-in-process.js';

const RECORD = {
  id: 'PYSEC-2099-1',
  modified: '2026-01-01T00:00:00Z',
  published: '2026-01-01T00:00:00Z',
  summary: 'A flaw in flask',
  affected: [{ package: { ecosystem: 'PyPI', name: 'flask' }, ranges: [{ type: 'ECOSYSTEM', events: [{ introduced: '0' }, { fixed: '1.0' }] }] }],
};

describe('check of a name that looks like a popular one', () => {
  it('says which project it resembles, in text and JSON, and nothing for a name that does not', async () => {
    const dir = writeTree('depwatch-check-squat-', { 'one.jsonl': `${JSON.stringify(RECORD)}\n` });
    const env = { DEPWATCH_DB: join(dir, 'm.db'), ...UNREACHABLE_SERVICES };
    expect(await inProcessCli({ env }).run('db', 'import', join(dir, 'one.jsonl'))).toBe(0);

    const text = inProcessCli({ env });
    expect(await text.run('check', '--offline', 'reqeusts==2.0.0', 'requests==2.31.0')).toBe(0);
    expect(text.out.stdout).toContain(
      'reqeusts: the name looks like requests (two characters swapped): check it is the project you meant (depwatch package reqeusts says more)\nreqeusts 2.0.0: no known vulnerabilities\nrequests 2.31.0: no known vulnerabilities\n',
    );

    const json = inProcessCli({ env });
    expect(await json.run('check', '--offline', '--json', 'reqeusts==2.0.0', 'requests==2.31.0')).toBe(0);
    const [squat, real] = (JSON.parse(json.out.stdout) as { results: Record<string, unknown>[] }).results;
    expect(squat!.typosquat).toEqual({ similar_to: [{ name: 'requests', kind: 'swap', popularity: 1_000_000, source: 'warehouse top projects' }] });
    expect(real).not.toHaveProperty('typosquat');
  });
});
