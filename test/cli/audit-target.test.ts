/**
 * What `depwatch audit X` takes X to be when X is not a local folder (user trial s17 #3): a mistyped
 * relative path must not become someone else's GitHub repository — with --offline never, and
 * without it not when its first segment is a local folder.
 */
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { ADVISORIES_JSONL_GZ } from '../fixtures/osv/load.js';
import { inProcessCli, UNREACHABLE_SERVICES, writeTree } from '../helpers/cli-in-process.js';

const dir = writeTree('depwatch-audit-target-', { 'trees/req/requirements.txt': 'attrs==23.1.0\n' });
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** A GitHub that knows no repository: a target taken as a repository is asked for, and is a 404. */
const github = createServer((req, res) => {
  asked.push(req.url ?? '');
  res.writeHead(404, { 'content-type': 'application/json' }).end('{"message":"Not Found"}');
});
const asked: string[] = [];
let env: Record<string, string>;

beforeAll(async () => {
  await new Promise<void>((done) => github.listen(0, '127.0.0.1', done));
  const { port } = github.address() as AddressInfo;
  env = { ...UNREACHABLE_SERVICES, GITHUB_API_URL: `http://127.0.0.1:${port}`, DEPWATCH_DB: join(dir, 'depwatch.db') };
  expect(await inProcessCli({ cwd: dir, env }).run('db', 'import', ADVISORIES_JSONL_GZ)).toBe(0);
});
afterAll(() => new Promise<void>((done) => github.close(() => done())));
beforeEach(() => {
  asked.length = 0;
});

async function audit(...argv: string[]) {
  const c = inProcessCli({ cwd: dir, env });
  const code = await c.run('audit', '--no-code', ...argv);
  return { code, ...c.out };
}

describe('audit --offline of a path that does not exist', () => {
  it.each(['trees/nope', 'tree/req', 'services/api'])('%s is no such directory, never a GitHub repository', async (given) => {
    const { code, stdout, stderr } = await audit('--offline', given);
    expect({ code, stdout }).toEqual({ code: 2, stdout: '' });
    expect(stderr).toBe(`depwatch audit: no such directory: ${given} (with --offline, a GitHub repository is audited only from its URL: https://github.com/${given})\n`);
    expect(asked).toEqual([]);
  });

  it('a GitHub URL is still a repository, read from GitHub (the advisories from the mirror)', async () => {
    const { code } = await audit('--offline', 'https://github.com/trees/nope');
    expect(code).toBe(2);
    expect(asked.join(' ')).toContain('/repos/trees/nope');
  });
});

describe('audit (online) of an owner/repo that is not a local folder', () => {
  it('whose first segment is a local folder: a mistyped path, with the URL to use for the repository', async () => {
    expect(await audit('trees/nope')).toEqual({
      code: 2,
      stdout: '',
      stderr: 'depwatch audit: no such directory: trees/nope (to audit the GitHub repository trees/nope, use https://github.com/trees/nope)\n',
    });
    expect(asked).toEqual([]);
    expect((await audit('trees/nope@dev')).stderr).toBe(
      'depwatch audit: no such directory: trees/nope@dev (to audit the GitHub repository trees/nope, use https://github.com/trees/nope/tree/dev)\n',
    );
  });

  it('whose first segment is not a local folder: the GitHub repository, as documented', async () => {
    const { code } = await audit('octo/app');
    expect(code).toBe(2);
    expect(asked.join(' ')).toContain('/repos/octo/app');
  });

  it('a folder that exists is audited as a folder', async () => {
    const { code, stdout } = await audit('--offline', 'trees/req');
    expect(code).toBe(0);
    expect(stdout).toContain('trees/req');
    expect(asked).toEqual([]);
  });
});
