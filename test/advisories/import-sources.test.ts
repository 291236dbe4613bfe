import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { gzipSync } from 'node:zlib';
import { afterAll, describe, expect, it } from 'vitest';
import {
  DEFAULT_IMPORT_LIMITS,
  detectImportSource,
  ImportedItem,
  ImportSourceError,
  readImportSource,
  splitLines,
  UnreadableItem,
} from '../../src/advisories/import-sources.js';
import { ADVISORIES_JSONL_GZ, fixtureRecord, fixtureRecords } from '../fixtures/osv/load.js';
import { createZip } from '../fakes/zip.js';

const work = mkdtempSync(join(tmpdir(), 'depwatch-import-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

let fileCounter = 0;
function writeTemp(name: string, content: Buffer | string): string {
  const dir = join(work, String(++fileCounter));
  mkdirSync(dir);
  const path = join(dir, name);
  writeFileSync(path, content);
  return path;
}

async function collect(path: string, limits = DEFAULT_IMPORT_LIMITS): Promise<(ImportedItem | UnreadableItem)[]> {
  const items: (ImportedItem | UnreadableItem)[] = [];
  for await (const item of readImportSource(path, limits)) items.push(item);
  return items;
}

const ids = (items: (ImportedItem | UnreadableItem)[]) =>
  items.filter((i): i is ImportedItem => i instanceof ImportedItem).map((i) => (i.value as { id: string }).id);
const unreadable = (items: (ImportedItem | UnreadableItem)[]) =>
  items.filter((i): i is UnreadableItem => i instanceof UnreadableItem).map((i) => ({ where: i.where, reason: i.reason }));

const SAMPLE_IDS = ['PYSEC-2022-42972', 'PYSEC-2023-72', 'PYSEC-2021-114', 'PYSEC-2024-1'];
const sample = SAMPLE_IDS.map(fixtureRecord);

describe('detectImportSource', () => {
  it('tells the kinds apart by content, then by name', async () => {
    const zip = writeTemp('bundle.bin', createZip([{ name: 'a.json', data: '{}' }]));
    const gz = writeTemp('records.data', gzipSync('{}\n'));
    expect(await detectImportSource(zip)).toBe('zip');
    expect(await detectImportSource(gz)).toBe('jsonl.gz');
    expect(await detectImportSource(ADVISORIES_JSONL_GZ)).toBe('jsonl.gz');
    expect(await detectImportSource(writeTemp('x.jsonl', '{}\n'))).toBe('jsonl');
    expect(await detectImportSource(writeTemp('PYSEC-1.json', '{}'))).toBe('json');
    expect(await detectImportSource(work)).toBe('directory');
  });

  it('names a missing path clearly', async () => {
    await expect(collect(join(work, 'nope.zip'))).rejects.toThrow(/cannot read .*nope\.zip: no such file or directory$/);
  });
});

describe('OSV all.zip', () => {
  it('streams every .json entry, skipping folders and other files', async () => {
    const zip = writeTemp(
      'all.zip',
      createZip([
        ...sample.map((r) => ({ name: `${r.id}.json`, data: JSON.stringify(r) })),
        { name: 'nested/', data: '' },
        { name: 'README.txt', data: 'not an advisory' },
        { name: 'stored.json', data: JSON.stringify(fixtureRecord('PYSEC-2022-42969')), method: 'store' },
      ]),
    );
    const items = await collect(zip);
    expect(ids(items)).toEqual([...SAMPLE_IDS, 'PYSEC-2022-42969']);
    expect((items[0] as ImportedItem).where).toBe('PYSEC-2022-42972.json');
    expect((items[0] as ImportedItem).value).toEqual(sample[0]);
  });

  it('reports an entry that is not JSON and carries on', async () => {
    const zip = writeTemp('all.zip', createZip([{ name: 'bad.json', data: '{"id": ' }, { name: 'good.json', data: JSON.stringify(sample[0]) }]));
    const items = await collect(zip);
    expect(unreadable(items)).toEqual([{ where: 'bad.json', reason: expect.stringMatching(/^not valid JSON/) }]);
    expect(ids(items)).toEqual([SAMPLE_IDS[0]]);
  });

  it('refuses an entry over 10 MB uncompressed (a zip bomb) without reading it', async () => {
    const bomb = Buffer.alloc(11 * 1024 * 1024, 0x20);
    const zip = writeTemp('bomb.zip', createZip([{ name: 'bomb.json', data: bomb }, { name: 'ok.json', data: JSON.stringify(sample[1]) }]));
    expect(readFileSync(zip).length).toBeLessThan(100_000);
    const items = await collect(zip);
    expect(unreadable(items)).toEqual([{ where: 'bomb.json', reason: 'uncompressed size 11 MB is over the 10 MB limit' }]);
    expect(ids(items)).toEqual([SAMPLE_IDS[1]]);
  });

  it('refuses an entry whose compression ratio is over 100:1', async () => {
    const padded = `{"id": "X-1", "modified": "2024-01-01T00:00:00Z", "details": "${' '.repeat(3 * 1024 * 1024)}"}`;
    const zip = writeTemp('ratio.zip', createZip([{ name: 'padded.json', data: padded }]));
    const items = await collect(zip);
    expect(unreadable(items)).toEqual([{ where: 'padded.json', reason: expect.stringMatching(/^compression ratio \d+:1 is over 100:1/) }]);
  });

  it('stops when the entries add up to more than the total limit', async () => {
    const zip = writeTemp('many.zip', createZip(sample.map((r) => ({ name: `${r.id}.json`, data: JSON.stringify(r) }))));
    const limits = { ...DEFAULT_IMPORT_LIMITS, maxTotalBytes: 5_000 };
    await expect(collect(zip, limits)).rejects.toThrow(ImportSourceError);
    await expect(collect(zip, limits)).rejects.toThrow(/expands to more than 5000 bytes; refusing it \(zip bomb\?\)/);
  });

  it('refuses a truncated archive with a clear error', async () => {
    const whole = createZip(sample.map((r) => ({ name: `${r.id}.json`, data: JSON.stringify(r) })));
    const truncated = writeTemp('truncated.zip', whole.subarray(0, Math.floor(whole.length / 2)));
    await expect(collect(truncated)).rejects.toThrow(/truncated\.zip: not a readable zip archive, perhaps truncated/);
  });

  it('refuses a file named .zip that is not one', async () => {
    const fake = writeTemp('all.zip', 'just text, no archive here');
    await expect(collect(fake)).rejects.toThrow(ImportSourceError);
  });

  it('refuses symbolic links and names that leave the archive, entry by entry, and reads the rest', async () => {
    const record = (i: number) => JSON.stringify(sample[i]);
    const zip = writeTemp(
      'tricks.zip',
      createZip([
        { name: 'link.json', data: '/etc/passwd', unixMode: 0o120777 },
        { name: '../escape.json', data: record(0) },
        { name: '/absolute.json', data: record(1) },
        { name: 'a/../../up.json', data: record(2) },
        { name: 'C:/windows.json', data: record(2) },
        { name: 'fine.json', data: record(3), unixMode: 0o100644 },
      ]),
    );
    const items = await collect(zip);
    expect(unreadable(items)).toEqual([
      { where: 'link.json', reason: 'symbolic link; not read' },
      { where: '../escape.json', reason: 'name leaves the archive (absolute, or with ..); not read' },
      { where: '/absolute.json', reason: 'name leaves the archive (absolute, or with ..); not read' },
      { where: 'a/../../up.json', reason: 'name leaves the archive (absolute, or with ..); not read' },
      { where: 'C:/windows.json', reason: 'name leaves the archive (absolute, or with ..); not read' },
    ]);
    expect(ids(items)).toEqual([SAMPLE_IDS[3]]);
  });

  it('reports an entry with corrupt compressed data and reads the others', async () => {
    const record = JSON.stringify(sample[0]);
    const zip = createZip([{ name: 'a.json', data: record }, { name: 'b.json', data: JSON.stringify(sample[1]) }]);
    // Garble the middle of a.json's deflate stream (its data starts after the 30-byte header and name).
    for (let i = 40; i < 80; i++) zip[i] = 0xff;
    const items = await collect(writeTemp('corrupt.zip', zip));
    expect(unreadable(items).map((u) => u.where)).toEqual(['a.json']);
    expect(ids(items)).toEqual([SAMPLE_IDS[1]]);
  });
});

describe('a directory of OSV JSON files', () => {
  it('reads *.json below it in name order, skipping hidden and other files, reporting bad ones', async () => {
    const root = join(work, 'dir-source');
    mkdirSync(join(root, 'vulns', 'pyspark'), { recursive: true });
    mkdirSync(join(root, '.git'));
    writeFileSync(join(root, 'vulns', 'pyspark', 'PYSEC-2023-72.json'), JSON.stringify(sample[1]));
    writeFileSync(join(root, 'a.json'), JSON.stringify(sample[0]));
    writeFileSync(join(root, 'broken.json'), '{ nope');
    writeFileSync(join(root, 'notes.md'), '# not an advisory');
    writeFileSync(join(root, '.git', 'x.json'), JSON.stringify(sample[2]));
    writeFileSync(join(root, 'list.json'), JSON.stringify([sample[2], sample[3]]));
    const items = await collect(root);
    expect(items.map((i) => i.where)).toEqual(['a.json', 'broken.json', 'list.json[0]', 'list.json[1]', 'vulns/pyspark/PYSEC-2023-72.json']);
    expect(ids(items)).toEqual([SAMPLE_IDS[0], SAMPLE_IDS[2], SAMPLE_IDS[3], SAMPLE_IDS[1]]);
    expect(unreadable(items)).toEqual([{ where: 'broken.json', reason: expect.stringMatching(/^not valid JSON/) }]);
  });

  it('refuses a file over the size limit', async () => {
    const root = join(work, 'dir-big');
    mkdirSync(root);
    writeFileSync(join(root, 'big.json'), JSON.stringify({ ...sample[0], details: 'x'.repeat(2000) }));
    const items = await collect(root, { ...DEFAULT_IMPORT_LIMITS, maxEntryBytes: 1000 });
    expect(unreadable(items)).toEqual([{ where: 'big.json', reason: expect.stringMatching(/is over the 1000 bytes limit$/) }]);
  });
});

describe('JSON Lines', () => {
  it('reads the whole PyPA fixture from .jsonl.gz', async () => {
    const items = await collect(ADVISORIES_JSONL_GZ);
    expect(items).toHaveLength(2661);
    expect(unreadable(items)).toEqual([]);
    expect(new Set(ids(items))).toEqual(new Set(fixtureRecords().keys()));
    expect(items[0]!.where).toBe('line 1');
  });

  it('reports a bad line by number, skips blank lines, accepts CRLF and a BOM', async () => {
    const lines = ['\ufeff' + JSON.stringify(sample[0]), '', 'not json', '   ', JSON.stringify(sample[1])];
    const items = await collect(writeTemp('records.jsonl', lines.join('\r\n') + '\r\n'));
    expect(ids(items)).toEqual([SAMPLE_IDS[0], SAMPLE_IDS[1]]);
    expect(unreadable(items)).toEqual([{ where: 'line 3', reason: expect.stringMatching(/^not valid JSON/) }]);
    expect(items.map((i) => i.where)).toEqual(['line 1', 'line 3', 'line 5']);
  });

  it('reads a last line without a newline', async () => {
    const items = await collect(writeTemp('records.jsonl', `${JSON.stringify(sample[0])}\n${JSON.stringify(sample[1])}`));
    expect(ids(items)).toEqual([SAMPLE_IDS[0], SAMPLE_IDS[1]]);
  });

  it('refuses an over-long line and keeps reading after it', async () => {
    const long = JSON.stringify({ ...sample[0], details: 'x'.repeat(5000) });
    const text = [long, JSON.stringify(sample[3])].join('\n');
    const items = await collect(writeTemp('long.jsonl', text), { ...DEFAULT_IMPORT_LIMITS, maxEntryBytes: 4096 });
    expect(unreadable(items)).toEqual([{ where: 'line 1', reason: 'longer than the 4096 bytes limit' }]);
    expect(ids(items)).toEqual([SAMPLE_IDS[3]]);
  });

  it('a truncated .gz yields what it could read, then a clear error', async () => {
    const whole = gzipSync(sample.map((r) => JSON.stringify(r)).join('\n') + '\n');
    const path = writeTemp('cut.jsonl.gz', whole.subarray(0, whole.length - 40));
    const seen: string[] = [];
    const run = async () => {
      for await (const item of readImportSource(path)) seen.push(item.where);
    };
    await expect(run()).rejects.toThrow(/cut\.jsonl\.gz: corrupt or truncated gzip data after line \d+/);
    expect(seen.length).toBeGreaterThan(0);
    expect(seen.length).toBeLessThan(4);
  });

  it('stops a .gz that expands past the total limit', async () => {
    const path = writeTemp('big.jsonl.gz', gzipSync(Buffer.alloc(200_000, 0x20)));
    await expect(collect(path, { ...DEFAULT_IMPORT_LIMITS, maxTotalBytes: 50_000 })).rejects.toThrow(
      /big\.jsonl\.gz: expands to more than 50000 bytes; refusing it/,
    );
  });
});

describe('splitLines', () => {
  it('keeps a UTF-8 character split across chunks and numbers lines from 1', async () => {
    const bytes = Buffer.from('héllo\nwörld\n', 'utf8');
    const chunks = [bytes.subarray(0, 2), bytes.subarray(2, 9), bytes.subarray(9)];
    const lines = [];
    for await (const line of splitLines(Readable.from(chunks), 100)) lines.push(line);
    expect(lines).toEqual([
      { number: 1, text: 'héllo' },
      { number: 2, text: 'wörld' },
    ]);
  });
});
