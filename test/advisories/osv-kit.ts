/**
 * What the OSV client's tests start and close: loopback OSV fakes serving `records` and in-memory
 * databases, each closed after its test. Call at the top of a test file (it registers an afterEach).
 */
import { afterEach } from 'vitest';
import type { OsvRecord } from '../../src/advisories/types.js';
import { openDb, type Db } from '../../src/store/db.js';
import { startFakeOsv, type FakeOsv, type FakeOsvOptions } from '../fakes/osv.js';

export function osvTestKit(records: () => OsvRecord[]) {
  const open: { fakes: FakeOsv[]; dbs: Db[] } = { fakes: [], dbs: [] };
  afterEach(async () => {
    await Promise.all(open.fakes.splice(0).map((f) => f.close()));
    for (const db of open.dbs.splice(0)) db.close();
  });
  return {
    async fakeOsv(options: Partial<FakeOsvOptions> = {}): Promise<FakeOsv> {
      const fake = await startFakeOsv({ records: records(), ...options });
      open.fakes.push(fake);
      return fake;
    },
    database(): Db {
      const db = openDb(':memory:');
      open.dbs.push(db);
      return db;
    },
  };
}

/** The ids a fake OSV was asked for by `/v1/vulns/{id}`, in the order asked. */
export const vulnsAsked = (fake: FakeOsv): string[] => fake.requests.filter((r) => r.endpoint === 'vulns').map((r) => decodeURIComponent(r.path.slice('/v1/vulns/'.length)));
