/**
 * A pull request's dependency review: the diff (diff.ts) with a health card for each package it adds
 * or moves (at the version it moves to), so the review says per package: verdict and reasons, the
 * advisories hitting that release, and the typosquat flag. Removed packages need no card.
 * Cards come from the shared card sources (cached for an hour), one failing card never costs the
 * others, and a card that could not read everything is partial and says so (never `ok`). A package
 * that gets no card (several versions at once) is not rated: said, partial, and at least caution.
 * A package whose requirement at the head is a range is rated by what the range admits
 * (range-rating.ts): the card of the newest release it admits, never ok when it admits a release
 * with a known advisory, not rated when that cannot be told. One moved from the index to a VCS, URL
 * or path source, or added from one, is caution (outsideIndexCard): nothing verifies what it installs;
 * when its exact version is known (a lock's, a wheel's file name) the advisories of that version are
 * listed and rated as a registry release's would be, as the audit rates it.
 */
import { errorLine } from '../../error-line.js';
import { mapLimit } from '../../http.js';
import { buildCards, parsePackageArg, whyFailed, type CardSources, type PackageCard, type PackageRequest } from '../../packages/card.js';
import { securitySignals } from '../../packages/health/security.js';
import { decideVerdict, type Verdict } from '../../packages/verdict.js';
import type { SubmoduleChange } from './submodules.js';
import { changeKindLabel, shownSide, type DependencyChange, type DependencyDiff, type NewSource } from './diff.js';
import { admittedReason, rateRange, type AdmittedAdvisory } from './range-rating.js';

export interface ReviewedChange extends DependencyChange {
  /** Null for removals, and for a change whose card could not be asked (`unrated` says why). */
  card: { verdict: Verdict; partial: boolean; reasons: string[]; advisories: string[]; similarTo: string | null } | null;
  /** Why an added or moved package has no card (several versions at once): not rated. Absent in reviews from before it. */
  unrated?: string;
}

/**
 * A new VCS, URL or path source; `card` when it installs a known exact version (NewSource.version):
 * the advisories of that release, rated as a registry release's. Absent in reviews from before it.
 */
export interface ReviewedSource extends NewSource {
  card?: NonNullable<ReviewedChange['card']>;
}

export interface DependencyReview {
  changes: ReviewedChange[];
  newSources: ReviewedSource[];
  newIndexUrls: DependencyDiff['newIndexUrls'];
  errors: string[];
  /**
   * What was left out by the project's own decision (changed files under a path the base's
   * `.depwatch.yml` excludes), one line each: said, not partial. Absent in reviews from before it.
   */
  notes?: string[];
  /**
   * The git submodules the pull request moves, adds or removes (submodules.ts): other repositories,
   * whose files were not reviewed; at least caution when one moves or is added. Absent when none,
   * and in reviews from before it.
   */
  submodules?: SubmoduleChange[];
  /** The worst verdict among the cards (ok when there are none); at least caution when anything is partial or not rated, or a submodule moved. */
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
  // Only a bare name, when the lockfile's version is not one a card can ask about; a range goes through rateRange.
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

/** What a range admits, added to the card of its newest release: never ok with a known advisory admitted, partial when the advisories were not vouched for. */
function withRange(summary: NonNullable<ReviewedChange['card']>, ranges: readonly string[], admitted: readonly AdmittedAdvisory[], warnings: readonly string[]): NonNullable<ReviewedChange['card']> {
  if (admitted.length === 0 && warnings.length === 0) return summary;
  const verdict: Verdict = RANK[summary.verdict] >= RANK.caution ? summary.verdict : 'caution';
  const reasons = [...(admitted.length ? [admittedReason(ranges, admitted)] : []), ...warnings.map((w) => `partial: ${w}`), ...summary.reasons];
  const advisories = [...new Set([...summary.advisories, ...admitted.map((a) => a.id)])];
  return { ...summary, verdict, reasons, advisories, partial: summary.partial || warnings.length > 0 };
}

/**
 * A package the head installs from a VCS, URL or path source instead of the index, its version not
 * known: no card rates what is there (PyPI's releases are not what is installed), so it is caution,
 * saying why.
 */
const OUTSIDE_INDEX: NonNullable<ReviewedChange['card']> = {
  verdict: 'caution',
  partial: false,
  reasons: ['now installed from outside the index: no card or advisory covers what is there, check the source'],
  advisories: [],
  similarTo: null,
};

const NOT_A_SQUAT = (name: string) => ({ name, normalized: name, suspect: false, similarTo: [] });

/**
 * The card of a package installed from outside the index. With its exact version known, the
 * advisories of that name and version, judged by the verdict rules as a registry release's are (a
 * severe one is avoid), and never better than caution: nothing verifies the file is the release
 * published under that version. PyPI's facts (yanked, outdated, typosquat) are not about the file,
 * so only the advisories are asked; when they cannot be, the card is partial and says so.
 */
async function outsideIndexCard(name: string, version: string | undefined, sources: CardSources): Promise<NonNullable<ReviewedChange['card']>> {
  if (version === undefined) return { ...OUTSIDE_INDEX, reasons: [...OUTSIDE_INDEX.reasons] };
  const facts = await sources.advisories.forRelease(name, version).then(
    (value) => ({ ok: true as const, value }),
    (err: unknown) => ({ ok: false as const, why: whyFailed(err), failed: true }),
  );
  const signals = securitySignals(facts, version);
  const advisoryWarnings = facts.ok ? (facts.value.warnings ?? []) : [];
  const rated = decideVerdict({ name, version, exists: true, versionExists: true, signals, typosquat: NOT_A_SQUAT(name), advisoryWarnings });
  const hits = signals.affecting_release;
  const advisories = hits && !hits.unknown && Array.isArray(hits.value) ? hits.value.map((h) => String((h as { id?: unknown }).id ?? '')).filter(Boolean) : [];
  const outside = `installed from outside the index: ${advisories.length ? 'the advisories listed are those' : 'no advisory is known'} of ${name} ${version}, but nothing verifies the file is that published release, check the source`;
  return {
    verdict: rated.verdict === 'avoid' ? 'avoid' : 'caution',
    partial: rated.partial,
    reasons: [...rated.reasons.map((r) => r.text), outside],
    advisories,
    similarTo: null,
  };
}

type Asked = { request: PackageRequest; admitted: AdmittedAdvisory[]; warnings: string[] } | string;

async function ask(change: DependencyChange, sources: CardSources): Promise<Asked> {
  if (change.to === null && change.toRange?.length) {
    const rating = await rateRange(change.name, change.toRange, sources);
    return 'unrated' in rating ? rating.unrated : rating;
  }
  const request = requestFor(change);
  return typeof request === 'string' ? request : { request, admitted: [], warnings: [] };
}

export async function reviewDependencies(diff: DependencyDiff, sources: CardSources): Promise<DependencyReview> {
  const moved = diff.changes.filter((c) => c.kind !== 'removed' && c.toSource === undefined);
  // A few at a time, as the cards are built; a failure costs only its change (not rated, saying why).
  const asked = await mapLimit(moved, 4, async (c) => [c, await ask(c, sources).catch((err: unknown) => whyFailed(err))] as const);
  const carded = asked.filter((a): a is readonly [DependencyChange, Exclude<Asked, string>] => typeof a[1] !== 'string');
  const cards = await buildCards(carded.map(([, a]) => a.request), sources);
  const byChange = new Map(carded.map(([c, a], i) => [c, withRange(summarise(cards[i]!), c.toRange ?? [], a.admitted, a.warnings)]));
  const unrated = new Map(asked.filter((a): a is readonly [DependencyChange, string] => typeof a[1] === 'string'));
  // Those installed from outside the index: the advisories of their release when its version is known.
  const outside = await mapLimit(diff.changes, 4, async (c) => (c.toSource !== undefined ? outsideIndexCard(c.name, c.toSourceVersion, sources) : undefined));
  const newSources = await mapLimit(diff.newSources, 4, async (s): Promise<ReviewedSource> => (s.version !== undefined ? { ...s, card: await outsideIndexCard(s.name, s.version, sources) } : s));
  const changes = diff.changes.map((c, i): ReviewedChange => {
    const card = outside[i] ?? byChange.get(c);
    const why = unrated.get(c);
    return { ...c, card: card ?? null, ...(why ? { unrated: why } : {}) };
  });
  // Fail closed: a package that could not be rated is said, and makes the review partial.
  const errors = [...diff.errors, ...changes.filter((c) => c.unrated).map((c) => `${c.name} ${changeKindLabel(c.kind)}${shownSide(c, 'to') !== null ? ` to ${shownSide(c, 'to')}` : ''}: not rated (${c.unrated})`)];
  // A file that could not be read, or a package not rated, makes the review at least caution.
  // A credential written into an index URL is a secret committed: avoid, as the audit's gate fails on it.
  const floor: Verdict = diff.newIndexUrls.some((i) => i.credentials) ? 'avoid' : errors.length || diff.newIndexUrls.length || diff.newSources.length ? 'caution' : 'ok';
  const rated = [...changes.map((c) => c.card), ...newSources.map((s) => s.card)];
  const worst = rated.reduce<Verdict>((w, card) => (card && RANK[card.verdict] > RANK[w] ? card.verdict : w), floor);
  return { changes, newSources, newIndexUrls: diff.newIndexUrls, errors, verdict: worst };
}

/**
 * Whether a review is partial for want of package data a later read may bring (a card whose source
 * did not answer, or whose advisories were not vouched for: PyPI or OSV down, a mirror behind):
 * such a head is reviewed again by the next sweep, and its card edited once the data is there.
 */
export const waitsForData = (review: Pick<DependencyReview, 'changes' | 'newSources'>): boolean =>
  review.changes.some((c) => c.card?.partial === true) || review.newSources.some((s) => s.card?.partial === true);

/** The review of a pull request that could not be reviewed at its head this time: partial, never ok. */
export function notReviewed(reason: string): DependencyReview {
  return { changes: [], newSources: [], newIndexUrls: [], errors: [`not reviewed: ${reason}`], verdict: 'caution', notReviewed: reason };
}

/** The review of a head that changes no file read as dependencies (why): not partial; `notes` are said on the card. */
export function nothingToReview(why: string, notes: readonly string[] = []): DependencyReview {
  return { changes: [], newSources: [], newIndexUrls: [], errors: [], ...(notes.length > 0 ? { notes: [...notes] } : {}), verdict: 'ok', nothingToReview: why };
}
