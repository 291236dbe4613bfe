/**
 * A Jupyter notebook through the Python rules: its code cells read as one Python text
 * (notebook.ts), parsed and checked by the same scanner as a `.py` file (the same time budget by
 * the code's size, the same rules), and each finding moved back to the notebook: the `.ipynb`
 * path, the JSON line and column where its source line is, and its cell and line in the message.
 * Suppressions are read in the cell, where they are written (`# nosec`, `# depwatch: ignore[…]`,
 * on the finding's line or the first or last line of its statement), as in a `.py` file.
 */
import type { Report, RuleInfo } from '../rule.js';
import type { CodePlaces } from '../scan.js';
import { suppressionOnLine, suppresses, type Suppression } from '../suppressions.js';
import type { ScanNote } from '../types.js';
import { readNotebook, type NotebookPython } from './notebook.js';
import type { PythonScanner, PythonScanOutcome } from './scan-python.js';

type Raw = Report & { info: RuleInfo };

export interface NotebookScan {
  /** The parse's outcome, for the scan's usual notes and skips (time limits, what did not parse); null when no code was parsed. */
  outcome: PythonScanOutcome | null;
  /** The length of the code parsed (the joined cells), by which the parse's time budget was set. */
  codeLength: number;
  /** How the scan's messages name a line of that code: the notebook's JSON line, with its cell and line in the cell. */
  places: CodePlaces;
  /** The code rules' findings, placed in the notebook, their inline suppression read in the cell. */
  findings: Raw[];
  /** A notebook that could not be read as one, and cells whose code was not checked: partial. */
  notes: ScanNote[];
}

/** Git LFS keeps the notebook elsewhere and commits this pointer in its place. */
const LFS_POINTER = 'version https://git-lfs.github.com/spec/';

/**
 * `secrets`: what the secret scanner found in the notebook's text. Those in a code cell's source get
 * the suppression written in the cell (`inline`), as the code rules' findings do; the others
 * (outputs, metadata) are left to the file's own lines.
 */
export function scanNotebook(python: PythonScanner, path: string, text: string, isTest: boolean, secrets: Raw[] = []): NotebookScan {
  const none = (notes: ScanNote[]): NotebookScan => ({ outcome: null, codeLength: 0, places: { at: () => path, span: () => '', toEnd: () => '' }, findings: [], notes });
  if (text.startsWith(LFS_POINTER)) {
    return none([{ kind: 'incomplete', file: path, message: `${path}: a Git LFS pointer, not the notebook itself (it is stored outside the tree); its code was not scanned` }]);
  }
  const read = readNotebook(text, path);
  if (read.kind === 'other-language') return none([]); // not Python: as a `.R` or `.jl` file, no code rule applies
  if (read.kind === 'invalid') {
    const at = read.line === null ? path : `${path}:${read.line}`;
    return none([{ kind: 'incomplete', file: path, message: `${at}: ${read.message}; not read as a notebook, so code rules were not run on it (secrets were checked)` }]);
  }
  const notebook = read.python;
  const places = notebookPlaces(path, notebook);
  const notes: ScanNote[] = read.gaps.map((gap) => {
    const at = gap.line === null ? path : places.at(gap.line);
    return { kind: 'incomplete', file: path, message: `${at}: cell ${gap.cell}${gap.cellLine === null ? '' : `, line ${gap.cellLine}`}: ${gap.message}` };
  });
  // The secrets' places in the code, so the parse gives their statements too (a marker on a statement's first or last line covers what is in it).
  const secretsInCode = notebook.codePositions(secrets);
  const outcome = python.scan(path, notebook.text, isTest, secretsInCode.map((p) => p ?? { line: null, column: null }));
  const markers = cellMarkers(outcome.comments);
  /** The marker in the cell that covers a finding of `rule` on these lines of the code, if any. */
  const inlineMarker = (lines: number[], rule: RuleInfo): Raw['inline'] => {
    for (const n of lines) {
      const marker = markers(n);
      if (marker && suppresses(marker, rule)) {
        const { cell, cellLine } = notebook.cellOf(n);
        return { marker, where: `cell ${cell}, line ${cellLine}` };
      }
    }
    return null;
  };
  secretsInCode.forEach((p, i) => {
    if (p === null) return;
    const statement = outcome.statements[i];
    secrets[i]!.inline = inlineMarker(statement ? [p.line, statement.line, statement.endLine] : [p.line], secrets[i]!.info);
  });
  const placed = notebook.places(outcome.findings.map((f) => ({ line: f.line ?? 1, column: f.column ?? 1 })));
  const findings = outcome.findings.map((f, i): Raw => {
    const place = placed[i]!;
    const lines = f.line === null ? [] : f.statement ? [f.line, f.statement.line, f.statement.endLine] : [f.line];
    const { statement: _, ...rest } = f;
    return { ...rest, line: place.line, column: place.column, message: `${f.message} (Cell ${place.cell}, line ${place.cellLine}.)`, inline: inlineMarker(lines, f.info) };
  });
  return { outcome, codeLength: notebook.text.length, places, findings, notes };
}

/** Lines of the joined code named by their JSON line (`nb.ipynb:57`) and their cell (`cell 3, lines 2–5`). */
function notebookPlaces(path: string, notebook: NotebookPython): CodePlaces {
  return {
    at: (line) => `${path}:${notebook.places([{ line, column: 1 }])[0]!.line}`,
    span(line, endLine) {
      const from = notebook.cellOf(line);
      const to = notebook.cellOf(endLine);
      if (from.cell !== to.cell) return `cell ${from.cell}, line ${from.cellLine} to cell ${to.cell}, line ${to.cellLine}`;
      return to.cellLine > from.cellLine ? `cell ${from.cell}, lines ${from.cellLine}–${to.cellLine}` : `cell ${from.cell}, line ${from.cellLine}`;
    },
    toEnd(line) {
      const { cell, cellLine } = notebook.cellOf(line);
      return `cell ${cell}, line ${cellLine} to the end of the notebook`;
    },
  };
}

/** The suppression in a comment of the joined code, by its line there; each line read once. */
function cellMarkers(comments: Map<number, string>): (line: number) => Suppression | null {
  const seen = new Map<number, Suppression | null>();
  return (line) => {
    let s = seen.get(line);
    if (s === undefined) seen.set(line, (s = suppressionOnLine(comments.get(line) ?? '', line)));
    return s;
  };
}
