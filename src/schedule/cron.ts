/**
 * Schedules as people type them ("mon 09:00", "daily 8am", "1st 10:00", "hourly", or a 5-field
 * cron expression) turned into cron, checked with node-cron's own validator; and the last time a
 * cron expression fired before a moment, in an IANA time zone, for catching up after downtime.
 *
 * The previous (or next) occurrence is found by walking local calendar days and trying each day's
 * candidate times (from node-cron's parse) in order, the day confirmed with node-cron's matcher, so
 * day-of-month, month and day-of-week agree with node-cron's reading of the expression.
 *
 * Daylight saving time, as Vixie cron does it. A schedule at a fixed time of day (one minute and
 * one hour, "30 2 * * *") runs once a day: a wall time that does not exist (clocks went forward past
 * it) runs at the first instant after the gap (02:30 in Berlin on the last Sunday of March runs at
 * 03:00), and one that happens twice (clocks went back) runs once, at its later reading. Any other
 * schedule (hourly, every 15 minutes, "0 9,21") runs at every real instant its fields match: both
 * passes of the repeated hour, and nothing for wall times the gap skipped. node-cron itself skips gap
 * slots, so the scheduler's timer follows these instants (nextOccurrence), not node-cron's.
 */
import cron from 'node-cron';
import type { ScheduleKind } from '../store/watches.js';

export class ScheduleParseError extends Error {
  override name = 'ScheduleParseError';
}

const DAYS: Record<string, number> = { sun: 0, mon: 1, tue: 2, wed: 3, thu: 4, fri: 5, sat: 6 };
const DAY_WORDS: Record<string, string> = {
  sunday: 'sun', monday: 'mon', tuesday: 'tue', tues: 'tue', wednesday: 'wed', thursday: 'thu', thur: 'thu', thurs: 'thu', friday: 'fri', saturday: 'sat',
};
const QUARTER_MONTHS = '1,4,7,10';

export function isValidTimeZone(tz: string): boolean {
  if (!tz) return false;
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: tz });
    return true;
  } catch {
    return false;
  }
}

/** A 5-field cron expression node-cron accepts (seconds are not offered: nothing here needs them). */
export function isValidCron(expression: string): boolean {
  const fields = expression.trim().split(/\s+/);
  return fields.length === 5 && cron.validate(fields.join(' '));
}

/** "9", "09:00", "9:30", "8am", "8:30pm", "noon", "midnight" → [hour, minute]; null when not a time. */
export function parseTimeOfDay(text: string): [number, number] | null {
  const t = text.trim().toLowerCase();
  if (t === 'noon') return [12, 0];
  if (t === 'midnight') return [0, 0];
  const m = /^(\d{1,2})(?::(\d{2}))?\s*(am|pm)?$/.exec(t);
  if (!m) return null;
  let hour = Number(m[1]);
  const minute = m[2] === undefined ? 0 : Number(m[2]);
  if (m[2] === undefined && m[3] === undefined) return null; // a bare number is not a time
  if (minute > 59) return null;
  if (m[3]) {
    if (hour < 1 || hour > 12) return null;
    hour = (hour % 12) + (m[3] === 'pm' ? 12 : 0);
  } else if (hour > 23) return null;
  return [hour, minute];
}

function dayToken(token: string): string | null {
  const t = token.toLowerCase();
  if (t === 'weekday' || t === 'weekdays') return '1-5';
  if (t === 'weekend' || t === 'weekends') return '0,6';
  const names = t.split(',').map((part) => {
    const singular = part.length > 3 && part.endsWith('s') ? part.slice(0, -1) : part;
    return DAY_WORDS[singular] ?? DAY_WORDS[part] ?? singular.slice(0, 3);
  });
  if (names.length > 0 && names.every((n) => n in DAYS) && t.split(',').every((p) => p.length >= 3)) return names.map((n) => String(DAYS[n])).join(',');
  return null;
}

/**
 * Turns a schedule phrase or cron expression into cron. The kind shapes day-of-month phrases: for
 * `quarterly`, "1st 10:00" means the 1st of January, April, July and October.
 */
export function scheduleToCron(text: string, kind: ScheduleKind): string {
  const phrase = text.trim().replace(/\s+/g, ' ');
  if (!phrase) throw new ScheduleParseError('give a time, like "mon 09:00", "daily 8am", "1st 10:00", "hourly" or a cron expression');
  const fields = phrase.split(' ');
  if (fields.length === 5 && /^[\d*,/\-a-zA-Z#?L]+$/.test(fields.join(''))) {
    if (!isValidCron(phrase)) throw new ScheduleParseError(`"${phrase}" is not a valid cron expression (minute hour day-of-month month day-of-week)`);
    // node-cron's validator passes dates that come rarely or never (29 February on a Monday: 2044):
    // the timer would wait years, and people would be shown no next run.
    if (!nextOccurrence(phrase, 'UTC', CALENDAR_CYCLE_START, SHOWN_LOOKAHEAD_DAYS)) throw new ScheduleParseError(`"${phrase}" never runs (not once in ${SHOWN_LOOKAHEAD_YEARS} years); check the day of month and month`);
    return phrase;
  }
  const lower = phrase.toLowerCase();
  if (lower === 'hourly') return '0 * * * *';
  const hourlyAt = /^hourly (?:at )?:?(\d{1,2})$/.exec(lower);
  if (hourlyAt && Number(hourlyAt[1]) < 60) return `${Number(hourlyAt[1])} * * * *`;

  const [first = '', ...rest] = lower.replace(/ at /, ' ').split(' ');
  const time = parseTimeOfDay(rest.join(' ') || '09:00');
  if (!time) throw new ScheduleParseError(`"${rest.join(' ')}" is not a time of day; write 09:00, 9:30, 8am or 6pm`);
  const [hour, minute] = time;

  if (first === 'daily' || first === 'everyday' || first === 'day') return `${minute} ${hour} * * *`;
  const days = dayToken(first);
  if (days !== null) return `${minute} ${hour} * * ${days}`;
  const dom = /^(\d{1,2})(?:st|nd|rd|th)?$/.exec(first);
  if (dom && rest.length > 0) {
    const day = Number(dom[1]);
    if (day < 1 || day > 28) throw new ScheduleParseError(`day ${day}: pick a day from 1 to 28, so that every month has it`);
    return `${minute} ${hour} ${day} ${kind === 'quarterly' ? QUARTER_MONTHS : '*'} *`;
  }
  if (first === 'monthly') return `${minute} ${hour} 1 ${kind === 'quarterly' ? QUARTER_MONTHS : '*'} *`;
  if (first === 'weekly') return `${minute} ${hour} * * 1`;
  if (first === 'quarterly') return `${minute} ${hour} 1 ${QUARTER_MONTHS} *`;
  throw new ScheduleParseError(`"${phrase}" is not a schedule I understand; try "mon 09:00", "daily 8am", "1st 10:00", "hourly" or a cron expression like "0 9 * * 1"`);
}

// ---------------------------------------------------------------------------------------------
// Time zones without a library: Intl gives the wall-clock parts of an instant in a zone.

const formatters = new Map<string, Intl.DateTimeFormat>();

function formatterFor(tz: string): Intl.DateTimeFormat {
  let f = formatters.get(tz);
  if (!f) {
    f = new Intl.DateTimeFormat('en-US', { timeZone: tz, hourCycle: 'h23', year: 'numeric', month: 'numeric', day: 'numeric', hour: 'numeric', minute: 'numeric', second: 'numeric' });
    formatters.set(tz, f);
  }
  return f;
}

export interface WallTime {
  year: number;
  month: number; // 1-12
  day: number;
  hour: number;
  minute: number;
}

export function wallTimeIn(instant: Date, tz: string): WallTime {
  const parts: Record<string, number> = {};
  for (const p of formatterFor(tz).formatToParts(instant)) if (p.type !== 'literal') parts[p.type] = Number(p.value);
  return { year: parts.year!, month: parts.month!, day: parts.day!, hour: parts.hour! % 24, minute: parts.minute! };
}

function offsetMs(instant: number, tz: string): number {
  const w = wallTimeIn(new Date(instant), tz);
  const asUtc = Date.UTC(w.year, w.month - 1, w.day, w.hour, w.minute);
  return asUtc - Math.floor(instant / 60_000) * 60_000;
}

/**
 * The instant a wall-clock time in `tz` happens: the later reading in a DST fold; in a DST gap (a
 * wall time that never happened), the first instant after the gap, when the clocks read its end.
 */
export function instantOf(w: WallTime, tz: string): Date {
  const naive = Date.UTC(w.year, w.month - 1, w.day, w.hour, w.minute);
  // The offsets a day either side hold both of a change's: west of Greenwich the offset at the
  // naive instant is the earlier one, east of it the later, so neither alone finds both readings.
  const offsets = [offsetMs(naive - 86_400_000, tz), offsetMs(naive, tz), offsetMs(naive + 86_400_000, tz)];
  const readings = readingsOf(w, tz, offsets);
  if (readings.length > 0) return new Date(Math.max(...readings));
  // A gap: the wall time falls between the offsets before and after the change. The change itself
  // lies between the two readings; find its minute.
  return new Date(gapEnd(naive - Math.max(...offsets), naive - Math.min(...offsets), tz));
}

function readsAs(instant: number, w: WallTime, tz: string): boolean {
  const r = wallTimeIn(new Date(instant), tz);
  return r.year === w.year && r.month === w.month && r.day === w.day && r.hour === w.hour && r.minute === w.minute;
}

/** The first minute in (before, after] whose offset is `after`'s: the instant a DST gap ends. */
function gapEnd(before: number, after: number, tz: string): number {
  const target = offsetMs(after, tz);
  let lo = Math.floor(before / 60_000);
  let hi = Math.floor(after / 60_000);
  while (hi - lo > 1) {
    const mid = Math.floor((lo + hi) / 2);
    if (offsetMs(mid * 60_000, tz) === target) hi = mid;
    else lo = mid;
  }
  return hi * 60_000;
}

/**
 * The most recent time at or before `now` at which `expression` fires in `tz`, looking back at most
 * `lookbackDays`; null when there is none in that window.
 */
export function previousOccurrence(expression: string, tz: string, now: Date, lookbackDays = 400): Date | null {
  return scan(expression, tz, now, -1, lookbackDays);
}

/**
 * How far ahead the next run shown to people is looked for: 29 February comes at most 8 years apart
 * (2096 to 2104), so every schedule `scheduleToCron` accepts has a run inside it.
 */
export const SHOWN_LOOKAHEAD_YEARS = 8;
export const SHOWN_LOOKAHEAD_DAYS = SHOWN_LOOKAHEAD_YEARS * 366 + 1;
/** A schedule must run within SHOWN_LOOKAHEAD_YEARS of this day (leap years 2024 and 2028 fall inside). */
const CALENDAR_CYCLE_START = new Date('2023-12-31T00:00:00Z');

/**
 * The first time after `now` at which `expression` fires in `tz`, looking ahead at most
 * `lookaheadDays` (the scheduler's timer looks again later when there is none in its window; what
 * people are shown looks SHOWN_LOOKAHEAD_DAYS ahead).
 */
export function nextOccurrence(expression: string, tz: string, now: Date, lookaheadDays = 400): Date | null {
  return scan(expression, tz, now, 1, lookaheadDays);
}

function scan(expression: string, tz: string, now: Date, direction: 1 | -1, days: number): Date | null {
  const fields = cron.parse(expression);
  const order = (a: number, b: number) => (a - b) * direction;
  const minutes = [...fields.minute].sort(order);
  const hours = [...fields.hour].sort(order);
  // A fixed time of day (one hour, one minute) runs once a day whatever the clocks do; any other
  // schedule runs at each real instant whose wall time it matches (both passes of a fold, none in a gap).
  const fixedTime = minutes.length === 1 && hours.length === 1;
  // The day is checked apart from the time of day: a gap slot's instant reads another time.
  const dayFields = expression.trim().split(/\s+/).slice(-3).join(' ');
  const dayTask = cron.createTask(`* * ${dayFields}`, () => undefined, { timezone: tz });
  const inWindow = (t: number) => (direction < 0 ? t <= now.getTime() : t > now.getTime());
  try {
    const today = wallTimeIn(now, tz);
    const base = Date.UTC(today.year, today.month - 1, today.day);
    for (let d = 0; d <= days; d++) {
      const day = new Date(base + direction * d * 86_400_000);
      const date = { year: day.getUTCFullYear(), month: day.getUTCMonth() + 1, day: day.getUTCDate() };
      if (!fields.month.includes(date.month)) continue;
      if (!dayTask.match(instantOf({ ...date, hour: 12, minute: 0 }, tz))) continue;
      if (fixedTime) {
        const at = instantOf({ ...date, hour: hours[0]!, minute: minutes[0]! }, tz);
        if (inWindow(at.getTime())) return at;
        continue;
      }
      // Wall times map to instants in order except inside a fold, where a later wall time's first
      // reading comes before an earlier one's second: keep the best instant until no wall time
      // left can give a better one (the day's offsets bound how far a reading is from its wall time).
      const dayStart = Date.UTC(date.year, date.month - 1, date.day);
      const offsets = [offsetMs(dayStart - 86_400_000, tz), offsetMs(dayStart + 2 * 86_400_000, tz)];
      const reach = direction > 0 ? Math.max(...offsets) : Math.min(...offsets);
      let best: number | null = null;
      for (const hour of hours) {
        for (const minute of minutes) {
          const wall = Date.UTC(date.year, date.month - 1, date.day, hour, minute);
          if (best !== null && (wall - reach - best) * direction > 0) return new Date(best);
          for (const at of readingsOf({ ...date, hour, minute }, tz, offsets)) {
            if (inWindow(at) && (best === null || (at - best) * direction < 0)) best = at;
          }
        }
      }
      if (best !== null) return new Date(best);
    }
    return null;
  } finally {
    void dayTask.destroy();
  }
}

/** Every real instant at which the clocks in `tz` read `w`: two in a fold, none in a gap. */
function readingsOf(w: WallTime, tz: string, offsets: readonly number[]): number[] {
  const naive = Date.UTC(w.year, w.month - 1, w.day, w.hour, w.minute);
  const found = new Set<number>();
  for (const offset of offsets) if (readsAs(naive - offset, w, tz)) found.add(naive - offset);
  return [...found];
}

const WEEKDAY_NAMES = ['Sunday', 'Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday'];

/** A cron expression in words when it is one of the shapes the phrases produce, else the expression. */
export function describeCron(expression: string): string {
  const f = expression.trim().split(/\s+/);
  if (f.length !== 5) return expression;
  const [min, hour, dom, month, dow] = f as [string, string, string, string, string];
  const time = /^\d+$/.test(min) && /^\d+$/.test(hour) ? `${hour.padStart(2, '0')}:${min.padStart(2, '0')}` : null;
  if (/^\d+$/.test(min) && hour === '*' && dom === '*' && month === '*' && dow === '*') return min === '0' ? 'hourly' : `hourly at :${min.padStart(2, '0')}`;
  if (!time) return `cron \`${expression}\``;
  if (dom === '*' && month === '*' && dow === '*') return `daily at ${time}`;
  if (dom === '*' && month === '*' && /^\d$/.test(dow)) return `${WEEKDAY_NAMES[Number(dow) % 7]}s at ${time}`;
  if (dom === '*' && month === '*' && dow === '1-5') return `weekdays at ${time}`;
  if (/^\d+$/.test(dom) && month === '*' && dow === '*') return `the ${ordinal(Number(dom))} of each month at ${time}`;
  if (/^\d+$/.test(dom) && month === QUARTER_MONTHS && dow === '*') return `the ${ordinal(Number(dom))} of Jan, Apr, Jul and Oct at ${time}`;
  return `cron \`${expression}\``;
}

function ordinal(n: number): string {
  const s = n % 100 >= 11 && n % 100 <= 13 ? 'th' : (['th', 'st', 'nd', 'rd'][n % 10] ?? 'th');
  return `${n}${s}`;
}
