/** Scans an in-memory tree the way `depwatch scan` scans a directory. */
import { expect } from 'vitest';
import { memorySource } from '../../src/python/files.js';
import { scanTree, type ScanOptions } from '../../src/scan/scan.js';
import { scanSourceFromFiles } from '../../src/scan/source.js';
import type { CodeFinding, ScanResult } from '../../src/scan/types.js';

export const KEY = 'test-fingerprint-key-0123456789abcdef';

export function scanFiles(files: Record<string, string | Buffer>, options: ScanOptions = {}): Promise<ScanResult> {
  return scanTree(scanSourceFromFiles(memorySource(files)), { fingerprintKey: KEY, today: new Date('2026-11-28T12:00:00Z'), ...options });
}

/** `rule@line` for each finding of the given rule (or all code findings), in source order. */
export function hits(result: ScanResult, rule?: string): string[] {
  return result.findings
    .filter((f) => (rule ? f.rule === rule : f.kind === 'code'))
    .sort((a, b) => (a.file < b.file ? -1 : a.file > b.file ? 1 : (a.line ?? 0) - (b.line ?? 0)))
    .map((f) => `${f.rule}@${f.line}`);
}

/** Scans one Python file and returns its findings of one rule. */
export async function pythonFindings(code: string, rule: string, path = 'app/service.py'): Promise<CodeFinding[]> {
  const result = await scanFiles({ [path]: code, '.gitignore': '.env\n*.env\n' });
  return result.findings.filter((f) => f.rule === rule).sort((a, b) => (a.line ?? 0) - (b.line ?? 0));
}

/** Lines of the code findings of one rule. */
export async function linesOf(code: string, rule: string, path?: string): Promise<number[]> {
  return (await pythonFindings(code, rule, path)).map((f) => f.line!);
}

/** The lines of a snippet marked `# HIT`: the ones a rule must report (every other line must stay quiet). */
export const marked = (code: string): number[] =>
  code
    .split('\n')
    .map((l, i) => (l.includes('# HIT') ? i + 1 : 0))
    .filter((n) => n > 0);

/** The rule reports exactly the snippet's `# HIT` lines. */
export async function expectHits(code: string, rule: string, path?: string): Promise<void> {
  expect(await linesOf(code, rule, path)).toEqual(marked(code));
}
