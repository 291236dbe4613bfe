import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { computeRecordDescription, describeAdvisory } from '../../src/advisories/description.js';
import { AdvisoryMirror } from '../../src/advisories/mirror.js';
import { auditFileSource } from '../../src/audit/run.js';
import { directorySource } from '../../src/python/files.js';
import { parseStoredRecord, storedRecordJson } from '../../src/advisories/stored-record.js';
import { computeSeverity, severityOf } from '../../src/advisories/severity.js';
import { STORED_MATCHER_PREFIX } from '../../src/advisories/stored-matcher.js';
import type { OsvRecord } from '../../src/advisories/types.js';
import { migrate, openDb, readMigrations, type Db } from '../../src/store/db.js';
import { fixtureRecords } from '../fixtures/osv/load.js';

const record = (id: string, extra: Partial<OsvRecord> = {}): OsvRecord => ({
  id,
  modified: '2024-01-01T00:00:00Z',
  affected: [{ package: { ecosystem: 'PyPI', name: 'Demo_Pkg' }, versions: ['1.0', '1.1'], ranges: [{ type: 'ECOSYSTEM', events: [{ introduced: '2.0' }, { fixed: '2.5' }] }] }],
  ...extra,
});

const matcherColumn = (db: Db) => db.prepare<[], { advisory_id: string; matcher: string | null }>('SELECT p.advisory_id AS advisory_id, m.matcher AS matcher FROM advisory_packages p LEFT JOIN advisory_matchers m USING (package, advisory_id) ORDER BY p.advisory_id').all();
const hitIds = async (mirror: AdvisoryMirror, version: string) => ((await mirror.affecting([{ name: 'demo-pkg', version }])).get(`demo-pkg@${version}`) ?? []).map((r) => r.id);

/** An in-memory database migrated with exactly `migrations` (none from the migrations folder). */
function openDbAt(migrations: ReturnType<typeof readMigrations>): Db {
  const db = openDb(':memory:', { migrationsDir: mkdtempSync(join(tmpdir(), 'depwatch-no-migrations-')) });
  migrate(db, migrations);
  return db;
}

describe('the mirror keeps each advisory matcher it derived at import', () => {
  it('stores one per advisory and package when a record is imported', async () => {
    const db = openDb(':memory:');
    await new AdvisoryMirror(db).importRecords([record('PYSEC-1')]);
    const [row] = matcherColumn(db);
    expect(row!.matcher!.startsWith(STORED_MATCHER_PREFIX)).toBe(true);
    expect(JSON.parse(row!.matcher!)).toMatchObject({ keys: '1 1.1 ', exact: [], fixed: ['2.5'] });
  });

  it('matches with the stored matcher, not by compiling the record again', async () => {
    const db = openDb(':memory:');
    await new AdvisoryMirror(db).importRecords([record('PYSEC-1')]);
    // Stored says 9.9 only; the record says 1.0, 1.1 and [2.0, 2.5): a fresh mirror answers as stored.
    db.prepare('UPDATE advisory_matchers SET matcher = ?').run(`${STORED_MATCHER_PREFIX}"keys":"9.9 ","exact":[],"ranges":[],"fixed":[],"severity":{"level":"unknown","score":null,"vector":null}}`);
    const mirror = new AdvisoryMirror(db);
    expect(await hitIds(mirror, '9.9.0')).toEqual(['PYSEC-1']);
    expect(await hitIds(mirror, '1.0')).toEqual([]);
  });

  it('matches from the record when a stored matcher is damaged', async () => {
    const db = openDb(':memory:');
    await new AdvisoryMirror(db).importRecords([record('PYSEC-1')]);
    db.prepare('UPDATE advisory_matchers SET matcher = ?').run(`${STORED_MATCHER_PREFIX}"keys":["1"],"exact":[],"ranges":[],"fixed":[]}`);
    const mirror = new AdvisoryMirror(db);
    expect(await hitIds(mirror, '1.0.0')).toEqual(['PYSEC-1']);
    expect(await hitIds(mirror, '2.4')).toEqual(['PYSEC-1']);
    expect(await hitIds(mirror, '2.5')).toEqual([]);
  });
});

describe('the mirror keeps each advisory description and severity it worked out at import', () => {
  it('stores the description parts and severity, read back as they were worked out, for every fixture advisory', () => {
    for (const r of fixtureRecords().values()) {
      const stored = parseStoredRecord(storedRecordJson(r));
      expect(stored).toEqual({ aliases: r.aliases ?? null, description: computeRecordDescription(r), severity: computeSeverity(r) });
    }
  });

  it('rates findings from the stored severities, not by scoring the vectors again', async () => {
    const db = openDb(':memory:');
    const vector = 'CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H';
    await new AdvisoryMirror(db).importRecords([record('PYSEC-1', { severity: [{ type: 'CVSS_V3', score: vector }] })]);
    const stored = (column: string) => db.prepare<[], { text: string }>(`SELECT ${column} AS text FROM ${column === 'matcher' ? 'advisory_matchers' : 'advisories'}`).get()!.text;
    expect(JSON.parse(stored('matcher')).severity).toEqual({ level: 'critical', score: 9.8, vector });
    expect(JSON.parse(stored('derived')).severity).toEqual({ level: 'critical', score: 9.8, vector });
    db.prepare('UPDATE advisory_matchers SET matcher = json_set(matcher, \'$.severity\', json(\'{"level":"low","score":2,"vector":null}\'))').run();
    db.prepare('UPDATE advisories SET derived = json_set(derived, \'$.severity\', json(\'{"level":"medium","score":5,"vector":null}\'))').run();
    const [hit] = (await new AdvisoryMirror(db).affecting([{ name: 'demo-pkg', version: '1.0' }])).get('demo-pkg@1.0')!;
    expect(severityOf(hit!, 'demo-pkg')).toEqual({ level: 'low', score: 2, vector: null });
    expect(severityOf(hit!)).toEqual({ level: 'medium', score: 5, vector: null });
  });

  it('describes findings from the stored description, not by reading the text again', async () => {
    const db = openDb(':memory:');
    await new AdvisoryMirror(db).importRecords([record('PYSEC-1', { details: 'Crafted input allows remote code execution.' })]);
    expect(db.prepare<[], { derived: string }>('SELECT derived FROM advisories').get()!.derived).toContain('remote code execution');
    db.prepare('UPDATE advisories SET derived = json_set(derived, \'$.description.telling\', \'As stored at import.\')').run();
    const [hit] = (await new AdvisoryMirror(db).affecting([{ name: 'demo-pkg', version: '1.0' }])).get('demo-pkg@1.0')!;
    expect(describeAdvisory([hit!])).toBe('As stored at import.');
  });
});

describe('a mirror stored before matchers were kept (upgrading an existing database)', () => {
  async function upgradedMirror(): Promise<{ db: Db; mirror: AdvisoryMirror }> {
    const all = readMigrations();
    const adding = all.findIndex((m) => m.name === 'advisory_derived_data');
    expect(adding).toBeGreaterThan(0);
    // Written by the previous version: the schema without the matcher column, rows as it wrote them.
    const raw = openDbAt(all.slice(0, adding));
    const json = (r: OsvRecord) => JSON.stringify(r);
    raw.prepare('INSERT INTO advisories (id, modified, modified_key, withdrawn, json, imported_at) VALUES (?, ?, ?, NULL, ?, ?)').run('PYSEC-1', '2024-01-01T00:00:00Z', '2024-01-01T00:00:00.000000000Z', json(record('PYSEC-1')), '2024-01-02T00:00:00Z');
    raw.prepare('INSERT INTO advisory_packages (package, advisory_id) VALUES (?, ?)').run('demo-pkg', 'PYSEC-1');
    // Then this version opens it: the migration adds the column, empty.
    migrate(raw, all);
    return { db: raw, mirror: new AdvisoryMirror(raw) };
  }

  it('gives the same answers before the matchers are derived', async () => {
    const { db, mirror } = await upgradedMirror();
    expect(matcherColumn(db)).toEqual([{ advisory_id: 'PYSEC-1', matcher: null }]);
    expect(await hitIds(mirror, '1.1.0')).toEqual(['PYSEC-1']);
    expect(await hitIds(mirror, '2.1')).toEqual(['PYSEC-1']);
    expect(await hitIds(mirror, '1.2')).toEqual([]);
  });

  it('derives them on the next import, and the summary says how many', async () => {
    const { db, mirror } = await upgradedMirror();
    const summary = await mirror.importRecords([record('GHSA-2', { affected: [{ package: { ecosystem: 'PyPI', name: 'other' }, versions: ['3'] }] })]);
    expect(summary).toMatchObject({ added: 1, matchersDerived: 1 });
    expect(matcherColumn(db).every((row) => row.matcher?.startsWith(STORED_MATCHER_PREFIX))).toBe(true);
    const derived = db.prepare<[], { derived: string | null }>("SELECT derived FROM advisories WHERE id = 'PYSEC-1'").get()!.derived;
    expect(parseStoredRecord(derived)).toEqual({ aliases: null, description: computeRecordDescription(record('PYSEC-1')), severity: computeSeverity(record('PYSEC-1')) });
    expect(await hitIds(new AdvisoryMirror(db), '1.1.0')).toEqual(['PYSEC-1']);
    // Once: the next import has none left to derive.
    expect(await mirror.importRecords([])).not.toHaveProperty('matchersDerived');
  });

  it('re-derives rows of an older format', async () => {
    const db = openDb(':memory:');
    const mirror = new AdvisoryMirror(db);
    await mirror.importRecords([record('PYSEC-1')]);
    db.prepare('UPDATE advisory_matchers SET matcher = ?').run('{"format":0,"versions":["1.0"]}');
    // As the version that wrote format 0 left its mark.
    db.prepare("UPDATE meta SET value = 'record 0, matcher 0' WHERE key = 'advisories.derived_formats'").run();
    expect(mirror.deriveMissingMatchers()).toBe(1);
    expect(mirror.deriveMissingMatchers()).toBe(0);
    expect(await hitIds(new AdvisoryMirror(db), '1.0')).toEqual(['PYSEC-1']);
  });
});


describe('a re-import keeps the index in step with the records', () => {
  const NEWER = '2024-06-01T00:00:00Z';

  it('a modified record replaces its matcher: the releases it now names are hit, those it dropped are not', async () => {
    const db = openDb(':memory:');
    const mirror = new AdvisoryMirror(db);
    await mirror.importRecords([record('PYSEC-1')]);
    expect(await hitIds(mirror, '1.0')).toEqual(['PYSEC-1']);
    await mirror.importRecords([record('PYSEC-1', { modified: NEWER, affected: [{ package: { ecosystem: 'PyPI', name: 'demo-pkg' }, versions: ['3.0'] }] })]);
    expect(JSON.parse(matcherColumn(db)[0]!.matcher!)).toMatchObject({ keys: '3 ', ranges: [] });
    // The mirror that answered before (its caches) and a fresh one answer alike.
    for (const m of [mirror, new AdvisoryMirror(db)]) {
      expect(await hitIds(m, '3.0.0')).toEqual(['PYSEC-1']);
      expect(await hitIds(m, '1.0')).toEqual([]);
      expect(await hitIds(m, '2.1')).toEqual([]);
    }
  });

  it('a withdrawn record stops matching', async () => {
    const db = openDb(':memory:');
    const mirror = new AdvisoryMirror(db);
    await mirror.importRecords([record('PYSEC-1'), record('PYSEC-2')]);
    expect(await hitIds(mirror, '1.0')).toEqual(['PYSEC-1', 'PYSEC-2']);
    await mirror.importRecords([record('PYSEC-1', { modified: NEWER, withdrawn: NEWER })]);
    for (const m of [mirror, new AdvisoryMirror(db)]) expect(await hitIds(m, '1.0')).toEqual(['PYSEC-2']);
  });

  it('a record that no longer names a package leaves its index, and one it now names enters it', async () => {
    const db = openDb(':memory:');
    const mirror = new AdvisoryMirror(db);
    await mirror.importRecords([record('PYSEC-1')]);
    await mirror.importRecords([record('PYSEC-1', { modified: NEWER, affected: [{ package: { ecosystem: 'PyPI', name: 'Other.Pkg' }, versions: ['1.0'] }] })]);
    expect(db.prepare('SELECT package FROM advisory_packages').pluck().all()).toEqual(['other-pkg']);
    expect(db.prepare('SELECT package FROM advisory_matchers').pluck().all()).toEqual(['other-pkg']);
    expect(await hitIds(mirror, '1.0')).toEqual([]);
    expect((await mirror.affecting([{ name: 'other_pkg', version: '1.0' }])).get('other_pkg@1.0')!.map((r) => r.id)).toEqual(['PYSEC-1']);
  });

  it('skips the check of every row once it was done, and a row left without its matcher is still matched from its record', async () => {
    const db = openDb(':memory:');
    const mirror = new AdvisoryMirror(db);
    await mirror.importRecords([record('PYSEC-1')]);
    db.prepare('DELETE FROM advisory_matchers').run();
    expect(mirror.deriveMissingMatchers()).toBe(0);
    expect(matcherColumn(db)).toEqual([{ advisory_id: 'PYSEC-1', matcher: null }]);
    const fresh = new AdvisoryMirror(db);
    expect(await hitIds(fresh, '1.1.0')).toEqual(['PYSEC-1']);
    expect(await hitIds(fresh, '2.4')).toEqual(['PYSEC-1']);
    expect(await hitIds(fresh, '2.5')).toEqual([]);
  });
});

describe('records handed out from what the mirror derived at import', () => {
  it('decode a record whole when its derived parts were damaged since: still matched, nothing of it missing', async () => {
    const db = openDb(':memory:');
    const stored = [record('PYSEC-1', { aliases: ['CVE-1'] }), record('PYSEC-2'), record('PYSEC-3')];
    await new AdvisoryMirror(db).importRecords(stored);
    const setDerived = db.prepare('UPDATE advisories SET derived = ? WHERE id = ?');
    const derivedOf = (id: string) => db.prepare<[string], { derived: string }>('SELECT derived FROM advisories WHERE id = ?').get(id)!.derived;
    setDerived.run(derivedOf('PYSEC-1').slice(0, -5), 'PYSEC-1'); // cut short
    setDerived.run(derivedOf('PYSEC-2').replace(/"aliases":null/, '"aliases":[1]'), 'PYSEC-2'); // a wrong type

    const mirror = new AdvisoryMirror(db);
    const hits = (await mirror.affecting([{ name: 'demo-pkg', version: '1.0' }])).get('demo-pkg@1.0')!;

    expect(hits.map((r) => r.id)).toEqual(['PYSEC-1', 'PYSEC-2', 'PYSEC-3']);
    // The damaged ones are their stored records, aliases and all, read whole at once.
    expect(JSON.parse(JSON.stringify(hits[0]))).toEqual(stored[0]);
    expect(JSON.parse(JSON.stringify(hits[1]))).toEqual(stored[1]);
    expect(hits[0]!.aliases).toEqual(['CVE-1']);
    expect(mirror.stats.lazyRecordsLoaded).toBe(0);
    // The intact one was handed out from its derived parts, and reads its text when asked.
    expect(JSON.parse(JSON.stringify(hits[2]))).toEqual(stored[2]);
    expect(mirror.stats.lazyRecordsLoaded).toBe(1);
  });

  it('keep a package\'s records in id order when some are decoded whole, and leave out one whose stored text is damaged too', async () => {
    const db = openDb(':memory:');
    await new AdvisoryMirror(db).importRecords(['PYSEC-1', 'PYSEC-2', 'PYSEC-3', 'PYSEC-4', 'PYSEC-5'].map((id) => record(id)));
    db.prepare("UPDATE advisories SET derived = NULL WHERE id IN ('PYSEC-2', 'PYSEC-3', 'PYSEC-5')").run();
    db.prepare("UPDATE advisories SET json = '{\"id\":' WHERE id = 'PYSEC-3'").run();

    const mirror = new AdvisoryMirror(db);
    const hits = (await mirror.affecting([{ name: 'demo-pkg', version: '1.0' }, { name: 'demo-pkg', version: '2.2' }, { name: 'demo-pkg', version: '3.0' }]));

    expect(hits.get('demo-pkg@1.0')!.map((r) => r.id)).toEqual(['PYSEC-1', 'PYSEC-2', 'PYSEC-4', 'PYSEC-5']);
    expect(hits.get('demo-pkg@2.2')!.map((r) => r.id)).toEqual(['PYSEC-1', 'PYSEC-2', 'PYSEC-4', 'PYSEC-5']);
    expect(hits.get('demo-pkg@3.0')).toEqual([]);
    expect((await mirror.forPackage('Demo_Pkg')).map((r) => r.id)).toEqual(['PYSEC-1', 'PYSEC-2', 'PYSEC-4', 'PYSEC-5']);
  });

  it('audit every fixture advisory without reading one record\'s text, and give the findings reading them whole gives', async () => {
    const records = [...fixtureRecords().values()];
    const lazy = new AdvisoryMirror(openDb(':memory:'));
    await lazy.importRecords(records);
    // The same data with the derived parts of every record dropped, as an older version left them:
    // records are decoded whole.
    const wholeDb = openDb(':memory:');
    const whole = new AdvisoryMirror(wholeDb);
    await whole.importRecords(records);
    wholeDb.prepare('UPDATE advisories SET derived = NULL').run();

    const tree = mkdtempSync(join(tmpdir(), 'depwatch-lazy-records-'));
    writeFileSync(join(tree, 'requirements.txt'), pinnedRequirements(records, 300));
    const audit = (advisories: AdvisoryMirror) => auditFileSource(directorySource(tree), { target: tree, advisories, registry: null, now: new Date('2026-01-01T00:00:00Z') });
    const [fromDerived, fromWhole] = [await audit(lazy), await audit(whole)];

    expect(fromDerived.findings.filter((f) => f.kind === 'vulnerability').length).toBeGreaterThan(200);
    expect(lazy.stats.lazyRecordsLoaded).toBe(0);
    expect(fromDerived.findings).toEqual(fromWhole.findings);
    // Asked for more than the audit reads, a record reads its text then, and is the stored record.
    const [first] = (await lazy.candidates([{ name: 'django', version: '2.1.5' }])).get('django@2.1.5')!;
    expect(JSON.parse(JSON.stringify(first))).toEqual(JSON.parse(JSON.stringify(whole.get(first!.id))));
    expect(lazy.stats.lazyRecordsLoaded).toBe(1);
  });
});

/** One `name==version` line per package (the first affected version each names), up to `count`. */
function pinnedRequirements(records: OsvRecord[], count: number): string {
  const pins = new Map<string, string>();
  for (const r of records) {
    for (const a of r.affected ?? []) {
      const version = a.versions?.find((v) => /^\d+(\.\d+)*$/.test(v));
      const name = a.package?.name;
      if (name && version && !pins.has(name.toLowerCase()) && pins.size < count) pins.set(name.toLowerCase(), version);
    }
  }
  return [...pins].map(([name, version]) => `${name}==${version}`).join('\n') + '\n';
}
