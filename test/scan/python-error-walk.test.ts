/**
 * A Python file with syntax errors: what could not be parsed (the first stretch, how many others,
 * how many errors) and whether one stretch is too wide for the rules' query are found in one walk
 * of the tree's broken parts, and a file that parsed walks nothing.
 */
import { afterEach, beforeAll, expect, it, vi } from 'vitest';
import { Node } from 'web-tree-sitter';
import { createPythonScanner, type PythonScanner } from '../../src/scan/python/scan-python.js';

let scanner: PythonScanner;
beforeAll(async () => {
  scanner = await createPythonScanner({ parseTimeoutMs: 10_000 });
});
afterEach(() => {
  vi.restoreAllMocks();
});

/** The scan's outcome, and how many times a tree cursor was started on it. */
function scanCountingWalks(text: string) {
  const walk = vi.spyOn(Node.prototype, 'walk');
  const outcome = scanner.scan('app/broken.py', text, false);
  return { outcome, walks: walk.mock.calls.length };
}

it('finds three broken stretches, the middle one too wide to query, in one walk', () => {
  const { outcome, walks } = scanCountingWalks('a = f(1, 2 3)\nb = g(' + ', '.repeat(2100) + ')\nc = 1\nd = [1 2]\n');
  expect(outcome.tooWide).toEqual({ line: 2, endLine: 2, children: 2099, limit: 2000 });
  expect(outcome.unparsed).toEqual({ line: 1, endLine: 1, toEnd: false, others: 2, template: false });
  expect(outcome.syntaxErrors).toBe(3);
  expect(outcome.findings).toEqual([]);
  expect(walks).toBe(1);
});

it('counts a token the parser put in beside a stretch too wide to query, in one walk', () => {
  const { outcome, walks } = scanCountingWalks('def f(:\n    if x:\n        return h(' + ', '.repeat(2100) + ')\n');
  expect(outcome.tooWide).toMatchObject({ line: 3, endLine: 3, limit: 2000 });
  expect(outcome.unparsed).toMatchObject({ line: 3, others: 0 });
  expect(outcome.syntaxErrors).toBe(2);
  expect(walks).toBe(1);
});

it('walks nothing in a file that parsed', () => {
  const { outcome, walks } = scanCountingWalks('import os\nos.system(input())\n');
  expect(outcome).toMatchObject({ syntaxErrors: 0, unparsed: null, tooWide: null });
  expect(outcome.findings.length).toBeGreaterThan(0);
  expect(walks).toBe(0);
});
