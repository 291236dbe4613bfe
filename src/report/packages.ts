/**
 * Vulnerability findings grouped by installed release, the way a developer fixes them: one upgrade
 * per package ("django 2.1.5 → 2.2.28 clears 9 advisories"), then its advisories, worst first. Pure,
 * shared by every report format and the Slack layouts; each passes its own syntax (AdviceSyntax).
 */
import { PLAIN_SYNTAX, upgradeSteps, type AdviceSyntax } from '../audit/fix-wording.js';
import type { AdvicePlaces, Finding, FindingLocation, Fix, Severity, UpgradeAdvice } from '../audit/findings.js';
import { plural } from '../plural.js';

export interface PackageGroup {
  package: string;
  version: string;
  /** The group's findings in report order (worst first): its advisories. */
  findings: Finding[];
  /** The worst severity among them. */
  severity: Severity;
  malicious: boolean;
  /** The one fix for the release (every finding of a package carries the same). */
  fix: Fix;
  /** Where the release is pinned, locked or declared; the primary first. */
  locations: FindingLocation[];
  /** Places beyond those listed (see MAX_LISTED_PLACES). */
  locationsOmitted: number;
}

export const isVulnerability = (f: Finding): boolean => f.kind === 'vulnerability' || f.kind === 'malicious';

/** Vulnerable and malicious findings by package and version, in the order of each group's worst finding. */
export function vulnerablePackages(findings: readonly Finding[]): PackageGroup[] {
  const groups = new Map<string, PackageGroup>();
  for (const f of findings) {
    if (!isVulnerability(f)) continue;
    const key = `${f.package ?? ''}@${f.version ?? ''}`;
    const group = groups.get(key);
    if (group) {
      group.findings.push(f);
      if (f.kind === 'malicious') {
        group.malicious = true;
        group.fix = f.fix;
      }
      continue;
    }
    groups.set(key, {
      package: f.package ?? '?',
      version: f.version ?? '',
      findings: [f],
      severity: f.severity,
      malicious: f.kind === 'malicious',
      fix: f.fix,
      locations: f.locations?.length ? f.locations : f.file ? [{ file: f.file, line: f.line, role: 'pin' }] : [],
      locationsOmitted: f.locationsOmitted ?? 0,
    });
  }
  return [...groups.values()];
}

/**
 * "django 2.1.5 → 2.2.28 clears 9 advisories", "pkg 1.0: 2 advisories, no single upgrade clears
 * them", "reqeusts 1.0 is malicious".
 */
export function packageHeadline(g: PackageGroup, s: AdviceSyntax = PLAIN_SYNTAX): string {
  const name = `${s.text(g.package)} ${s.text(g.version)}`;
  if (g.malicious) return `${name} is malicious`;
  const advisories = plural(g.findings.length, 'advisory', 'advisories');
  return g.fix.version ? `${name} → ${s.text(g.fix.version)} clears ${advisories}` : `${name}: ${advisories}, no single upgrade clears ${g.findings.length === 1 ? 'it' : 'them'}`;
}

/** What to do, without the "Upgrade … to …" lead the headline already gives. */
export function packageFix(g: PackageGroup, s: AdviceSyntax = PLAIN_SYNTAX): string {
  if (!g.malicious && g.fix.advice) return `${upgradeSteps(g.fix.advice, s)}.`;
  return s.text(g.fix.text);
}

const ROLE_WORDS: Record<FindingLocation['role'], string> = { pin: 'pinned in', constraint: 'constrained in', lock: 'locked in', declaration: 'declared in' };

/** "requirements.txt:2, also locked in poetry.lock:40 and declared in pyproject.toml:9 (`>=2.0`)". */
export function placesLine(locations: readonly FindingLocation[], s: AdviceSyntax = PLAIN_SYNTAX, omitted = 0): string {
  return placesWithin(locations, s, omitted).text;
}

/**
 * placesLine within `room` characters: the primary place always, then as many of the others as fit,
 * in order, the rest counted with the audit's own omitted ones ("and 12 more places"), so a place
 * left out is said, never cut mid-link. `cut` is how many of `locations` were left out for room.
 */
export function placesWithin(
  locations: readonly FindingLocation[],
  s: AdviceSyntax = PLAIN_SYNTAX,
  omitted = 0,
  room = Number.POSITIVE_INFINITY,
): { text: string; cut: number } {
  const [primary, ...rest] = locations;
  if (!primary) return { text: '', cut: 0 };
  const texts = rest.map((l) => `${s.place(l.file, l.line)}${l.role === 'declaration' ? ` (${l.specifier ? s.code(l.specifier) : 'any version'})` : ''}`);
  const line = (kept: number): string => {
    const byRole = new Map<string, string[]>();
    rest.slice(0, kept).forEach((l, i) => {
      const words = ROLE_WORDS[l.role] === ROLE_WORDS[primary.role] ? `also ${ROLE_WORDS[l.role]}` : ROLE_WORDS[l.role];
      byRole.set(words, [...(byRole.get(words) ?? []), texts[i]!]);
    });
    const also = [...byRole].map(([words, places]) => `${words} ${places.join(', ')}`);
    const more = omitted + rest.length - kept;
    if (more > 0) also.push(`and ${plural(more, 'more place', 'more places')}`);
    return [s.place(primary.file, primary.line), ...also].join('; ');
  };
  // Places are few (MAX_LISTED_PLACES at most), so trying each count from all down is cheap.
  for (let kept = rest.length; kept > 0; kept--) {
    const text = line(kept);
    if (text.length <= room) return { text, cut: rest.length - kept };
  }
  return { text: line(0), cut: rest.length };
}

/**
 * packageFix within `room` characters: when the edits of every place do not fit, the first ones of
 * each project are kept (at least one) and the rest said as "the same in N more places", so the
 * advice keeps its command and never ends mid-link. `cut` is how many edits were left out for room;
 * advice that does not fit even so is returned whole (the caller cuts it).
 */
export function packageFixWithin(g: PackageGroup, s: AdviceSyntax, room: number): { text: string; cut: number } {
  const whole = packageFix(g, s);
  const advice = g.fix.advice;
  if (whole.length <= room || g.malicious || !advice) return { text: whole, cut: 0 };
  const most = Math.max(advice.edits.length, ...(advice.projects ?? []).map((p) => p.edits.length));
  for (let kept = most - 1; kept >= 1; kept--) {
    const left = (a: AdvicePlaces): number => Math.max(0, a.edits.length - kept);
    const trim = <T extends AdvicePlaces>(a: T): T => ({ ...a, edits: a.edits.slice(0, kept), placesOmitted: (a.placesOmitted ?? 0) + left(a) });
    const trimmed: UpgradeAdvice = { ...trim(advice), ...(advice.projects ? { projects: advice.projects.map(trim) } : {}) };
    const text = `${upgradeSteps(trimmed, s)}.`;
    // Several projects are said project by project (upgradeSteps), so theirs are the edits left out.
    const cut = advice.projects && advice.projects.length > 1 ? advice.projects.reduce((n, p) => n + left(p), 0) : left(advice);
    if (text.length <= room) return { text, cut };
  }
  return { text: whole, cut: 0 };
}

/**
 * Where a finding is, for the findings outside the package groups: its place, or every place when
 * it names several (a Python constraint its lockfile repeats: "pyproject.toml:3; locked in uv.lock").
 */
export function findingPlaces(f: Finding, s: AdviceSyntax = PLAIN_SYNTAX): string {
  if (f.locations && f.locations.length > 1) return placesLine(f.locations, s, f.locationsOmitted ?? 0);
  return f.file ? s.place(f.file, f.line) : '';
}
