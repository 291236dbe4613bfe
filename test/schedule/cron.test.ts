import { describe, expect, it } from 'vitest';
import { describeCron, instantOf, isValidCron, nextOccurrence, parseTimeOfDay, previousOccurrence, scheduleToCron, ScheduleParseError, wallTimeIn } from '../../src/schedule/cron.js';

describe('schedule phrases', () => {
  it('turns the phrases people type into cron', () => {
    expect(scheduleToCron('mon 09:00', 'weekly')).toBe('0 9 * * 1');
    expect(scheduleToCron('Monday 9am', 'weekly')).toBe('0 9 * * 1');
    expect(scheduleToCron('daily 8am', 'alerts')).toBe('0 8 * * *');
    expect(scheduleToCron('weekdays 6:30pm', 'weekly')).toBe('30 18 * * 1-5');
    expect(scheduleToCron('1st 10:00', 'monthly')).toBe('0 10 1 * *');
    expect(scheduleToCron('15th 10:00', 'quarterly')).toBe('0 10 15 1,4,7,10 *');
    expect(scheduleToCron('hourly', 'alerts')).toBe('0 * * * *');
    expect(scheduleToCron('hourly :15', 'alerts')).toBe('15 * * * *');
    expect(scheduleToCron('mon,thu 07:45', 'weekly')).toBe('45 7 * * 1,4');
  });

  it('accepts valid 5-field cron and rejects invalid cron with a reason', () => {
    expect(scheduleToCron('*/30 9-17 * * 1-5', 'alerts')).toBe('*/30 9-17 * * 1-5');
    expect(() => scheduleToCron('61 * * * *', 'alerts')).toThrow(ScheduleParseError);
    expect(() => scheduleToCron('someday 9am', 'weekly')).toThrow(/not a schedule I understand/);
    expect(() => scheduleToCron('mon 25:00', 'weekly')).toThrow(/not a time of day/);
    expect(() => scheduleToCron('31st 10:00', 'monthly')).toThrow(/1 to 28/);
    expect(isValidCron('0 0 9 * * 1')).toBe(false); // six fields (seconds) are not offered
  });

  it('refuses a cron that node-cron accepts but that would not run for years, and keeps 29 February, which comes every four', () => {
    // 29 February on a Monday: next in 2044.
    expect(() => scheduleToCron('0 9 29 2 1', 'alerts')).toThrow(/"0 9 29 2 1" never runs \(not once in 8 years\)/);
    expect(scheduleToCron('0 9 29 2 *', 'alerts')).toBe('0 9 29 2 *');
  });

  it('reads times of day', () => {
    expect(parseTimeOfDay('12am')).toEqual([0, 0]);
    expect(parseTimeOfDay('12pm')).toEqual([12, 0]);
    expect(parseTimeOfDay('8:05pm')).toEqual([20, 5]);
    expect(parseTimeOfDay('9')).toBeNull();
    expect(parseTimeOfDay('13pm')).toBeNull();
  });

  it('describes schedules in words', () => {
    expect(describeCron('0 9 * * 1')).toBe('Mondays at 09:00');
    expect(describeCron('0 * * * *')).toBe('hourly');
    expect(describeCron('0 9 1 1,4,7,10 *')).toBe('the 1st of Jan, Apr, Jul and Oct at 09:00');
  });
});

describe('previous occurrence in a time zone', () => {
  it('finds the last weekly run before now, in the channel zone', () => {
    // Thursday 2025-01-09 12:00 UTC; Monday 09:00 in Berlin (UTC+1) was 2025-01-06 08:00 UTC.
    const at = previousOccurrence('0 9 * * 1', 'Europe/Berlin', new Date('2025-01-09T12:00:00Z'));
    expect(at?.toISOString()).toBe('2025-01-06T08:00:00.000Z');
  });

  it('counts the current minute as due and steps back across months and quarters', () => {
    expect(previousOccurrence('0 9 * * 1', 'UTC', new Date('2025-01-06T09:00:00Z'))?.toISOString()).toBe('2025-01-06T09:00:00.000Z');
    expect(previousOccurrence('0 9 * * 1', 'UTC', new Date('2025-01-06T08:59:59Z'))?.toISOString()).toBe('2024-12-30T09:00:00.000Z');
    expect(previousOccurrence('0 9 1 1,4,7,10 *', 'UTC', new Date('2025-03-15T00:00:00Z'))?.toISOString()).toBe('2025-01-01T09:00:00.000Z');
    expect(previousOccurrence('0 * * * *', 'UTC', new Date('2025-03-15T10:59:00Z'))?.toISOString()).toBe('2025-03-15T10:00:00.000Z');
  });

  it('follows daylight saving time', () => {
    // New York: EST (UTC-5) in January, EDT (UTC-4) in July.
    expect(previousOccurrence('0 9 * * *', 'America/New_York', new Date('2025-01-10T20:00:00Z'))?.toISOString()).toBe('2025-01-10T14:00:00.000Z');
    expect(previousOccurrence('0 9 * * *', 'America/New_York', new Date('2025-07-10T20:00:00Z'))?.toISOString()).toBe('2025-07-10T13:00:00.000Z');
    // 02:30 did not exist on 2025-03-09 in New York: that day's run was at 03:00 EDT, when the gap ended.
    const gap = previousOccurrence('30 2 * * *', 'America/New_York', new Date('2025-03-09T12:00:00Z'));
    expect(gap?.toISOString()).toBe('2025-03-09T07:00:00.000Z');
    expect(instantOf({ year: 2025, month: 11, day: 2, hour: 12, minute: 0 }, 'America/New_York').toISOString()).toBe('2025-11-02T17:00:00.000Z');
    expect(wallTimeIn(new Date('2025-07-01T00:00:00Z'), 'Asia/Kolkata')).toEqual({ year: 2025, month: 7, day: 1, hour: 5, minute: 30 });
  });

  it('gives null when nothing fired within the lookback', () => {
    expect(previousOccurrence('0 9 29 2 *', 'UTC', new Date('2025-03-01T00:00:00Z'), 30)).toBeNull();
  });
});

describe('next occurrence', () => {
  it('finds the next run after now, in the zone', async () => {
    const { nextOccurrence } = await import('../../src/schedule/cron.js');
    expect(nextOccurrence('0 9 * * 1', 'Europe/Berlin', new Date('2025-01-06T08:00:00Z'))?.toISOString()).toBe('2025-01-13T08:00:00.000Z');
    expect(nextOccurrence('0 9 1 1,4,7,10 *', 'UTC', new Date('2025-01-06T08:00:00Z'))?.toISOString()).toBe('2025-04-01T09:00:00.000Z');
    expect(nextOccurrence('0 * * * *', 'UTC', new Date('2025-01-06T08:00:00Z'))?.toISOString()).toBe('2025-01-06T09:00:00.000Z');
  });
});

describe('slots that daylight saving time moves', () => {
  const berlin = 'Europe/Berlin';
  // 2026-03-29: Berlin's clocks go from 02:00 CET straight to 03:00 CEST (01:00Z).
  // 2026-10-25: they go back from 03:00 CEST to 02:00 CET (01:00Z), so 02:00-02:59 happens twice.

  it('runs a slot the spring-forward gap swallowed once, when the gap ends, looking forward and back', () => {
    const weekly = scheduleToCron('sun 02:30', 'weekly');
    expect(nextOccurrence(weekly, berlin, new Date('2026-03-28T10:00:00Z'))?.toISOString()).toBe('2026-03-29T01:00:00.000Z');
    expect(previousOccurrence(weekly, berlin, new Date('2026-03-29T07:00:00Z'))?.toISOString()).toBe('2026-03-29T01:00:00.000Z');
    expect(nextOccurrence(weekly, berlin, new Date('2026-03-29T01:00:00Z'))?.toISOString()).toBe('2026-04-05T00:30:00.000Z');

    const daily = scheduleToCron('daily 02:30', 'alerts');
    expect(previousOccurrence(daily, berlin, new Date('2026-03-29T06:00:00Z'))?.toISOString()).toBe('2026-03-29T01:00:00.000Z');
    expect(previousOccurrence(daily, berlin, new Date('2026-03-29T00:59:00Z'))?.toISOString()).toBe('2026-03-28T01:30:00.000Z');
  });

  /** The runs after `from` one by one, and the same runs found stepping back from the last: both ways must agree. */
  function runs(expression: string, tz: string, from: string, count: number): string[] {
    const forward: string[] = [];
    let at = new Date(from);
    for (let i = 0; i < count; i++) {
      at = nextOccurrence(expression, tz, at)!;
      forward.push(at.toISOString().slice(0, 16));
    }
    const backward: string[] = [];
    for (let i = 0; i < count; i++) {
      const slot = previousOccurrence(expression, tz, at)!;
      backward.unshift(slot.toISOString().slice(0, 16));
      at = new Date(slot.getTime() - 1);
    }
    expect(backward).toEqual(forward);
    return forward;
  }

  it('runs schedules that are not one fixed time at every real instant they match: none for wall times a gap skipped', () => {
    // Berlin 2026-03-29: 01:45 CET is 00:45Z, then 03:00 CEST is 01:00Z.
    expect(runs('*/15 * * * *', berlin, '2026-03-29T00:30:00Z', 4)).toEqual(['2026-03-29T00:45', '2026-03-29T01:00', '2026-03-29T01:15', '2026-03-29T01:30']);
    expect(runs('30 * * * *', berlin, '2026-03-29T00:00:00Z', 2)).toEqual(['2026-03-29T00:30', '2026-03-29T01:30']);
    // Every wall time of '*/15 2 * * *' is inside the gap: that day has no run.
    expect(runs('*/15 2 * * *', berlin, '2026-03-28T12:00:00Z', 2)).toEqual(['2026-03-30T00:00', '2026-03-30T00:15']);
    // New York 2026-03-08: 01:30 EST is 06:30Z, then 03:00 EDT is 07:00Z.
    expect(runs('*/30 * * * *', 'America/New_York', '2026-03-08T06:15:00Z', 3)).toEqual(['2026-03-08T06:30', '2026-03-08T07:00', '2026-03-08T07:30']);
    expect(runs('0 * * * *', 'America/New_York', '2026-03-08T05:30:00Z', 3)).toEqual(['2026-03-08T06:00', '2026-03-08T07:00', '2026-03-08T08:00']);
  });

  it('runs schedules that are not one fixed time in both passes of the hour the fold repeats', () => {
    // Berlin 2026-10-25: 02:00 CEST is 00:00Z, 02:00 CET is 01:00Z.
    expect(runs('*/15 * * * *', berlin, '2026-10-24T23:30:00Z', 10)).toEqual([
      '2026-10-24T23:45', '2026-10-25T00:00', '2026-10-25T00:15', '2026-10-25T00:30', '2026-10-25T00:45',
      '2026-10-25T01:00', '2026-10-25T01:15', '2026-10-25T01:30', '2026-10-25T01:45', '2026-10-25T02:00',
    ]);
    expect(runs('0 * * * *', berlin, '2026-10-24T22:30:00Z', 4)).toEqual(['2026-10-24T23:00', '2026-10-25T00:00', '2026-10-25T01:00', '2026-10-25T02:00']);
    expect(runs('30 2,3 * * *', berlin, '2026-10-24T12:00:00Z', 3)).toEqual(['2026-10-25T00:30', '2026-10-25T01:30', '2026-10-25T02:30']);
    // New York 2026-11-01: 01:00 EDT is 05:00Z, 01:00 EST is 06:00Z.
    expect(runs('0 * * * *', 'America/New_York', '2026-11-01T04:30:00Z', 3)).toEqual(['2026-11-01T05:00', '2026-11-01T06:00', '2026-11-01T07:00']);
    expect(runs('*/30 * * * *', 'America/New_York', '2026-11-01T04:45:00Z', 4)).toEqual(['2026-11-01T05:00', '2026-11-01T05:30', '2026-11-01T06:00', '2026-11-01T06:30']);
  });

  it('runs a fixed time once on both nights, looking forward and back alike', () => {
    expect(runs('30 2 * * *', berlin, '2026-03-28T12:00:00Z', 2)).toEqual(['2026-03-29T01:00', '2026-03-30T00:30']);
    expect(runs('30 2 * * *', berlin, '2026-10-24T12:00:00Z', 2)).toEqual(['2026-10-25T01:30', '2026-10-26T01:30']);
    expect(runs('30 2 * * *', 'America/New_York', '2026-03-07T12:00:00Z', 2)).toEqual(['2026-03-08T07:00', '2026-03-09T06:30']);
    expect(runs('30 1 * * *', 'America/New_York', '2026-10-31T12:00:00Z', 2)).toEqual(['2026-11-01T06:30', '2026-11-02T06:30']);
  });

  it('runs a wall time the fall-back fold repeats once, at its later reading', () => {
    const daily = scheduleToCron('daily 02:30', 'alerts');
    expect(nextOccurrence(daily, berlin, new Date('2026-10-24T12:00:00Z'))?.toISOString()).toBe('2026-10-25T01:30:00.000Z');
    expect(nextOccurrence(daily, berlin, new Date('2026-10-25T01:30:00Z'))?.toISOString()).toBe('2026-10-26T01:30:00.000Z');
    // During the first 02:30 the day's run has not come yet.
    expect(previousOccurrence(daily, berlin, new Date('2026-10-25T00:45:00Z'))?.toISOString()).toBe('2026-10-24T00:30:00.000Z');
  });

  it('gives the instant a gap ends for a wall time inside it', () => {
    expect(instantOf({ year: 2026, month: 3, day: 29, hour: 2, minute: 30 }, berlin).toISOString()).toBe('2026-03-29T01:00:00.000Z');
    expect(instantOf({ year: 2026, month: 3, day: 8, hour: 2, minute: 15 }, 'America/New_York').toISOString()).toBe('2026-03-08T07:00:00.000Z');
    // Lord Howe moves by half an hour.
    expect(wallTimeIn(instantOf({ year: 2026, month: 10, day: 4, hour: 2, minute: 10 }, 'Australia/Lord_Howe'), 'Australia/Lord_Howe')).toMatchObject({ hour: 2, minute: 30 });
  });
});
