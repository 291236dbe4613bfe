/**
 * What a hostile file cannot do: overflow the stack with deep nesting (it becomes one clear
 * error), make a parser build millions of entries or problems (reading stops, and says where),
 * or make `deps` and `audit` spread a long list into function arguments.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { cpuStopwatch } from '../helpers/cpu-time.js';
import { fileFinding } from '../../src/audit/findings.js';
import type { AuditResult } from '../../src/audit/audit.js';
import { renderTable } from '../../src/cli/table.js';
import { ManifestCollector, MAX_ENTRIES_PER_FILE, MAX_ERRORS_PER_FILE, MAX_PROBLEMS_PER_FILE } from '../../src/python/formats/collector.js';
import { memorySource } from '../../src/python/files.js';
import { detectPythonVersions } from '../../src/python/interpreter.js';
import { loadManifests } from '../../src/python/load.js';
import { MAX_MARKER_NESTING, parseMarker, parsePep508 } from '../../src/python/pep508.js';
import { renderText } from '../../src/report/text.js';
import { extractAs } from '../fixtures/hostile.js';
import { inProcessCli } from '../helpers/cli-in-process.js';

describe('deep input becomes one clear error, never a stack overflow', () => {
  it('pyproject.toml and Pipfile: dotted keys, table headers, inline tables and arrays', () => {
    const deepTexts = [
      `${'a.'.repeat(100_000)}a = 1\n`,
      `[${'a.'.repeat(100_000)}a]\n`,
      `x = ${'{a = '.repeat(20_000)}1${'}'.repeat(20_000)}\n`,
      `x = {${'a.'.repeat(100_000)}a = 1}\n`,
      `x = ${'['.repeat(100_000)}${']'.repeat(100_000)}\n`,
    ];
    for (const format of ['pyproject', 'pipfile'] as const) {
      for (const text of deepTexts) {
        const result = extractAs(format, text);
        expect(result.dependencies, text.slice(0, 20)).toEqual([]);
        expect(result.errors, text.slice(0, 20)).toHaveLength(1);
        expect(result.errors[0]!.message).toMatch(/nested/);
      }
    }
  });

  it('TOML lockfiles: a dotted key of a million parts is refused before it is built', () => {
    for (const format of ['poetry-lock', 'uv-lock', 'pdm-lock'] as const) {
      const cpuMsSince = cpuStopwatch(); // CPU time: other test files share the cores
      const result = extractAs(format, `[[package]]\nname = "a"\nversion = "1"\nx.${'a.'.repeat(1_000_000)}a = 1\n`);
      expect(result.errors).toEqual([expect.objectContaining({ line: 4, message: expect.stringMatching(/dotted key of more than 64 parts/) })]);
      // smol-toml took 2.7 s and 450 MB to build this; refused, it costs a scan.
      expect(cpuMsSince()).toBeLessThan(1_000);
      const inline = extractAs(format, `[[package]]\nname = "a"\nversion = "1"\nx = { ${'[{a = '.repeat(5_000)} }\n`);
      expect(inline.dependencies).toEqual([]);
      expect(inline.errors).toHaveLength(1);
    }
    // pylock.toml ([[packages]]) goes through the same front door.
    const cpuMsSince = cpuStopwatch();
    const pylock = extractAs('pylock', `lock-version = "1.0"\n[[packages]]\nname = "a"\nversion = "1"\nx.${'a.'.repeat(1_000_000)}a = 1\n`);
    expect(pylock.errors).toEqual([expect.objectContaining({ line: 5, message: expect.stringMatching(/dotted key of more than 64 parts/) })]);
    expect(cpuMsSince()).toBeLessThan(1_000);
  });

  it('Pipfile.lock: JSON nested a million deep is refused before JSON.parse builds it', () => {
    for (const text of ['['.repeat(1_000_000), `{"default": ${'{"a": '.repeat(100_000)}1${'}'.repeat(100_000)}}`]) {
      const result = extractAs('pipfile-lock', text);
      expect(result.errors).toEqual([expect.objectContaining({ line: 1, message: expect.stringMatching(/nested more than 64 levels deep/) })]);
    }
  });

  it('PEP 508 markers: parentheses nested past the limit are a syntax error', () => {
    const deep = `${'('.repeat(100_000)}os_name == "nt"${')'.repeat(100_000)}`;
    const marker = parseMarker(deep);
    expect(marker).toEqual({ ok: false, message: expect.stringMatching(`more than ${MAX_MARKER_NESTING} deep`) });
    expect(parsePep508(`name; ${deep}`).ok).toBe(false);
    const fine = `${'('.repeat(MAX_MARKER_NESTING)}os_name == "nt"${')'.repeat(MAX_MARKER_NESTING)}`;
    expect(parseMarker(fine)).toMatchObject({ ok: true, marker: 'os_name == "nt"' });
    const requirements = extractAs('requirements', `a; ${deep}\nb==1\n`);
    expect(requirements.dependencies.map((d) => d.name)).toEqual(['b']);
    expect(requirements.errors).toEqual([expect.objectContaining({ line: 1, message: expect.stringMatching(/Invalid marker/) })]);
  });

  it('PEP 735 dependency groups: a chain of 200 includes stops at the nesting limit', () => {
    const groups = Array.from({ length: 200 }, (_, i) => `g${i} = [${i + 1 < 200 ? `{include-group = "g${i + 1}"}, ` : ''}"p${i}"]`);
    const result = extractAs('pyproject', `[dependency-groups]\n${groups.join('\n')}\n`);
    expect(result.errors.some((e) => /include-group nests more than 64 groups deep/.test(e.message))).toBe(true);
    // g0 reads p0…p63 before the limit; the last groups are shallow enough to read whole.
    expect(result.dependencies.filter((d) => d.group === 'g0')).toHaveLength(64);
    expect(result.dependencies.filter((d) => d.group === 'g199').map((d) => d.name)).toEqual(['p199']);
  });

  it('PEP 735 dependency groups: includes that multiply stop at the entry limit', () => {
    // Each group includes the next one ten times: 10⁸ entries if expanded.
    const groups = Array.from({ length: 8 }, (_, i) => `g${i} = [${Array.from({ length: 10 }, () => `{include-group = "g${i + 1}"}`).join(', ')}]`);
    const cpuMsSince = cpuStopwatch();
    const result = extractAs('pyproject', `[dependency-groups]\n${groups.join('\n')}\ng8 = ["a"]\n`);
    expect(cpuMsSince()).toBeLessThan(10_000);
    expect(result.errors.some((e) => /expand to more than/.test(e.message))).toBe(true);
    expect(result.dependencies.length).toBeLessThanOrEqual(MAX_ENTRIES_PER_FILE);
  });

  it('requirements includes: a chain of 5,000 files, and 40,000 lines including one file', async () => {
    const files: Record<string, string> = {};
    for (let i = 0; i < 5_000; i++) files[`r${i}.txt`] = `-r r${(i + 1) % 5_000}.txt\np${i}==1\n`;
    const chain = await loadManifests(memorySource(files), { paths: ['r0.txt'], format: 'requirements' });
    expect(chain.manifests).toHaveLength(5_000);
    expect(chain.errors).toEqual([{ file: 'r4999.txt', line: 1, message: expect.stringMatching(/^include cycle: r0\.txt → r1\.txt → r2\.txt → r3\.txt → … \(4992 more\) → r4996\.txt .* → r0\.txt/), note: true }]);

    const cpuMsSince = cpuStopwatch();
    const fan = await loadManifests(memorySource({ 'a.txt': '-r b.txt\n'.repeat(40_000), 'b.txt': '-r a.txt\nx==1\n' }), { paths: ['a.txt'], format: 'requirements' });
    expect(cpuMsSince()).toBeLessThan(5_000);
    expect(fan.errors).toEqual([{ file: 'b.txt', line: 1, message: 'include cycle: a.txt → b.txt → a.txt (each file is read once)', note: true }]);
  });

  it('GitHub workflows nested past what the YAML library can recurse through are skipped, not parsed', () => {
    for (const text of [`jobs: ${'- '.repeat(5_000)}x\n`, `jobs: ${'['.repeat(5_000)}\n`, `${' '.repeat(300)}a: 1\n`]) {
      expect(detectPythonVersions([{ path: '.github/workflows/ci.yml', text }])).toEqual([]);
    }
    const real = 'jobs:\n  t:\n    steps:\n      - uses: actions/setup-python@v5\n        with:\n          python-version: "3.8"\n';
    expect(detectPythonVersions([{ path: '.github/workflows/ci.yml', text: real }])).toEqual([
      { version: '3.8', file: '.github/workflows/ci.yml', line: 6, via: 'setup-python' },
    ]);
  });
});

describe('a file gives at most so many entries and problems, and says so when it has more', () => {
  it('requirements: reading stops after the limit, on the line where it stopped', () => {
    const result = extractAs('requirements', 'a\n'.repeat(MAX_ENTRIES_PER_FILE + 5));
    expect(result.dependencies).toHaveLength(MAX_ENTRIES_PER_FILE);
    expect(result.errors).toEqual([
      { file: 'requirements.txt', line: MAX_ENTRIES_PER_FILE + 1, message: expect.stringMatching(/^more than 100000 entries in one file: reading stopped here/) },
    ]);
  });

  it('requirements: problems past the limit are counted in one last line', () => {
    const result = extractAs('requirements', 'bad ;;\n'.repeat(MAX_ERRORS_PER_FILE + 250) + 'good==1\n');
    expect(result.dependencies.map((d) => d.name)).toEqual(['good']);
    expect(result.errors).toHaveLength(MAX_ERRORS_PER_FILE + 1);
    expect(result.errors.at(-1)).toEqual({ file: 'requirements.txt', line: null, message: '250 more problems in this file are not listed (the first 1000 are)' });
  });

  it('requirements: reading stops after so many problems, on the line where it stopped, and the result says so', () => {
    const result = extractAs('requirements', ';\n'.repeat(MAX_PROBLEMS_PER_FILE + 5) + 'good==1\n');
    expect(result.dependencies).toEqual([]);
    expect(result.errors).toHaveLength(MAX_ERRORS_PER_FILE + 2);
    expect(result.errors.slice(-2)).toEqual([
      { file: 'requirements.txt', line: MAX_PROBLEMS_PER_FILE + 1, message: '100000 problems in one file: reading stopped here, the rest of the file is not read' },
      { file: 'requirements.txt', line: null, message: '99000 more problems in this file are not listed (the first 1000 are)' },
    ]);
  });

  it('past the limit, a problem already listed is not counted again, and every new one is', () => {
    const collector = new ManifestCollector('pyproject.toml');
    for (let line = 1; line <= MAX_ERRORS_PER_FILE; line++) collector.error(line, 'bad');
    collector.error(7, 'bad'); // listed already: the same problem
    collector.error(null, 'no line'); // new, on no line
    collector.error(7, 'worse'); // new, on a listed line
    collector.error(MAX_ERRORS_PER_FILE + 1, 'bad'); // new, after every listed line
    expect(collector.errors).toHaveLength(MAX_ERRORS_PER_FILE + 1);
    expect(collector.errors.at(-1)!.message).toBe('3 more problems in this file are not listed (the first 1000 are)');
  });

  it('setup.cfg: the same for lines that are not key = value', () => {
    const result = extractAs('setup-cfg', `[options]\n${'what\n'.repeat(MAX_ERRORS_PER_FILE + 7)}install_requires = a\n`);
    expect(result.dependencies.map((d) => d.name)).toEqual(['a']);
    expect(result.errors.at(-1)!.message).toBe('7 more problems in this file are not listed (the first 1000 are)');
  });

  it('lockfiles with more packages than one file may give are refused whole, before parsing', () => {
    const packages = '[[package]]\nname = "a"\nversion = "1"\n'.repeat(MAX_ENTRIES_PER_FILE + 1);
    for (const format of ['poetry-lock', 'uv-lock', 'pdm-lock'] as const) {
      const result = extractAs(format, packages);
      expect(result.dependencies).toEqual([]);
      expect(result.errors).toEqual([expect.objectContaining({ line: 3 * MAX_ENTRIES_PER_FILE + 1, message: expect.stringMatching(/has 100001 \[\[package\]\] tables, more than the 100000/) })]);
    }
    const pylock = extractAs('pylock', `lock-version = "1.0"\n${'[[packages]]\nname = "a"\nversion = "1"\n'.repeat(MAX_ENTRIES_PER_FILE + 1)}`);
    expect(pylock.dependencies).toEqual([]);
    expect(pylock.errors).toEqual([expect.objectContaining({ line: 3 * MAX_ENTRIES_PER_FILE + 2, message: expect.stringMatching(/has 100001 \[\[packages\]\] tables, more than the 100000/) })]);
    const entries = Array.from({ length: MAX_ENTRIES_PER_FILE + 1 }, (_, i) => `"p${i}": {"version": "==1"}`).join(',\n');
    const pipfileLock = extractAs('pipfile-lock', `{"_meta": {}, "default": {\n${entries}\n}}`);
    expect(pipfileLock.errors).toEqual([expect.objectContaining({ message: expect.stringMatching(/has 100001 entries, more than the 100000/) })]);
  });
});

describe('deps and audit on more entries than fit in function arguments', () => {
  const cli = (cwd: string) => inProcessCli({ cwd });

  it('deps lists 130,000 pins up to the limit, in text and JSON, without overflowing the stack', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'depwatch-many-'));
    writeFileSync(join(dir, 'requirements.txt'), Array.from({ length: 130_000 }, (_, i) => `pkg${i}==1.${i % 50}.0`).join('\n'));
    for (const json of [false, true]) {
      const { out, run } = cli(dir);
      await run('deps', ...(json ? ['--json'] : []), '.');
      expect(out.stderr).not.toMatch(/call stack/);
      expect(out.stdout).toContain('pkg99999');
      expect(out.stdout).not.toContain('pkg100000');
      expect(out.stdout).toMatch(/reading stopped here/);
    }
  });

  it('the text table and the text report take 200,000 rows', () => {
    const rows = Array.from({ length: 200_000 }, (_, i) => [`pkg${i}`, '1.0']);
    expect(renderTable(['name', 'version'], rows).split('\n')).toHaveLength(200_003);
    const findings = Array.from({ length: 200_000 }, (_, i) => fileFinding({ kind: 'no-hashes', severity: 'info', file: `f${i}.txt`, text: 'no hashes' }));
    const result: AuditResult = { target: '.', dependencies: 0, findings, ignored: [], notes: [], errors: [], warnings: [], notices: [], partial: false, advisorySource: 'mirror' };
    expect(renderText(result, { showIgnored: false } as Parameters<typeof renderText>[1])).toContain('f199999.txt');
  });
});
