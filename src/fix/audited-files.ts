/**
 * The files an audit read, so a fix writes nothing else: a FileSource wrapper that keeps the bytes
 * of every file read through it, and the manifests among them with the format the audit gave them
 * (re-loaded from those bytes, in memory, with the same loader: includes are read as requirements
 * whatever their name). The text keeps its BOM and line endings, so a rewrite changes only what it
 * means to.
 */
import { memorySource, type FileSource } from '../python/files.js';
import { loadManifests } from '../python/load.js';
import { decode, utf16ByMark } from '../scan/text.js';
import type { FixFile } from './plan.js';

export interface RecordingSource {
  source: FileSource;
  /** Path → the exact bytes read, for every file the audit read (manifests, includes, context files). */
  read: Map<string, Buffer>;
}

export function recordingSource(inner: FileSource): RecordingSource {
  const read = new Map<string, Buffer>();
  const source: FileSource = {
    list: () => inner.list(),
    async read(path) {
      const bytes = await inner.read(path);
      if (bytes !== null) read.set(path, bytes);
      return bytes;
    },
  };
  if (inner.size) source.size = (path) => inner.size!(path);
  if (inner.listingErrors) source.listingErrors = () => inner.listingErrors!();
  return { source, read };
}

const UTF8_WITH_BOM = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

/**
 * The manifests among the files read, as the audit read them (path, format) with their text. One
 * saved as UTF-16 (read by the audit as pip reads it) is planned with the rest but marked
 * `unwritable`: its pins are left alone with the reason, as a format fix does not rewrite is.
 */
export async function auditedManifests(read: ReadonlyMap<string, Buffer>): Promise<FixFile[]> {
  const { manifests } = await loadManifests(memorySource(Object.fromEntries(read)));
  const files: FixFile[] = [];
  for (const m of manifests) {
    const bytes = read.get(m.path);
    if (!bytes) continue;
    const decoded = decode(bytes, false);
    if (decoded.kind !== 'text') continue; // the audit reported it and read nothing from it: nothing to fix in it
    if (decoded.encoding === 'utf-8') files.push({ path: m.path, format: m.format, text: UTF8_WITH_BOM.decode(bytes) });
    else files.push({ path: m.path, format: m.format, text: decoded.text, unwritable: utf16Message(m.path) });
  }
  return files.sort((a, b) => a.path.localeCompare(b.path));
}

/** UTF-16 by its byte order mark: the audit's own test (src/scan/text.ts), so the two never disagree. */
export const isUtf16 = (bytes: Uint8Array): boolean => utf16ByMark(bytes) !== null;

/** Why a UTF-16 manifest's pins are not rewritten, and what to do instead. */
export const utf16Message = (path: string): string =>
  `${path} is saved as UTF-16: Depwatch rewrites UTF-8 files only, so its pins were left as they are; save it as UTF-8 (pip reads both) and run fix again, or change them by hand.`;
