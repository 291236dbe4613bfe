/**
 * Which release of an index a pin names, as pip picks it: `===` the text as written, `==` any equal
 * PEP 440 version including local versions of it when the pin has none, and of several, a yanked
 * one only when all are (PEP 592), else the newest.
 */
import { describe, expect, it } from 'vitest';
import { findRelease, pinAdmits, pinnedRelease, type ProjectInfo } from '../src/python/releases.js';

const info = (versions: [string, boolean?][]): Pick<ProjectInfo, 'releases'> => ({
  releases: versions.map(([version, yanked = false]) => ({ version, uploadTime: null, yanked, yankedReason: yanked ? `${version} broke` : null, requiresPython: null })),
});

describe('pinAdmits', () => {
  it('=== compares the text without case and normalises nothing', () => {
    expect(pinAdmits('===', '1.0', '1.0')).toBe(true);
    expect(pinAdmits('===', '1.0', '1.0.0')).toBe(false);
    expect(pinAdmits('===', '1.0', '1.0+cpu')).toBe(false);
    expect(pinAdmits('===', '0.1-Charmander', '0.1-charmander')).toBe(true);
  });

  it('== takes equal versions and local versions of a pin without one; a legacy version only as spelled', () => {
    expect(pinAdmits('==', '1.0', '1.0.0')).toBe(true);
    expect(pinAdmits('==', '2.0', '2.0+cpu')).toBe(true);
    expect(pinAdmits('==', '2.0+cpu', '2.0')).toBe(false);
    expect(pinAdmits('==', '0.1-charmander', '0.1-charmander')).toBe(true);
    expect(pinAdmits('==', '0.1-charmander', '0.1-CHARMANDER')).toBe(false);
  });
});

describe('pinnedRelease', () => {
  it('finds 2.0+cpu for ==2.0 and takes the newest admitted release, as pip does', () => {
    const p = info([['2.0+cpu'], ['2.0+cu118'], ['2.1+cpu']]);
    expect(pinnedRelease(p, '2.0', '==')?.version).toBe('2.0+cu118');
    expect(pinnedRelease(p, '2.0+cpu', '==')?.version).toBe('2.0+cpu');
    expect(pinnedRelease(p, '2.0', '===')).toBeUndefined();
    expect(findRelease(p, '2.0')).toBeUndefined(); // a locked 2.0 is that release, which this index lacks
  });

  it('is yanked only when every admitted release is (PEP 592)', () => {
    expect(pinnedRelease(info([['4.0', true], ['4.0+cpu']]), '4.0', '==')).toMatchObject({ version: '4.0+cpu', yanked: false });
    expect(pinnedRelease(info([['3.0+cpu', true], ['3.0+cu118', true], ['3.1']]), '3.0', '==')).toMatchObject({ version: '3.0+cu118', yanked: true, yankedReason: '3.0+cu118 broke' });
  });

  it('prefers the pin\'s own spelling among equal versions', () => {
    expect(pinnedRelease(info([['1.0.0'], ['1.0']]), '1.0', '==')?.version).toBe('1.0');
    expect(pinnedRelease(info([['0.1-A'], ['0.1-a']]), '0.1-a', '===')?.version).toBe('0.1-a');
  });
});
