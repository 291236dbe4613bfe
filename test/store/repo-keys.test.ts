import { describe, expect, it } from 'vitest';
import { repoKeyOf, repoKeyOfDisplay } from '../../src/store/watches.js';

describe('repository keys', () => {
  it('are the same from a reference and from the display a sweep gives it (GitHub case, branch as written)', () => {
    const refs = [
      { owner: 'Octo', repo: 'App' },
      { owner: 'octo', repo: 'app.js' },
      { owner: 'Octo', repo: 'App', branch: 'Release/2.x' },
      { owner: 'a-b', repo: 'C_d', branch: 'feature@odd' },
    ];
    for (const ref of refs) {
      const display = ref.branch ? `${ref.owner}/${ref.repo}@${ref.branch}` : `${ref.owner}/${ref.repo}`;
      expect(repoKeyOfDisplay(display), display).toBe(repoKeyOf(ref));
    }
    expect(repoKeyOfDisplay('Octo/App@Release/2.x')).toBe('octo/app@Release/2.x');
  });
});
