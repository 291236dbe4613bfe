import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { compareFindings, type Finding } from '../../src/audit/findings.js';

const finding = (over: Partial<Finding>): Finding => ({
  kind: 'unpinned',
  severity: 'low',
  package: null,
  version: null,
  file: null,
  line: null,
  fix: { version: null, text: '' },
  ...over,
});

const order = (findings: Finding[]) => [...findings].sort((a, b) => compareFindings(a, b)).map((f) => f.package ?? f.file);

describe('the order of findings', () => {
  it('puts the most severe first, then ties in code-unit order of package, id and file', () => {
    const findings = [
      finding({ package: 'zope', severity: 'high' }),
      finding({ package: 'aiohttp' }),
      finding({ package: 'Django' }),
      finding({ package: 'django-x' }),
      finding({ package: 'django_y' }),
      finding({ package: 'celery' }),
    ];
    // Code units, as Python's sorted() and pip-audit: upper case before lower, '-' before '_'.
    expect(order(findings)).toEqual(['zope', 'Django', 'aiohttp', 'celery', 'django-x', 'django_y']);
  });

  it('is the same under any locale (by the locale, da_DK put aa… after z…)', () => {
    const script = `
      import { compareFindings } from ${JSON.stringify(join(import.meta.dirname, '../../src/audit/findings.ts'))};
      const f = (p) => ({ kind: 'unpinned', severity: 'low', package: p, version: null, file: null, line: null, fix: { version: null, text: '' } });
      console.log(['zeep', 'aafire', 'yarl', 'idna'].map(f).sort((a, b) => compareFindings(a, b)).map((x) => x.package).join(' '));`;
    for (const locale of ['da_DK.UTF-8', 'lt_LT.UTF-8', 'C.UTF-8']) {
      const run = spawnSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], {
        env: { ...process.env, LANG: locale, LC_ALL: locale },
        encoding: 'utf8',
      });
      expect(run.stderr).toBe('');
      expect(run.stdout.trim(), locale).toBe('aafire idna yarl zeep');
    }
  });
});
