/**
 * A pull request's dependency review: the diff (diff.ts) with a health card for each package it adds
 * or moves (at the version it moves to), so the review says per package: verdict and reasons, the
 * advisories hitting that release, and the typosquat flag. Removed packages need no card.
 * Cards come from the shared card sources (cached for an hour), one failing card never costs the
 * others, and a card that could not read everything is partial and says so (never `ok`). A package
 * that gets no card (several versions at once) is not rated: said, partial, and at least caution.
 */
import { errorLine } from '../../error-line.js';
import { buildCards, parsePackageArg, type CardSources, type PackageCard, type PackageRequest } from '../../packages/card.js';
import type { Verdict } from '../../packages/verdict.js';
import type { DependencyChange, DependencyDiff } from './diff.js';

export interface ReviewedChange extends DependencyChange {
  /** Null for removals, and for a change whose card could not be asked (`unrated` says why). */
  card: { verdict: Verdict; partial: boolean; reasons: string[]; advisories: string[]; similarTo: string | null } | null;
  /** Why an added or moved package has no card (several versions at once): not rated. Absent in reviews from before it. */
  unrated?: string;
}

export interface DependencyReview {
  changes: ReviewedChange[];
  newSources: DependencyDiff['newSources'];
  newIndexUrls: DependencyDiff['newIndexUrls'];
  errors: string[];
  /**
   * What was left out by the project's own decision (changed files under a path the base's
   * `.depwatch.yml` excludes), one line each: said, not partial. Absent in reviews from before it.
   */
  notes?: string[];
  /** The worst verdict among the cards (ok when there are none); at least caution when anything is partial or not rated. */
  verdict: Verdict;
  /**
   * The pull request could not be reviewed at its head this time (why): nothing was compared, the
   * card says so (also in `errors`, so it is partial) until a later sweep reviews it.
   */
  notReviewed?: string;
  /**
   * The head, listed in full, changes no file read as dependencies (why): nothing was compared and
   * nothing is missing, so not partial. Replaces a card of an older head or a "not reviewed" one, so
   * neither stands for a head it does not describe; `notes` says what is said all the same (files
   * `exclude:` leaves out, `.in` files not read as requirements). Absent in reviews from before it.
   */
  nothingToReview?: string;
}

const RANK: Record<Verdict, number> = { ok: 0, caution: 1, avoid: 2 };

function summarise(card: PackageCard): NonNullable<ReviewedChange['card']> {
  const hits = card.signals.affecting_release;
  const advisories = hits && !hits.unknown && Array.isArray(hits.value) ? hits.value.map((h) => String((h as { id?: unknown }).id ?? '')).filter(Boolean) : [];
  return {
    verdict: card.verdict,
    partial: card.partial,
    reasons: card.reasons.map((r) => r.text),
    advisories,
    similarTo: card.typosquat.suspect ? (card.typosquat.similarTo[0]?.name ?? null) : null,
  };
}

/**
 * The card to ask for: the version moved to; the latest when a lockfile's version is not one a card
 * can ask about. A string: why the change gets no card (it is then not rated).
 */
function requestFor(change: DependencyChange): PackageRequest | string {
  if (change.to?.includes(',')) return 'several versions at once';
  try {
    return parsePackageArg(change.to ? `${change.name}==${change.to}` : change.name);
  } catch {
    try {
      return parsePackageArg(change.name);
    } catch (err) {
      return `no card can be asked for this name (${errorLine(err)})`;
    }
  }
}

export async function reviewDependencies(diff: DependencyDiff, sources: CardSources): Promise<DependencyReview> {
  const asked = diff.changes.filter((c) => c.kind !== 'removed').map((c) => [c, requestFor(c)] as const);
  const carded = asked.filter((a): a is readonly [DependencyChange, PackageRequest] => typeof a[1] !== 'string');
  const cards = await buildCards(carded.map(([, request]) => request), sources);
  const byChange = new Map(carded.map(([c], i) => [c, cards[i]!]));
  const unrated = new Map(asked.filter((a): a is readonly [DependencyChange, string] => typeof a[1] === 'string'));
  const changes = diff.changes.map((c): ReviewedChange => {
    const card = byChange.get(c);
    const why = unrated.get(c);
    return { ...c, card: card ? summarise(card) : null, ...(why ? { unrated: why } : {}) };
  });
  // Fail closed: a package that could not be rated is said, and makes the review partial.
  const errors = [...diff.errors, ...changes.filter((c) => c.unrated).map((c) => `${c.name} ${c.kind}${c.to ? ` to ${c.to}` : ''}: not rated (${c.unrated})`)];
  // A file that could not be read, or a package not rated, makes the review at least caution.
  const floor: Verdict = errors.length || diff.newIndexUrls.length || diff.newSources.length ? 'caution' : 'ok';
  const worst = changes.reduce<Verdict>((w, c) => (c.card && RANK[c.card.verdict] > RANK[w] ? c.card.verdict : w), floor);
  return { changes, newSources: diff.newSources, newIndexUrls: diff.newIndexUrls, errors, verdict: worst };
}

/** The review of a pull request that could not be reviewed at its head this time: partial, never ok. */
export function notReviewed(reason: string): DependencyReview {
  return { changes: [], newSources: [], newIndexUrls: [], errors: [`not reviewed: ${reason}`], verdict: 'caution', notReviewed: reason };
}

/** The review of a head that changes no file read as dependencies (why): not partial; `notes` are said on the card. */
export function nothingToReview(why: string, notes: readonly string[] = []): DependencyReview {
  return { changes: [], newSources: [], newIndexUrls: [], errors: [], ...(notes.length > 0 ? { notes: [...notes] } : {}), verdict: 'ok', nothingToReview: why };
}
