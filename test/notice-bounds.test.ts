import { describe, expect, it } from 'vitest';
import { manifestFoldersNotice, passedOverInputsNotice } from '../src/python/load.js';
import { submodulesNotice } from '../src/python/submodules.js';
import { QUOTED_INPUT_MAX } from '../src/quoted-input.js';

/** Five paths of 4,000 characters: what a hostile tree (or .gitmodules) can name. */
const longPaths = Array.from({ length: 5 }, (_, i) => `${String(i).repeat(4_000)}/requirements.txt`);
/** Each named path at most QUOTED_INPUT_MAX characters, the wording around them a few hundred. */
const BOUND = 5 * (QUOTED_INPUT_MAX + 1) + 600;

describe('discovery notices naming paths', () => {
  it('quote each path at most QUOTED_INPUT_MAX characters, so a hostile name never makes a line of kilobytes', () => {
    const notices = [
      passedOverInputsNotice(longPaths.map((p) => p.replace('.txt', '.in'))),
      manifestFoldersNotice(longPaths),
      submodulesNotice(longPaths.map((path) => ({ path })), 'checkout'),
      submodulesNotice(longPaths.map((path) => ({ path, commit: 'a'.repeat(40) })), 'github'),
    ];
    for (const notice of notices) {
      expect(notice).not.toBeNull();
      expect(notice!.length).toBeLessThan(BOUND);
      expect(notice).toContain('…');
    }
  });
});
