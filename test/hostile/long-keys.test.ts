/**
 * A long TOML key above many entries: a 1 MB key over 250,000 array elements fits in a 2 MB
 * pyproject.toml. Work that repeats the key's whole path for each element (a position key per
 * element, a section string per dependency, the group's name checked, stored and printed with each
 * entry) is a quarter of a million megabytes. So the positions scan costs each element its own
 * index (a key ten times longer over ten times the elements costs at most thirty times as much,
 * measured in CPU time as in linear-time.test.ts), and a name that every entry below it would
 * repeat is read only up to 200 characters: past that, one error, and the rest of the file is read.
 */
import { describe, expect, it } from 'vitest';
import { pyprojectSites } from '../../src/fix/formats/pyproject.js';
import { stringSpans } from '../../src/fix/toml-spans.js';
import { MAX_REPEATED_NAME_CHARS } from '../../src/python/formats/collector.js';
import { parseToml } from '../../src/python/toml.js';
import { bestCpuMs } from '../helpers/cpu-time.js';
import { extractAs } from '../fixtures/hostile.js';

const ALLOWED_GROWTH = 30;
const FLOOR_MS = 10;
const SMALL = 1_000;
const LARGE = 10_000;

/** A key of `size` characters above `size` entries, the way a document lays them out. */
type Document = (key: string, size: number) => string;

const arrayUnder = (header: string): Document => (key, size) => `${header}\n"${key}" = [${'"a",'.repeat(size)}]\n`;
const poetryGroup: Document = (key, size) => `[tool.poetry.group."${key}".dependencies]\n${Array.from({ length: size }, (_, i) => `p${i} = ["1", "2"]\n`).join('')}`;

function growth(read: (text: string) => unknown, document: Document): { smallMs: number; largeMs: number } {
  const small = document('k'.repeat(SMALL), SMALL);
  const large = document('k'.repeat(LARGE), LARGE);
  let last = { smallMs: 0, largeMs: 0 };
  for (const budgetMs of [0, 200, 800]) {
    const smallMs = bestCpuMs(() => void read(small), budgetMs);
    const largeMs = bestCpuMs(() => void read(large), budgetMs);
    last = { smallMs, largeMs };
    if (largeMs <= ALLOWED_GROWTH * smallMs + FLOOR_MS) break;
  }
  return last;
}

function expectLinear(read: (text: string) => unknown, document: Document): void {
  const { smallMs, largeMs } = growth(read, document);
  expect(largeMs, `${smallMs.toFixed(1)} ms at ${SMALL}, ${largeMs.toFixed(1)} ms at ${LARGE}`).toBeLessThanOrEqual(ALLOWED_GROWTH * smallMs + FLOOR_MS);
}

describe('a long key above many entries costs time linear in the file', () => {
  it('pyproject.toml: an extra of [project.optional-dependencies], a group of [dependency-groups], a Poetry group', () => {
    expectLinear((text) => extractAs('pyproject', text), arrayUnder('[project.optional-dependencies]'));
    expectLinear((text) => extractAs('pyproject', text), arrayUnder('[dependency-groups]'));
    expectLinear((text) => extractAs('pyproject', text), poetryGroup);
  }, 120_000);

  it('Pipfile: a table no reader looks at still has its positions scanned', () => {
    expect(extractAs('pipfile', `${arrayUnder('[x]')('k'.repeat(SMALL), SMALL)}[packages]\nb = "*"\n`).dependencies).toMatchObject([{ name: 'b', line: 4 }]);
    expectLinear((text) => extractAs('pipfile', text), arrayUnder('[x]'));
  }, 120_000);

  it("the fixer's string spans and sites of the same array", () => {
    const key = 'k'.repeat(SMALL);
    const spans = stringSpans(arrayUnder('[project.optional-dependencies]')(key, SMALL));
    expect(spans.get(['project', 'optional-dependencies', key, String(SMALL - 1)])).toMatchObject({ line: 2, quote: '"' });
    expectLinear(stringSpans, arrayUnder('[project.optional-dependencies]'));
    const sites = (text: string) => {
      const parsed = parseToml(text);
      return parsed.ok ? pyprojectSites(parsed.value, parsed.positions) : [];
    };
    expectLinear(sites, (key, size) => arrayUnder('[project.optional-dependencies]')(key.slice(0, MAX_REPEATED_NAME_CHARS), size) + `[x]\n"${key}" = 1\n`);
  }, 120_000);
});

describe('a name every entry below it repeats is read up to 200 characters', () => {
  const fits = 'n'.repeat(MAX_REPEATED_NAME_CHARS);
  const tooLong = 'n'.repeat(MAX_REPEATED_NAME_CHARS + 1);

  it('a 1 MB extra over 240,000 entries is one error on its line, and the next extra is read', () => {
    const text = `${arrayUnder('[project.optional-dependencies]')('k'.repeat(1_000_000), 240_000)}short = ["b"]\n`;
    expect(text.length).toBeLessThan(2_000_000);
    const result = extractAs('pyproject', text);
    expect(result.errors).toEqual([{ file: 'pyproject.toml', line: 2, message: 'extra name of 1000000 characters is longer than the 200 read; its entries are not read' }]);
    expect(result.dependencies).toMatchObject([{ name: 'b', group: 'short', line: 3 }]);
  });

  it('200 characters are read, with the name as group and section; 201 are one error and the rest of the file is read', () => {
    const tables = (name: string) =>
      [
        `[project.optional-dependencies]`,
        `${name} = ["a"]`,
        `[dependency-groups]`,
        `${name} = ["b"]`,
        `[tool.poetry.group.${name}.dependencies]`,
        `c = "1"`,
        `[tool.poetry.dependencies]`,
        `${name} = ["1", "2"]`,
        `[tool.poetry.extras]`,
        `${name} = ["e"]`,
        `[tool.pdm.dev-dependencies]`,
        `${name} = ["d"]`,
        `[tool.uv]`,
        `dev-dependencies = ["last"]`,
      ].join('\n');
    const read = extractAs('pyproject', tables(fits));
    expect(read.errors).toEqual([]);
    expect(read.dependencies.map((d) => [d.name, d.group, d.section])).toEqual([
      ['a', fits, `project.optional-dependencies.${fits}`],
      ['b', fits, `dependency-groups.${fits}`],
      [fits, 'main', 'tool.poetry.dependencies'],
      [fits, 'main', 'tool.poetry.dependencies'],
      ['c', fits, `tool.poetry.group.${fits}.dependencies`],
      ['last', 'dev', 'tool.uv.dev-dependencies'],
      ['d', fits, `tool.pdm.dev-dependencies.${fits}`],
    ]);

    const refused = extractAs('pyproject', tables(tooLong));
    expect(refused.errors.map((e) => [e.line, e.message])).toEqual([
      [2, 'extra name of 201 characters is longer than the 200 read; its entries are not read'],
      [4, 'dependency group name of 201 characters is longer than the 200 read; its entries are not read'],
      [10, 'extra name of 201 characters is longer than the 200 read; its entries are not read'],
      [8, 'name over a list of constraints of 201 characters is longer than the 200 read; its entries are not read'],
      [5, 'Poetry group name of 201 characters is longer than the 200 read; its entries are not read'],
      [12, 'PDM group name of 201 characters is longer than the 200 read; its entries are not read'],
    ]);
    expect(refused.dependencies.map((d) => d.name)).toEqual(['last']);
  });

  it('Pipfile: a category of 201 characters is one error, and the other categories are read', () => {
    expect(extractAs('pipfile', `[${fits}]\na = "*"\n`).dependencies).toMatchObject([{ name: 'a', group: fits, line: 2 }]);
    const refused = extractAs('pipfile', `[${tooLong}]\na = "*"\n[packages]\nb = "==1"\n`);
    expect(refused.errors).toEqual([{ file: 'Pipfile', line: 1, message: 'category name of 201 characters is longer than the 200 read; its entries are not read' }]);
    expect(refused.dependencies).toMatchObject([{ name: 'b', line: 4 }]);
  });
});
