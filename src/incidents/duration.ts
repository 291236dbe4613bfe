/** Durations as people write them in templates (`15m`, `2h`, `1h30m`, `5d`) and read them in reports. */

const PART = /(\d+)\s*(d|h|m)/g;
const WHOLE = /^\s*(?:\d+\s*(?:d|h|m)\s*)+$/;
const MINUTES: Record<string, number> = { d: 24 * 60, h: 60, m: 1 };

/** Minutes in `text`, or null when it is not a duration like `30m`, `2h`, `1h30m` or `5d`. */
export function parseDuration(text: string): number | null {
  const lower = text.toLowerCase();
  if (!WHOLE.test(lower)) return null;
  let total = 0;
  for (const match of lower.matchAll(PART)) total += Number(match[1]) * (MINUTES[match[2] ?? 'm'] ?? 1);
  return total;
}

/** `45 min`, `2 h 05 min`, `3 d 4 h`: compact and unambiguous for reports. */
export function formatDuration(ms: number): string {
  if (!Number.isFinite(ms) || ms < 0) return '—';
  const minutes = Math.round(ms / 60_000);
  if (minutes < 1) return '< 1 min';
  if (minutes < 60) return `${minutes} min`;
  const hours = Math.floor(minutes / 60);
  const rest = minutes % 60;
  if (hours < 24) return rest === 0 ? `${hours} h` : `${hours} h ${String(rest).padStart(2, '0')} min`;
  const days = Math.floor(hours / 24);
  const h = hours % 24;
  return h === 0 ? `${days} d` : `${days} d ${h} h`;
}

/** `2024-11-28 14:05 UTC`: reports and timelines are read across time zones. */
export function formatUtc(iso: string): string {
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return iso;
  return `${d.toISOString().slice(0, 16).replace('T', ' ')} UTC`;
}

export function addMinutes(iso: string, minutes: number): string {
  return new Date(new Date(iso).getTime() + minutes * 60_000).toISOString();
}

export function msBetween(from: string | null | undefined, to: string | null | undefined): number | null {
  if (!from || !to) return null;
  const ms = new Date(to).getTime() - new Date(from).getTime();
  return Number.isFinite(ms) ? ms : null;
}
