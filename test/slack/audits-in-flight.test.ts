/** The bookkeeping behind merged audits and the per-person limit (src/slack/audits-in-flight.ts). */
import { describe, expect, it } from 'vitest';
import { AnsweredPrivately, auditKey, AuditsInFlight, resolutionKey, tooManyAuditsLine } from '../../src/slack/audits-in-flight.js';
import type { RepositoryFacts, ResolvedCommit } from '../../src/github/snapshot.js';

const who = (user: string, label: string) => ({ user, channel: 'C1', label, sha: 'a'.repeat(40) });
const deferred = () => {
  let resolve!: (v: string) => void;
  let reject!: (e: unknown) => void;
  const promise = new Promise<string>((res, rej) => ((resolve = res), (reject = rej)));
  return { promise, resolve, reject };
};

describe('audits in flight', () => {
  it('refuses a fourth audit led by one person, with the one line said to them, and lets someone else lead', () => {
    const flights = new AuditsInFlight<string>(3);
    for (const repo of ['a', 'b', 'c']) flights.lead(repo, who('U1', repo), () => deferred().promise);
    expect(() => flights.lead('d', who('U1', 'd'), () => deferred().promise)).toThrow(new AnsweredPrivately(tooManyAuditsLine(3)));
    expect(tooManyAuditsLine(3)).toBe('You already have 3 audits running; try again when one finishes.');
    expect(() => flights.lead('d', who('U2', 'd'), () => deferred().promise)).not.toThrow();
    expect(flights.find('d')?.requestedBy).toBe('U2');
  });

  it('frees the slot and forgets the audit once it settles, failed or not', async () => {
    const flights = new AuditsInFlight<string>(1);
    const failing = deferred();
    const running = flights.lead('a', who('U1', 'a'), () => failing.promise);
    failing.reject(new Error('GitHub down'));
    await expect(running.outcome).rejects.toThrow('GitHub down');
    await Promise.resolve();
    expect(flights.ledBy('U1')).toBe(0);
    expect(flights.find('a')).toBeUndefined();
    expect(() => flights.lead('b', who('U1', 'b'), () => deferred().promise)).not.toThrow();
  });

  it('resolves a ref once for every request meanwhile, and again after', async () => {
    const flights = new AuditsInFlight<string>();
    let calls = 0;
    const commit = { owner: 'Octo', repo: 'Shop', sha: 'b'.repeat(40) } as ResolvedCommit;
    const resolve = () => (calls++, Promise.resolve(commit));
    await Promise.all([flights.resolve({ owner: 'octo', repo: 'shop' }, resolve), flights.resolve({ owner: 'OCTO', repo: 'Shop' }, resolve)]);
    expect(calls).toBe(1);
    await flights.resolve({ owner: 'octo', repo: 'shop', branch: 'dev' }, resolve);
    await flights.resolve({ owner: 'octo', repo: 'shop' }, resolve);
    expect(calls).toBe(3);
    expect(resolutionKey({ owner: 'octo', repo: 'shop', branch: 'Dev' })).not.toBe(resolutionKey({ owner: 'octo', repo: 'shop', branch: 'dev' }));
  });

  it('looks a repository up once for every request meanwhile, whatever ref each names, and again after', async () => {
    const flights = new AuditsInFlight<string>();
    let calls = 0;
    const repository = { owner: 'Octo', repo: 'Shop', private: true, htmlUrl: 'https://github.com/Octo/Shop', defaultBranch: 'main' } satisfies RepositoryFacts;
    const lookUp = () => (calls++, Promise.resolve(repository));
    await Promise.all([flights.lookUp({ owner: 'octo', repo: 'shop' }, lookUp), flights.lookUp({ owner: 'OCTO', repo: 'Shop' }, lookUp)]);
    expect(calls).toBe(1);
    await flights.lookUp({ owner: 'octo', repo: 'shop' }, lookUp);
    expect(calls).toBe(2);
  });

  it('tells audits of one commit apart by their options', () => {
    const commit = { owner: 'octo', repo: 'shop', sha: 'c'.repeat(40) };
    expect(auditKey(commit, { unknownAs: null, channelIgnores: [] })).toBe(auditKey({ ...commit, owner: 'Octo' }, { unknownAs: null, channelIgnores: [] }));
    expect(auditKey(commit, { unknownAs: 'high', channelIgnores: [] })).not.toBe(auditKey(commit, { unknownAs: null, channelIgnores: [] }));
  });
});
