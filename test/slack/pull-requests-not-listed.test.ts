/**
 * The notice of repositories whose pull requests could not be listed, as Slack shows it: GitHub's
 * words escaped, the fix for a lasting refusal only, and once over which repositories are listed
 * again and which are no longer watched.
 */
import { expect, it } from 'vitest';
import { pullRequestsNotListedMessage } from '../../src/slack/blocks/pull-requests-not-listed.js';
import { blockText } from './app-world.js';

const SINCE = '2026-01-15T12:00:00.000Z';

it("escapes GitHub's words and says the fix only for a refusal that lasts", () => {
  const message = pullRequestsNotListedMessage({
    repos: [
      { repo: 'octo/shop', reason: 'Resource not accessible <!channel> *by* integration', lasting: true, since: SINCE },
      { repo: 'octo/mill', reason: 'HTTP 502 (Server Error)', lasting: false, since: SINCE },
    ],
    recoveredAt: null,
  });
  const text = blockText(message.blocks);
  expect(text).not.toContain('<!channel>');
  expect(text).toContain('&lt;!channel&gt;');
  expect(text).toContain('• *octo/shop*: GitHub refuses to list its pull requests');
  expect(text.match(/Pull requests: Read/g)).toHaveLength(1);
  expect(text).toContain('• *octo/mill*: GitHub has failed to list its pull requests at every sweep since 2026-01-15 12:00 UTC (HTTP 502 (Server Error)); tried again at each sweep');
  expect(message.text).toContain('the open pull requests of 2 repositories could not be listed');
});

it('says, once over, which repositories are listed again and which are no longer watched here', () => {
  const message = pullRequestsNotListedMessage({
    repos: [
      { repo: 'octo/shop', reason: 'Resource not accessible by integration', lasting: true, since: SINCE },
      { repo: 'octo/mill', reason: 'HTTP 502', lasting: false, since: SINCE },
    ],
    recoveredAt: '2026-01-15T15:00:00.000Z',
    unwatched: ['octo/mill'],
  });
  expect(message.text).toBe('✅ Dependency reviews: the pull requests of octo/shop could be listed again at 2026-01-15 15:00 UTC and are reviewed as usual; octo/mill is no longer watched here.');
});
