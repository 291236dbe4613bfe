/**
 * `depwatch review <owner/repo#N | pull request URL>`: the dependency review the bot posts on a pull
 * request (the Slack card, the comment), computed by the same code (review-heads.ts), printed in
 * full: the comment and the card stop their lists for want of room and name this command for the
 * rest. A gate for CI as the audit is: 1 findings at or above --fail-on, else 2 when anything was
 * not read or not rated (it says what), else 0.
 *
 * `depwatch review owner/repo base...head` (or a compare URL) reviews two refs the same way, as
 * dependency-review-action compares the refs of a push: head's changes since it branched off base
 * (compare-refs.ts reads them as a pull request is read).
 */
import { parseArgs } from 'node:util';
import type { Octokit } from 'octokit';
import type { OpenPullRequest } from '../github/pull-requests.js';
import type { CardSources } from '../packages/card.js';
import { errorLine } from '../error-line.js';
import { isManifestPath } from '../python/discover.js';
import type { PopularName } from '../packages/typosquat/popularity.js';
import { notReviewed, type DependencyReview } from '../watch/pr-review/review.js';
import { reviewFails, reviewPartialReasons, type ReviewFailOn } from '../watch/pr-review/review-gate.js';
import { terminalSafe } from '../report/terminal-text.js';
import type { RefRange } from '../github/compare-refs.js';
import { CliError, EXIT, type CliIO } from './io.js';
import { advisorySourceFor, openOnlineServices } from './services.js';

export const REVIEW_USAGE = `usage: depwatch review [--json | --markdown] [--fail-on avoid|caution|never] [--db PATH] <owner/repo#N | pull request URL>
       depwatch review [options] <owner/repo base...head | compare URL>
  Reviews the dependency changes of a GitHub pull request, as the bot reviews them on the pull
  request and in Slack: each package it adds or moves, with its verdict (ok, caution, avoid),
  reasons and advisories; packages removed; new sources outside the index and new index URLs;
  git submodules it moves. The head is compared with where the pull request branched off.
  base...head (branches, tags or commits; or https://github.com/owner/repo/compare/base...head)
  reviews head's changes since it branched off base the same way, as for a push.
  Every list in full: the comment on the pull request and the Slack card stop at their room.
  --json           the review as JSON (docs/cli-contract.md)
  --markdown       the body of the comment on the pull request, without its room cut
  --fail-on LEVEL  exit 1 when something it adds or moves is rated LEVEL or worse (avoid, caution;
                   default: avoid). "never": verdicts never fail the run.
  --db PATH        the database of the advisory mirror and caches (default: DEPWATCH_DB, else
                   $XDG_DATA_HOME/depwatch/depwatch.db)
  GITHUB_TOKEN (or the App's settings) and GITHUB_API_URL (env): the GitHub to read it from.
Exit status: 1 a verdict at or above --fail-on; otherwise 2 when anything was not read or not rated
(partial: it says what), or the pull request could not be read; otherwise 0.`;

/** What review's parser accepts; test/cli/help.test.ts holds REVIEW_USAGE and the top-level help to it. */
export const REVIEW_OPTIONS = {
  json: { type: 'boolean' },
  markdown: { type: 'boolean' },
  'fail-on': { type: 'string' },
  db: { type: 'string' },
  help: { type: 'boolean', short: 'h' },
} as const;

/** The pull request an argument names: `owner/repo#N`, or its URL on the configured GitHub. */
interface PullTarget {
  owner: string;
  repo: string;
  number: number;
}

/** The two refs arguments name: `owner/repo base...head`, or a compare URL on the configured GitHub. */
interface RangeTarget {
  owner: string;
  repo: string;
  range: RefRange;
}

const NO_NAMES: PopularName[] = [];

export async function reviewCommand(argv: string[], io: CliIO): Promise<number> {
  const { values, positionals } = parseArgs({ args: argv, allowPositionals: true, options: REVIEW_OPTIONS });
  if (values.help) {
    io.stdout(REVIEW_USAGE + '\n');
    return EXIT.ok;
  }
  if (positionals.length !== 1 && positionals.length !== 2) throw new CliError('review: give one pull request, as owner/repo#N or its URL, or two refs as owner/repo base...head');
  if (values.json && values.markdown) throw new CliError('review: choose one of --json, --markdown');
  const failOn = parseFailOn(values['fail-on']);
  // What names no pull request is refused before anything is opened or asked (a URL's host is checked against the configured GitHub's).
  const [{ cliConfig }, { htmlHostFromApiUrl }, { compareInUrl }] = await Promise.all([import('./config.js'), import('../github/repo-ref.js'), import('../github/compare-refs.js')]);
  const apiUrl = cliConfig(io).github.apiUrl;
  const host = htmlHostFromApiUrl(apiUrl);
  const compared = positionals.length === 2 ? positionals[1]! : compareInUrl(positionals[0]!);
  const target = compared === null ? await pullTargetOf(positionals[0]!, host) : await rangeTargetOf(positionals[0]!, compared, host);

  const services = await openOnlineServices(io, values.db);
  try {
    const [{ createGitHubClient }, { readPullRequest }, { serviceCardSources }] = await Promise.all([
      import('../github/client.js'),
      import('../github/pull-requests.js'),
      import('../packages/service-sources.js'),
    ]);
    const { config } = services;
    const octokit = await createGitHubClient(config.github);
    const name = `${target.owner}/${target.repo}`;
    const range = 'range' in target ? target.range : null;
    if (io.isTTY && !values.json && !values.markdown) io.stderr(`… reading ${range ? `${name} ${range.base}...${range.head}` : `${name}#${(target as PullTarget).number}`} from GitHub\n`);
    const found: { pull: OpenPullRequest; state?: 'open' | 'merged' | 'closed' } | { missing: string } = range
      ? await (await import('../github/compare-refs.js')).readRefRange(octokit, target, range, `${new URL(apiUrl).protocol}//${host}`)
      : await readPullRequest(octokit, { owner: target.owner, repo: target.repo }, (target as PullTarget).number);
    if ('missing' in found) throw new CliError(found.missing);
    const { pull } = found;
    const state = found.state ?? 'open'; // two refs have no state: not shown for them
    const cards = serviceCardSources({
      db: services.db,
      // The bot's index adds the names of watched repositories' packages; a terminal watches none.
      watchedNames: async () => NO_NAMES,
      pypiUrl: config.pypi.url,
      osvApiUrl: config.osv.apiUrl,
      githubApiUrl: config.github.apiUrl,
      octokit,
      authenticated: Boolean(config.github.token || config.github.app),
      advisories: (now) => advisorySourceFor(services, false, now),
    });
    const review = await reviewPull(octokit, cards, name, pull);
    const partial = reviewPartialReasons(review);
    const failing = reviewFails(review, failOn);
    const shown = { repo: name, number: pull.number, title: pull.title, url: pull.url, state, headSha: pull.headOid, ...(range ? { compare: { ...range, baseSha: pull.baseOid } } : {}) };
    if (values.json) io.stdout((await import('../report/pr-review-json.js')).pullRequestReviewJson(shown, review, partial, failing));
    else if (values.markdown) io.stdout(`${(await import('../report/pr-review.js')).pullRequestReviewMarkdown(shown, review, { whole: true })}\n`);
    else io.stdout((await import('../report/pr-review-text.js')).pullRequestReviewText(shown, review, partial));
    // Said on stderr too when stdout holds a machine format, as the audit says it.
    if (values.json || values.markdown) for (const reason of partial) io.stderr(`depwatch: PARTIAL: ${terminalSafe(reason)}\n`);
    if (failing) return EXIT.findings;
    return partial.length > 0 ? EXIT.error : EXIT.ok;
  } finally {
    services.close();
  }
}

/**
 * The review of one pull request at its head, by the code the bot's sweep reviews with
 * (reviewHeads): whatever comes of it is a review, "not reviewed: why" when it could not be made.
 */
async function reviewPull(
  octokit: Octokit,
  cards: () => Promise<CardSources>,
  repo: string,
  pull: OpenPullRequest,
): Promise<DependencyReview> {
  const { listCutShort, nothingAtHead, reviewHeads } = await import('../watch/pr-review/review-heads.js');
  const tally = { githubRequests: 0, errors: [] as string[], notes: [] as string[] };
  // Files GitHub did not list may be dependency files: not reviewed, never "nothing changed".
  if (listCutShort(repo, pull, tally.errors)) return notReviewed(`${pull.filesListError ?? 'its changed files were not listed'}; whether it changes dependency files is not known`);
  let review: DependencyReview | undefined;
  await reviewHeads({ octokit, cards }, tally, [{ repo, pull, paths: pull.paths.filter(isManifestPath) }], {
    reviewed: async (_, reviewed) => void (review = reviewed),
    nothing: async (_, notes, _post, submodules) => void (review = nothingAtHead(notes, submodules)),
    notReviewed: (_, reason) => void (review = notReviewed(reason)),
    failed: (_, err) => void (review = notReviewed(`the dependency review failed (${errorLine(err)})`)),
  });
  // Fail closed: a head nothing was said of is not a clean review.
  return review ?? notReviewed(tally.errors[0] ?? 'the review said nothing of this head');
}

async function pullTargetOf(given: string, enterpriseHost: string): Promise<PullTarget> {
  const { parseRepoRef, pullRequestInUrl, RepoRefError } = await import('../github/repo-ref.js');
  const short = /^([^#\s]+)#(\d{1,9})$/.exec(given.trim());
  const number = short ? Number(short[2]) : pullRequestInUrl(given);
  if (number === null || number < 1) throw new CliError(`review: ${given} names no pull request: write owner/repo#N or the pull request's URL`);
  try {
    const ref = parseRepoRef(short ? short[1]! : given, { hosts: ['github.com', 'www.github.com', enterpriseHost] });
    if (ref.branch !== undefined) throw new RepoRefError(`"${given}": a pull request is named as owner/repo#N, without a branch`);
    return { owner: ref.owner, repo: ref.repo, number };
  } catch (err) {
    if (err instanceof RepoRefError) throw new CliError(`review: ${err.message}`);
    throw err;
  }
}

async function rangeTargetOf(repoGiven: string, rangeGiven: string, enterpriseHost: string): Promise<RangeTarget> {
  const [{ parseRepoRef, RepoRefError }, { parseRefRange }] = await Promise.all([import('../github/repo-ref.js'), import('../github/compare-refs.js')]);
  const range = parseRefRange(rangeGiven);
  if ('problem' in range) throw new CliError(`review: ${range.problem}`);
  try {
    const ref = parseRepoRef(repoGiven, { hosts: ['github.com', 'www.github.com', enterpriseHost] });
    if (ref.branch !== undefined) throw new RepoRefError(`"${repoGiven}": two refs are named as owner/repo base...head, without a branch`);
    return { owner: ref.owner, repo: ref.repo, range };
  } catch (err) {
    if (err instanceof RepoRefError) throw new CliError(`review: ${err.message}`);
    throw err;
  }
}

function parseFailOn(text: string | undefined): ReviewFailOn {
  if (text === undefined) return 'avoid';
  if (text === 'never' || text === 'none') return 'never';
  if (text === 'avoid' || text === 'caution') return text;
  throw new CliError(`--fail-on: "${text}" is not a verdict (avoid, caution, never)`);
}
