import { describe, expect, it } from 'vitest';
import { poetryToPep440 } from '../../src/python/poetry-constraint.js';
import { specifierContains } from '../../src/python/pep440.js';
import { widenPep440, widenPoetry } from '../../src/fix/widen.js';

const widened = (text: string) => ({ kind: 'widened', text });

describe('widening a PEP 440 specifier to admit the fix', () => {
  it('moves an exact pin to the fix, keeping the operator and the spaces around it', () => {
    expect(widenPep440('==2.1.5', '2.1.5', '2.1.11')).toEqual(widened('==2.1.11'));
    expect(widenPep440('== 2.1.5', '2.1.5', '2.1.11')).toEqual(widened('== 2.1.11'));
    expect(widenPep440('===2.1.5', '2.1.5', '2.1.11')).toEqual(widened('===2.1.11'));
  });

  it('raises an upper bound only to the next release at the precision it was written with', () => {
    expect(widenPep440('>=2.0,<2.2', '2.1.5', '2.2.1')).toEqual(widened('>=2.0,<2.3'));
    expect(widenPep440('>= 2.0, < 3', '2.1.5', '3.0.1')).toEqual(widened('>= 2.0, < 4'));
    expect(widenPep440('>=2.0,<2.1.6', '2.1.5', '2.1.11')).toEqual(widened('>=2.0,<2.1.12'));
    expect(widenPep440('<=2.1.5', '2.1.5', '2.1.11')).toEqual(widened('<=2.1.11'));
  });

  it('keeps a compatible-release clause with as many components as it had', () => {
    expect(widenPep440('~=2.1.0', '2.1.5', '2.2.28')).toEqual(widened('~=2.2.28'));
    expect(widenPep440('~=1.4', '1.9', '2.0.1')).toEqual(widened('~=2.0'));
    expect(specifierContains('~=2.0', '2.0.1')).toBe(true);
  });

  it('moves a wildcard pin to the fix series', () => {
    expect(widenPep440('==2.1.*', '2.1.5', '2.2.0')).toEqual(widened('==2.2.*'));
  });

  it('leaves alone a range that already admits the fix, and one that is not about the vulnerable release', () => {
    expect(widenPep440('>=2.0', '2.1.5', '2.1.11')).toEqual({ kind: 'admits' });
    expect(widenPep440('', '2.1.5', '2.1.11')).toEqual({ kind: 'admits' });
    expect(widenPep440('==1.11.20', '2.1.5', '2.1.11')).toEqual({ kind: 'unrelated' });
  });

  it('refuses a clause that excludes the fix on purpose, naming it', () => {
    const result = widenPep440('>=2.0,!=2.1.11', '2.1.5', '2.1.11');
    expect(result).toEqual({ kind: 'refused', reason: expect.stringContaining('!=2.1.11') });
    expect(widenPep440('>=2.0,!=2.1.*', '2.0.5', '2.1.11')).toMatchObject({ kind: 'refused', reason: expect.stringContaining('on purpose') });
  });

  it('refuses what it cannot read rather than guessing', () => {
    expect(widenPep440('==2.1.5,', '2.1.5', '2.1.11')).toMatchObject({ kind: 'refused' });
    expect(widenPep440('>=${VERSION}', '2.1.5', '2.1.11')).toMatchObject({ kind: 'refused' });
  });

  it('changes only the clause that excludes the fix and keeps the others byte for byte', () => {
    expect(widenPep440(' >=2.0 ,<2.1.6,!=2.0.3 ', '2.1.5', '2.1.11')).toEqual(widened(' >=2.0 ,<2.1.12,!=2.0.3 '));
  });
});

describe('widening a Poetry constraint only as far as needed', () => {
  const admits = (constraint: string, version: string) => {
    const translated = poetryToPep440(constraint);
    return translated.ok && specifierContains(translated.specifier, version, { containsPrereleases: true });
  };

  it('moves a caret to the fix, which Poetry reads as the smallest range that admits it', () => {
    expect(widenPoetry('^0.65.1', '0.65.1', '0.66.0')).toEqual(widened('^0.66.0'));
    expect(admits('^0.66.0', '0.66.0')).toBe(true);
    expect(admits('^0.66.0', '0.65.1')).toBe(false);
    expect(widenPoetry('^1.2', '1.3', '2.0.1')).toEqual(widened('^2.0.1'));
    expect(widenPoetry('^1.2', '1.3', '2.0')).toEqual(widened('^2.0'));
  });

  it('moves a tilde, an exact version and an explicit range in their own style', () => {
    expect(widenPoetry('~1.2.3', '1.2.3', '1.3.0')).toEqual(widened('~1.3.0'));
    expect(widenPoetry('1.2.3', '1.2.3', '1.2.9')).toEqual(widened('1.2.9'));
    expect(widenPoetry('==1.2.3', '1.2.3', '1.2.9')).toEqual(widened('==1.2.9'));
    expect(widenPoetry('>=0.65.1,<0.66', '0.65.1', '0.66.2')).toEqual(widened('>=0.65.1,<0.67'));
    expect(widenPoetry('>=0.65.1 <0.66', '0.65.1', '0.66.2')).toEqual(widened('>=0.65.1 <0.67'));
    expect(widenPoetry('1.2.*', '1.2.3', '1.3.1')).toEqual(widened('1.3.*'));
  });

  it('leaves alone a constraint that admits the fix (only the lock needs regenerating)', () => {
    expect(widenPoetry('^2.1', '2.1.5', '2.1.11')).toEqual({ kind: 'admits' });
    expect(widenPoetry('*', '2.1.5', '2.1.11')).toEqual({ kind: 'admits' });
  });

  it('reads a hostile 1,000-character constraint to the same answer: a local version of `.x` labels, a run of wildcards', () => {
    // Each once cost a regular expression time quadratic in the clause: its `.x` pairs could be read two ways.
    const local = `1.0+${'x.'.repeat(496)}11`;
    expect(`==${local}`).toHaveLength(1_000);
    expect(widenPoetry(`==${local}`, local, '3.0.1')).toEqual(widened('==3.0.1'));
    const wildcards = `1${'.x'.repeat(499)}`;
    expect(wildcards).toHaveLength(999);
    expect(widenPoetry(wildcards, '1.2', '3.0.1')).toEqual(widened(`3${'.x'.repeat(499)}`));
    expect(widenPoetry(`${wildcards}@`, '1.2', '3.0.1')).toMatchObject({ kind: 'refused', reason: expect.stringContaining('not one the rewriter can read') });
  });

  it('refuses unions and exclusions of the fix', () => {
    expect(widenPoetry('^1.0 || ^2.0', '1.3', '3.0.1')).toMatchObject({ kind: 'refused', reason: expect.stringContaining('||') });
    expect(widenPoetry('>=1.0,!=1.2.9', '1.2.3', '1.2.9')).toMatchObject({ kind: 'refused', reason: expect.stringContaining('!=1.2.9') });
  });
});
