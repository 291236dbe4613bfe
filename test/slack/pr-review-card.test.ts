/**
 * The pull-request review card as Slack shows it, from a review made by hand: the notification text
 * (what a phone or a channel preview shows) says "partial" whenever the card does, a package with no
 * card reads "not rated", and a pull request that could not be reviewed reads "not reviewed: why",
 * never a verdict of files nobody read.
 */
import { describe, expect, it } from 'vitest';
import { fitOneMessage } from '../../src/slack/blocks/fit.js';
import { pullRequestReviewMessage, pullRequestsNotReviewedMessage, type PullRequestRef } from '../../src/slack/blocks/pr-review.js';
import { pullRequestReviewMarkdown } from '../../src/report/pr-review.js';
import { nothingToReview, notReviewed, type DependencyReview, type ReviewedChange } from '../../src/watch/pr-review/review.js';
import { blockText } from './app-world.js';

const PR: PullRequestRef = { repo: 'octo/shop', number: 42, title: 'Bump deps', url: 'https://github.com/octo/shop/pull/42', headSha: 'abcdef1234567890', state: 'open' };

const okChange: ReviewedChange = { name: 'goodlib', kind: 'upgraded', from: '1.1.0', to: '1.2.0', file: 'requirements.txt', card: { verdict: 'ok', partial: false, reasons: [], advisories: [], similarTo: null } };

const review = (over: Partial<DependencyReview>): DependencyReview => ({ changes: [okChange], newSources: [], newIndexUrls: [], errors: [], verdict: 'ok', ...over });

describe('the notification text of a review card', () => {
  it('says partial when the review has errors (files not read, packages not rated, includes not told)', () => {
    const partial = pullRequestReviewMessage(PR, review({ errors: ['head: requirements.txt could not be read (502)'], verdict: 'caution' }));
    expect(partial.text).toBe('Dependency review of octo/shop #42 (open): caution (partial), 1 package changes');
    // Everything read and rated: no such word.
    expect(pullRequestReviewMessage(PR, review({})).text).toBe('Dependency review of octo/shop #42 (open): ok, 1 package changes');
  });

  it('says partial when a package\'s own card is partial', () => {
    const change: ReviewedChange = { ...okChange, card: { verdict: 'caution', partial: true, reasons: ['partial: ratings unavailable'], advisories: [], similarTo: null } };
    expect(pullRequestReviewMessage(PR, review({ changes: [change], verdict: 'caution' })).text).toContain('caution (partial)');
  });
});

describe('a package with no card', () => {
  it('reads "not rated" with why, never as a bare line beside an ok', () => {
    const unrated: ReviewedChange = { name: 'idna', kind: 'changed', from: '3.0', to: '3.1, 3.2', file: 'poetry.lock', card: null, unrated: 'several versions at once' };
    const r = review({ changes: [unrated], verdict: 'caution', errors: ['idna changed to 3.1, 3.2: not rated (several versions at once)'] });
    const text = blockText(pullRequestReviewMessage(PR, r).blocks);
    expect(text).toContain(':warning: `idna` changed 3.0 → 3.1, 3.2: *not rated* _(no card: several versions at once)_');
    expect(text).toContain('Partial: idna changed to 3.1, 3.2: not rated (several versions at once)');
    expect(pullRequestReviewMarkdown(PR, r)).toContain('- ⚠️ `idna` changed `3.0` → `3.1, 3.2`: **not rated**');
  });
});

describe('a pull request that could not be reviewed', () => {
  it('reads "not reviewed: why", partial, with no verdict and no claim about packages', () => {
    const message = fitOneMessage(pullRequestReviewMessage(PR, notReviewed('GitHub could not compare its base and head: 502 Server Error')), 'card');
    const text = blockText(message.blocks);
    expect(text).toContain('head `abcdef1` · overall :warning: *not reviewed*');
    expect(text).toContain(':warning: *Not reviewed*: GitHub could not compare its base and head: 502 Server Error. Tried again at the next sweep');
    expect(text).not.toContain('No package changed');
    expect(text).not.toContain('*ok*');
    expect(message.text).toBe('Dependency review of octo/shop #42 (open): not reviewed (partial): GitHub could not compare its base and head: 502 Server Error');
  });
});

describe('a pull request whose head changes no file read as dependencies', () => {
  it('reads "nothing to review: why" with its notes, not partial, and makes no claim that dependency files changed', () => {
    const message = fitOneMessage(pullRequestReviewMessage(PR, nothingToReview('this head changes no file read as dependencies', ['dev.in: not read as requirements (…)'])), 'card');
    const text = blockText(message.blocks);
    expect(text).toContain('head `abcdef1` · overall :white_check_mark: *nothing to review*');
    expect(text).toContain('*Nothing to review*: this head changes no file read as dependencies.');
    expect(text).toContain('dev.in: not read as requirements (…)');
    expect(text).not.toContain('Partial');
    expect(text).not.toContain('The dependency files changed');
    expect(message.text).toBe('Dependency review of octo/shop #42 (open): nothing to review: this head changes no file read as dependencies');
  });
});

describe('the message naming pull requests not reviewed in an outage', () => {
  const pull = (n: number, title = `Bump deps ${n}`) => ({ repo: 'octo/shop', number: n, title, url: `https://github.com/octo/shop/pull/${n}`, headSha: 'abcdef1234567890' });

  it('says not reviewed (partial) and names each pull request, its title escaped, within one message however many there are', () => {
    const many = Array.from({ length: 400 }, (_, i) => pull(i + 1));
    const message = pullRequestsNotReviewedMessage({ causes: [{ cause: 'GitHub could not say where they branched off', reasons: ['GitHub could not compare its base and head: Server Error'], pulls: [pull(0, '<!channel> *bold*'), ...many] }] });
    expect(message.text).toBe('Dependency reviews: 401 pull requests in 1 repository not reviewed (partial): GitHub could not say where they branched off. Tried again at the next sweep.');
    const text = blockText(message.blocks);
    expect(text).toContain('&lt;!channel&gt;');
    expect(text).not.toContain('<!channel>');
    expect(text).toMatch(/…and \d+ more/);
    expect(text).toContain('GitHub could not compare its base and head: Server Error');
    expect(() => fitOneMessage(message, 'the message')).not.toThrow();
  });

  it('once over, says which were not reached by the sweep or pushed to since, rather than that each has its own card', () => {
    const pulls = [pull(1), pull(2), pull(3), pull(4)];
    const outcomes = (['reviewed', 'moved', 'unknown', 'unknown'] as const).map((outcome, i) => ({ repo: 'octo/shop', number: i + 1, outcome }));
    const message = pullRequestsNotReviewedMessage({ causes: [{ cause: 'GitHub could not say where they branched off', reasons: [], pulls }], over: { at: '2026-03-02T10:00:00.000Z', outcomes } });
    expect(message.text).toBe('Dependency reviews: 1 of 4 pull requests in 1 repository reviewed after all (1 pushed to since, 2 not known yet).');
    const text = blockText(message.blocks);
    expect(text).not.toContain('each now has its own card');
    expect(text).toMatch(/octo\/shop #2[^\n]*pushed to since/);
    expect(text).toMatch(/octo\/shop #3[^\n]*not known yet/);
  });
});

describe('a review with more packages than the card (and the comment) can list', () => {
  const many = (n: number): ReviewedChange[] =>
    Array.from({ length: n }, (_, i) => ({ ...okChange, name: `package-name-${i}`, card: { verdict: i === n - 1 ? 'avoid' : i % 5 ? 'ok' : 'caution', partial: false, reasons: ['the latest release is 26 months old (2024-09-30)', 'one person can publish releases (alice)'], advisories: [], similarTo: null } }));
  const withComment: PullRequestRef = { ...PR, comment: { url: 'https://github.com/octo/shop/pull/42#issuecomment-1' } } as PullRequestRef;

  it('lists the most severe first, so an avoid at the end of the diff is on the card', () => {
    const text = blockText(pullRequestReviewMessage(withComment, review({ changes: many(300), verdict: 'avoid' })).blocks);
    expect(text).toContain('`package-name-299`');
    expect(text.indexOf('*avoid*')).toBeLessThan(text.indexOf('*caution*'));
  });

  it('points at the comment for the rest only when the comment lists them', () => {
    const text = blockText(pullRequestReviewMessage(withComment, review({ changes: many(300), verdict: 'avoid' })).blocks);
    expect(text).toMatch(/…and \d+ more added or changed \(see <https:\/\/github\.com\/octo\/shop\/pull\/42#issuecomment-1\|the comment on the pull request>\)/);
  });

  it('says how many the comment could not list either, their verdicts, and the command that lists them all', () => {
    const text = blockText(pullRequestReviewMessage(withComment, review({ changes: many(500), verdict: 'avoid' })).blocks);
    const more = text.split('\n').find((l) => l.includes('more added or changed'))!;
    const [, left, inComment, nowhere, ok] = /…and (\d+) more added or changed: (\d+) in <[^>]+\|the comment on the pull request>, the last (\d+) \((\d+) ok\) in neither, for want of room: `depwatch review octo\/shop#42` lists them all$/.exec(more)!.map(Number);
    expect(inComment! + nowhere!).toBe(left);
    expect(ok).toBe(nowhere);
    expect(pullRequestReviewMarkdown(PR, review({ changes: many(500), verdict: 'avoid' }))).toContain(`…and ${nowhere} more added or changed, not listed (${nowhere} ok)`);
  });

  it('counts the reasons it is partial that it has no room for, and names the command that lists them all', () => {
    const errors = Array.from({ length: 100 }, (_, i) => `requirements/part-${i}.txt could not be read: GitHub answered 502`);
    const text = blockText(pullRequestReviewMessage(PR, review({ errors, verdict: 'caution' })).blocks);
    expect(text).toMatch(/Partial: requirements\/part-0\.txt .*; …and \d+ more \(`depwatch review octo\/shop#42` lists them all\)/);
  });

  it('without a comment, says they are not listed, that the diff shows which, not their verdicts, and the command that lists them all', () => {
    const text = blockText(pullRequestReviewMessage(PR, review({ changes: many(300), verdict: 'avoid' })).blocks);
    expect(text).toMatch(/…and \d+ more added or changed, not listed here \(\d+ ok\): <https:\/\/github\.com\/octo\/shop\/pull\/42\/files\|the pull request’s changes> show which, without verdicts; `depwatch review octo\/shop#42` lists them all/);
  });
});
