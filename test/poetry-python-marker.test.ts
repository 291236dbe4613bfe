/**
 * A Poetry dependency's `python = "…"` as the marker poetry-core writes for it
 * (create_nested_marker): lower bound first, python_full_version where python_version cannot say it.
 */
import { describe, expect, it } from 'vitest';
import { cpuStopwatch } from './helpers/cpu-time.js';
import { pyprojectFormat } from '../src/python/formats/pyproject.js';
import { poetryPythonMarker } from '../src/python/poetry-python-marker.js';

const marker = (constraint: string) => {
  const result = poetryPythonMarker(constraint);
  return result.ok ? result.marker : `error: ${result.message}`;
};

describe('poetryPythonMarker', () => {
  it('caret, tilde and explicit ranges: the lower bound, then the upper', () => {
    expect(marker('^3.6')).toBe('python_version >= "3.6" and python_version < "4.0"');
    expect(marker('~3.6')).toBe('python_version >= "3.6" and python_version < "3.7"');
    expect(marker('~=3.6')).toBe('python_version >= "3.6" and python_version < "4.0"');
    expect(marker('>=3.6,<3.8')).toBe('python_version >= "3.6" and python_version < "3.8"');
    expect(marker('<3.8 >=3.6')).toBe('python_version >= "3.6" and python_version < "3.8"');
    expect(marker('>=3.6')).toBe('python_version >= "3.6"');
    expect(marker('<3.11')).toBe('python_version < "3.11"');
  });

  it('patch-level bounds compare python_full_version; so do > and <= written with two components', () => {
    expect(marker('^3.6.2')).toBe('python_full_version >= "3.6.2" and python_full_version < "4.0.0"');
    expect(marker('>=3.6.1,<4.0')).toBe('python_full_version >= "3.6.1" and python_version < "4.0"');
    expect(marker('>3.6')).toBe('python_full_version > "3.6.0"');
    expect(marker('<=3.9')).toBe('python_full_version <= "3.9.0"');
    expect(marker('3.8.10')).toBe('python_full_version == "3.8.10"');
    expect(marker('3.8')).toBe('python_version == "3.8"');
  });

  it('unions are sorted, merged where they touch, and joined with or', () => {
    expect(marker('~2.7 || ^3.4')).toBe('python_version >= "2.7" and python_version < "2.8" or python_version >= "3.4" and python_version < "4.0"');
    expect(marker('^3.4 || ~2.7')).toBe('python_version >= "2.7" and python_version < "2.8" or python_version >= "3.4" and python_version < "4.0"');
    expect(marker('>=3.6,<3.8 || >=3.8,<4')).toBe('python_version >= "3.6" and python_version < "4"');
    expect(marker('>=2.7,!=3.0.*,!=3.1.*')).toBe('python_version >= "2.7" and python_version < "3.0" or python_version >= "3.2"');
    expect(marker('!=3.6')).toBe('python_version < "3.6" or python_full_version > "3.6.0"');
    expect(marker('3.6.*')).toBe('python_version >= "3.6" and python_version < "3.7"');
  });

  it('any Python is no marker; a constraint poetry-core refuses is an error', () => {
    expect(marker('*')).toBeNull();
    expect(marker('')).toBeNull();
    expect(marker('^3.6 || *')).toBeNull();
    expect(marker('>=3.8,<3.6')).toMatch(/^error: .*allows no Python version/);
    expect(marker('=>3.6')).toMatch(/^error: Could not parse version constraint/);
  });

  it('bounds past 2^53 are exact, never printed in exponent form', () => {
    expect(marker('100000000000000000000000.*')).toBe('python_version >= "100000000000000000000000" and python_version < "100000000000000000000001"');
    expect(marker('3.9999999999999999999999.*')).toBe('python_version >= "3.9999999999999999999999" and python_version < "3.10000000000000000000000"');
    expect(marker('9007199254740993.*')).toBe('python_version >= "9007199254740993" and python_version < "9007199254740994"');
    expect(marker('^100000000000000000000000!3.6')).toBe('python_version >= "100000000000000000000000!3.6" and python_version < "100000000000000000000000!4.0"');
  });

  it('stays linear on a long list of exclusions', () => {
    const many = Array.from({ length: 20_000 }, (_, i) => `!=3.${i}`).join(',');
    const cpuMsSince = cpuStopwatch(); // CPU time: other test files share the cores
    expect(marker(`>=3.0,${many}`)).toMatch(/^python_full_version > "3.0.0" and python_version < "3.1" or python_full_version > "3.1.0" and python_version < "3.2" or /);
    expect(cpuMsSince()).toBeLessThan(5_000);
  });
});

describe('Poetry dependencies in pyproject.toml', () => {
  it('put the python marker after their own markers, as poetry-core intersects them', () => {
    const text = [
      '[tool.poetry.dependencies]',
      'a = { version = "^1.0", python = "^3.6" }',
      'b = { version = "^1.0", python = "~2.7 || ^3.4", markers = "sys_platform == \'linux\'" }',
      'c = { version = "^1.0", python = ">=3.6.1,<4.0", platform = "darwin" }',
      'd = { version = "^1.0", python = "*" }',
    ].join('\n');
    const result = pyprojectFormat.extract(text, { file: 'pyproject.toml' });
    expect(result.errors).toEqual([]);
    expect(result.dependencies.map((d) => [d.name, d.marker])).toEqual([
      ['a', 'python_version >= "3.6" and python_version < "4.0"'],
      ['b', 'sys_platform == "linux" and (python_version >= "2.7" and python_version < "2.8" or python_version >= "3.4" and python_version < "4.0")'],
      ['c', 'python_full_version >= "3.6.1" and python_version < "4.0" and sys_platform == "darwin"'],
      ['d', null],
    ]);
  });
});
