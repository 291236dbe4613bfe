/**
 * The production timer waits for each slot's instant as nextOccurrence reckons it: a slot whose wall
 * time a DST gap skipped still fires, once, when the gap ends (node-cron's own runtime never fires it).
 */
import { Writable } from 'node:stream';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { createLogger } from '../../src/log.js';
import { createOccurrenceTimer, occurrenceTimer, type JobSpec } from '../../src/schedule/scheduler.js';

const spec = (cron: string): JobSpec => ({ key: 'weekly:C0DEPS00001', channel: 'C0DEPS00001', kind: 'weekly', cron, timeZone: 'Europe/Berlin', since: new Date(0) });

afterEach(() => {
  vi.useRealTimers();
});

function capturedLogger() {
  const lines: Record<string, unknown>[] = [];
  const sink = new Writable({
    write(chunk: Buffer, _encoding, callback) {
      for (const line of chunk.toString('utf8').split('\n')) if (line.trim()) lines.push(JSON.parse(line) as Record<string, unknown>);
      callback();
    },
  });
  return { lines, logger: createLogger('debug', sink) };
}

/** Collects rejections nobody handled while `body` runs (Node 20 would end the process on the first). */
async function unhandledDuring(body: () => Promise<void>): Promise<unknown[]> {
  const seen: unknown[] = [];
  const listener = (reason: unknown) => void seen.push(reason);
  process.on('unhandledRejection', listener);
  try {
    await body();
    await new Promise((resolve) => setImmediate(resolve));
  } finally {
    process.off('unhandledRejection', listener);
  }
  return seen;
}

describe('occurrence timer', () => {
  it('fires the Sunday 02:30 slot of the spring-forward night once, at 03:00, then the next Sunday', () => {
    vi.useFakeTimers({ now: new Date('2026-03-28T10:00:00Z') });
    const fired: string[] = [];
    const handle = occurrenceTimer.schedule(spec('30 2 * * 0'), (slot) => void fired.push(slot.toISOString()));
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
    const handle = occurrenceTimer.schedule(spec('30 2 * * *'), (slot) => void fired.push(slot.toISOString()));
    vi.advanceTimersByTime(24 * 60 * 60_000);
    expect(fired).toEqual(['2026-10-25T01:30:00.000Z']);
    handle.stop();
  });

  it('logs a fire that rejects as one redacted line, stays up, and still fires the next slot', async () => {
    const { lines, logger } = capturedLogger();
    const fired: string[] = [];
    const token = `xoxb-${'1234567890'.repeat(3)}`;
    const unhandled = await unhandledDuring(async () => {
      vi.useFakeTimers({ now: new Date('2026-01-05T08:59:30Z') });
      const handle = createOccurrenceTimer(logger).schedule({ ...spec('* * * * *'), timeZone: 'UTC' }, (slot) => {
        fired.push(slot.toISOString());
        return fired.length === 1 ? Promise.reject(new Error(`database is locked (${token})`)) : Promise.resolve();
      });
      await vi.advanceTimersByTimeAsync(60_000);
      await vi.advanceTimersByTimeAsync(60_000);
      handle.stop();
      vi.useRealTimers();
    });
    expect(unhandled).toEqual([]);
    expect(fired).toEqual(['2026-01-05T09:00:00.000Z', '2026-01-05T09:01:00.000Z']);
    const errors = lines.filter((l) => l.level === 50);
    expect(errors).toHaveLength(1);
    expect(errors[0]).toMatchObject({ job: 'weekly:C0DEPS00001', slot: '2026-01-05T09:00:00.000Z', msg: 'scheduler: scheduled run failed' });
    expect(JSON.stringify(errors[0])).toContain('database is locked');
    expect(JSON.stringify(lines)).not.toContain(token);
  });

  it('re-arms after a fire that throws at once', async () => {
    const { lines, logger } = capturedLogger();
    const fired: string[] = [];
    vi.useFakeTimers({ now: new Date('2026-01-05T08:59:30Z') });
    const handle = createOccurrenceTimer(logger).schedule({ ...spec('* * * * *'), timeZone: 'UTC' }, (slot) => {
      fired.push(slot.toISOString());
      if (fired.length === 1) throw new Error('database connection is not open');
    });
    await vi.advanceTimersByTimeAsync(120_000);
    handle.stop();
    expect(fired).toEqual(['2026-01-05T09:00:00.000Z', '2026-01-05T09:01:00.000Z']);
    expect(lines.filter((l) => l.level === 50)).toHaveLength(1);
  });

  it('fires a 29 February schedule armed more than a year before the day comes', async () => {
    // 2026-12-07: the next 29 February is ~450 days away, past one look-ahead window.
    vi.useFakeTimers({ now: new Date('2026-12-07T06:00:00Z') });
    const fired: string[] = [];
    const handle = occurrenceTimer.schedule({ ...spec('0 9 29 2 *'), timeZone: 'UTC' }, (slot) => void fired.push(slot.toISOString()));
    await vi.advanceTimersByTimeAsync(460 * 24 * 60 * 60_000);
    handle.stop();
    expect(fired).toEqual(['2028-02-29T09:00:00.000Z']);
  });
});
