/**
 * When an outage is said: at its first failure, again at most every `repeatMs` while it lasts, and
 * once when it ends, with how long it lasted.
 */
import { describe, expect, it } from 'vitest';
import { outageLog } from '../src/outage-log.js';

describe('outageLog', () => {
  it('says the first failure, keeps quiet until repeatMs has passed, then says it again', () => {
    let t = Date.parse('2024-05-01T10:00:00Z');
    const outage = outageLog({ repeatMs: 60_000, now: () => new Date(t) });
    expect(outage.failed()).toEqual({ first: true, since: new Date('2024-05-01T10:00:00Z') });
    t += 59_999;
    expect(outage.failed()).toBeNull();
    t += 1;
    expect(outage.failed()).toEqual({ first: false, since: new Date('2024-05-01T10:00:00Z') });
    t += 30_000;
    expect(outage.failed()).toBeNull();
  });

  it('says the end once, with how long it lasted, and nothing for a success that ends no outage', () => {
    let t = Date.parse('2024-05-01T10:00:00Z');
    const outage = outageLog({ repeatMs: 60_000, now: () => new Date(t) });
    expect(outage.worked()).toBeNull();
    outage.failed();
    expect(outage.since()).toEqual(new Date('2024-05-01T10:00:00Z'));
    t += 90_000;
    expect(outage.worked()).toEqual({ since: new Date('2024-05-01T10:00:00Z'), downMs: 90_000 });
    expect(outage.since()).toBeNull();
    expect(outage.worked()).toBeNull();
  });

  it('starts a new outage after one ended: its first failure is said at once', () => {
    let t = 0;
    const outage = outageLog({ repeatMs: 60_000, now: () => new Date(t) });
    outage.failed();
    t += 1_000;
    outage.worked();
    t += 1_000;
    expect(outage.failed()).toEqual({ first: true, since: new Date(2_000) });
  });
});
