/**
 * The production timer waits for each slot's instant as nextOccurrence reckons it: a slot whose wall
 * time a DST gap skipped still fires, once, when the gap ends (node-cron's own runtime never fires it).
 */
import { afterEach, describe, expect, it, vi } from 'vitest';
import { occurrenceTimer, type JobSpec } from '../../src/schedule/scheduler.js';

const spec = (cron: string): JobSpec => ({ key: 'weekly:C0DEPS00001', channel: 'C0DEPS00001', kind: 'weekly', cron, timeZone: 'Europe/Berlin', since: new Date(0) });

afterEach(() => {
  vi.useRealTimers();
});

describe('occurrence timer', () => {
  it('fires the Sunday 02:30 slot of the spring-forward night once, at 03:00, then the next Sunday', () => {
    vi.useFakeTimers({ now: new Date('2026-03-28T10:00:00Z') });
    const fired: string[] = [];
    const handle = occurrenceTimer.schedule(spec('30 2 * * 0'), (slot) => fired.push(slot.toISOString()));
    vi.advanceTimersByTime(15 * 60 * 60_000); // to 2026-03-29T01:00Z
    expect(fired).toEqual(['2026-03-29T01:00:00.000Z']);
    vi.advanceTimersByTime(7 * 24 * 60 * 60_000);
    expect(fired).toEqual(['2026-03-29T01:00:00.000Z', '2026-04-05T00:30:00.000Z']);
    handle.stop();
    vi.advanceTimersByTime(7 * 24 * 60 * 60_000);
    expect(fired).toHaveLength(2);
  });

  it('fires a daily 02:30 once on the night 02:30 happens twice', () => {
    vi.useFakeTimers({ now: new Date('2026-10-24T12:00:00Z') });
    const fired: string[] = [];
    const handle = occurrenceTimer.schedule(spec('30 2 * * *'), (slot) => fired.push(slot.toISOString()));
    vi.advanceTimersByTime(24 * 60 * 60_000);
    expect(fired).toEqual(['2026-10-25T01:30:00.000Z']);
    handle.stop();
  });
});
