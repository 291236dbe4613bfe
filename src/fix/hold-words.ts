/**
 * When a range in a file `depwatch fix` does not write (setup.cfg, setup.py, one it could not write
 * back exactly) holds a vulnerable release back, and what Depwatch says about it: one rule for the
 * fixer (src/fix/plan.ts, which then moves no pin of the release in that project) and for the
 * audit's fix advice (src/audit/rules/fix-hints.ts, which names the hold before the steps), so a
 * user who reads "upgrade to X" in the audit is never told by fix that something else held it.
 * Pure, and light: the audit loads it for every tree.
 */
import { posix } from 'node:path';
import { parseSpecifierSet, specifierContains } from '../python/pep440.js';
import { widenPep440 } from './widen.js';

/** A vulnerable release and the version that fixes it. */
export interface Move {
  name: string;
  from: string;
  to: string;
}

const INSIDE = { containsPrereleases: true } as const;

/** Whether a requirement's specifier admits the vulnerable release but not its fix. */
export function excludesFix(specifier: string, move: Move): boolean {
  return parseSpecifierSet(specifier) !== null && specifierContains(specifier, move.from, INSIDE) && !specifierContains(specifier, move.to, INSIDE);
}

/**
 * Why a range in a file fix does not write is left alone, and what to write there by hand.
 * `unwritable`: why fix cannot write the file back (absent: its format is not one fix rewrites).
 */
export function notRewritableReason(file: string, specifier: string, move: Move, unwritable?: string): string {
  const why = unwritable?.replace(/\.\s*$/, '') ?? `${posix.basename(file)} is not rewritten by depwatch fix; change it by hand`;
  const widened = widenPep440(specifier, move.from, move.to);
  const instead = widened.kind === 'widened' ? ` (for example ${move.name}${widened.text})` : '';
  return `${move.name}${specifier} here does not allow the fix ${move.to}, and ${why}: write a range that allows it${instead}; until then no pin of ${move.name} ${move.from} in this project is moved`;
}
