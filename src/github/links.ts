/**
 * Links into a repository's web pages, pinned to a commit so they keep pointing at the line that was
 * audited. Built from the repository's `html_url`, so they work for GitHub Enterprise Server too.
 */

function encodePath(path: string): string {
  return path
    .split('/')
    .filter((segment) => segment.length > 0)
    .map(encodeURIComponent)
    .join('/');
}

/** `https://github.com/o/r/blob/<sha>/<path>#L<line>`; without a line, the file itself. */
export function blobLineUrl(htmlUrl: string, sha: string, path: string, line?: number | null): string {
  const base = `${htmlUrl.replace(/\/+$/, '')}/blob/${encodeURIComponent(sha)}/${encodePath(path)}`;
  return line !== undefined && line !== null && Number.isInteger(line) && line > 0 ? `${base}#L${line}` : base;
}

/** `https://github.com/o/r/tree/<sha>`: the repository as it was at that commit. */
export function treeUrl(htmlUrl: string, sha: string): string {
  return `${htmlUrl.replace(/\/+$/, '')}/tree/${encodeURIComponent(sha)}`;
}
