/**
 * `depwatch fix --dry-run`'s diff applies with the tools people use: `git apply` and `patch -p1`,
 * including for paths with spaces, whose header lines git ends with a TAB so the name ends there.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { applyPatch, parsePatch } from 'diff';
import { describe, expect, it } from 'vitest';
import { unifiedDiff } from '../../src/fix/diff.js';

const EDITS = new Map([
  ['sp ace/requirements.txt', { before: 'django==2.1.5\nsix==1.16.0\n', after: 'django==2.2.28\nsix==1.16.0\n' }],
  ['plain/requirements.txt', { before: 'jinja2==2.10\n', after: 'jinja2==2.11.3\n' }],
  ['ünï dir/requirements.txt', { before: 'six==1.0\n', after: 'six==1.16.0\n' }],
]);

function treeOf(files: Map<string, { before: string }>): string {
  const dir = mkdtempSync(join(tmpdir(), 'depwatch-diff-'));
  for (const [path, { before }] of files) {
    mkdirSync(dirname(join(dir, path)), { recursive: true });
    writeFileSync(join(dir, path), before);
  }
  return dir;
}

describe('unifiedDiff', () => {
  it('ends the ---/+++ lines of a path with a space with a TAB, as git does; others as they were', () => {
    const diff = unifiedDiff(EDITS);
    expect(diff.split('\n').filter((l) => /^(---|\+\+\+) /.test(l))).toEqual([
      '--- a/plain/requirements.txt',
      '+++ b/plain/requirements.txt',
      '--- a/sp ace/requirements.txt\t',
      '+++ b/sp ace/requirements.txt\t',
      // Quoted as git quotes it, and a TAB after, as git puts one.
      '--- "a/\\303\\274n\\303\\257 dir/requirements.txt"\t',
      '+++ "b/\\303\\274n\\303\\257 dir/requirements.txt"\t',
    ]);
    // jsdiff (the JSON diff's readers, the tests) reads the name up to the TAB.
    expect(parsePatch(diff).map((p) => p.oldFileName)).toEqual(['a/plain/requirements.txt', 'a/sp ace/requirements.txt', 'a/ünï dir/requirements.txt']);
    expect(applyPatch(EDITS.get('sp ace/requirements.txt')!.before, parsePatch(diff)[1]!)).toBe(EDITS.get('sp ace/requirements.txt')!.after);
  });

  it.each([
    ['patch -p1', ['patch', '-p1', '--batch', '--silent']],
    ['git apply', ['git', 'apply', '-']],
  ])('applies with %s', (_name, [command, ...args]) => {
    const dir = treeOf(EDITS);
    execFileSync(command!, args, { cwd: dir, input: unifiedDiff(EDITS), stdio: ['pipe', 'pipe', 'pipe'], env: { ...process.env, GIT_DIR: join(dir, '.no-repo') } });
    for (const [path, { after }] of EDITS) expect(readFileSync(join(dir, path), 'utf8')).toBe(after);
  });
});
