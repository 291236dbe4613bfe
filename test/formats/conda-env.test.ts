import { describe, expect, it } from 'vitest';
import { condaEnvFormat, MAX_CONDA_ENV_BRACKETS, MAX_CONDA_ENV_CHARS } from '../../src/python/formats/conda-env.js';
import { withoutErrorStacks } from '../../src/yaml.js';
import { extractorFor, fixture, itClaimsItsFiles } from './lock-helpers.js';

const extract = extractorFor(condaEnvFormat, 'environment.yml');

describe('conda environment.yml', () => {
  itClaimsItsFiles(condaEnvFormat, 'conda-env', {
    claimed: ['environment.yml', 'environment.yaml', 'envs/gpu/environment.yml'],
    refused: ['my-environment.yml', 'environment.yml.bak', 'environment.json', 'conda.yml'],
  });

  it('reads the pip: list as the requirements file conda writes from it, each entry on its own YAML line, and names the conda packages in one notice', () => {
    const result = extract(
      [
        'name: demo',
        'channels:',
        '  - conda-forge',
        'dependencies:',
        '  - python=3.11',
        '  - numpy>=1.21',
        '  - pip',
        '  - pip:',
        '    - requests==2.19.0',
        '    - "flask>=2 ; python_version >= \'3.8\'"  # a comment of the YAML',
        '    - --extra-index-url https://pypi.example/simple',
        '    - -r requirements-extra.txt',
        '    - -e ./src/pkg',
      ].join('\n'),
    );
    expect(result.errors).toEqual([]);
    expect(result.dependencies.map((d) => [d.name, d.specifier, d.marker, d.line, d.file, d.group])).toEqual([
      ['requests', '==2.19.0', null, 9, 'environment.yml', 'main'],
      ['flask', '>=2', 'python_version >= "3.8"', 10, 'environment.yml', 'main'],
      ['pkg', '', null, 13, 'environment.yml', 'main'],
    ]);
    // conda runs pip in the environment file's folder: the include is relative to it, as a requirements file's is.
    expect(result.includes).toEqual([{ path: 'requirements-extra.txt', kind: 'requirement', line: 12 }]);
    expect(result.options).toEqual([expect.objectContaining({ name: 'extra-index-url', value: 'https://pypi.example/simple', line: 11 })]);
    expect(result.notices).toEqual(['environment.yml:5: 3 conda packages (python=3.11, numpy>=1.21, pip) come from conda channels, not PyPI, and were not audited (only its `pip:` list is)']);
  });

  it('reads the handwritten environment.yml: every pip source kind on its line, the conda packages in the notice', () => {
    const result = extract(fixture('handwritten/environment.yml'));
    expect(result.errors).toEqual([]);
    expect(result.dependencies.map((d) => [d.name, d.version, d.source, d.editable, d.line])).toEqual([
      ['requests', '2.19.0', 'registry', false, 13],
      ['flask', null, 'registry', false, 14],
      ['urllib3', '1.24.1', 'registry', false, 15],
      ['analysis', null, 'path', true, 17],
      ['tool', null, 'vcs', false, 18],
    ]);
    expect(result.notices).toEqual([expect.stringMatching(/^environment\.yml:7: 5 conda packages \(python=3\.10, numpy=1\.21\.\*, pandas>=1\.3, conda-forge::scipy, pip>=21\) come from conda channels/)]);
  });

  it('says a file of conda packages only in the notice, with nothing partial; an environment with no dependencies says nothing', () => {
    const conda = extract('dependencies:\n  - python=3.12\n');
    expect(conda).toMatchObject({ dependencies: [], errors: [] });
    expect(conda.notices).toEqual([expect.stringMatching(/^environment\.yml:2: 1 conda package \(python=3\.12\) comes from conda channels, not PyPI, and was not audited/)]);
    for (const text of ['name: x\n', 'name: x\ndependencies:\n', '', '# only a comment\n']) {
      expect(extract(text), JSON.stringify(text)).toEqual({ dependencies: [], errors: [] });
    }
  });

  it('names up to five conda packages and counts the rest', () => {
    const result = extract(`dependencies:\n${Array.from({ length: 8 }, (_, i) => `  - p${i}\n`).join('')}`);
    expect(result.notices).toEqual([expect.stringContaining('8 conda packages (p0, p1, p2, p3, p4 and 3 more)')]);
  });

  it('reports a file that is not YAML in one line, and reads nothing from it (partial)', () => {
    const result = extract('dependencies:\n  - pip:\n    - requests==2.19.0\n  - [unclosed\n');
    expect(result.dependencies).toEqual([]);
    expect(result.errors).toEqual([{ file: 'environment.yml', line: expect.any(Number), message: expect.stringMatching(/^not valid YAML \(.*\); not read$/) }]);
  });

  it('reports what is neither a conda package nor a pip list, and a bad requirement, and reads the rest', () => {
    const result = extract(['dependencies:', '  - pip:', '    - good==1.0', '    - bad>>1', '    - {nested: map}', '  - other: [x]', '  - pip: notalist'].join('\n'));
    expect(result.dependencies.map((d) => [d.name, d.line])).toEqual([['good', 3]]);
    expect(result.errors.map((e) => [e.line, e.message])).toEqual([
      [5, 'a `pip:` entry that is not a requirement string; not read'],
      [6, 'a `dependencies` entry that is neither a conda package nor a `pip:` list; not read'],
      [7, '`pip:` is not a list of requirements; not read'],
      [4, expect.stringContaining('bad>>1')],
    ]);
    expect(extract('dependencies: python\n').errors).toEqual([{ file: 'environment.yml', line: 1, message: '`dependencies` is not a list; not read' }]);
  });

  it('puts a pip entry written as a block scalar on the line its requirement is written, not on the `- |` line', () => {
    const result = extract(
      ['dependencies:', '  - pip:', '    - |', '      requests==2.19.0', '    - >-', '      flask==0.12', '    - |', '      django==1.11', '      --hash=sha256:' + 'a'.repeat(64)].join('\n'),
    );
    expect(result.dependencies.map((d) => [d.name, d.line])).toEqual([
      ['requests', 4],
      ['flask', 6],
      ['django', 8],
    ]);
    // A bad requirement in a block scalar is said on its own line too.
    expect(extract(['dependencies:', '  - pip:', '    - |', '      bad>>1'].join('\n')).errors).toEqual([{ file: 'environment.yml', line: 4, message: expect.stringContaining('bad>>1') }]);
  });

  it('puts each line of a folded or literal block on the YAML line it is written on, past blank and folded lines', () => {
    const result = extract(
      [
        'dependencies:', //                 1
        '  - pip:', //                      2
        '    - >', //                       3
        '      requests==2.19.0', //        4
        '      --hash=sha256:' + 'a'.repeat(64), // 5, folded onto the line of requests
        '', //                              6
        '      flask==0.12', //             7
        '', //                              8
        '', //                              9
        '      django==1.11', //            10
        '        six==1.16.0', //           11, more indented: a line of its own
        '    - |  # literal', //            12
        '', //                              13
        '      idna==2.5', //               14
        '', //                              15
        '      bad>>1', //                  16
      ].join('\n'),
    );
    expect(result.dependencies.map((d) => [d.name, d.line])).toEqual([
      ['requests', 4],
      ['flask', 7],
      ['django', 10],
      ['six', 11],
      ['idna', 14],
    ]);
    expect(result.errors).toEqual([{ file: 'environment.yml', line: 16, message: expect.stringContaining('bad>>1') }]);
  });

  it('refuses input too large or nested too deep for the YAML library, in one line each', () => {
    expect(extract(`dependencies:\n  - pip:\n    - ${'a'.repeat(MAX_CONDA_ENV_CHARS)}\n`).errors).toEqual([{ file: 'environment.yml', line: null, message: expect.stringContaining('too large') }]);
    expect(extract(`dependencies: ${'['.repeat(5_000)}\n`).errors).toEqual([{ file: 'environment.yml', line: null, message: expect.stringContaining('nests deeper than') }]);
  });

  it('refuses a file of stray brackets in one line, before the YAML library makes an error of each', () => {
    const strays = `dependencies:\n  - pip: [${']'.repeat(MAX_CONDA_ENV_BRACKETS)}x\n`;
    expect(extract(strays).errors).toEqual([{ file: 'environment.yml', line: null, message: expect.stringContaining(`brackets ([ ] { }; the limit is ${MAX_CONDA_ENV_BRACKETS})`) }]);
    // Extras and a flow list or two are what real files hold: read as usual.
    const extras = `channels: [conda-forge]\ndependencies:\n  - pip:\n${Array.from({ length: 300 }, (_, i) => `    - pkg${i}[socks]==1.0\n`).join('')}`;
    expect(extract(extras).errors).toEqual([]);
    expect(extract(extras).dependencies).toHaveLength(300);
  });

  it('parses without capturing error stacks, and gives the limit back even when the parse throws', () => {
    const before = Error.stackTraceLimit;
    expect(withoutErrorStacks(() => Error.stackTraceLimit)).toBe(0);
    expect(() =>
      withoutErrorStacks(() => {
        throw new Error('boom');
      }),
    ).toThrow('boom');
    expect(Error.stackTraceLimit).toBe(before);
  });
});
