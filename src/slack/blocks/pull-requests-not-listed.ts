/**
 * How the notice of repositories whose open pull requests could not be listed reads
 * (PULL_REQUESTS_NOT_LISTED, decided by src/watch/pr-review/listing-notice.ts): each repository,
 * GitHub's answer, and what to do; once over, which can be listed again (or are no longer watched).
 * Repository names and GitHub's words are escaped (`md`).
 */
import type { KnownBlock } from '@slack/types';
import { formatUtc } from '../../incidents/duration.js';
import type { PullRequestsNotListed } from '../../watch/messages.js';
import { fitOneMessage, type FittedMessage } from './fit.js';
import { context, listSections, section, truncate } from './kit.js';
import { md } from './mrkdwn.js';

/** GitHub's answer for one repository: enough to say what failed, never a wall of text. */
const REASON_MAX = 300;
/** The list of repositories, within one message (it is edited in place, never continued in a thread). */
const LIST_ROOM = 2500;

const names = (repos: readonly string[]) => (repos.length === 1 ? repos[0]! : `${repos.length} repositories`);

function repoLine(r: PullRequestsNotListed['repos'][number]): string {
  const why = md`${truncate(r.reason, REASON_MAX)}`;
  return r.lasting
    ? md`• *${r.repo}*: GitHub refuses to list its pull requests (${why}). Grant the Depwatch GitHub App (or GITHUB_TOKEN) *Pull requests: Read* on this repository, or stop watching it: \`/audit unwatch ${r.repo}\``.text
    : md`• *${r.repo}*: GitHub has failed to list its pull requests at every sweep since ${formatUtc(r.since)} (${why}); tried again at each sweep`.text;
}

export function pullRequestsNotListedMessage(notice: PullRequestsNotListed): FittedMessage {
  const repos = notice.repos.map((r) => r.repo);
  if (notice.recoveredAt !== null) {
    const unwatched = new Set(notice.unwatched ?? []);
    const listed = repos.filter((repo) => !unwatched.has(repo));
    const parts = [
      ...(listed.length ? [md`the pull requests of ${listed.join(', ')} could be listed again at ${formatUtc(notice.recoveredAt)} and are reviewed as usual`.text] : []),
      ...(unwatched.size ? [md`${[...unwatched].join(', ')} ${unwatched.size === 1 ? 'is' : 'are'} no longer watched here`.text] : []),
    ];
    const text = `✅ Dependency reviews: ${parts.join('; ')}.`;
    return fitOneMessage({ text, blocks: [section(text)] }, 'the notice of pull requests not listed');
  }
  const line = md`:warning: Dependency reviews (partial): the open pull requests of ${names(repos)} could not be listed, so none of them is reviewed.`.text;
  const blocks: KnownBlock[] = [section(line)];
  blocks.push(...listSections('', notice.repos.map(repoLine), { room: LIST_ROOM, more: (left) => `…and ${left} more` }));
  blocks.push(context('Until they can be listed, their new pull requests and new commits get no review here, and review cards already posted may describe older heads. This message is edited when this changes and once it is over.'));
  return fitOneMessage({ text: line, blocks }, 'the notice of pull requests not listed');
}
