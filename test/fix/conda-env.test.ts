import { describe, expect, it } from 'vitest';
import { condaEnvRewriter } from '../../src/fix/formats/conda-env.js';
import { rewriterFor } from '../../src/fix/formats/index.js';
import { rewriteProblem } from '../../src/fix/plan.js';
import { condaEnvFormat } from '../../src/python/formats/conda-env.js';
import type { FixTarget } from '../../src/fix/types.js';
import { apply, changesOutside } from './helpers.js';

const urllib3 = (to = '1.24.2'): FixTarget => ({ name: 'urllib3', from: '1.24.1', to, advisories: ['PYSEC-2019-132'] });
const FILE = 'environment.yml';

const env = (...pip: string[]) => ['name: analysis', 'dependencies:', '  - python=3.10', '  - pip:', ...pip.map((p) => `    ${p}`), ''].join('\n');

function rewrite(text: string, targets: FixTarget[] = [urllib3()]) {
  const result = condaEnvRewriter.rewrite(text, FILE, targets);
  const after = apply(text, result.edits);
  const before = condaEnvFormat.extract(text, { file: FILE }).dependencies;
  // The planner's guard: the new file reads as the old one apart from the moved constraints.
  const problem = rewriteProblem({ path: FILE, format: 'conda-env', text }, before, after, result.changes);
  const read = condaEnvFormat.extract(after, { file: FILE }).dependencies.map((d) => `${d.name}${d.specifier}`);
  return { ...result, after, problem, read, outside: changesOutside(text, after, result.changes.map((c) => c.lines)) };
}

describe('the conda environment rewriter', () => {
  it('is the rewriter depwatch fix uses for environment.yml', () => {
    expect(rewriterFor('conda-env')).toBe(condaEnvRewriter);
  });

  it('changes only the version of a plain pip entry, keeping its YAML comment and every other line', () => {
    const text = env('- requests==2.31.0', '- urllib3==1.24.1  # pinned for botocore', '- flask>=2.0');
    const { after, changes, problem, read, outside } = rewrite(text);
    expect(after).toBe(env('- requests==2.31.0', '- urllib3==1.24.2  # pinned for botocore', '- flask>=2.0'));
    expect(changes).toEqual([expect.objectContaining({ file: FILE, line: 6, lines: { first: 6, last: 6 }, package: 'urllib3', before: '==1.24.1', after: '==1.24.2' })]);
    expect(problem).toBeNull();
    expect(read).toEqual(['requests==2.31.0', 'urllib3==1.24.2', 'flask>=2.0']);
    expect(outside).toEqual([]);
  });

  it('rewrites inside double- and single-quoted entries, extras and markers kept, the quotes still closing the string', () => {
    const text = env('- "urllib3==1.24.1"', `- 'urllib3[socks]==1.24.1 ; python_version > "3.8"'  # socks`);
    const { after, changes, problem } = rewrite(text);
    expect(after).toBe(env('- "urllib3==1.24.2"', `- 'urllib3[socks]==1.24.2 ; python_version > "3.8"'  # socks`));
    expect(changes.map((c) => c.line)).toEqual([5, 6]);
    expect(problem).toBeNull();
  });

  it('widens a range in an unquoted entry without the comma ending it', () => {
    const text = env('- urllib3>=1.21,<1.24.2');
    const { after, problem } = rewrite(text, [urllib3('1.26.5')]);
    expect(after).toBe(env('- urllib3>=1.21,<1.26.6'));
    expect(problem).toBeNull();
  });

  it('leaves a flow-style pip list alone, and says why', () => {
    const text = 'dependencies:\n  - pip: [requests==2.31.0, urllib3==1.24.1]\n';
    const { after, changes, leftAlone } = rewrite(text);
    expect(after).toBe(text);
    expect(changes).toEqual([]);
    expect(leftAlone).toEqual([expect.objectContaining({ kind: 'not-understood', package: 'urllib3', version: '1.24.1', file: FILE, line: 2, reason: expect.stringContaining('flow-style list') })]);
  });

  it('leaves block scalars and entries written with escapes alone, and says why', () => {
    const block = env('- |', '  urllib3==1.24.1');
    expect(rewrite(block).after).toBe(block);
    // On the line the parser reports the entry at: where its requirement is written, under the `|`.
    expect(rewrite(block).leftAlone).toEqual([expect.objectContaining({ kind: 'not-understood', line: 6, reason: expect.stringContaining('block scalar') })]);
    const escaped = env('- "urllib3\\x3d=1.24.1"');
    expect(rewrite(escaped).after).toBe(escaped);
    expect(rewrite(escaped).leftAlone).toEqual([expect.objectContaining({ kind: 'not-understood', line: 5, reason: expect.stringContaining('escapes') })]);
  });

  it('leaves alone what the requirements rewriter would, on the line of the YAML', () => {
    const text = env('- requests==2.31.0', '- urllib3>=1.21,!=1.24.2');
    const { after, leftAlone } = rewrite(text);
    expect(after).toBe(text);
    expect(leftAlone).toEqual([expect.objectContaining({ kind: 'not-understood', line: 6, reason: expect.stringContaining('!=1.24.2') })]);
  });

  it('does not touch conda packages of the same name, nor -r includes (read and rewritten as requirements files)', () => {
    const text = ['dependencies:', '  - urllib3=1.24.1', '  - pip:', '    - -r requirements.txt', ''].join('\n');
    const { after, changes, leftAlone } = rewrite(text);
    expect(after).toBe(text);
    expect(changes).toEqual([]);
    expect(leftAlone).toEqual([]);
  });
});
