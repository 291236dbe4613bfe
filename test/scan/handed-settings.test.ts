/**
 * A scan handed the `.depwatch.yml` an audit of the same tree parsed (ScanOptions.settings) applies
 * it as its own, without reading it again and without repeating the notes the audit gives; alone,
 * the scan reads the file itself and says what is wrong with it.
 */
import { describe, expect, it } from 'vitest';
import { parseIgnoreFile } from '../../src/audit/ignore-file.js';
import { hits, scanFiles } from './helpers.js';

const SETTINGS = [
  'ignore:',
  '  - id: py-eval-exec',
  '    reason: the expression is ours',
  '  - id: no-reason',
  'exclude:',
  '  - path: vendor/',
  '    reason: a copy of another project',
  '',
].join('\n');

const TREE = {
  '.depwatch.yml': SETTINGS,
  'app/calc.py': 'def calc(expr):\n    return eval(expr)\n',
  'vendor/lib.py': 'import pickle\n\ndef load(b):\n    return pickle.loads(b)\n',
};

describe('the tree settings a scan is handed', () => {
  it('alone, the scan reads .depwatch.yml: applies its ignores and excludes, and notes its bad entry', async () => {
    const result = await scanFiles(TREE);
    expect(result.ignored.map((f) => f.rule)).toEqual(['py-eval-exec']);
    expect(hits(result)).toEqual([]);
    expect(result.notes.filter((n) => n.kind === 'invalid')).toEqual([
      { kind: 'invalid', message: expect.stringMatching(/^\.depwatch\.yml: ignore entry 2 \(id: [^)]+\): `reason` is missing: say why it is ignored; not applied$/), settingsFile: '.depwatch.yml' },
    ]);
    expect(result.notes.filter((n) => n.kind === 'excluded').map((n) => n.message)).toEqual(['1 file under vendor/ was not scanned: excluded by .depwatch.yml (a copy of another project)']);
  });

  it('handed the audit\'s parse, it applies the same ignores and excludes from that, and leaves the notes to the audit', async () => {
    const settings = parseIgnoreFile(SETTINGS, '.depwatch.yml');
    // Not what the tree's file says: what was handed is what applies, so the file was not read again.
    const handed = await scanFiles({ ...TREE, '.depwatch.yml': 'not: [valid\n' }, { settings });
    expect(handed.ignored.map((f) => f.rule)).toEqual(['py-eval-exec']);
    expect(hits(handed)).toEqual([]);
    expect(handed.notes.filter((n) => n.kind === 'invalid')).toEqual([]);
    expect(handed.notes.filter((n) => n.kind === 'excluded').map((n) => n.message)).toEqual(['1 file under vendor/ was not scanned: excluded by .depwatch.yml (a copy of another project)']);
  });

  it('handed null (the tree has no settings the audit could read), it applies none', async () => {
    const result = await scanFiles(TREE, { settings: null });
    expect(hits(result)).toEqual(['py-eval-exec@2', 'py-unsafe-deserialization@4']);
    expect(result.ignored).toEqual([]);
    expect(result.notes.filter((n) => n.kind === 'invalid' || n.kind === 'excluded')).toEqual([]);
  });
});
