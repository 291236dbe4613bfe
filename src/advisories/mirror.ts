/**
 * The local advisory mirror: OSV records in SQLite (migrations/002_advisories.sql), matched locally.
 * Watching many repositories goes through here instead of the OSV API. Imports are idempotent: a
 * record is replaced only by a strictly newer `modified`, so re-importing a bundle changes nothing.
 */
import { randomUUID } from 'node:crypto';
import type { AdvisoryFreshness } from './freshness.js';
import type { Db } from '../store/db.js';
import { LAST_SYNC_KEY, MirrorStatusReader, type MirrorStatus, type MirrorUpdateKind } from './mirror-status.js';
import { INCOMPLETE_UPDATE_KEY, type IncompleteUpdate } from './incomplete-update.js';
import { errorLine } from '../error-line.js';
import { normalizeName } from '../python/names.js';
import { ImportedItem, UnreadableItem } from './import-items.js';
import { hasMatcher, matchCandidates, pep503, primeMatcher, PYPI_ECOSYSTEM } from './match.js';
import { DEFAULT_RECORD_CACHE_SIZE, RecordCache } from './record-cache.js';
import { deriveStoredMatcher, matcherFromStored, parseStoredMatcher, STORED_MATCHER_FORMAT, STORED_MATCHER_PREFIX, storedMatcherJson, type StoredMatcher } from './stored-matcher.js';
import { lazyRecord } from './lazy-record.js';
import { primeSeverity } from './severity.js';
import { parseStoredRecord, primeRecordParts, STORED_RECORD_FORMAT, STORED_RECORD_PREFIX, storedRecordJson } from './stored-record.js';
import { queryKey } from './types.js';
import type { AdvisorySource, OsvRecord, PackageQuery } from './types.js';

export interface ImportRejection {
  /** Where the input came from: `line 12`, `PYSEC-2021-1.json`, `#3` for plain iterables. */
  where: string;
  /** The record id when the input got that far. */
  id: string | null;
  reason: string;
}

export interface ImportSummary {
  added: number;
  updated: number;
  unchanged: number;
  rejected: number;
  /** The first MAX_LISTED_REJECTIONS rejections; `rejected` counts them all. */
  rejections: ImportRejection[];
  /**
   * Package matchers derived for records stored before matchers were kept (or in an older format),
   * after an upgrade; absent when there were none.
   */
  matchersDerived?: number;
  /**
   * Records stored with a range that cannot be read for a package they name (an `introduced` that is
   * not PEP 440, or none): matching takes such a range to cover every release and says so
   * (CompiledRange.unreadable). Absent when there were none; the first MAX_LISTED_REJECTIONS ids.
   */
  unreadableRanges?: number;
  unreadableRangeIds?: string[];
}

export { MIRROR_COUNTS_SQL, type MirrorStatus } from './mirror-status.js';

export const MAX_LISTED_REJECTIONS = 100;
/** Records are written in transactions of this many: one fsync per batch, not per record. */
export const IMPORT_BATCH_SIZE = 1_000;
/** A stored record larger than this is refused, whatever its fields say. */
export const MAX_RECORD_BYTES = 10 * 1024 * 1024;
/** Package names (or record ids) per SQL lookup. */
const LOOKUP_BATCH = 500;
/** Package lists remembered between calls (an audit asks `affecting`, then `forPackage` per hit). */
const PACKAGE_CACHE_SIZE = 2_000;

export interface MirrorOptions {
  /** Decoded records kept in memory (by id and `modified`); 0 turns the cache off. */
  recordCacheSize?: number;
  /** Change-log rows kept after an import (see DEFAULT_CHANGE_LOG_ROWS). */
  changeLogRows?: number;
}

/**
 * The change log keeps its newest rows only, so it does not grow with every import for ever. Five
 * full PyPI bundles' worth (about 20,000 rows each); a repository whose mark is older than what is
 * kept is simply matched in full again (changedSince answers null), which is correct, only slower.
 */
export const DEFAULT_CHANGE_LOG_ROWS = 100_000;

/**
 * The formats of the data derived at import (stored-record.ts, stored-matcher.ts) that every stored
 * row was last checked to have. When it names today's formats the check (a read of every row) is
 * skipped. Only an optimisation: a row without its derived data, or with another format's, is still
 * worked out from its record when read, so a wrong mark costs time, never an advisory.
 */
const DERIVED_FORMATS_KEY = 'advisories.derived_formats';
const DERIVED_FORMATS = `record ${STORED_RECORD_FORMAT}, matcher ${STORED_MATCHER_FORMAT}`;
/**
 * Change marks of the mirror: `mirror:<change log id>:<seq>`. Sequence numbers count one database's
 * imports, so a mark names whose log it is (a random id kept in `meta`, made by the first mark):
 * replicas each keep a mirror of their own and store their marks in the shared repo_state, and one
 * replica's seq read against another's log would say "nothing changed" (or the wrong packages).
 * A mark of another log, of another form, or of the form before ids (`mirror:<seq>`) is unknown.
 */
const CHANGE_MARK_PREFIX = 'mirror:';
const CHANGE_MARK = /^mirror:([0-9a-f-]{36}):(\d{1,15})$/;
const CHANGE_LOG_ID_KEY = 'advisories.change_log_id';

interface PendingRecord {
  record: OsvRecord;
  json: string;
  modifiedKey: string;
  packages: string[];
}

/** PEP 503 names of the PyPI packages a record names: its rows in the package index. */
function indexedPackages(record: OsvRecord): string[] {
  const names = new Set<string>();
  for (const entry of record.affected ?? []) {
    if (entry.package?.ecosystem === PYPI_ECOSYSTEM) names.add(normalizeName(entry.package.name));
  }
  return [...names];
}

/** A stored record as read back: its JSON and what was derived from it at import. */
interface StoredRow {
  id: string;
  modified_key: string;
  json: string;
  derived: string | null;
}

/** A package's row of the index, with its record's derived parts and the package's matcher. */
interface IndexRow {
  package: string;
  id: string;
  modified: string;
  modified_key: string;
  derived: string | null;
  matcher: string | null;
}

function prepareStatements(db: Db) {
  return {
    modifiedKeyOf: db.prepare<[string], { modified_key: string }>('SELECT modified_key FROM advisories WHERE id = ?'),
    anyRecord: db.prepare<[], { one: number }>('SELECT 1 AS one FROM advisories LIMIT 1'),
    insert: db.prepare(
      'INSERT INTO advisories (id, modified, modified_key, withdrawn, json, imported_at, derived) VALUES (?, ?, ?, ?, ?, ?, ?)',
    ),
    update: db.prepare(
      'UPDATE advisories SET modified = ?, modified_key = ?, withdrawn = ?, json = ?, imported_at = ?, derived = ? WHERE id = ?',
    ),
    clearPackages: db.prepare('DELETE FROM advisory_packages WHERE advisory_id = ?'),
    packagesOf: db.prepare<[string], { package: string }>('SELECT package FROM advisory_packages WHERE advisory_id = ?'),
    logChange: db.prepare('INSERT INTO advisory_changes (package) VALUES (?)'),
    lastChange: db.prepare<[], { seq: number | null }>('SELECT MAX(seq) AS seq FROM advisory_changes'),
    firstChange: db.prepare<[], { seq: number | null }>('SELECT MIN(seq) AS seq FROM advisory_changes'),
    pruneChanges: db.prepare<[number]>('DELETE FROM advisory_changes WHERE seq <= ?'),
    changedSince: db.prepare<[number], { package: string }>('SELECT DISTINCT package FROM advisory_changes WHERE seq > ?'),
    addPackage: db.prepare('INSERT OR IGNORE INTO advisory_packages (package, advisory_id) VALUES (?, ?)'),
    // Removing a package's row from the index removes its matcher too (the foreign key cascades).
    setMatcher: db.prepare('INSERT OR REPLACE INTO advisory_matchers (package, advisory_id, matcher) VALUES (?, ?, ?)'),
    // LIKE with one trailing % stops at the prefix: no stored matcher is read whole.
    staleMatchers: db.prepare<[string, number], { package: string; advisory_id: string; json: string }>(
      `SELECT p.package AS package, p.advisory_id AS advisory_id, a.json AS json
       FROM advisory_packages p JOIN advisories a ON a.id = p.advisory_id
       LEFT JOIN advisory_matchers m ON m.package = p.package AND m.advisory_id = p.advisory_id
       WHERE m.matcher IS NULL OR m.matcher NOT LIKE ? ORDER BY p.advisory_id LIMIT ?`,
    ),
    staleRecords: db.prepare<[string, number], { id: string; json: string }>(
      'SELECT id, json FROM advisories WHERE derived IS NULL OR derived NOT LIKE ? ORDER BY id LIMIT ?',
    ),
    setDerived: db.prepare('UPDATE advisories SET derived = ? WHERE id = ?'),
    // Names and ids travel as one JSON array parameter: one prepared statement for any batch size.
    // With what a record is handed out with before its text is needed (lazy-record.ts): reading
    // those in a second lookup by id cost ~3.5 ms more for the 2,646 records of a 1,000-pin audit.
    idsForPackages: db.prepare<[string], IndexRow>(
      `SELECT p.package AS package, a.id AS id, a.modified AS modified, a.modified_key AS modified_key, a.derived AS derived, m.matcher AS matcher
       FROM advisory_packages p JOIN advisories a ON a.id = p.advisory_id
       LEFT JOIN advisory_matchers m ON m.package = p.package AND m.advisory_id = p.advisory_id
       WHERE p.package IN (SELECT value FROM json_each(?)) AND a.withdrawn IS NULL ORDER BY p.package, a.id`,
    ),
    jsonForIds: db.prepare<[string], StoredRow>(
      'SELECT id, modified_key, json, derived FROM advisories WHERE id IN (SELECT value FROM json_each(?))',
    ),
    jsonOf: db.prepare<[string], { json: string }>('SELECT json FROM advisories WHERE id = ?'),
    // Changes whenever another connection commits (our own writes are tracked by the mirror itself).
    dataVersion: db.prepare<[], { data_version: number }>('PRAGMA data_version'),
    byId: db.prepare<[string], StoredRow>('SELECT id, modified_key, json, derived FROM advisories WHERE id = ?'),
    modifiedOf: db.prepare<[string], { modified: string }>('SELECT modified FROM advisories WHERE id = ?'),
    holds: db.prepare<[string], { one: number }>('SELECT 1 AS one FROM advisories WHERE id = ?'),
    readMeta: db.prepare<[string], { value: string }>('SELECT value FROM meta WHERE key = ?'),
    addMeta: db.prepare('INSERT OR IGNORE INTO meta (key, value, updated_at) VALUES (?, ?, ?)'),
    writeMeta: db.prepare(
      `INSERT INTO meta (key, value, updated_at) VALUES (?, ?, ?)
       ON CONFLICT (key) DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at`,
    ),
    deleteMeta: db.prepare<[string]>('DELETE FROM meta WHERE key = ?'),
  };
}

/** A summary to pass to importRecords: it is filled in as records are written, so a caller still has the counts when the source breaks off. */
export function emptyImportSummary(): ImportSummary {
  return { added: 0, updated: 0, unchanged: 0, rejected: 0, rejections: [] };
}

export class AdvisoryMirror implements AdvisorySource {
  readonly kind = 'mirror' as const;
  /** Records handed out from their derived parts whose whole text something read later (lazy-record.ts). */
  readonly stats = { lazyRecordsLoaded: 0 };
  private readonly statements: ReturnType<typeof prepareStatements>;
  private readonly statusReader: MirrorStatusReader;
  private readonly records: RecordCache;
  private readonly changeLogRows: number;
  /** Record lists by PEP 503 name, valid while the database is unchanged (see freshPackageCache). */
  private readonly packages = new Map<string, OsvRecord[]>();
  private packagesVersion: number | null = null;
  private versionCheckedThisTurn = false;
  private logId: string | null = null;

  constructor(
    private readonly db: Db,
    options: MirrorOptions = {},
  ) {
    this.statements = prepareStatements(db);
    this.statusReader = new MirrorStatusReader(db);
    this.records = new RecordCache(options.recordCacheSize ?? DEFAULT_RECORD_CACHE_SIZE);
    this.changeLogRows = Math.max(1, options.changeLogRows ?? DEFAULT_CHANGE_LOG_ROWS);
  }

  /**
   * Validates and stores records (decoded JSON values, or the items `readImportSource` yields).
   * Bad items are counted and described, never thrown; batches already written stay written if the
   * source itself fails midway (the error propagates after them, and `summary`, when the caller
   * passed one, holds what was kept).
   */
  async importRecords(records: AsyncIterable<unknown> | Iterable<unknown>, summary: ImportSummary = emptyImportSummary()): Promise<ImportSummary> {
    const reject = (where: string, id: string | null, reason: string): void => {
      summary.rejected += 1;
      if (summary.rejections.length < MAX_LISTED_REJECTIONS) summary.rejections.push({ where, id, reason });
    };
    let batch: PendingRecord[] = [];
    const flush = (): void => {
      if (batch.length > 0) this.writeBatch(batch, summary);
      batch = [];
    };

    // The validator (zod) is loaded by the first import, not by every command that reads the mirror.
    const schema = await import('./osv-schema.js');
    // An empty mirror holds nothing an older version stored, and every row written now carries
    // today's formats: the check after the import need not read them all.
    if (this.statements.anyRecord.get() === undefined) this.markDerivedFormats();
    let index = 0;
    try {
      for await (const item of records) {
        index += 1;
        if (item instanceof UnreadableItem) {
          reject(item.where, null, item.reason);
          continue;
        }
        const where = item instanceof ImportedItem ? item.where : `#${index}`;
        const value = item instanceof ImportedItem ? item.value : item;
        const pending = prepare(value, schema);
        if ('reason' in pending) {
          reject(where, pending.id, pending.reason);
          continue;
        }
        batch.push(pending);
        if (batch.length >= IMPORT_BATCH_SIZE) flush();
      }
    } finally {
      flush();
      this.pruneChangeLog();
      this.packages.clear();
    }
    const derived = this.deriveMissingMatchers();
    if (derived > 0) summary.matchersDerived = derived;
    return summary;
  }

  /**
   * Derives what records stored without it lack (stored before the migration adding matchers and
   * descriptions, or in an older format): run by every import and sync, and when the bot starts.
   * Until then such rows are worked out from their records, which gives the same answers, only
   * slower. Returns how many package matchers were derived (0 almost always). Reads every row only
   * while the mark under DERIVED_FORMATS_KEY names other formats than today's (an upgrade).
   */
  deriveMissingMatchers(): number {
    const s = this.statements;
    if (this.statusReader.meta(DERIVED_FORMATS_KEY) === DERIVED_FORMATS) return 0;
    for (;;) {
      const rows = s.staleRecords.all(`${STORED_RECORD_PREFIX}%`, IMPORT_BATCH_SIZE);
      if (rows.length === 0) break;
      this.db.transaction(() => {
        for (const row of rows) s.setDerived.run(storedRecordJson(decode(row.json) ?? { id: row.id, modified: '' }), row.id);
      })();
    }
    let derived = 0;
    for (;;) {
      const rows = s.staleMatchers.all(`${STORED_MATCHER_PREFIX}%`, IMPORT_BATCH_SIZE);
      if (rows.length === 0) break;
      this.db.transaction(() => {
        for (const row of rows) {
          const record = decode(row.json);
          // A damaged record gets an empty matcher rather than being asked about again and again;
          // matching reads the record itself, which cannot be decoded either, so nothing changes.
          const matcher = record === null ? storedMatcherJson({ id: row.advisory_id, modified: '' }, row.package) : storedMatcherJson(record, row.package);
          s.setMatcher.run(row.package, row.advisory_id, matcher);
        }
      })();
      derived += rows.length;
    }
    this.markDerivedFormats();
    if (derived > 0) this.packages.clear();
    return derived;
  }

  /**
   * Every row this version writes carries today's formats (writeBatch), and an older version cannot
   * write to this schema (migrate refuses a newer database): the check need not run again.
   */
  private markDerivedFormats(): void {
    this.statements.writeMeta.run(DERIVED_FORMATS_KEY, DERIVED_FORMATS, new Date().toISOString());
  }

  /** Drops all but the newest `changeLogRows` rows (sequence numbers are never reused: AUTOINCREMENT). */
  private pruneChangeLog(): void {
    const last = this.statements.lastChange.get()?.seq ?? 0;
    if (last > this.changeLogRows) this.statements.pruneChanges.run(last - this.changeLogRows);
  }

  private writeBatch(batch: PendingRecord[], summary: ImportSummary): void {
    const s = this.statements;
    const now = new Date().toISOString();
    this.db.transaction(() => {
      for (const { record, json, modifiedKey, packages } of batch) {
        const existing = s.modifiedKeyOf.get(record.id);
        if (existing !== undefined && existing.modified_key >= modifiedKey) {
          summary.unchanged += 1;
          continue;
        }
        const changed = new Set(packages);
        if (existing === undefined) {
          s.insert.run(record.id, record.modified, modifiedKey, record.withdrawn ?? null, json, now, storedRecordJson(record));
          summary.added += 1;
        } else {
          // A package the record no longer names must be re-checked too (its finding may close).
          for (const row of s.packagesOf.all(record.id)) changed.add(row.package);
          s.update.run(record.modified, modifiedKey, record.withdrawn ?? null, json, now, storedRecordJson(record), record.id);
          s.clearPackages.run(record.id);
          summary.updated += 1;
        }
        let unreadable = false;
        for (const name of packages) {
          s.addPackage.run(name, record.id);
          const matcher = deriveStoredMatcher(record, name);
          // The ranges are compiled for the matcher anyway: seeing whether one cannot be read is free.
          if (record.withdrawn === undefined && matcher.ranges.some((range) => range.unreadable !== undefined)) unreadable = true;
          s.setMatcher.run(name, record.id, JSON.stringify(matcher));
        }
        if (unreadable) {
          summary.unreadableRanges = (summary.unreadableRanges ?? 0) + 1;
          summary.unreadableRangeIds ??= [];
          if (summary.unreadableRangeIds.length < MAX_LISTED_REJECTIONS) summary.unreadableRangeIds.push(record.id);
        }
        for (const name of changed) s.logChange.run(name);
      }
    })();
  }

  /**
   * Every non-withdrawn record affecting each query, keyed by `name@version`. The package index is
   * read in a few batched lookups, and records are decoded once (then cached) however many
   * queries name their package.
   */
  async affecting(queries: PackageQuery[]): Promise<Map<string, OsvRecord[]>> {
    return matchCandidates(queries, await this.candidates(queries));
  }

  /** Every record naming each query's package (one list per package, shared by its queries). */
  async candidates(queries: PackageQuery[]): Promise<Map<string, OsvRecord[]>> {
    const byName = this.readPackages(queries.map((q) => pep503(q.name)));
    const result = new Map<string, OsvRecord[]>();
    for (const query of queries) result.set(queryKey(query), byName.get(pep503(query.name)) ?? []);
    return result;
  }

  /** Every non-withdrawn record naming this PyPI package, by id. */
  async forPackage(name: string): Promise<OsvRecord[]> {
    const normalized = normalizeName(name);
    return [...(this.readPackages([normalized]).get(normalized) ?? [])];
  }

  /** Records by id, withdrawn or not (see AdvisorySource.byIds); one batched lookup per LOOKUP_BATCH ids. */
  async byIds(ids: string[]): Promise<Map<string, OsvRecord>> {
    const unique = [...new Set(ids)];
    const found = new Map<string, OsvRecord>();
    for (let i = 0; i < unique.length; i += LOOKUP_BATCH) {
      for (const row of this.statements.jsonForIds.all(JSON.stringify(unique.slice(i, i + LOOKUP_BATCH)))) {
        const record = this.decodeRow(row);
        if (record !== null) found.set(row.id, record);
      }
    }
    return found;
  }

  /** One record by id, withdrawn or not. */
  get(id: string): OsvRecord | null {
    const row = this.statements.byId.get(id);
    return row === undefined ? null : this.decodeRow(row);
  }

  /**
   * Where the change log stands: a mark to remember with what was matched now. Read it before
   * matching, so a record written meanwhile is reported again by the next `changedSince`.
   */
  changeMark(): string {
    return `${CHANGE_MARK_PREFIX}${this.changeLogId(true)}:${this.statements.lastChange.get()?.seq ?? 0}`;
  }

  /** This database's change log id (see CHANGE_MARK); made and kept the first time a mark is given. */
  private changeLogId(create: true): string;
  private changeLogId(create: false): string | null;
  private changeLogId(create: boolean): string | null {
    if (this.logId !== null) return this.logId;
    const s = this.statements;
    // INSERT OR IGNORE, then read: two connections making the first mark at once agree on one id.
    if (create) s.addMeta.run(CHANGE_LOG_ID_KEY, randomUUID(), new Date().toISOString());
    this.logId = s.readMeta.get(CHANGE_LOG_ID_KEY)?.value ?? null;
    return this.logId;
  }

  /**
   * PEP 503 names of the packages whose records were added, updated or withdrawn since `mark`;
   * null when the mark is not one of this mirror's (another source, another replica's mirror, or a
   * database that was replaced since): then nobody can tell, and everything must be matched again.
   */
  changedSince(mark: string): ReadonlySet<string> | null {
    const parts = CHANGE_MARK.exec(mark);
    if (parts === null || parts[1] !== this.changeLogId(false)) return null;
    const seq = Number(parts[2]);
    if (seq > (this.statements.lastChange.get()?.seq ?? 0)) return null;
    // Rows after the mark were pruned: what changed since is no longer known in full.
    const first = this.statements.firstChange.get()?.seq ?? null;
    if (first !== null && seq < first - 1) return null;
    return new Set(this.statements.changedSince.all(seq).map((r) => r.package));
  }

  /**
   * Whether a record with this id is stored, withdrawn or not: a finding of an advisory the mirror
   * does not hold was found by newer data than this (another replica's mirror, the OSV API), and
   * matching here cannot vouch that it is fixed (see AdvisorySource.holds).
   */
  holds(id: string): boolean {
    return this.statements.holds.get(id) !== undefined;
  }

  /** The stored `modified` of a record, for incremental sync; null when it is not stored. */
  modifiedOf(id: string): string | null {
    return this.statements.modifiedOf.get(id)?.modified ?? null;
  }

  /** What it holds, at `now` (a `modified` past it is not the data's age: see FUTURE_MODIFIED_SKEW_MS). */
  /** Whether it holds no record (an offline audit refuses it; the OSV fallback cannot use it). */
  isEmpty(): boolean {
    return this.statusReader.isEmpty();
  }

  status(now?: Date): MirrorStatus {
    return this.statusReader.status(now);
  }

  /** The age of the data: the newest `modified` held (not in the future), and the last sync (two indexed lookups). */
  freshness(now?: Date): AdvisoryFreshness {
    return this.statusReader.freshness(now);
  }

  /** Records a sync of OSV's feed (`source` says from where): what lets the mirror answer in OSV's place. */
  markSynced(at: Date, source: string): void {
    this.markUpdated(at, source, 'sync');
  }

  /**
   * Records an import of `file`. It replaces the last sync: the mirror no longer holds just what the
   * feed held then (an import may be a backup, an old bundle, a fixture), so online audits ask OSV
   * until the next sync, and that sync downloads the whole bundle.
   */
  markImported(at: Date, file: string): void {
    this.markUpdated(at, file, 'import');
  }

  /**
   * Records that an import or sync stopped before the end of its source, keeping what it read
   * (`why`: one line). Until an update reads all of its source (markSynced, markImported), the
   * mirror's answers are partial (offline-mirror.ts) and it never answers in OSV's place (select.ts).
   */
  markIncomplete(at: Date, update: { source: string; kind: MirrorUpdateKind; reason: string; kept: number }): void {
    const row: IncompleteUpdate = { at: at.toISOString(), ...update };
    this.statements.writeMeta.run(INCOMPLETE_UPDATE_KEY, JSON.stringify(row), new Date().toISOString());
  }

  /**
   * Imports the records of one import or sync (importRecords), and when its source stops part way
   * (a cut file or download, a full disk) after some records were stored, records that the update
   * is incomplete (markIncomplete) before passing the failure on: what came after the damage is
   * missing, and every answer from the mirror says so until an update reads all of its source. An
   * import that kept records is recorded as an import first (markImported): it changed the mirror,
   * which no longer holds just what the last sync's feed held. One that kept nothing leaves the
   * records of the last update alone. The caller records the update that ends well.
   * `reasonPrefix`: the file's name at the start of its reader's errors, already said by `source`
   * (or a temporary file's, which tells the user nothing).
   */
  async importOrMarkIncomplete(
    records: AsyncIterable<unknown> | Iterable<unknown>,
    update: { source: string; kind: MirrorUpdateKind; reasonPrefix?: string; stoppedAt?: () => Date },
    summary: ImportSummary = emptyImportSummary(),
  ): Promise<ImportSummary> {
    try {
      return await this.importRecords(records, summary);
    } catch (err) {
      const kept = summary.added + summary.updated + summary.unchanged;
      if (kept > 0) {
        const at = update.stoppedAt?.() ?? new Date();
        const line = errorLine(err);
        const prefix = update.reasonPrefix ?? '';
        const reason = prefix !== '' && line.startsWith(prefix) ? line.slice(prefix.length) : line;
        if (update.kind === 'import') this.markImported(at, update.source);
        this.markIncomplete(at, { source: update.source, kind: update.kind, reason, kept });
      }
      throw err;
    }
  }

  /** The last import or sync that stopped early, unless a later one read all of its own. */
  incompleteUpdate(): IncompleteUpdate | null {
    return this.statusReader.incompleteUpdate();
  }

  private markUpdated(at: Date, source: string, kind: MirrorUpdateKind): void {
    this.db.transaction(() => {
      this.statements.writeMeta.run(LAST_SYNC_KEY, JSON.stringify({ at: at.toISOString(), source, kind }), new Date().toISOString());
      // This one read all of its source: an earlier one that stopped early no longer speaks for the mirror.
      this.statements.deleteMeta.run(INCOMPLETE_UPDATE_KEY);
    })();
  }

  /** Non-withdrawn records per PEP 503 name (in id order), for every name asked about. */
  private readPackages(names: string[]): Map<string, OsvRecord[]> {
    const s = this.statements;
    this.freshPackageCache();
    const byName = new Map<string, OsvRecord[]>();
    const unknown: string[] = [];
    for (const name of names) {
      if (byName.has(name)) continue;
      const cached = this.packages.get(name);
      if (cached !== undefined) byName.set(name, cached);
      else {
        byName.set(name, []);
        unknown.push(name);
      }
    }
    if (unknown.length === 0) return byName;

    // One pass over the index rows of each batch: the records are made and their matchers primed
    // as the rows come. (`.iterate()` instead of `.all()` cost ~10 ms more, cold, for the 2,646 rows
    // of a 1,000-pin audit.)
    const decoded = new Map<string, OsvRecord | null>();
    // Rows whose record has no derived parts of today's format (stored before they were kept, or in
    // an older format): their records are decoded whole after the lookup, then put in their place.
    const undescribed: { list: OsvRecord[]; at: number; row: MatcherRow }[] = [];
    const matchers = new PackageMatchers();
    for (let i = 0; i < unknown.length; i += LOOKUP_BATCH) {
      for (const row of s.idsForPackages.all(JSON.stringify(unknown.slice(i, i + LOOKUP_BATCH)))) {
        const list = byName.get(row.package);
        if (list === undefined) continue;
        // A record naming several of the packages comes once per package.
        let record = decoded.get(row.id);
        if (record === undefined) {
          record = this.records.get(row.id, row.modified_key) ?? this.lazyRow(row);
          decoded.set(row.id, record);
        }
        if (record === null) {
          undescribed.push({ list, at: list.length, row: { package: row.package, id: row.id, matcher: row.matcher } });
          list.push(PENDING_RECORD);
          continue;
        }
        matchers.prime(record, row);
        list.push(record);
      }
    }
    if (undescribed.length > 0) {
      const ids = [...new Set(undescribed.map((u) => u.row.id))];
      const whole = new Map<string, OsvRecord | null>();
      for (let i = 0; i < ids.length; i += LOOKUP_BATCH) {
        for (const row of s.jsonForIds.all(JSON.stringify(ids.slice(i, i + LOOKUP_BATCH)))) whole.set(row.id, this.decodeRow(row));
      }
      for (const { list, at, row } of undescribed) {
        const record = whole.get(row.id) ?? null;
        if (record === null) continue; // damaged since it was stored: left out, as a withdrawn one is
        matchers.prime(record, row);
        list[at] = record;
      }
      for (const name of unknown) {
        const list = byName.get(name);
        if (list?.includes(PENDING_RECORD)) byName.set(name, list.filter((r) => r !== PENDING_RECORD));
      }
    }
    for (const name of unknown) this.rememberPackage(name, byName.get(name) ?? []);
    return byName;
  }

  /**
   * Forgets every remembered package list when another connection (a sync elsewhere) changed the
   * data. Asked once per turn of the event loop: an audit asks for hundreds of packages at once, and
   * a commit landing during that one synchronous stretch is seen by the next turn as it would be had
   * the stretch run a moment earlier.
   */
  private freshPackageCache(): void {
    if (this.versionCheckedThisTurn) return;
    this.versionCheckedThisTurn = true;
    setImmediate(() => {
      this.versionCheckedThisTurn = false;
    }).unref();
    const version = this.statements.dataVersion.get()?.data_version ?? null;
    if (version !== this.packagesVersion) {
      this.packages.clear();
      this.packagesVersion = version;
    }
  }

  private rememberPackage(name: string, records: OsvRecord[]): void {
    if (this.packages.size >= PACKAGE_CACHE_SIZE) {
      const oldest = this.packages.keys().next();
      if (oldest.done !== true) this.packages.delete(oldest.value);
    }
    this.packages.set(name, records);
  }

  /**
   * A record from its derived parts, its text read only if something asks (lazy-record.ts); null
   * when the row has no derived parts of today's format. Cached like a decoded one.
   */
  private lazyRow(row: IndexRow): OsvRecord | null {
    const parts = parseStoredRecord(row.derived);
    if (parts === null) return null;
    const { id } = row;
    // The loader keeps the id alone: closing over the row kept its derived and matcher texts (most
    // of what the index lookup read) alive as long as the record, for the collector to copy.
    const record = lazyRecord(id, row.modified, parts.aliases, () => this.loadWhole(id));
    this.records.set(id, row.modified_key, record);
    primeRecordParts(record, parts);
    return record;
  }

  /** The whole stored record of a lazy one (lazy-record.ts), read when something first asks for it. */
  private loadWhole(id: string): OsvRecord | null {
    this.stats.lazyRecordsLoaded += 1;
    const stored = this.statements.jsonOf.get(id);
    return stored === undefined ? null : decode(stored.json);
  }

  private decodeRow(row: StoredRow): OsvRecord | null {
    const cached = this.records.get(row.id, row.modified_key);
    if (cached !== undefined) return cached;
    const record = decode(row.json);
    if (record !== null) {
      this.records.set(row.id, row.modified_key, record);
      const parts = parseStoredRecord(row.derived);
      if (parts !== null) primeRecordParts(record, parts);
    }
    return record;
  }
}


/** What priming a record's matcher for one package reads of its index row. */
interface MatcherRow {
  package: string;
  id: string;
  matcher: string | null;
}

/** Holds the place of a record decoded whole after the index lookup (see readPackages). */
const PENDING_RECORD = Object.freeze({ id: '', modified: '' }) as OsvRecord;

/** A stored matcher text read back, with the matcher made from it; null when it was refused. */
type ParsedMatcher = { text: string; stored: StoredMatcher; matches: (version: string) => boolean } | { text: string; stored: null };

/**
 * Installs the matchers the mirror derived at import (stored-matcher.ts), so matching does not
 * compile the records' lists. Advisories of a package that the same release fixes often store the
 * same matcher text (the same listed versions and range): of the 2,661 rows of the bench mirror,
 * 1,176 repeat another's text. Each text is parsed and checked once per package, and the records
 * holding it share one matcher (same text, same answers), so a release is also matched once for all
 * of them. The texts of the current package only are remembered (rows come in package order; 22 of
 * the bench mirror's texts repeat across packages), by length: a Map keyed by the texts themselves
 * hashed every character of every text read (1.7 MB for a 1,000-pin audit), where comparing one
 * with the few of the same length stops at the first difference.
 */
class PackageMatchers {
  private current = '';
  private byLength = new Map<number, ParsedMatcher[]>();

  prime(record: OsvRecord, row: MatcherRow): void {
    const text = row.matcher;
    if (text === null || hasMatcher(record, row.package)) return;
    if (row.package !== this.current) {
      this.current = row.package;
      this.byLength.clear();
    }
    let same = this.byLength.get(text.length);
    if (same === undefined) {
      same = [];
      this.byLength.set(text.length, same);
    }
    let known = same.find((m) => m.text === text);
    if (known === undefined) {
      const stored = parseStoredMatcher(text);
      known = stored === null ? { text, stored } : { text, stored, matches: matcherFromStored(stored) };
      same.push(known);
    }
    if (known.stored === null) return;
    const { stored, matches } = known;
    primeMatcher(record, row.package, matches, stored.fixed, stored.ranges);
    primeSeverity(record, row.package, stored.severity);
  }
}

/** Stored rows were validated on the way in; a row damaged since is skipped rather than fatal. */
function decode(json: string): OsvRecord | null {
  try {
    return JSON.parse(json) as OsvRecord;
  } catch {
    return null;
  }
}

function prepare(value: unknown, schema: typeof import('./osv-schema.js')): PendingRecord | { id: string | null; reason: string } {
  const id = idOf(value);
  const parsed = schema.parseOsvRecord(value);
  if (!parsed.ok) return { id, reason: parsed.reason };
  const { record } = parsed;
  const json = JSON.stringify(record);
  if (json.length > MAX_RECORD_BYTES) return { id, reason: `record: larger than ${MAX_RECORD_BYTES / 1024 / 1024} MB` };
  // parseOsvRecord already checked that `modified` reads as a timestamp.
  const modifiedKey = schema.osvTimestampKey(record.modified) ?? '';
  return { record, json, modifiedKey, packages: indexedPackages(record) };
}

function idOf(value: unknown): string | null {
  if (typeof value !== 'object' || value === null) return null;
  const id = (value as { id?: unknown }).id;
  return typeof id === 'string' && id.length > 0 && id.length <= 200 ? id : null;
}
