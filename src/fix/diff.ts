/**
 * The planned edits as one unified diff (`--- a/path`, `+++ b/path`, three lines of context), the
 * form `git apply` and `patch -p1` take. Made by jsdiff (the `diff` package) from the old and new
 * texts, so lines keep their own endings: a CRLF line shows as changed only when it changed.
 */
import { createTwoFilesPatch, FILE_HEADERS_ONLY } from 'diff';

export function unifiedDiff(files: ReadonlyMap<string, { before: string; after: string }>): string {
  let out = '';
  for (const path of [...files.keys()].sort()) {
    const { before, after } = files.get(path)!;
    if (before === after) continue;
    out += createTwoFilesPatch(`a/${path}`, `b/${path}`, before, after, undefined, undefined, { context: 3, headerOptions: FILE_HEADERS_ONLY });
  }
  return out;
}
