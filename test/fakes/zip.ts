/**
 * The tests' one zip writer (PKWARE APPNOTE 4.3): local headers, data (stored or deflated with
 * node:zlib), central directory and end record, CRC-32 from node:zlib. It builds the fake OSV bulk
 * download and the importer's test archives, so both are made in the test rather than shipped as
 * opaque binary fixtures. Enough for readers such as yauzl to accept it exactly as they accept
 * OSV's all.zip; no zip64, no encryption.
 */
import { crc32, deflateRawSync } from 'node:zlib';

export type ZipMethod = 'deflate' | 'store';

export interface ZipEntry {
  name: string;
  data: Buffer | string;
  /** Overrides the archive's method for this entry (real archives may mix stored and deflated entries). */
  method?: ZipMethod;
  /**
   * Unix mode bits (`0o120777` for a symbolic link, whose data is then the target path), written as
   * Info-ZIP does: "made by" Unix, the mode in the high 16 bits of the external attributes.
   */
  unixMode?: number;
}

export interface ZipOptions {
  /** deflate (method 8, what OSV's all.zip uses) or store (method 0). */
  method?: ZipMethod;
  /** Timestamp written in every entry (DOS format has 2-second resolution). */
  date?: Date;
}

const UTF8_NAMES = 0x0800;

function dosDateTime(d: Date): { time: number; date: number } {
  const year = Math.max(1980, d.getUTCFullYear());
  return {
    time: (d.getUTCHours() << 11) | (d.getUTCMinutes() << 5) | Math.floor(d.getUTCSeconds() / 2),
    date: ((year - 1980) << 9) | ((d.getUTCMonth() + 1) << 5) | d.getUTCDate(),
  };
}

export function createZip(entries: readonly ZipEntry[], options: ZipOptions = {}): Buffer {
  const { time, date } = dosDateTime(options.date ?? new Date('2024-01-01T00:00:00Z'));
  const locals: Buffer[] = [];
  const centrals: Buffer[] = [];
  let offset = 0;

  for (const entry of entries) {
    const name = Buffer.from(entry.name, 'utf8');
    const raw = typeof entry.data === 'string' ? Buffer.from(entry.data, 'utf8') : entry.data;
    const method = (entry.method ?? options.method) === 'store' ? 0 : 8;
    const data = method === 8 ? deflateRawSync(raw) : raw;
    const crc = crc32(raw) >>> 0;

    const local = Buffer.alloc(30);
    local.writeUInt32LE(0x04034b50, 0);
    local.writeUInt16LE(20, 4); // version needed: 2.0 (deflate)
    local.writeUInt16LE(UTF8_NAMES, 6);
    local.writeUInt16LE(method, 8);
    local.writeUInt16LE(time, 10);
    local.writeUInt16LE(date, 12);
    local.writeUInt32LE(crc, 14);
    local.writeUInt32LE(data.length, 18);
    local.writeUInt32LE(raw.length, 22);
    local.writeUInt16LE(name.length, 26);
    local.writeUInt16LE(0, 28); // extra field length
    locals.push(local, name, data);

    const central = Buffer.alloc(46);
    central.writeUInt32LE(0x02014b50, 0);
    central.writeUInt16LE(entry.unixMode === undefined ? 20 : (3 << 8) | 20, 4); // version made by (3 = Unix)
    central.writeUInt16LE(20, 6); // version needed
    central.writeUInt16LE(UTF8_NAMES, 8);
    central.writeUInt16LE(method, 10);
    central.writeUInt16LE(time, 12);
    central.writeUInt16LE(date, 14);
    central.writeUInt32LE(crc, 16);
    central.writeUInt32LE(data.length, 20);
    central.writeUInt32LE(raw.length, 24);
    central.writeUInt16LE(name.length, 28);
    // extra length, comment length, disk number and internal attributes stay 0
    central.writeUInt32LE(((entry.unixMode ?? 0) << 16) >>> 0, 38);
    central.writeUInt32LE(offset, 42);
    centrals.push(central, name);

    offset += local.length + name.length + data.length;
  }

  const centralSize = centrals.reduce((n, b) => n + b.length, 0);
  const end = Buffer.alloc(22);
  end.writeUInt32LE(0x06054b50, 0);
  end.writeUInt16LE(entries.length, 8);
  end.writeUInt16LE(entries.length, 10);
  end.writeUInt32LE(centralSize, 12);
  end.writeUInt32LE(offset, 16);
  return Buffer.concat([...locals, ...centrals, end]);
}
