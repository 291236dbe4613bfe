/**
 * Big inputs stay linear (issue 11, item 7): a requirements tree ten times longer, or a lock with
 * ten times the packages, costs at most thirty times as much to load and to turn into what a sweep
 * stores (plus a floor), measured in CPU time as in linear-time.test.ts. A quadratic step (a
 * lookup by scanning, a dependency walk per package) would cost a hundredfold.
 */
import { describe, expect, it } from 'vitest';
import { memorySource } from '../../src/python/files.js';
import { loadManifests } from '../../src/python/load.js';
import { storedPackagesOf } from '../../src/watch/packages.js';
import { bestCpuMsAsync } from '../helpers/cpu-time.js';

const ALLOWED_GROWTH = 30;
const FLOOR_MS = 30;

/** `lines` pins spread over ten files, all included from requirements.txt. */
function requirementsTree(lines: number): Record<string, string> {
  const files: Record<string, string> = { 'requirements.txt': Array.from({ length: 10 }, (_, f) => `-r reqs/part-${f}.txt`).join('\n') + '\n' };
  for (let f = 0; f < 10; f++) {
    const part: string[] = [];
    for (let i = f; i < lines; i += 10) part.push(`package-${i}==1.${i % 7}.${i % 13}  # pinned for service ${i % 50}`);
    files[`reqs/part-${f}.txt`] = part.join('\n') + '\n';
  }
  return files;
}

/** A Poetry project locking `count` packages, each depending on the one before it. */
function poetryLock(count: number): Record<string, string> {
  const packages: string[] = [];
  for (let i = 0; i < count; i++) {
    const deps = i > 0 ? `\n[package.dependencies]\nlib-${i - 1} = ">=1.0"\n` : '';
    packages.push(`[[package]]\nname = "lib-${i}"\nversion = "1.${i % 9}.0"\ndescription = ""\noptional = false\npython-versions = "*"\nfiles = []\n${deps}`);
  }
  const lock = packages.join('\n') + '\n[metadata]\nlock-version = "2.0"\npython-versions = "^3.9"\ncontent-hash = "0"\n';
  const pyproject = `[tool.poetry]\nname = "big"\n[tool.poetry.dependencies]\npython = "^3.9"\nlib-${count - 1} = "*"\n`;
  return { 'pyproject.toml': pyproject, 'poetry.lock': lock };
}

async function loadAndStore(files: Record<string, string>): Promise<number> {
  const load = await loadManifests(memorySource(files), {});
  return storedPackagesOf(load.manifests.flatMap((m) => m.dependencies)).length;
}

async function growth(small: Record<string, string>, large: Record<string, string>): Promise<{ smallMs: number; largeMs: number }> {
  let last = { smallMs: 0, largeMs: 0 };
  for (const budgetMs of [0, 200, 800]) {
    const smallMs = await bestCpuMsAsync(() => loadAndStore(small), budgetMs);
    const largeMs = await bestCpuMsAsync(() => loadAndStore(large), budgetMs);
    last = { smallMs, largeMs };
    if (largeMs <= ALLOWED_GROWTH * smallMs + FLOOR_MS) break;
  }
  return last;
}

describe('big inputs stay linear', () => {
  it('a 100,000-line requirements tree costs at most 30 times a 10,000-line one', async () => {
    expect(await loadAndStore(requirementsTree(100_000))).toBe(100_000);
    const { smallMs, largeMs } = await growth(requirementsTree(10_000), requirementsTree(100_000));
    expect(largeMs, `${smallMs.toFixed(0)} ms at 10,000 lines, ${largeMs.toFixed(0)} ms at 100,000`).toBeLessThanOrEqual(ALLOWED_GROWTH * smallMs + FLOOR_MS);
  }, 120_000);

  it('a 5,000-package lock with a dependency chain costs at most 30 times a 500-package one', async () => {
    expect(await loadAndStore(poetryLock(5_000))).toBe(5_000);
    const { smallMs, largeMs } = await growth(poetryLock(500), poetryLock(5_000));
    expect(largeMs, `${smallMs.toFixed(0)} ms at 500 packages, ${largeMs.toFixed(0)} ms at 5,000`).toBeLessThanOrEqual(ALLOWED_GROWTH * smallMs + FLOOR_MS);
  }, 120_000);
});
