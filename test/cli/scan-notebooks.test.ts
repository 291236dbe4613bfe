/** `depwatch scan` on a tree with Jupyter notebooks: JSON and SARIF name the `.ipynb`, its JSON line, and the cell. */
import { describe, expect, it } from 'vitest';
import { runCli } from '../../src/cli.js';
import type { CliIO } from '../../src/cli/io.js';
import { writeTree } from '../helpers/cli-in-process.js';

async function scan(root: string, args: string[]) {
  const out = { stdout: '', stderr: '' };
  const io: CliIO = { stdout: (t) => void (out.stdout += t), stderr: (t) => void (out.stderr += t), isTTY: false, cwd: root, env: {} };
  const code = await runCli(['scan', ...args, '.'], io);
  return { code, ...out };
}

/** A notebook as Jupyter saves it: cell 1 markdown, cell 2 imports, cell 3 a `%pip` magic and the load. */
const NOTEBOOK =
  JSON.stringify(
    {
      cells: [
        { cell_type: 'markdown', metadata: {}, source: ['# Scoring\n'] },
        { cell_type: 'code', execution_count: 1, metadata: {}, outputs: [], source: ['import pickle\n'] },
        { cell_type: 'code', execution_count: 2, metadata: {}, outputs: [], source: ['%pip install scikit-learn\n', 'with open("model.pkl", "rb") as f:\n', '    model = pickle.load(f)'] },
      ],
      metadata: { kernelspec: { display_name: 'Python 3', language: 'python', name: 'python3' } },
      nbformat: 4,
      nbformat_minor: 5,
    },
    null,
    1,
  ) + '\n';
const LOAD_LINE = NOTEBOOK.split('\n').findIndex((l) => l.includes('model = pickle.load(f)')) + 1;
const LOAD_COLUMN = NOTEBOOK.split('\n')[LOAD_LINE - 1]!.indexOf('pickle.load') + 1;

describe('depwatch scan on notebooks', () => {
  const root = writeTree('depwatch-scan-notebooks-', { '.gitignore': '.env\n*.env\n', 'notebooks/score.ipynb': NOTEBOOK });

  it('--json: the finding is in the .ipynb at the JSON line of its source line, its cell and line in the message; exit 1', async () => {
    const { code, stdout } = await scan(root, ['--json']);
    expect(code).toBe(1);
    const json = JSON.parse(stdout);
    expect(json.findings).toEqual([
      expect.objectContaining({ kind: 'code', rule: 'py-unsafe-deserialization', file: 'notebooks/score.ipynb', line: LOAD_LINE, column: LOAD_COLUMN, message: expect.stringMatching(/\(Cell 3, line 3\.\)$/) }),
    ]);
    expect(json).toMatchObject({ partial: false, notes: [], stats: { python_files: 1 } });
  });

  it('--sarif: the result’s location is the .ipynb, its region that line and column', async () => {
    const { code, stdout } = await scan(root, ['--sarif']);
    expect(code).toBe(1);
    const results = JSON.parse(stdout).runs[0].results as { ruleId: string; message: { text: string }; locations: { physicalLocation: { artifactLocation: { uri: string }; region: unknown } }[] }[];
    expect(results.map((r) => [r.ruleId, r.locations[0]!.physicalLocation.artifactLocation.uri, r.locations[0]!.physicalLocation.region])).toEqual([
      ['py-unsafe-deserialization', 'notebooks/score.ipynb', { startLine: LOAD_LINE, startColumn: LOAD_COLUMN }],
    ]);
    expect(results[0]!.message.text).toContain('Cell 3, line 3');
  });
});
