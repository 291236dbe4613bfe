/**
 * Upgrade advice (fix-hints.ts) in words. The wording lives here, once; each report format passes
 * its own syntax for code, places and plain text, so the terminal, Markdown and Slack say the same
 * thing in their own markup (Markdown and Slack link the places to the lines).
 */
import { plural } from '../plural.js';
import type { AdvicePlaces, UpgradeAdvice } from './findings.js';
import { lastHashesWhy, moveWithNewHashes, REFUSED_UNTIL_REHASHED, rehashWith } from '../python/hash-checking-words.js';

export interface AdviceSyntax {
  /** A requirement or a command. */
  code(text: string): string;
  /** A file and line. */
  place(file: string, line: number | null): string;
  /** Any other interpolated text (names, versions), escaped for the format. */
  text(text: string): string;
}

/** Plain text with backticks around code: what `fix.text` holds, readable in a terminal, Markdown and Slack. */
export const PLAIN_SYNTAX: AdviceSyntax = {
  code: (t) => `\`${t}\``,
  place: (file, line) => `${file}${line ? `:${line}` : ''}`,
  text: (t) => t,
};

const joinAnd = (parts: string[]) => (parts.length <= 1 ? parts.join('') : `${parts.slice(0, -1).join(', ')} and ${parts.at(-1)}`);

/**
 * How to apply the upgrade: "set `django==2.2.28` in requirements.txt:2", "the constraint `<2.2`
 * in pyproject.toml:9 excludes 2.2.28: widen it to `"django>=2.2.28"`, then run `uv lock
 * --upgrade-package django`", or "pyproject.toml:9 allows 2.2.28 (`>=2.0`), so only the lock needs
 * regenerating: run `poetry update django`".
 */
export function upgradeSteps(a: UpgradeAdvice, s: AdviceSyntax = PLAIN_SYNTAX): string {
  // A constraint `depwatch fix` will not widen holds every pin of the project (src/fix/plan.ts):
  // said first, in fix's words, so the advice is not "set …" where fix itself moves nothing.
  const held = (a.held ?? []).map((h) => `${s.place(h.file, h.line)} still excludes ${s.text(a.to)}: ${s.text(h.reason)}`);
  return held.length ? `${held.join('; ')}, or change it too, then ${stepsOf(a, s)}` : stepsOf(a, s);
}

function stepsOf(a: UpgradeAdvice, s: AdviceSyntax): string {
  // Several projects: each one's steps on their own, named by its lockfile, so a command is never
  // said after an edit in a file it does not read. The pins no lock resolves come first, unnamed
  // (each edit names its file).
  if (a.projects && a.projects.length > 1) {
    return a.projects.map((p) => `${p.project === null ? '' : `for ${s.place(p.project, null)}, `}${projectSteps(a, p, s)}`).join('; ');
  }
  return projectSteps(a, a, s);
}

function projectSteps(about: Pick<UpgradeAdvice, 'package' | 'to'>, a: AdvicePlaces, s: AdviceSyntax): string {
  const to = s.text(about.to);
  const constraints = new Map(a.constraints.map((c) => [`${c.file}:${c.line ?? ''}`, c]));
  const constraintAt = (file: string, line: number | null) => constraints.get(`${file}:${line ?? ''}`);
  const pinEdits: string[] = [];
  const widenings: string[] = [];
  const lastHashes: string[] = [];
  for (const e of a.edits) {
    const c = constraintAt(e.file, e.line);
    if (e.lastHashes) lastHashes.push(lastHashesStep(about, e, s));
    else if (c && !c.pin) widenings.push(`the constraint ${s.code(c.specifier)} in ${s.place(e.file, e.line)} excludes ${to}: widen it to ${s.code(e.write)}`);
    else pinEdits.push(`${s.code(e.write)} in ${s.place(e.file, e.line)}`);
  }
  const runs = joinAnd(a.commands.map((c) => `${s.code(c.run)}${c.dir !== '.' ? ` in ${s.text(c.dir)}/` : ''}`));
  if (a.placesOmitted) pinEdits.push(`the same in ${plural(a.placesOmitted, 'more place', 'more places')}`);
  // The files to re-hash, by the compiler their header names (null: none does).
  const rehash = new Map<AdvicePlaces['edits'][number]['hashedBy'] | null, Set<string>>();
  for (const e of a.edits) if (e.rehash && !e.lastHashes) rehash.set(e.hashedBy ?? null, (rehash.get(e.hashedBy ?? null) ?? new Set()).add(e.file));
  if (rehash.size) {
    const each = [...rehash].map(([tool, files]) => `${joinAnd([...files].map((f) => s.text(f)))} with ${rehashWith(tool ?? null, s.code)}`);
    // The words `depwatch fix` uses when it removes the old release's hashes (src/fix/plan.ts).
    widenings.push(
      `replace the old release's ${s.code('--hash')} lines: re-hash ${each.join(', and ')}; ${REFUSED_UNTIL_REHASHED}`,
    );
  }
  widenings.push(...lastHashes);
  const edits = [...(pinEdits.length ? [`set ${joinAnd(pinEdits)}`] : []), ...widenings].join('; ');
  if (edits) return runs ? `${edits}, then run ${runs}` : edits;
  if (!runs) return `move ${s.text(about.package)} to ${to}`;

  const ranges = a.constraints.filter((c) => !c.pin);
  // An exact pin admits the fix when it already says it (`depwatch fix` wrote it, the lock was not
  // regenerated yet): then, as for a range, only the lock needs regenerating.
  const admitting = ranges.find((c) => c.admits === true) ?? a.constraints.find((c) => c.pin && c.admits === true);
  const unreadable = ranges.find((c) => c.admits === null);
  if (unreadable) {
    return `run ${runs} (raise the constraint ${s.code(unreadable.specifier)} in ${s.place(unreadable.file, unreadable.line)} first if it excludes ${to})`;
  }
  if (admitting) {
    const allowed = admitting.specifier ? s.code(admitting.specifier) : 'any version';
    return `${s.place(admitting.file, admitting.line)} allows ${to} (${allowed}), so only the lock needs regenerating: run ${runs}`;
  }
  if (a.transitive) {
    return `run ${runs} (${s.text(about.package)} comes in through another package: if that package caps it below ${to}, upgrade it too)`;
  }
  return `run ${runs}`;
}

/**
 * A pin whose `--hash` options are the last of its file: not to be dropped (pip would then install
 * the whole file unchecked), but replaced with the new release's, as `depwatch fix` says when it
 * leaves such a pin alone (src/fix/plan.ts): with the compiler its header names (`hashedBy`), or
 * by hand when none does, the way fix offers.
 */
function lastHashesStep(about: Pick<UpgradeAdvice, 'package' | 'to'>, e: AdvicePlaces['edits'][number], s: AdviceSyntax): string {
  const how = moveWithNewHashes(about.package, about.to, s.code(e.write), [e.hashedBy ?? 'by-hand'], s.code);
  return `do not drop the ${s.code('--hash')} lines of ${s.text(about.package)} in ${s.place(e.file, e.line)} (${lastHashesWhy(s.text(e.file))}); move it with new hashes: ${how}`;
}

/** "Upgrade django 2.1.5 to 2.2.28 (clears all 9 advisories): set `django==2.2.28` in requirements.txt:2." */
export function upgradeSentence(a: UpgradeAdvice, advisories: number, s: AdviceSyntax = PLAIN_SYNTAX): string {
  const clears = advisories === 1 ? 'clears its advisory' : advisories === 2 ? 'clears both advisories' : `clears all ${plural(advisories, 'advisory', 'advisories')}`;
  return `Upgrade ${s.text(a.package)} ${s.text(a.from)} to ${s.text(a.to)} (${clears}): ${upgradeSteps(a, s)}.`;
}
