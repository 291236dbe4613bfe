/**
 * What an API-mode audit keeps of the records it matched (osv_cache.derived, in the mirror's format):
 * their description and severity, so the next client on the same database (a restarted bot, the next
 * CLI run) describes and rates them from SQLite instead of reading their text and scoring their
 * vectors again. Records only stored (not matched) keep nothing; a record OSV replaced loses what was
 * kept of its former text; kept parts that cannot be read are worked out from the record again.
 */
import { describe, expect, it } from 'vitest';
import { computeRecordDescription } from '../../src/advisories/description.js';
import { OsvApi } from '../../src/advisories/osv-api.js';
import { computeSeverity } from '../../src/advisories/severity.js';
import { parseStoredRecord, STORED_RECORD_FORMAT } from '../../src/advisories/stored-record.js';
import type { OsvRecord } from '../../src/advisories/types.js';
import { auditFileSource } from '../../src/audit/run.js';
import { memorySource } from '../../src/python/files.js';
import { renderJson } from '../../src/report/json.js';
import type { Db } from '../../src/store/db.js';
import { fixtureRecords } from '../fixtures/osv/load.js';
import { osvTestKit } from './osv-kit.js';

const tree = memorySource({ 'requirements.txt': 'Django==2.1.5\njinja2==2.10\nrequests==2.32.3\n' });
const queries = [
  { name: 'django', version: '2.1.5' },
  { name: 'jinja2', version: '2.10' },
  { name: 'requests', version: '2.32.3' },
];
const now = new Date('2026-12-05T12:00:00Z');
// PYSEC-2019-13 (Django) is an unrated PyPA advisory of Django 2.1.5 with no alias record in this OSV.
const DJANGO_ADVISORY = 'PYSEC-2019-13';

const { fakeOsv, database } = osvTestKit(() => [...fixtureRecords().values()]);

const audit = (advisories: OsvApi) => auditFileSource(tree, { target: 'app', advisories, registry: null, now });
const keptText = (db: Db, id: string): string | null => db.prepare<[string], { derived: string | null }>('SELECT derived FROM osv_cache WHERE id = ?').get(id)?.derived ?? null;
const cachedIds = (db: Db): string[] => db.prepare<[], { id: string }>('SELECT id FROM osv_cache').all().map((r) => r.id);

describe('what an API-mode audit keeps of the records it matched', () => {
  it('keeps the description and severity of every record it matched, and nothing of the others it stored', async () => {
    const fake = await fakeOsv();
    const db = database();
    const hits = [...(await new OsvApi({ baseUrl: fake.url, db }).affecting(queries)).values()].flat();
    expect(hits.map((r) => r.id)).toContain(DJANGO_ADVISORY);

    for (const record of hits) {
      expect(parseStoredRecord(keptText(db, record.id))).toEqual({
        aliases: record.aliases ?? null,
        description: computeRecordDescription(record),
        severity: computeSeverity(record),
      });
    }
    // Django's whole list came too (the fix search reads it): stored, but not matched, so not described.
    const others = cachedIds(db).filter((id) => !hits.some((r) => r.id === id));
    expect(others.length).toBeGreaterThan(50);
    for (const id of others) expect(keptText(db, id)).toBeNull();
  });

  it('lets the next client describe and rate a record from what was kept, without reading its text', async () => {
    const fake = await fakeOsv();
    const db = database();
    const first = await audit(new OsvApi({ baseUrl: fake.url, db }));
    expect(first.findings.find((f) => f.id === DJANGO_ADVISORY)).toMatchObject({ severity: 'unknown' });

    // What is kept is what the next client believes: a marked description shows it was read.
    const kept = JSON.stringify({
      format: STORED_RECORD_FORMAT,
      aliases: fixtureRecords().get(DJANGO_ADVISORY)!.aliases ?? null,
      description: { summary: 'Kept in SQLite, not read again from the text', telling: null, first: '' },
      severity: { level: 'high', score: 7.5, vector: 'CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:N/I:N/A:H' },
    });
    db.prepare('UPDATE osv_cache SET derived = ? WHERE id = ?').run(kept, DJANGO_ADVISORY);

    const next = new OsvApi({ baseUrl: fake.url, db });
    const again = await audit(next);
    expect(next.stats).toEqual({ querybatch: 1, vulns: 0, query: 0 });
    expect(again.findings.find((f) => f.id === DJANGO_ADVISORY)?.summary).toBe('Kept in SQLite, not read again from the text');
  });

  it('forgets what was kept of a record once OSV replaced it', async () => {
    const fake = await fakeOsv();
    const db = database();
    await audit(new OsvApi({ baseUrl: fake.url, db }));
    expect(keptText(db, DJANGO_ADVISORY)).not.toBeNull();

    // OSV now says the advisory concerns Django 1.x only: the record changes and is no longer a hit.
    const former = fixtureRecords().get(DJANGO_ADVISORY)!;
    const replaced: OsvRecord = {
      ...former,
      modified: '2099-01-01T00:00:00Z',
      summary: 'Rewritten by OSV for the 1.x series',
      affected: [{ package: { ecosystem: 'PyPI', name: 'django' }, ranges: [{ type: 'ECOSYSTEM', events: [{ introduced: '1.0' }, { fixed: '2.0' }] }] }],
    };
    fake.addRecord(replaced);
    const again = await audit(new OsvApi({ baseUrl: fake.url, db }));
    expect(again.findings.map((f) => f.id)).not.toContain(DJANGO_ADVISORY);
    expect(db.prepare<[string], { modified: string }>('SELECT modified FROM osv_cache WHERE id = ?').get(DJANGO_ADVISORY)?.modified).toBe(replaced.modified);
    expect(keptText(db, DJANGO_ADVISORY)).toBeNull();
  });

  it('works out again, from the record, kept parts that are damaged or of another format', async () => {
    const fake = await fakeOsv();
    const db = database();
    const first = renderJson(await audit(new OsvApi({ baseUrl: fake.url, db })), {});
    const ids = cachedIds(db).filter((id) => keptText(db, id) !== null);
    expect(ids.length).toBeGreaterThan(2);
    const [damaged, foreign, wrongShape] = ids;
    db.prepare('UPDATE osv_cache SET derived = ? WHERE id = ?').run(`{"format":${STORED_RECORD_FORMAT},"aliases":[`, damaged);
    db.prepare('UPDATE osv_cache SET derived = ? WHERE id = ?').run('{"format":1,"description":{"summary":"old","telling":null,"first":""}}', foreign);
    db.prepare('UPDATE osv_cache SET derived = ? WHERE id = ?').run(`{"format":${STORED_RECORD_FORMAT},"aliases":null,"description":{"summary":3},"severity":null}`, wrongShape);

    expect(renderJson(await audit(new OsvApi({ baseUrl: fake.url, db })), {})).toBe(first);
  });
});
