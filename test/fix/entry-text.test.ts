/**
 * The audit's fix advice quotes what `depwatch fix` would write for one entry (src/fix/entry-text.ts):
 * the same text, and for a large file at the cost of reading it once, not once per entry.
 */
import { describe, expect, it } from 'vitest';
import { createEntryRewriter } from '../../src/fix/entry-text.js';
import { cpuStopwatch } from '../helpers/cpu-time.js';

const HEAD = '[tool.poetry]\nname = "app"\n[tool.poetry.dependencies]\npython = "^3.8"\n';
const entry = (i: number) => `pkg${i} = {version = "1.0.${i}", optional = true}\n`;

describe('the entry the fixer would write', () => {
  const rewrittenTomlEntry = createEntryRewriter();
  it('keeps the rest of an inline table (optional = true) and moves the version', () => {
    const text = HEAD + entry(0) + entry(1);
    expect(rewrittenTomlEntry(text, 'pyproject.toml', 'pyproject', { name: 'pkg1', line: 6, from: '1.0.1', to: '2.0.0', shape: 'line' })).toBe('pkg1 = {version = "2.0.0", optional = true}');
  });

  it('2,000 entries of one pyproject.toml, each asked about in turn, cost about one reading of the file, not a parse each (90 s before)', () => {
    const count = 2_000;
    let text = HEAD;
    for (let i = 0; i < count; i++) text += entry(i);
    const cpuMsSince = cpuStopwatch(); // CPU time: other test files share the cores
    const written: (string | null)[] = [];
    for (let i = 0; i < count; i++) written.push(rewrittenTomlEntry(text, 'pyproject.toml', 'pyproject', { name: `pkg${i}`, line: 5 + i, from: `1.0.${i}`, to: '2.0.0', shape: 'line' }));
    expect(cpuMsSince()).toBeLessThan(10_000);
    expect(written[0]).toBe('pkg0 = {version = "2.0.0", optional = true}');
    expect(written[count - 1]).toBe(`pkg${count - 1} = {version = "2.0.0", optional = true}`);
    expect(written.every((w) => w !== null)).toBe(true);
  });

  it('reads a file again when its text changed, even at the same path', () => {
    const before = HEAD + entry(0);
    const after = HEAD + 'pkg0 = {version = "1.0.0", index = "internal"}\n';
    expect(rewrittenTomlEntry(before, 'pyproject.toml', 'pyproject', { name: 'pkg0', line: 5, from: '1.0.0', to: '2.0.0', shape: 'line' })).toContain('optional = true');
    expect(rewrittenTomlEntry(after, 'pyproject.toml', 'pyproject', { name: 'pkg0', line: 5, from: '1.0.0', to: '2.0.0', shape: 'line' })).toBe('pkg0 = {version = "2.0.0", index = "internal"}');
  });
});
