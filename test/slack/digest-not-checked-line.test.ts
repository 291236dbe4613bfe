/**
 * A digest's summary line naming the repositories not fully checked, and the thread's complete list
 * of them: when the line says "the thread lists them all", the thread does.
 */
import { describe, expect, it } from 'vitest';
import { quarterlyDigestLayout } from '../../src/slack/blocks/digest.js';
import { SLACK_LIMITS } from '../../src/slack/blocks/limits.js';

const lead = '⚠️ 2 of 2 repositories were not fully checked: ';

describe('the repositories not fully checked, when the whole list would just fit on the summary line', () => {
  it('says the thread lists them all only when the thread does', () => {
    // Both fit with a short "…and 1 more" beside the first, not with the summary's longer one
    // ("…and 1 more (the thread lists them all)"): the line is cut after all.
    const why = 'never audited';
    const room = SLACK_LIMITS.textObject - lead.length;
    const longRepo = `octo/${'a'.repeat(room - 20 - `** (${why})`.length - 'octo/'.length)}`;
    const layout = quarterlyDigestLayout(
      {
        generatedAt: '2025-06-02T09:00:00.000Z',
        byKind: { unpinned: [], 'no-lockfile': [], 'non-registry-source': [], 'extra-index-url': [], 'python-eol': [] },
        code: [],
        stale: [],
        repos: 2,
        registryUnavailable: false,
        notChecked: { of: 2, repos: [{ repo: longRepo, why }, { repo: 'b', why: 'x' }] },
      },
      { timeZone: 'UTC' },
    );
    const summary = JSON.stringify(layout.summary.blocks);
    expect(summary).toContain('the thread lists them all');
    const details = JSON.stringify(layout.details);
    expect(details).toContain('Not fully checked (2 of 2 repositories)');
    expect(details).toContain(longRepo);
    expect(details).toContain('*b* (x)');
  });
});
