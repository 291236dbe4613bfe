/**
 * SARIF says what the text and Markdown reports say besides findings and partial reasons, as
 * `note` notifications of a successful run: an ignore that matches nothing, a file the code scan
 * passed over (a symbolic link) and a file it read only in part (a syntax error). A code-scanning
 * viewer is otherwise the one reader told nothing of them.
 */
import { mkdtempSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, expect, it } from 'vitest';
import { ADVISORIES_JSONL_GZ } from '../fixtures/osv/load.js';
import { inProcessCli, UNREACHABLE_SERVICES, writeTree } from '../helpers/cli-in-process.js';

let dbDir: string;
const cli = (cwd: string) => inProcessCli({ cwd, env: { DEPWATCH_DB: join(dbDir, 'depwatch.db'), ...UNREACHABLE_SERVICES } });

beforeAll(async () => {
  dbDir = mkdtempSync(join(tmpdir(), 'depwatch-sarif-notes-db-'));
  expect(await cli(dbDir).run('db', 'import', ADVISORIES_JSONL_GZ)).toBe(0);
});

const STALE = 'ignore of PYSEC-0000-0 in .depwatch.yml matches nothing; remove it';
const LINK = 'link.py: symbolic link, not followed (it could point outside the tree; a target inside the tree is scanned there, one outside is not)';
const SYNTAX = 'broken.py: 1 syntax error (a missing token the parser put in); rules ran on the whole file';

it('audit --sarif gives each note of the text report as a note notification (with its file when it names one); the run stays successful', async () => {
  const dir = writeTree('depwatch-sarif-notes-', {
    'requirements.txt': 'six==1.16.0\n',
    '.gitignore': '.env\n',
    'app.py': 'import os\n',
    'broken.py': 'def f(:\n  pass\n',
    '.depwatch.yml': 'ignore:\n  - id: PYSEC-0000-0\n    reason: not ours\n',
  });
  symlinkSync('app.py', join(dir, 'link.py'));

  const text = cli(dir);
  await text.run('audit', '--offline', '.');
  for (const note of [STALE, LINK, SYNTAX]) expect(text.out.stdout).toContain(`note: ${note}`);

  const sarif = cli(dir);
  expect(await sarif.run('audit', '--offline', '--sarif', '.')).toBe(0);
  const [invocation] = JSON.parse(sarif.out.stdout).runs[0].invocations;
  expect(invocation.executionSuccessful).toBe(true);
  const notes = invocation.toolExecutionNotifications.filter((n: { descriptor: { id: string } }) => n.descriptor.id === 'depwatch/note');
  expect(notes).toEqual([
    { level: 'note', message: { text: STALE }, descriptor: { id: 'depwatch/note' } },
    { level: 'note', message: { text: LINK }, descriptor: { id: 'depwatch/note' }, locations: [{ physicalLocation: { artifactLocation: { uri: 'link.py', uriBaseId: '%SRCROOT%' } } }] },
    { level: 'note', message: { text: SYNTAX }, descriptor: { id: 'depwatch/note' } },
  ]);
});
