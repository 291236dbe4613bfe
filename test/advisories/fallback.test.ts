/**
 * OSV does not answer and the local mirror answers instead. The contract makes a data source that
 * did not answer a partial result; the mirror stands in for OSV only as far as it is fresh (synced
 * within MIRROR_FRESH_MS, the limit that makes an audit use the mirror without asking OSV at all).
 * A fresh fallback is a notice; a stale one is a `data-source` partial reason, as a failure is.
 */
import { describe, expect, it } from 'vitest';
import { AdvisoryMirror } from '../../src/advisories/mirror.js';
import { chooseAdvisorySource, FallbackSource, MIRROR_FRESH_MS } from '../../src/advisories/select.js';
import type { AdvisorySource } from '../../src/advisories/types.js';
import { auditFileSource } from '../../src/audit/run.js';
import { memorySource } from '../../src/python/files.js';
import { ServiceError } from '../../src/service-error.js';
import { openDb } from '../../src/store/db.js';
import { createAuditWorkerPool, runInWorkers } from '../../src/workers/audit-runner.js';
import { fixtureRecords } from '../fixtures/osv/load.js';

const now = new Date('2026-11-28T12:00:00Z');
const HOUR = 3_600_000;

const downOsv: AdvisorySource = {
  kind: 'api',
  affecting: async () => Promise.reject(new ServiceError('OSV', 'OSV did not answer POST osv.example/v1/querybatch within 100 ms')),
  forPackage: async () => Promise.reject(new ServiceError('OSV', 'OSV did not answer POST osv.example/v1/query within 100 ms')),
};

async function mirrorSynced(agoMs: number): Promise<AdvisoryMirror> {
  const mirror = new AdvisoryMirror(openDb(':memory:'));
  await mirror.importRecords(fixtureRecords().values());
  mirror.markSynced(new Date(now.getTime() - agoMs), 'test');
  return mirror;
}

const tree = memorySource({ 'requirements.txt': 'django==2.1.5\n' });
const audit = (advisories: AdvisorySource) => auditFileSource(tree, { target: 'app', advisories, registry: null, now });
const FALLBACK_NOTICE = /^OSV did not answer \(OSV did not answer POST osv\.example\/v1\/querybatch within 100 ms\); used the local advisory mirror instead$/;

describe('a fallback to the mirror when OSV does not answer', () => {
  it('to a mirror synced more than 24 hours ago: partial, with a data-source reason saying how old it is', async () => {
    const mirror = await mirrorSynced(3 * 24 * HOUR);
    const source = chooseAdvisorySource({ offline: false, mirror, api: downOsv, now });
    const result = await audit(source);
    const warning = `the local advisory mirror answered for OSV, but it was last synced ${new Date(now.getTime() - 3 * 24 * HOUR).toISOString()}, over 24 hours ago: advisories published or changed since then were not checked`;
    expect(result.partial).toBe(true);
    expect(result.warnings).toEqual([warning]);
    expect(result.partialReasons).toEqual([{ kind: 'data-source', message: warning }]);
    expect(result.notices).toContainEqual(expect.stringMatching(FALLBACK_NOTICE));
    // The mirror's answers are still used: what it knows is reported.
    expect(result.advisorySource).toBe('mirror');
    expect(result.findings.some((f) => f.id === 'PYSEC-2019-13')).toBe(true);
  });

  it('to a mirror synced within the freshness limit: a notice only, the result complete', async () => {
    const mirror = await mirrorSynced(MIRROR_FRESH_MS - HOUR);
    const result = await audit(new FallbackSource(downOsv, mirror, () => now));
    expect(result.partial).toBe(false);
    expect(result.warnings).toEqual([]);
    expect(result.notices).toContainEqual(expect.stringMatching(FALLBACK_NOTICE));
  });

  it('says so the same from a worker thread (the bot audits there)', async () => {
    const pool = createAuditWorkerPool({ size: 1 });
    try {
      const mirror = await mirrorSynced(3 * 24 * HOUR);
      const { result } = await runInWorkers(pool).auditTree({ files: [{ path: 'requirements.txt', text: 'django==2.1.5\n' }], target: 'app', now }, { advisories: new FallbackSource(downOsv, mirror, () => now), registry: null });
      expect(result.partial).toBe(true);
      expect(result.partialReasons).toEqual([expect.objectContaining({ kind: 'data-source', message: expect.stringContaining('over 24 hours ago') })]);
    } finally {
      await pool.close();
    }
  });
});
