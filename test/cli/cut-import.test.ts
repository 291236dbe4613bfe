/**
 * `db import` of a file cut short keeps the records read before the damage (exit 2, one line). The
 * mirror then lacks whatever the file held after that point, so until an import or sync reads its
 * whole source, `db status` says so (text and JSON) and every offline answer from the mirror is
 * partial with a `data-source` reason saying what stopped where and what to do.
 */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeEach, describe, expect, it } from 'vitest';
import { ADVISORIES_JSONL_GZ } from '../fixtures/osv/load.js';
import { inProcessCli, UNREACHABLE_SERVICES, writeTree } from '../helpers/cli-in-process.js';

let dir: string;
let db: string;
let cut: string;
const cli = () => inProcessCli({ cwd: dir, env: { DEPWATCH_DB: db, ...UNREACHABLE_SERVICES } });
/** Nothing any advisory names: a complete audit of it exits 0. */
const clean = () => writeTree('depwatch-cut-import-', { 'requirements.txt': 'attrs==23.1.0\n' });

const CUT_SHORT = (file: string) =>
  new RegExp(
    String.raw`^the last import of ${file.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')} \(\d{4}-\d\d-\d\dT[\d:.]+Z\) stopped early, with (\d+) records kept \(corrupt or truncated gzip data after line \1 \(unexpected end of file\)\): ` +
      String.raw`advisories after that point were not read; import the whole file again or run \`depwatch db sync\`$`,
  );

interface Status {
  records: number;
  lastSyncKind: string | null;
  lastUpdateIncomplete: { at: string; source: string; kind: string; reason: string; kept: number } | null;
}
const status = async (): Promise<Status> => {
  const c = cli();
  expect(await c.run('db', 'status', '--json')).toBe(0);
  return JSON.parse(c.out.stdout) as Status;
};

beforeEach(async () => {
  dir = mkdtempSync(join(tmpdir(), 'depwatch-cut-import-'));
  db = join(dir, 'depwatch.db');
  cut = join(dir, 'cut.jsonl.gz');
  writeFileSync(cut, readFileSync(ADVISORIES_JSONL_GZ).subarray(0, 200_000));
  expect(await cli().run('db', 'import', cut)).toBe(2);
});

describe('after an import of a cut file', () => {
  it('db status says the last import stopped early, why, and what it kept (JSON, additive field)', async () => {
    const s = await status();
    expect(s).toMatchObject({ lastSyncKind: 'import', lastUpdateIncomplete: { source: cut, kind: 'import', kept: s.records } });
    expect(s.lastUpdateIncomplete?.reason).toMatch(/^corrupt or truncated gzip data after line \d+ \(unexpected end of file\)$/);
    expect(s.records).toBeGreaterThan(100);
    expect(s.records).toBeLessThan(2661);
    const text = cli();
    expect(await text.run('db', 'status')).toBe(0);
    expect(text.out.stdout).toMatch(/\nINCOMPLETE: the last import of .*cut\.jsonl\.gz \(.+\) stopped early, with \d+ records kept \(.+\): advisories after that point were not read; audits answered from the mirror are partial until you import the whole file again or run `depwatch db sync`\n/);
  });

  it('an offline audit is partial with a data-source reason (exit 2), in JSON and on stderr', async () => {
    const c = cli();
    expect(await c.run('audit', '--offline', '--json', clean())).toBe(2);
    const json = JSON.parse(c.out.stdout) as { partial: boolean; partial_reasons: { kind: string; message: string }[] };
    expect(json.partial).toBe(true);
    expect(json.partial_reasons).toEqual([{ kind: 'data-source', message: expect.stringMatching(CUT_SHORT(cut)) }]);
    expect(c.out.stderr).toMatch(/^depwatch: WARNING: the last import of .*cut\.jsonl\.gz .*stopped early/);
  });

  it('an offline check says the same', async () => {
    const c = cli();
    expect(await c.run('check', '--offline', '--json', 'attrs==23.1.0')).toBe(2);
    expect(JSON.parse(c.out.stdout)).toMatchObject({ partial: true, partial_reasons: [{ kind: 'data-source', message: expect.stringMatching(CUT_SHORT(cut)) }] });
  });

  it('a later complete import clears it: status says nothing, the offline audit is complete', async () => {
    expect(await cli().run('db', 'import', ADVISORIES_JSONL_GZ)).toBe(0);
    expect(await status()).toMatchObject({ records: 2661, lastUpdateIncomplete: null });
    const text = cli();
    await text.run('db', 'status');
    expect(text.out.stdout).not.toContain('INCOMPLETE');
    const c = cli();
    expect(await c.run('audit', '--offline', '--json', clean())).toBe(0);
    expect(JSON.parse(c.out.stdout)).toMatchObject({ partial: false });
  });
});
