/**
 * A pull request's dependency review: the diff (diff.ts) with a health card for each package it adds
 * or moves (at the version it moves to), so the review says per package: verdict and reasons, the
 * advisories hitting that release, and the typosquat flag. Removed packages need no card.
 * Cards come from the shared card sources (cached for an hour), one failing card never costs the
 * others, and a card that could not read everything is partial and says so (never `ok`).
 */
import { buildCards, parsePackageArg, type CardSources, type PackageCard } from '../../packages/card.js';
import type { Verdict } from '../../packages/verdict.js';
import type { DependencyChange, DependencyDiff } from './diff.js';

export interface ReviewedChange extends DependencyChange {
  /** Null for removals, and for a change whose card could not be asked (several versions at once). */
  card: { verdict: Verdict; partial: boolean; reasons: string[]; advisories: string[]; similarTo: string | null } | null;
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
  /** The worst verdict among the cards (ok when there are none). */
  verdict: Verdict;
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

/** The card to ask for: the version moved to; the latest when a lockfile's version is not one a card can ask about. */
function requestFor(change: DependencyChange) {
  try {
    return parsePackageArg(change.to ? `${change.name}==${change.to}` : change.name);
  } catch {
    return parsePackageArg(change.name);
  }
}

export async function reviewDependencies(diff: DependencyDiff, sources: CardSources): Promise<DependencyReview> {
  const carded = diff.changes.filter((c) => c.kind !== 'removed' && (c.to === null || !c.to.includes(',')));
  const cards = await buildCards(carded.map(requestFor), sources);
  const byChange = new Map(carded.map((c, i) => [c, cards[i]!]));
  const changes = diff.changes.map((c): ReviewedChange => {
    const card = byChange.get(c);
    return { ...c, card: card ? summarise(card) : null };
  });
  // Fail closed: a file that could not be read makes the review at least caution.
  const worst = changes.reduce<Verdict>((w, c) => (c.card && RANK[c.card.verdict] > RANK[w] ? c.card.verdict : w), diff.errors.length || diff.newIndexUrls.length || diff.newSources.length ? 'caution' : 'ok');
  return { changes, newSources: diff.newSources, newIndexUrls: diff.newIndexUrls, errors: diff.errors, verdict: worst };
}
