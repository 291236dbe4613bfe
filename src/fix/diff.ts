/**
 * The planned edits as one unified diff (`--- a/path`, `+++ b/path`, three lines of context), the
 * form `git apply` and `patch -p1` take. Made by jsdiff (the `diff` package) from the old and new
 * texts, so lines keep their own endings: a CRLF line shows as changed only when it changed. A path
 * with a space has its header lines end with a TAB, as git writes them (`--- a/sp ace/x.txt\t`).
 *
 * No credential is printed, and the patch still applies: a context line that holds one (an
 * `--extra-index-url https://user:pass@…` two lines above the pin) is left out of its hunk rather
 * than shown masked, since a masked line matches nothing in the file and `git apply` refuses the
 * whole patch. A hunk may have fewer context lines than three, and one split by such a line becomes
 * two. Where that cannot give an applicable hunk (the credential is on a changed line, or right after
 * the last change, where git needs a line of context unless the hunk ends the file) the line is
 * shown masked and the file is named in `unappliable`, for the CLI to say so.
 */
import { formatPatch, FILE_HEADERS_ONLY, structuredPatch, type StructuredPatchHunk } from 'diff';
import { redactSecrets } from '../redact.js';

export interface FixDiff {
  /** The unified diff, with no credential in it. */
  text: string;
  /** Files whose hunks show a masked line, so that the patch does not apply to them as printed. */
  unappliable: string[];
}

/** Whether a line of a file holds something redactSecrets masks. */
const holdsSecret = (line: string): boolean => redactSecrets(line) !== line;

export function fixDiff(files: ReadonlyMap<string, { before: string; after: string }>): FixDiff {
  let text = '';
  const unappliable: string[] = [];
  for (const path of [...files.keys()].sort()) {
    const { before, after } = files.get(path)!;
    if (before === after) continue;
    const patch = structuredPatch(`a/${path}`, `b/${path}`, before, after, undefined, undefined, { context: 3 });
    const safe = patch.hunks.flatMap(withoutSecretContext);
    let formatted = formatPatch({ ...patch, hunks: safe.map((h) => h.hunk) }, FILE_HEADERS_ONLY);
    // What no one line shows (a private key's lines between its BEGIN and END) is masked whole.
    const whole = redactSecrets(formatted);
    if (safe.some((h) => h.masked) || whole !== formatted) unappliable.push(path);
    formatted = whole;
    // As git does, a name with a space ends its ---/+++ lines with a TAB, or `patch` takes the name to
    // end at the space. (jsdiff C-quotes names as git does, so neither line holds a raw line break.)
    text += path.includes(' ') ? formatted.replace(/^(--- [^\n]*)\n(\+\+\+ [^\n]*)\n/, '$1\t\n$2\t\n') : formatted;
  }
  return { text, unappliable };
}

/** The diff's text alone. */
export const unifiedDiff = (files: ReadonlyMap<string, { before: string; after: string }>): string => fixDiff(files).text;

interface Item {
  /** The hunk's line (' ', '-' or '+', then the file's line), and a "\ No newline at end of file" after it when there is one. */
  lines: string[];
  /** The old and new line numbers it is at (a '+' is at the old line it comes before). */
  oldAt: number;
  newAt: number;
}

const kindOf = (i: Item) => i.lines[0]![0];
const fileLineOf = (i: Item) => i.lines[0]!.slice(1);
const isChange = (i: Item) => kindOf(i) !== ' ';

/** The hunk's lines, each with where it is. */
function itemsOf(hunk: StructuredPatchHunk): Item[] {
  const items: Item[] = [];
  // jsdiff gives an empty side's start one lower (the unified diff convention); count from the line after.
  let oldAt = hunk.oldLines === 0 ? hunk.oldStart + 1 : hunk.oldStart;
  let newAt = hunk.newLines === 0 ? hunk.newStart + 1 : hunk.newStart;
  for (const line of hunk.lines) {
    if (line.startsWith('\\')) {
      items.at(-1)?.lines.push(line);
      continue;
    }
    items.push({ lines: [line], oldAt, newAt });
    if (line[0] !== '+') oldAt++;
    if (line[0] !== '-') newAt++;
  }
  return items;
}

/**
 * A hunk as hunks without the context lines that hold a secret: such a line ends the changes
 * before it (what is left of the context around them is theirs) and starts those after it. When
 * it comes right after a change, git would need the hunk to end the file: it is kept, masked.
 */
function withoutSecretContext(hunk: StructuredPatchHunk): { hunk: StructuredPatchHunk; masked: boolean }[] {
  const out: { hunk: StructuredPatchHunk; masked: boolean }[] = [];
  let run: Item[] = [];
  const close = (secretAfter: Item | null) => {
    if (run.some(isChange)) {
      const kept = secretAfter !== null && isChange(run.at(-1)!) ? [...run, secretAfter] : run;
      const masked = kept.some((i) => holdsSecret(fileLineOf(i)));
      out.push({ hunk: hunkOf(kept, masked), masked });
    }
    run = [];
  };
  for (const item of itemsOf(hunk)) {
    if (!isChange(item) && holdsSecret(fileLineOf(item))) close(item);
    else run.push(item);
  }
  close(null);
  return out;
}

/** A hunk of these items, its header counted from them; `masked`: every secret in it masked (it will not apply as printed). */
function hunkOf(items: Item[], masked: boolean): StructuredPatchHunk {
  const lines = items.flatMap((i) => i.lines).map((l) => (masked && !l.startsWith('\\') ? `${l[0]}${redactSecrets(l.slice(1))}` : l));
  return {
    oldStart: items[0]!.oldAt,
    oldLines: items.filter((i) => kindOf(i) !== '+').length,
    newStart: items[0]!.newAt,
    newLines: items.filter((i) => kindOf(i) !== '-').length,
    lines,
  };
}
