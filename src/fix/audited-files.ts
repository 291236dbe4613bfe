/**
 * The files an audit read, so a fix writes nothing else: a FileSource wrapper that keeps the bytes
 * of every file read through it, and the manifests among them with the format the audit gave them
 * (re-loaded from those bytes, in memory, with the same loader: includes are read as requirements
 * whatever their name). The text keeps its BOM and line endings, so a rewrite changes only what it
 * means to.
 */
import { memorySource, type FileSource } from '../python/files.js';
import { readyFormatReaders } from '../python/formats/index.js';
import { loadManifests } from '../python/load.js';
import { decodeLines, pipDeclaredDecode } from '../scan/text.js';
import { decodeExact, type FileEncoding } from './encoding.js';
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
  if (inner.isFolder) source.isFolder = (path) => inner.isFolder!(path);
  // Discovery matches paths under the folder's name (a `requirements/` folder given itself): as the audit does.
  if (inner.folder !== undefined) source.folder = inner.folder;
  if (inner.realPath) source.realPath = (path) => inner.realPath!(path);
  return { source, read };
}

/** A manifest as a fix reads it: its text (BOM and line endings kept) and the encoding to write it back in. */
export interface AuditedFile extends FixFile {
  encoding: FileEncoding;
}

/**
 * The manifests among the files read, as the audit read them (path, format) with their text and
 * encoding (UTF-8, or UTF-16 with a byte order mark: written back as it was). One whose bytes
 * would not be written back exactly is planned with the rest but marked `unwritable`: its pins are
 * left alone with the reason, as a format fix does not rewrite is. The readers the planner needs
 * for them are ready when this resolves: planFixes is synchronous, and setup.py's reader loads its
 * grammar asynchronously (only when a setup.py is among the files). `folder`: the audited folder's
 * name, as its source gave it (FileSource.folder). `realPathOf`: where a checkout's file really is
 * (relative to the root, every symbolic link resolved; null when that cannot be said): one file
 * reached by two paths is planned, written and patched once.
 */
export async function auditedManifests(
  read: ReadonlyMap<string, Buffer>,
  folder?: string,
  options: { reencoded?: (path: string) => boolean; realPathOf?: (path: string) => Promise<string | null> } = {},
): Promise<AuditedFile[]> {
  // Discovered as the audit discovered them: under the audited folder's name (FileSource.folder).
  const source = memorySource(Object.fromEntries(read));
  if (folder !== undefined) source.folder = folder;
  // A snapshot's bytes (treeFileBytes) are mostly its decoded text's UTF-8: no coding line is applied to them again.
  if (options.reencoded) source.reencoded = options.reencoded;
  const { manifests } = await loadManifests(source);
  const files: AuditedFile[] = [];
  for (const m of manifests) {
    const bytes = read.get(m.path);
    if (!bytes) continue;
    // A requirements file is decoded as pip and the audit decode it: with the codec its coding line declares.
    const pipCoding = m.format === 'requirements' && options.reencoded?.(m.path) !== true;
    const exact = decodeExact(bytes, { pipCoding });
    if (exact.ok) {
      files.push({ path: m.path, format: m.format, text: exact.text, encoding: exact.encoding });
      continue;
    }
    const declared = pipCoding ? pipDeclaredDecode(bytes) : null;
    if (declared?.kind === 'unknown' || declared?.kind === 'invalid') continue; // the audit read nothing from it
    if (declared?.kind === 'text' && declared.label !== 'utf-8') {
      // Read in a codec that is not written back here (shift_jis): planned from the audit's reading, left alone.
      files.push({ path: m.path, format: m.format, text: declared.text, encoding: { charset: 'utf-8', bom: false }, unwritable: notRoundTrip(m.path, exact.reason) });
      continue;
    }
    // Read anyway: a requirements file or setup.cfg with a line that is not UTF-8 (a Latin-1
    // comment) is read line by line. Its pins are planned from that reading and left alone, with why.
    const lenient = decodeLines(bytes);
    if (lenient.kind !== 'text') continue; // the audit reported it and read nothing from it: nothing to fix in it
    files.push({ path: m.path, format: m.format, text: lenient.text, encoding: { charset: 'utf-8', bom: false }, unwritable: notRoundTrip(m.path, exact.reason) });
  }
  const distinct = options.realPathOf ? await oncePerRealFile(files, options.realPathOf) : files;
  await readyFormatReaders(distinct.map((f) => f.format));
  return distinct.sort((a, b) => a.path.localeCompare(b.path));
}

/**
 * One file reached by two paths (`requirements.txt`, a link to `requirements/base.txt`) kept once:
 * planned twice it was written twice (the second write refused as "changed since it was audited",
 * after the first had fixed it) and a dry run printed two patches for one file. Kept under its own
 * path when that is among them (the patch `git apply` can apply: a link is stored as a link), else
 * under the first. A path whose real path cannot be said stays as it is: the write says why.
 */
async function oncePerRealFile(files: AuditedFile[], realPathOf: (path: string) => Promise<string | null>): Promise<AuditedFile[]> {
  const reals = await Promise.all(files.map((f) => realPathOf(f.path).catch(() => null)));
  const kept = new Map<string, AuditedFile>();
  const out: AuditedFile[] = [];
  files.forEach((file, i) => {
    const real = reals[i];
    if (real === null || real === undefined) return void out.push(file);
    const earlier = kept.get(real);
    if (earlier === undefined || file.path === real) kept.set(real, file);
  });
  return [...out, ...kept.values()];
}

/** Why a manifest's pins are not rewritten when its bytes cannot be written back exactly, and what to do instead. */
const notRoundTrip = (path: string, reason: string): string =>
  `${path} cannot be written back byte for byte (${reason}), so its pins were left as they are; change them by hand.`;
