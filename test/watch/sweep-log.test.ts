/**
 * The "sweep finished" log line says what the sweep left partial, by reason kind: during a PyPI or
 * OSV outage it does not read `"failed":0` and nothing else, as a clean sweep does.
 */
import { Writable } from 'node:stream';
import { afterEach, describe, expect, it } from 'vitest';
import type { PackageRegistry } from '../../src/audit/audit.js';
import { createLogger } from '../../src/log.js';
import { sweepLogFields, type SweepResult } from '../../src/watch/sweep.js';
import { fixtureRecord } from '../fixtures/osv/load.js';
import { startWorld, type World } from './helpers.js';

const CHANNEL = 'C0AAAAAAAA1';
const HOUR = 3_600_000;

let world: World | undefined;
afterEach(async () => {
  await world?.close();
  world = undefined;
});

const downRegistry: PackageRegistry = {
  async projectsSettled() {
    throw new Error('PyPI answered 503');
  },
};

async function watching(options: { registry?: PackageRegistry } = {}) {
  const w = (world = await startWorld({ records: [fixtureRecord('PYSEC-2019-132')], start: '2025-01-06T09:00:00Z', ...(options.registry ? { registry: options.registry } : {}) }));
  w.github.addRepo({ owner: 'octo', name: 'app', files: { 'requirements.txt': 'urllib3==1.24.1\n' } });
  const logs: Record<string, unknown>[] = [];
  const sink = new Writable({
    write(chunk: Buffer, _encoding, callback) {
      for (const line of chunk.toString('utf8').split('\n')) if (line.trim()) logs.push(JSON.parse(line) as Record<string, unknown>);
      callback();
    },
  });
  const { watch } = w.service({ logger: createLogger('debug', sink) });
  watch.store.addWatch({ repo: 'octo/app', channel: CHANNEL, userId: 'U1', private: false, adminLinked: true, now: w.clock.now() });
  const finished = () => logs.filter((l) => l.msg === 'sweep finished');
  return { w, watch, finished };
}

describe('the "sweep finished" log line', () => {
  it('counts a repository audited while PyPI was down as partial, by its reason', async () => {
    const { watch, finished } = await watching({ registry: downRegistry });
    await watch.sweeps.runNow();
    expect(finished()).toEqual([expect.objectContaining({ audited: 1, failed: 0, partial: true, partialRepos: { 'data-source': 1 } })]);
  });

  it('counts a repository audited while OSV was down under advisories', async () => {
    const { w, watch, finished } = await watching();
    w.osv.failNext(2, 503);
    await watch.sweeps.runNow();
    expect(finished()).toEqual([expect.objectContaining({ audited: 1, partial: true, partialRepos: { advisories: 1 } })]);
  });

  it('counts unchanged repositories re-matched while OSV was down, and says why', async () => {
    const { w, watch, finished } = await watching();
    await watch.sweeps.runNow();
    expect(finished()[0]).toMatchObject({ audited: 1, partial: false, partialRepos: {} });
    w.osv.failNext(2, 503); // the re-match's query and its one retry
    w.clock.advance(HOUR);
    await watch.sweeps.runNow();
    expect(finished()[1]).toMatchObject({ rematched: 0, failed: 0, partial: true, partialRepos: { advisories: 1 }, warnings: [expect.stringContaining('OSV answered 503')] });
  });
});

describe('sweepLogFields', () => {
  it('keeps the credentials of a URL a warning quotes out of the log, and lists a few warnings only', () => {
    const at = new Date(0);
    const result: SweepResult = {
      startedAt: at, finishedAt: at, repos: 3, audited: [], rematched: 3, upToDate: 0, failed: [], added: [], fixed: [], excluded: [], stillOpen: 0, newSecrets: 0, partialRepos: { advisories: 3 },
      warnings: Array.from({ length: 20 }, (_, i) => `advisory refresh failed (https://mirror:hunter3pass@osv.internal/${i} answered 503); matched against the data already held`),
    };
    const fields = sweepLogFields(result);
    expect(JSON.stringify(fields)).not.toContain('hunter3pass');
    expect(fields).toMatchObject({ partial: true, partialRepos: { advisories: 3 }, warningsMore: 15 });
    expect(fields.warnings).toHaveLength(5);
  });
});
