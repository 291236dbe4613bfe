/**
 * A requirements file where only some requirements have `--hash`: pip enters hash-checking mode as
 * soon as one has a hash and then refuses every line without one, so `pip install -r` fails. That
 * is its own finding (medium), naming the lines, in every format; not the info-level `no-hashes`.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import type { AuditResult } from '../../src/audit/audit.js';
import { auditFileSource } from '../../src/audit/run.js';
import { memorySource } from '../../src/python/files.js';
import { renderJson } from '../../src/report/json.js';
import { renderMarkdown } from '../../src/report/markdown.js';
import { renderSarif } from '../../src/report/sarif.js';
import { renderText } from '../../src/report/text.js';
import { auditReply } from '../../src/slack/blocks/audit-reply.js';
import { blockText } from '../slack/app-world.js';
import { realMirror } from './helpers.js';

const now = new Date('2026-11-28T12:00:00Z');
const hash = (c: string) => ` \\\n    --hash=sha256:${c.repeat(64)}`;

async function audit(files: Record<string, string>): Promise<AuditResult> {
  return auditFileSource(memorySource(files), { target: 'app', advisories: await realMirror(), registry: null, now });
}

describe('a requirements file with --hash on some lines only', () => {
  let result: AuditResult;
  beforeAll(async () => {
    result = await audit({ 'requirements.txt': `six==1.16.0${hash('a')}\nidna==3.7\ncertifi==2024.8.30${hash('b')}\nurllib3==2.2.3\n` });
  });

  it('is a medium finding saying pip will refuse the lines without a hash, and how to fix it', () => {
    const found = result.findings.filter((f) => f.kind === 'incomplete-hashes');
    expect(found).toEqual([
      expect.objectContaining({
        severity: 'medium',
        file: 'requirements.txt',
        line: 3,
        details: { without_hashes: 2, not_pinned: 0, requirements: 4, lines: ['requirements.txt:3', 'requirements.txt:6'], require_hashes: null },
      }),
    ]);
    expect(found[0]!.fix.text).toBe(
      '`pip install -r requirements.txt` fails: 2 of 4 requirements in requirements.txt have --hash, so pip checks hashes and refuses the 2 without one: idna (requirements.txt:3) and urllib3 (requirements.txt:6). ' +
        'Pin every requirement with == and add its --hash, dependencies included (pip checks those too): generate the file with hashes for every line (`pip-compile --generate-hashes` or `uv pip compile --generate-hashes`).',
    );
    // Not also the info-level "no hashes" advice: the file is hashed, just not all of it.
    expect(result.findings.filter((f) => f.kind === 'no-hashes')).toEqual([]);
  });

  it('is said in every format', () => {
    expect(renderText(result, {})).toContain('fails: 2 of 4 requirements in requirements.txt have --hash');
    expect(renderMarkdown(result, {})).toContain('fails: 2 of 4 requirements in requirements.txt have --hash');
    const json = JSON.parse(renderJson(result, {}));
    expect(json.findings.map((f: { kind: string; severity: string }) => `${f.kind}:${f.severity}`)).toContain('incomplete-hashes:medium');
    const sarif = JSON.parse(renderSarif(result, {}));
    const results = sarif.runs[0].results as { ruleId: string; level: string; message: { text: string } }[];
    expect(results.find((r) => r.ruleId === 'depwatch/incomplete-hashes')).toMatchObject({ level: 'warning', message: { text: expect.stringContaining('refuses the 2 without one') } });
    const reply = auditReply({ auditId: 1, repo: 'o/r', ref: 'main', sha: 'a'.repeat(40), htmlUrl: 'https://github.com/o/r', createdAt: '2026-11-28T12:00:00.000Z', requestedBy: null, result });
    expect(blockText(reply.blocks)).toContain('refuses the 2 without one');
  });

  it('names a few lines, then counts the rest', async () => {
    const lines = [`six==1.16.0${hash('a')}`, ...Array.from({ length: 7 }, (_, i) => `pkg${i}==1.0`)];
    const many = await audit({ 'requirements.txt': lines.join('\n') + '\n' });
    const text = many.findings.find((f) => f.kind === 'incomplete-hashes')!.fix.text;
    expect(text).toContain('refuses the 7 without one: pkg0 (requirements.txt:3), pkg1 (requirements.txt:4), pkg2 (requirements.txt:5) and 4 more.');
  });

  it('counts a range without a hash too: pip refuses them in hash-checking mode', async () => {
    const mixed = await audit({ 'requirements.txt': `six==1.16.0${hash('a')}\nrequests>=2\n` });
    expect(mixed.findings.find((f) => f.kind === 'incomplete-hashes')?.fix.text).toContain('refuses the 1 without one: requests (requirements.txt:3).');
  });

  it('a file with no hashes at all, or hashes on every line, is not this', async () => {
    const none = await audit({ 'requirements.txt': 'six==1.16.0\nidna==3.7\n' });
    expect(none.findings.map((f) => f.kind)).toContain('no-hashes');
    expect(none.findings.map((f) => f.kind)).not.toContain('incomplete-hashes');
    const all = await audit({ 'requirements.txt': `six==1.16.0${hash('a')}\nidna==3.7${hash('b')}\n` });
    expect(all.findings.map((f) => f.kind)).not.toContain('incomplete-hashes');
    expect(all.findings.map((f) => f.kind)).not.toContain('no-hashes');
  });
});

describe('hash-checking mode is one for the whole install', () => {
  it('a hashed file that includes (-r) one without hashes fails too, and says which lines', async () => {
    const result = await audit({ 'requirements.txt': `-r base.txt\nsix==1.16.0${hash('a')}\n`, 'base.txt': 'idna==3.7\n' });
    const found = result.findings.filter((f) => f.kind === 'incomplete-hashes');
    expect(found.map((f) => [f.file, f.line])).toEqual([['requirements.txt', null]]);
    expect(found[0]!.fix.text).toContain('refuses the 1 without one: idna (base.txt:1).');
  });
});

/**
 * `--require-hashes` (in the file, or in a file it includes) turns hash-checking mode on whether or
 * not any line has a hash: pip then refuses every requirement without a hash or not pinned with
 * `==`, dependencies included. A file without any hash then fails to install: not the info-level
 * "add hashes" advice, which would tell it to install with the option it already has.
 */
describe('a requirements file that sets --require-hashes', () => {
  it('with no hash at all fails to install, and says it is the option that asks for them', async () => {
    const result = await audit({ 'requirements.txt': '--require-hashes\nsix==1.16.0\nidna==3.7\n' });
    expect(result.findings.filter((f) => f.kind === 'no-hashes')).toEqual([]);
    const found = result.findings.filter((f) => f.kind === 'incomplete-hashes');
    expect(found).toEqual([expect.objectContaining({ severity: 'medium', file: 'requirements.txt', line: 2, details: { without_hashes: 2, not_pinned: 0, requirements: 2, lines: ['requirements.txt:2', 'requirements.txt:3'], require_hashes: 'requirements.txt:1' } })]);
    expect(found[0]!.fix.text).toBe(
      '`pip install -r requirements.txt` fails: --require-hashes is set (requirements.txt:1), so pip checks hashes and refuses the 2 without one: six (requirements.txt:2) and idna (requirements.txt:3). ' +
        'Pin every requirement with == and add its --hash, dependencies included (pip checks those too): generate the file with hashes for every line (`pip-compile --generate-hashes` or `uv pip compile --generate-hashes`).',
    );
  });

  it('with every line hashed and pinned is no finding', async () => {
    const result = await audit({ 'requirements.txt': `--require-hashes\nsix==1.16.0${hash('a')}\nidna==3.7${hash('b')}\n` });
    expect(result.findings.map((f) => f.kind).filter((k) => k.includes('hashes'))).toEqual([]);
  });

  it('set in an included file holds for the whole install', async () => {
    const result = await audit({ 'requirements.txt': '-r base.txt\nsix==1.16.0\n', 'base.txt': '--require-hashes\nidna==3.7\n' });
    const found = result.findings.find((f) => f.kind === 'incomplete-hashes' && f.file === 'requirements.txt');
    expect(found?.fix.text).toContain('fails: --require-hashes is set (base.txt:1), so pip checks hashes and refuses the 2 without one: six (requirements.txt:2) and idna (base.txt:2).');
  });

  it('refuses a requirement with a hash that is not pinned with ==', async () => {
    const result = await audit({ 'requirements.txt': `--require-hashes\nsix==1.16.0${hash('a')}\nrequests>=2${hash('b')}\n` });
    const found = result.findings.find((f) => f.kind === 'incomplete-hashes');
    expect(found).toMatchObject({ severity: 'medium', line: 4, details: { without_hashes: 0, not_pinned: 1 } });
    expect(found?.fix.text).toContain('refuses the 1 requirement not pinned with ==: requests (requirements.txt:4).');
  });
});

describe('hash-checking mode turned on by hashes', () => {
  it('refuses a hashed requirement that is not pinned with ==, though every line has a hash', async () => {
    const result = await audit({ 'requirements.txt': `six==1.16.0${hash('a')}\nrequests>=2${hash('b')}\n` });
    expect(result.findings.find((f) => f.kind === 'incomplete-hashes')?.fix.text).toBe(
      '`pip install -r requirements.txt` fails: 2 of 2 requirements in requirements.txt have --hash, so pip checks hashes and refuses the 1 requirement not pinned with ==: requests (requirements.txt:3). ' +
        'Pin every requirement with == and add its --hash, dependencies included (pip checks those too): generate the file with hashes for every line (`pip-compile --generate-hashes` or `uv pip compile --generate-hashes`).',
    );
  });
});
