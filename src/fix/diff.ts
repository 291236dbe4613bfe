/**
 * The planned edits as one unified diff (`--- a/path`, `+++ b/path`, three lines of context), the
 * form `git apply` and `patch -p1` take. Made by jsdiff (the `diff` package) from the old and new
 * texts, so lines keep their own endings: a CRLF line shows as changed only when it changed. A path
 * with a space has its header lines end with a TAB, as git writes them (`--- a/sp ace/x.txt\t`).
 */
import { createTwoFilesPatch, FILE_HEADERS_ONLY } from 'diff';

export function unifiedDiff(files: ReadonlyMap<string, { before: string; after: string }>): string {
  let out = '';
  for (const path of [...files.keys()].sort()) {
    const { before, after } = files.get(path)!;
    if (before === after) continue;
    const patch = createTwoFilesPatch(`a/${path}`, `b/${path}`, before, after, undefined, undefined, { context: 3, headerOptions: FILE_HEADERS_ONLY });
    // As git does, a name with a space ends its ---/+++ lines with a TAB, or `patch` takes the name to
    // end at the space. (jsdiff C-quotes names as git does, so neither line holds a raw line break.)
    out += path.includes(' ') ? patch.replace(/^(--- [^\n]*)\n(\+\+\+ [^\n]*)\n/, '$1\t\n$2\t\n') : patch;
  }
  return out;
}
