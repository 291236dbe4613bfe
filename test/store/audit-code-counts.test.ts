/**
 * An /audit reply's stored counts say apart whether its code was scanned (`code`: the code findings'
 * counts, or null when not scanned), so reading an audit back parses its stored result once, the
 * whole audit of a large repository included, whether or not the code was scanned. Rows written
 * before that was said (no `code` in their counts) are still read: their code counts come from the
 * result the read parses anyway.
 */
import { afterEach, expect, it, vi } from 'vitest';
import type { AuditResult } from '../../src/audit/audit.js';
import type { ScanResult } from '../../src/scan/types.js';
import { AuditStore } from '../../src/store/audits.js';
import { openTestDb } from '../watch/helpers.js';

const base = { target: 'octo/x@abc', dependencies: 1, findings: [], ignored: [], notes: [], errors: [], warnings: [], notices: [], advisorySource: 'api' as const, partial: false, partialReasons: [] };
const NOT_SCANNED: AuditResult = base;
const SCANNED: AuditResult = { ...base, code: { findings: [{ severity: 'high' }], ignored: [], partial: false } as unknown as ScanResult };
const NO_CODE = { critical: 0, high: 0, medium: 0, low: 0, info: 0, unknown: 0 };

afterEach(() => {
  vi.restoreAllMocks();
});

function store() {
  const db = openTestDb();
  const audits = new AuditStore(db);
  const insert = (result: AuditResult) => audits.insert({ repo: 'octo/x', ref: 'main', sha: 'a'.repeat(40), htmlUrl: 'https://github.com/octo/x', createdAt: new Date('2026-01-01T09:00:00Z'), requestedBy: 'U1', result });
  /** An audit as a version that kept no `code` in the counts stored it (with or without completeness). */
  const insertOld = (result: AuditResult, completeness: boolean) =>
    Number(
      db
        .prepare('INSERT INTO audits (repo, repo_key, ref, sha, html_url, created_at, requested_by, counts, result, completeness, private) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 0)')
        .run('octo/old', 'octo/old', 'main', 'b'.repeat(40), 'https://github.com/octo/old', '2026-01-01T08:00:00Z', 'U1', JSON.stringify(NO_CODE), JSON.stringify(result), completeness ? JSON.stringify({ partial: false, pending: [], vulnerabilitiesUnchecked: false, reasons: 0, firstReason: null }) : null).lastInsertRowid,
    );
  const countsColumn = (id: number) => JSON.parse((db.prepare('SELECT counts FROM audits WHERE id = ?').get(id) as { counts: string }).counts) as Record<string, unknown>;
  return { audits, insert, insertOld, countsColumn };
}

/** How many times the stored result's text is parsed while `read` runs. */
function resultParses<T>(result: AuditResult, read: () => T): { value: T; parses: number } {
  const text = JSON.stringify(result);
  const parse = vi.spyOn(JSON, 'parse');
  try {
    const value = read();
    return { value, parses: parse.mock.calls.filter(([arg]) => arg === text).length };
  } finally {
    parse.mockRestore();
  }
}

it('stores that the code was not scanned, and reads such an audit back parsing its result once', () => {
  const { audits, insert, countsColumn } = store();
  const { id } = insert(NOT_SCANNED);
  expect(countsColumn(id)).toMatchObject({ code: null });
  const read = resultParses(NOT_SCANNED, () => audits.get(id));
  expect(read.value).toMatchObject({ codeCounts: null, counts: NO_CODE, result: NOT_SCANNED });
  expect(read.value!.counts).not.toHaveProperty('code');
  expect(read.parses).toBe(1);
});

it('reads a scanned audit back with its code counts from the column, parsing its result once', () => {
  const { audits, insert } = store();
  const { id } = insert(SCANNED);
  const read = resultParses(SCANNED, () => audits.get(id));
  expect(read.value).toMatchObject({ codeCounts: { ...NO_CODE, high: 1 }, counts: NO_CODE });
  expect(read.parses).toBe(1);
});

it('still reads the code counts of audits stored before the column said them, from the result, parsing it once', () => {
  const { audits, insertOld } = store();
  const scanned = insertOld(SCANNED, true);
  const read = resultParses(SCANNED, () => audits.get(scanned));
  expect(read.value).toMatchObject({ codeCounts: { ...NO_CODE, high: 1 }, counts: NO_CODE });
  expect(read.parses).toBe(1);

  const notScanned = insertOld(NOT_SCANNED, true);
  expect(resultParses(NOT_SCANNED, () => audits.get(notScanned))).toMatchObject({ value: { codeCounts: null }, parses: 1 });
});

it('lists an audit stored before completeness and code counts were kept parsing its result once for both', () => {
  const { audits, insertOld } = store();
  insertOld(SCANNED, false);
  const listed = resultParses(SCANNED, () => audits.latestForRepo('octo/old'));
  expect(listed.value).toMatchObject({ codeCounts: { ...NO_CODE, high: 1 }, completeness: { partial: false } });
  expect(listed.parses).toBe(1);
});
