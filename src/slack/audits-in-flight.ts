/**
 * What this process is auditing for Slack right now, so that one person (or a channel of people
 * pressing at once) cannot turn forty `/audit octo/shop` into forty downloads of the same commit:
 *
 * - a repository being looked up is looked up once for every request that names it meanwhile, and
 *   a ref being resolved is resolved once likewise; between the two each request's own `admit`
 *   decides, so someone refused learns nothing about the repository's branches (and costs no
 *   branch lookup) even when an admitted request for the same ref is resolving;
 * - an audit of one commit with the same options (the channel's ignores and unknown-severity
 *   setting) is run once: a request arriving while it runs waits for its result and is answered in
 *   its own channel, or, in a channel already getting that answer, told privately where it is;
 * - each person leads at most MAX_AUDITS_IN_FLIGHT_PER_USER audits at a time; a request merged
 *   into a running audit costs nothing and is never counted.
 *
 * In-process only. Replicas (PostgreSQL) each merge their own requests: two replicas reached by
 * identical requests each run the audit once. That keeps the stored-reply rule intact: every request
 * answered with a reply of its own gets a stored audit row of its own (its reply's channel and ts,
 * its buttons), on whichever replica ran it; nothing is shared between rows but the result copied in.
 * The per-person limit is likewise per replica.
 */
import type { RepositoryFacts, ResolvedCommit } from '../github/snapshot.js';
import type { RepoRef } from '../github/repo-ref.js';

/**
 * Audits one person may have running at once (admins included). An audit downloads a repository's
 * archive and asks GitHub, OSV and PyPI; three is more than anyone waits on at once by hand (three
 * repositories side by side), and small enough that a stuck key or a script cannot queue up
 * hundreds of downloads that every other user of the bot then waits behind.
 */
export const MAX_AUDITS_IN_FLIGHT_PER_USER = 3;

/** Said privately to someone over the limit: the request is not queued, they ask again. */
export function tooManyAuditsLine(limit = MAX_AUDITS_IN_FLIGHT_PER_USER): string {
  return `You already have ${limit} audits running; try again when one finishes.`;
}

/**
 * A request answered privately with one line instead of an audit (over the limit, or already being
 * answered in its channel): nothing is posted, nothing is stored.
 */
export class AnsweredPrivately extends Error {
  override name = 'AnsweredPrivately';
  constructor(readonly line: string) {
    super(line);
  }
}

/** An audit running in this process, as a request that arrives meanwhile sees it. */
export interface RunningAudit<T> {
  /** Settles with the audit's complete outcome (or its failure). */
  readonly outcome: Promise<T>;
  /** Who asked first, what (owner/repo), at which commit. */
  readonly requestedBy: string;
  readonly label: string;
  readonly sha: string;
  /** Channels already getting an answer of this audit (its own first, then those of merged requests). */
  readonly channels: Set<string>;
}

/** Which repository lookups can be shared: GitHub matches owner and name in any case. */
export function repositoryKey(ref: Pick<RepoRef, 'owner' | 'repo'>): string {
  return `${ref.owner.toLowerCase()}/${ref.repo.toLowerCase()}`;
}

/** Which resolutions can be shared: GitHub matches owner and name in any case, refs exactly. */
export function resolutionKey(ref: RepoRef): string {
  return `${repositoryKey(ref)}@${ref.branch ?? ''}`;
}

/** Which audits can be merged: the same commit of the same repository, audited with the same options. */
export function auditKey(commit: Pick<ResolvedCommit, 'owner' | 'repo' | 'sha'>, options: unknown): string {
  return `${commit.owner.toLowerCase()}/${commit.repo.toLowerCase()}@${commit.sha} ${JSON.stringify(options ?? null)}`;
}

export class AuditsInFlight<T> {
  private readonly lookingUp = new Map<string, Promise<RepositoryFacts>>();
  private readonly resolving = new Map<string, Promise<ResolvedCommit>>();
  private readonly running = new Map<string, RunningAudit<T>>();
  /** Per person, the audits they lead (merged requests are not counted). */
  private readonly leading = new Map<string, number>();
  /** Per person, their requests anywhere between the ack and the answer (merged or not). */
  private readonly requests = new Map<string, number>();

  constructor(readonly limit = MAX_AUDITS_IN_FLIGHT_PER_USER) {}

  /**
   * A request of `user` starts; the returned function ends it. Says whether it is their only one:
   * an admin's "Auditing…" goes out before the ref is resolved only then, since a second request
   * may yet be merged or refused, and then it would only be posted to be deleted.
   */
  enter(user: string): { alone: boolean; leave: () => void } {
    const count = (this.requests.get(user) ?? 0) + 1;
    this.requests.set(user, count);
    let left = false;
    return {
      alone: count === 1,
      leave: () => {
        if (left) return;
        left = true;
        decrement(this.requests, user);
      },
    };
  }

  /** `lookUp()`, shared with every request for the same repository while it runs. */
  lookUp(ref: Pick<RepoRef, 'owner' | 'repo'>, lookUp: () => Promise<RepositoryFacts>): Promise<RepositoryFacts> {
    return shared(this.lookingUp, repositoryKey(ref), lookUp);
  }

  /** `resolve()`, shared with every request for the same ref while it runs. Only for admitted requests. */
  resolve(ref: RepoRef, resolve: () => Promise<ResolvedCommit>): Promise<ResolvedCommit> {
    return shared(this.resolving, resolutionKey(ref), resolve);
  }

  /** The running audit a request for `key` joins, if any. */
  find(key: string): RunningAudit<T> | undefined {
    return this.running.get(key);
  }

  /**
   * Starts `work` as the audit for `key`, led by `user`; throws AnsweredPrivately when they already
   * lead `limit` audits. Call it right after `find` came back empty, with no await between.
   */
  lead(key: string, who: { user: string; channel: string; label: string; sha: string }, work: () => Promise<T>): RunningAudit<T> {
    const led = this.leading.get(who.user) ?? 0;
    if (led >= this.limit) throw new AnsweredPrivately(tooManyAuditsLine(this.limit));
    this.leading.set(who.user, led + 1);
    let outcome: Promise<T>;
    try {
      outcome = work();
    } catch (err) {
      outcome = Promise.reject(err);
    }
    const running: RunningAudit<T> = { outcome, requestedBy: who.user, label: who.label, sha: who.sha, channels: new Set([who.channel]) };
    this.running.set(key, running);
    const done = () => {
      if (this.running.get(key) === running) this.running.delete(key);
      decrement(this.leading, who.user);
    };
    outcome.then(done, done);
    return running;
  }

  /** Audits led by `user` now (for tests and logs). */
  ledBy(user: string): number {
    return this.leading.get(user) ?? 0;
  }
}

/** What `start()` gives, started once for `key` while it runs: later callers meanwhile get the same promise. */
function shared<T>(inFlight: Map<string, Promise<T>>, key: string, start: () => Promise<T>): Promise<T> {
  const existing = inFlight.get(key);
  if (existing) return existing;
  const started = start();
  inFlight.set(key, started);
  const forget = () => {
    if (inFlight.get(key) === started) inFlight.delete(key);
  };
  started.then(forget, forget);
  return started;
}

function decrement(counts: Map<string, number>, user: string): void {
  const left = (counts.get(user) ?? 0) - 1;
  if (left > 0) counts.set(user, left);
  else counts.delete(user);
}
