/**
 * Reads advisory bundles for `depwatch db import`: OSV's `all.zip`, a directory of OSV `*.json`
 * files, or JSON Lines (plain or gzip'd). Everything is streamed: a zip is read entry by entry from
 * the file, JSON Lines line by line, so a 1 GB bundle never sits in memory. A bad entry or line is
 * yielded as an `UnreadableItem` (the importer counts it as rejected) instead of ending the import;
 * only a source that cannot be read at all (not a zip, truncated, a zip bomb) throws.
 */
import { createReadStream } from 'node:fs';
import { lstat, open, readdir, readFile, stat } from 'node:fs/promises';
import { basename, join, relative, sep } from 'node:path';
import { pipeline } from 'node:stream';
import type { Readable } from 'node:stream';
import { createGunzip } from 'node:zlib';
import yauzl from 'yauzl';
import type { Entry, ZipFile } from 'yauzl';
import { ImportedItem, UnreadableItem } from './import-items.js';
import { compareCodeUnits } from '../text-order.js';
import { fileProblem } from '../file-error.js';

export { ImportedItem, UnreadableItem };

/** The source as a whole cannot be read. The message names the file and says why. */
export class ImportSourceError extends Error {
  override name = 'ImportSourceError';
}

export interface ImportLimits {
  /** Largest single record (zip entry, JSON file or JSON line), uncompressed. */
  maxEntryBytes: number;
  /** Largest total a zip may expand to (or a .gz file decompress to). */
  maxTotalBytes: number;
  /** Uncompressed / compressed size of one zip entry above which it is treated as a bomb. */
  maxCompressionRatio: number;
}

const MB = 1024 * 1024;

export const DEFAULT_IMPORT_LIMITS: ImportLimits = {
  maxEntryBytes: 10 * MB,
  maxTotalBytes: 2 * 1024 * MB,
  maxCompressionRatio: 100,
};

export type ImportSourceKind = 'zip' | 'directory' | 'jsonl' | 'jsonl.gz' | 'json';

const ZIP_MAGIC = [Buffer.from('PK\x03\x04', 'latin1'), Buffer.from('PK\x05\x06', 'latin1')];
const GZIP_MAGIC = Buffer.from([0x1f, 0x8b]);

/** What kind of source `path` is, by its content first (a misnamed file still imports) and then its name. */
export async function detectImportSource(path: string): Promise<ImportSourceKind> {
  let stats;
  try {
    stats = await stat(path);
  } catch (err) {
    throw new ImportSourceError(`cannot read ${path}: ${fileProblem(err)}`);
  }
  if (stats.isDirectory()) return 'directory';
  if (!stats.isFile()) throw new ImportSourceError(`${path} is neither a file nor a directory`);

  const head = Buffer.alloc(4);
  const handle = await open(path, 'r');
  try {
    await handle.read(head, 0, 4, 0);
  } finally {
    await handle.close();
  }
  const lower = path.toLowerCase();
  if (ZIP_MAGIC.some((magic) => head.equals(magic)) || lower.endsWith('.zip')) return 'zip';
  if (head.subarray(0, 2).equals(GZIP_MAGIC) || lower.endsWith('.gz')) return 'jsonl.gz';
  if (lower.endsWith('.json')) return 'json';
  return 'jsonl';
}

/**
 * The records of an import source, as `ImportedItem`s (or `UnreadableItem`s for what cannot be
 * decoded), ready for `AdvisoryMirror.importRecords`. Throws `ImportSourceError` for a source that
 * cannot be read at all.
 */
export async function* readImportSource(
  path: string,
  limits: ImportLimits = DEFAULT_IMPORT_LIMITS,
): AsyncGenerator<ImportedItem | UnreadableItem> {
  switch (await detectImportSource(path)) {
    case 'zip':
      yield* readZip(path, limits);
      return;
    case 'directory':
      yield* readDirectory(path, limits);
      return;
    case 'json':
      yield* readJsonFile(path, basename(path), limits);
      return;
    case 'jsonl':
      yield* readJsonLines(path, false, limits);
      return;
    case 'jsonl.gz':
      yield* readJsonLines(path, true, limits);
      return;
  }
}

function decodeJson(where: string, bytes: Buffer | string): ImportedItem | UnreadableItem {
  try {
    return new ImportedItem(where, JSON.parse(typeof bytes === 'string' ? bytes : stripBom(bytes.toString('utf8'))));
  } catch (err) {
    return new UnreadableItem(where, `not valid JSON (${(err as Error).message})`);
  }
}

function stripBom(text: string): string {
  return text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
}

const sizeText = (bytes: number): string => (bytes >= MB ? `${Math.round((bytes / MB) * 10) / 10} MB` : `${bytes} bytes`);

// --- zip ---------------------------------------------------------------------------------------

async function* readZip(path: string, limits: ImportLimits): AsyncGenerator<ImportedItem | UnreadableItem> {
  let zip: ZipFile;
  try {
    // decodeStrings off: yauzl would end the whole import at the first name with `..`; names are
    // decoded and judged here instead, one entry at a time (entryName, refuseEntry).
    zip = await yauzl.openPromise(path, { autoClose: true, validateEntrySizes: true, strictFileNames: false, decodeStrings: false });
  } catch (err) {
    throw new ImportSourceError(`${path}: not a readable zip archive, perhaps truncated (${(err as Error).message})`);
  }
  let total = 0;
  try {
    const entries = zip.eachEntry();
    while (true) {
      let next: IteratorResult<Entry>;
      try {
        next = await entries.next();
      } catch (err) {
        throw new ImportSourceError(`${path}: corrupt zip archive (${(err as Error).message})`);
      }
      if (next.done === true) break;
      const entry = next.value;
      const name = entryName(entry);
      const unsafe = unsafeEntry(entry, name);
      if (unsafe !== null) {
        yield new UnreadableItem(name, unsafe);
        continue;
      }
      if (name.endsWith('/') || !name.toLowerCase().endsWith('.json')) continue;

      // Sizes are the archive's claims; yauzl checks them against the data (validateEntrySizes) and
      // readEntry counts bytes too, so a lying header cannot slip past either limit.
      total += entry.uncompressedSize;
      if (total > limits.maxTotalBytes) {
        throw new ImportSourceError(
          `${path}: expands to more than ${sizeText(limits.maxTotalBytes)}; refusing it (zip bomb?)`,
        );
      }
      const refusal = refuseEntry(entry, limits);
      if (refusal !== null) {
        yield new UnreadableItem(name, refusal);
        continue;
      }
      const read = await readEntry(zip, entry, limits.maxEntryBytes);
      yield typeof read === 'string' ? new UnreadableItem(name, read) : decodeJson(name, read);
    }
  } finally {
    zip.close();
  }
}

/** The entry's name as the archive means it (UTF-8 flag, Info-ZIP Unicode path field), `/` separators. */
function entryName(entry: Entry): string {
  return yauzl.getFileNameLowLevel(entry.generalPurposeBitFlag, entry.fileNameRaw, entry.extraFields, false);
}

const S_IFMT = 0o170000;
const S_IFLNK = 0o120000;

/**
 * Entries no archive of advisories has a reason to hold: a symbolic link (Unix mode in the high
 * bits of the external attributes) or a name that would land outside the archive's folder when
 * extracted. Nothing is extracted here, but such an archive was made to trick a reader; its entries
 * are refused one by one, and the rest is read.
 */
function unsafeEntry(entry: Entry, name: string): string | null {
  if (((entry.externalFileAttributes >>> 16) & S_IFMT) === S_IFLNK) return 'symbolic link; not read';
  if (name.startsWith('/') || /^[a-zA-Z]:/.test(name) || name.split('/').includes('..')) return 'name leaves the archive (absolute, or with ..); not read';
  return null;
}

function refuseEntry(entry: Entry, limits: ImportLimits): string | null {
  if (entry.isEncrypted()) return 'encrypted entry';
  if (!entry.canDecodeFileData()) return `unsupported compression method ${entry.compressionMethod}`;
  if (entry.uncompressedSize > limits.maxEntryBytes) {
    return `uncompressed size ${sizeText(entry.uncompressedSize)} is over the ${sizeText(limits.maxEntryBytes)} limit`;
  }
  const ratio = entry.uncompressedSize / Math.max(entry.compressedSize, 1);
  if (ratio > limits.maxCompressionRatio) {
    return `compression ratio ${Math.round(ratio)}:1 is over ${limits.maxCompressionRatio}:1 (zip bomb?)`;
  }
  return null;
}

/** The entry's bytes, or why they could not be read. */
async function readEntry(zip: ZipFile, entry: Entry, maxBytes: number): Promise<Buffer | string> {
  let stream: Readable;
  try {
    stream = await zip.openReadStreamPromise(entry);
  } catch (err) {
    return `unreadable entry (${(err as Error).message})`;
  }
  const chunks: Buffer[] = [];
  let size = 0;
  try {
    for await (const chunk of stream) {
      const buffer = chunk as Buffer;
      size += buffer.length;
      if (size > maxBytes) {
        stream.destroy();
        return `expands past the ${sizeText(maxBytes)} limit`;
      }
      chunks.push(buffer);
    }
  } catch (err) {
    return `corrupt entry (${(err as Error).message})`;
  }
  return Buffer.concat(chunks, size);
}

// --- directory and single files ----------------------------------------------------------------

async function* readDirectory(root: string, limits: ImportLimits): AsyncGenerator<ImportedItem | UnreadableItem> {
  for await (const file of jsonFilesUnder(root)) {
    yield* readJsonFile(file, relative(root, file).split(sep).join('/'), limits);
  }
}

/** `*.json` files below `dir`, in name order; hidden entries and symbolic links are skipped. */
async function* jsonFilesUnder(dir: string): AsyncGenerator<string> {
  const entries = await readdir(dir, { withFileTypes: true });
  entries.sort((a, b) => compareCodeUnits(a.name, b.name));
  for (const entry of entries) {
    if (entry.name.startsWith('.')) continue;
    const full = join(dir, entry.name);
    if (entry.isDirectory()) yield* jsonFilesUnder(full);
    else if (entry.isFile() && entry.name.toLowerCase().endsWith('.json')) yield full;
  }
}

/** One JSON file: a record, or an array of records (as some tools export). */
async function* readJsonFile(
  file: string,
  where: string,
  limits: ImportLimits,
): AsyncGenerator<ImportedItem | UnreadableItem> {
  try {
    const { size } = await lstat(file);
    if (size > limits.maxEntryBytes) {
      yield new UnreadableItem(where, `${sizeText(size)} is over the ${sizeText(limits.maxEntryBytes)} limit`);
      return;
    }
  } catch (err) {
    yield new UnreadableItem(where, `cannot read (${(err as Error).message})`);
    return;
  }
  let bytes: Buffer;
  try {
    bytes = await readFile(file);
  } catch (err) {
    yield new UnreadableItem(where, `cannot read (${(err as Error).message})`);
    return;
  }
  const decoded = decodeJson(where, bytes);
  if (decoded instanceof ImportedItem && Array.isArray(decoded.value)) {
    for (const [i, value] of decoded.value.entries()) yield new ImportedItem(`${where}[${i}]`, value);
  } else {
    yield decoded;
  }
}

// --- JSON Lines --------------------------------------------------------------------------------

async function* readJsonLines(
  path: string,
  gzipped: boolean,
  limits: ImportLimits,
): AsyncGenerator<ImportedItem | UnreadableItem> {
  const file = createReadStream(path);
  let source: Readable = file;
  if (gzipped) {
    const gunzip = createGunzip();
    // pipeline forwards a read error of the file to gunzip, so the loop below sees it.
    pipeline(file, gunzip, () => {});
    source = gunzip;
  }
  let lastLine = 0;
  try {
    for await (const line of splitLines(source, limits.maxEntryBytes, limits.maxTotalBytes)) {
      lastLine = line.number;
      const where = `line ${line.number}`;
      if (line.text === null) {
        yield new UnreadableItem(where, `longer than the ${sizeText(limits.maxEntryBytes)} limit`);
        continue;
      }
      const text = line.number === 1 ? stripBom(line.text) : line.text;
      if (text.trim() === '') continue;
      yield decodeJson(where, text);
    }
  } catch (err) {
    if (err instanceof ImportSourceError) throw new ImportSourceError(`${path}: ${err.message}`);
    const what = gzipped ? 'corrupt or truncated gzip data' : 'read error';
    throw new ImportSourceError(`${path}: ${what} after line ${lastLine} (${(err as Error).message})`);
  } finally {
    file.destroy();
    source.destroy();
  }
}

interface Line {
  number: number;
  /** null when the line is longer than the limit (its bytes were dropped as they came). */
  text: string | null;
}

/**
 * Splits a byte stream into lines without ever holding more than `maxLineBytes` of one line, and
 * stops past `maxTotalBytes` (a .gz can expand a thousandfold). Bytes are joined before decoding,
 * so a UTF-8 character split across chunks survives.
 */
export async function* splitLines(
  stream: AsyncIterable<unknown>,
  maxLineBytes: number,
  maxTotalBytes = Number.POSITIVE_INFINITY,
): AsyncGenerator<Line> {
  let parts: Buffer[] = [];
  let size = 0;
  let tooLong = false;
  let number = 0;
  let total = 0;
  const finishLine = (): Line => {
    number += 1;
    let text: string | null = null;
    if (!tooLong) {
      text = Buffer.concat(parts, size).toString('utf8');
      if (text.endsWith('\r')) text = text.slice(0, -1);
    }
    parts = [];
    size = 0;
    tooLong = false;
    return { number, text };
  };
  const append = (piece: Buffer): void => {
    size += piece.length;
    if (size > maxLineBytes) {
      tooLong = true;
      parts = [];
    } else if (!tooLong && piece.length > 0) {
      parts.push(piece);
    }
  };

  for await (const raw of stream) {
    const chunk = typeof raw === 'string' ? Buffer.from(raw) : (raw as Buffer);
    total += chunk.length;
    if (total > maxTotalBytes) throw new ImportSourceError(`expands to more than ${sizeText(maxTotalBytes)}; refusing it`);
    let start = 0;
    for (let newline = chunk.indexOf(10, start); newline !== -1; newline = chunk.indexOf(10, start)) {
      append(chunk.subarray(start, newline));
      yield finishLine();
      start = newline + 1;
    }
    append(chunk.subarray(start));
  }
  if (size > 0 || tooLong) yield finishLine();
}
