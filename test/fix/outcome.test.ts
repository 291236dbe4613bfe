import { describe, expect, it } from 'vitest';
import { fixExitStatus, fixJson, stillVulnerable, type FixOutcome } from '../../src/fix/outcome.js';
import type { FixPlan } from '../../src/fix/plan.js';
import { fixText } from '../../src/fix/text.js';
import type { LeftAlone } from '../../src/fix/types.js';

const emptyPlan = (): FixPlan => ({ fixes: [], changes: [], edits: new Map(), newTexts: new Map(), leftAlone: [], lockCommands: [], notes: [] });

function outcome(overrides: Partial<FixOutcome> = {}, plan: Partial<FixPlan> = {}): FixOutcome {
  return {
    target: '.',
    dryRun: false,
    audit: { errors: [], warnings: [], notices: [], partial: false, advisorySource: 'mirror' },
    plan: { ...emptyPlan(), ...plan },
    written: [],
    writeErrors: [],
    ...overrides,
  };
}

const fixed = { package: 'django', from: '2.1.5', to: '2.1.11', advisories: ['PYSEC-2019-13'], status: 'fixed' as const };
const change = { file: 'requirements.txt', line: 1, lines: { first: 1, last: 1 }, package: 'django', before: '==2.1.5', after: '==2.1.11', fromVersion: '2.1.5', toVersion: '2.1.11', hashesRemoved: 0 };
const alone = (kind: LeftAlone['kind']): LeftAlone => ({ kind, package: 'py', version: '1.10.0', file: 'requirements.txt', line: 2, advisories: ['PYSEC-2022-42969'], reason: '…' });

describe('the exit status of depwatch fix', () => {
  it('is 0 when nothing was vulnerable, or everything was fixed and written', () => {
    expect(fixExitStatus(outcome())).toBe(0);
    expect(fixExitStatus(outcome({ written: ['requirements.txt'] }, { fixes: [fixed], changes: [change] }))).toBe(0);
  });

  it('is 1 while something vulnerable is left: a dry run, a pending lock, a release without a fix, a malicious one', () => {
    expect(fixExitStatus(outcome({ dryRun: true }, { fixes: [fixed], changes: [change] }))).toBe(1);
    expect(fixExitStatus(outcome({}, { fixes: [{ ...fixed, status: 'lock-pending' }] }))).toBe(1);
    expect(fixExitStatus(outcome({}, { leftAlone: [alone('no-fix')] }))).toBe(1);
    expect(fixExitStatus(outcome({}, { leftAlone: [alone('malicious')] }))).toBe(1);
  });

  it('does not count ignored findings, as the audit does not', () => {
    expect(stillVulnerable(outcome({}, { leftAlone: [alone('ignored')] }))).toBe(0);
  });

  it('is 2 when a file could not be written, or the audit was partial (fail closed)', () => {
    const unwritten = outcome({ writeErrors: [{ file: 'requirements.txt', message: 'requirements.txt: changed since it was audited; not written' }] }, { fixes: [fixed], changes: [change] });
    expect(stillVulnerable(unwritten)).toBe(1);
    expect(fixExitStatus(unwritten)).toBe(2);
    expect(fixExitStatus(outcome({ audit: { errors: [], warnings: ['advisories unavailable'], notices: [], partial: true, advisorySource: 'api' } }))).toBe(2);
  });
});

describe('the JSON of depwatch fix', () => {
  it('never carries a credential found in a manifest', () => {
    const json = fixJson(outcome({ dryRun: true, diff: ' --extra-index-url https://deploy:s3cret@pypi.example/simple\n-django==2.1.5\n+django==2.1.11\n' }, { fixes: [fixed], changes: [change] }));
    expect(JSON.stringify(json)).not.toContain('s3cret');
    expect(json.diff).toContain('+django==2.1.11');
  });
});

describe('the summary line of depwatch fix', () => {
  it('counts every entry the "Left alone" list shows, apart from the releases by status', () => {
    const url: LeftAlone = { ...alone('non-registry'), package: 'django', version: '2.1.5', line: 1 };
    const split: LeftAlone = { ...alone('not-understood'), package: 'jinja2', version: '2.10', line: 2 };
    const text = fixText(outcome({}, { fixes: [{ ...fixed, package: 'jinja2', from: '2.10', status: 'left-alone' }], leftAlone: [url, split] }));
    expect(text).toContain('\nLeft alone:\n  django 2.1.5  requirements.txt:1');
    expect(text).toMatch(/1 vulnerable release with a fix: 0 fixed, 0 waiting for a lock command, 1 not moved; 2 left alone \(listed above\)\. 2 vulnerable releases still installed\./);
  });

  it('counts a release moved in one project and held in another as moved in part, never "not moved" beside the rewrites it lists', () => {
    const held: LeftAlone = { ...alone('not-understood'), package: 'django', version: '2.1.5', file: 'tools/requirements.txt', line: 1 };
    const text = fixText(outcome({ dryRun: true }, { fixes: [{ ...fixed, status: 'left-alone' }], changes: [change], leftAlone: [held] }));
    expect(text).toMatch(/^Would rewrite 1 requirement in 1 file:/);
    expect(text).toMatch(/1 vulnerable release with a fix: 0 fixable by rewriting, 0 waiting for a lock command, 0 not moved, 1 moved in some projects only; 1 left alone/);
  });

  it('says 0 left alone when the list is empty', () => {
    expect(fixText(outcome({ written: ['requirements.txt'] }, { fixes: [fixed], changes: [change] }))).toMatch(/1 fixed, 0 waiting for a lock command, 0 not moved; 0 left alone\. Nothing vulnerable is left\./);
  });
});
