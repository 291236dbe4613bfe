/**
 * What a manifest's index options add to where packages come from, read one way for the audit's
 * `extra-index-url` rule and for a pull request's review (its "New index URLs"): which options name
 * an index or a page, and what a `--find-links` value is. Pure: option names come from the format
 * modules (ManifestOption). The notes are fixed words, safe in Slack and Markdown as they are.
 */

/** The options that name a package index, or (find-links) a page or folder of package files. */
export const INDEX_OPTIONS: ReadonlySet<string> = new Set(['index-url', 'extra-index-url', 'find-links', 'poetry-source', 'poetry-source-supplemental', 'poetry-source-explicit', 'pdm-source', 'uv-index', 'uv-index-default', 'uv-index-explicit']);

/**
 * What an index option adds: an index; for pip's `--find-links`, a page on the web (merged with the
 * indexes like an extra index), a local folder (the project's own files), or `unknown` when its value
 * names the environment: pip puts `${NAME}` (upper case, digits, `_`) from the environment into a
 * requirements file's options, so `${WHEELS}` may be `https://…` in CI.
 */
export type PackageSourceKind = 'index' | 'page' | 'folder' | 'unknown';

/** The kind of source an option adds, or null when it names none (`--no-binary`, `--trusted-host`). */
export function packageSourceKind(option: { name: string; value: string }): PackageSourceKind | null {
  if (!INDEX_OPTIONS.has(option.name)) return null;
  if (option.name !== 'find-links') return 'index';
  if (/^https?:\/\//i.test(option.value)) return 'page';
  if (/\$\{[A-Z0-9_]+\}/.test(option.value)) return 'unknown';
  return 'folder';
}

/**
 * What a pull request's review says beside a new `--find-links` value (its kind, as the audit's
 * extra-index-url rule tells them apart), a new `--trusted-host`, or a URL with a credential written
 * into it; null for a plain index, which the heading says.
 */
export function indexNote(index: { findLinks?: Exclude<PackageSourceKind, 'index'>; trustedHost?: true; credentials?: true }): string | null {
  const kind = kindNote(index);
  // The audit's extra-index-url rule says the same of the file, and its gate fails on it.
  if (!index.credentials) return kind;
  const credential = 'a credential is written into the URL (anyone who can read the repository can use it: remove it, give it through the environment, and change it)';
  return kind === null ? credential : `${kind}; ${credential}`;
}

function kindNote(index: { findLinks?: Exclude<PackageSourceKind, 'index'>; trustedHost?: true }): string | null {
  if (index.trustedHost) return 'a --trusted-host: pip checks no certificate for it, and accepts plain HTTP';
  if (index.findLinks === 'page') return 'a --find-links page, merged with the indexes like an extra index';
  if (index.findLinks === 'unknown') return 'a --find-links source set from the environment: a local folder or a page on the web, unknown';
  if (index.findLinks === 'folder') return 'a --find-links folder';
  return null;
}
