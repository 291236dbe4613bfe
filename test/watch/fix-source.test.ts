/**
 * How an alert's "Open fix PR" finds the repository it names: alerts show a repository by its
 * display name (GitHub's case, then the watched branch), the store keys it by what was watched.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { startWorld, type World } from './helpers.js';

let world: World | undefined;
afterEach(async () => {
  await world?.close();
  world = undefined;
});

describe("the fix flow's repository key", () => {
  it('follows from the display, is refused for a repository no longer watched, and finds a renamed one by its summary', async () => {
    world = await startWorld({ records: [], start: '2026-03-02T09:00:00Z' });
    const { watch } = world.service();
    const now = new Date('2026-03-02T09:00:00Z');
    const swept = async (repo: string, display: string) => {
      await watch.state.addWatch({ repo, channel: 'C0SEC000001', userId: 'U1', private: false, adminLinked: false, now });
      await watch.state.recordAudit(
        { repo, display, htmlUrl: `https://github.com/${display}`, private: false, sha: 'sha1', packages: [], ignores: [], dependencies: 0, now },
        { repo, findings: [], keyOf: () => '', sha: 'sha1', now, baseline: true },
      );
    };
    await swept('octo/shop', 'Octo/Shop');
    await swept('octo/api@Release/2.x', 'Octo/Api@Release/2.x');
    // Watched as octo/old; GitHub answers for it under its new name since.
    await swept('octo/old', 'Octo/New');

    const { repoKeyOf } = watch.fixSource();
    expect(await repoKeyOf('Octo/Shop')).toBe('octo/shop');
    expect(await repoKeyOf('Octo/Api@Release/2.x')).toBe('octo/api@Release/2.x');
    expect(await repoKeyOf('Octo/New')).toBe('octo/old');
    expect(await repoKeyOf('Octo/Gone')).toBeNull();

    // Unwatched since the alert: its state row stays, its key is no longer given out.
    await watch.state.removeWatch({ repo: 'octo/shop', channel: 'C0SEC000001', userId: 'U1', now });
    expect(await repoKeyOf('Octo/Shop')).toBeNull();
  });
});
