/**
 * The help is the list of what a command accepts: every option the audit command's parser takes is
 * in `depwatch audit --help` (in its usage line and with a line of its own) and in the audit line of
 * `depwatch --help`, so a new option cannot be added without being told about; so is every option
 * of `depwatch deps`, `depwatch review` and `depwatch scan`. `fix --help` names
 * every kind of file fix rewrites.
 */
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { AUDIT_OPTIONS } from '../../src/cli/audit.js';
import { DEPS_OPTIONS } from '../../src/cli/deps.js';
import { REVIEW_OPTIONS } from '../../src/cli/review.js';
import { SCAN_OPTIONS } from '../../src/cli/scan.js';
import { inProcessCli, UNREACHABLE_SERVICES, writeTree } from '../helpers/cli-in-process.js';

const dir = writeTree('depwatch-help-', {});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function help(...argv: string[]): Promise<string> {
  const c = inProcessCli({ cwd: dir, env: { DEPWATCH_DB: join(dir, 'depwatch.db'), ...UNREACHABLE_SERVICES } });
  expect(await c.run(...argv)).toBe(0);
  return c.out.stdout;
}

const auditOptions = Object.keys(AUDIT_OPTIONS).filter((name) => name !== 'help').map((name) => `--${name}`);

describe('depwatch audit --help', () => {
  it('names every option audit accepts in its usage line, and describes each on a line of its own', async () => {
    const [usage, ...body] = (await help('audit', '--help')).split('\n');
    for (const option of auditOptions) {
      expect(usage, option).toContain(option);
      expect(body.some((line) => line.trimStart().startsWith(option)), `${option} described`).toBe(true);
    }
  });

  it('is what depwatch --help says of audit', async () => {
    const [usage] = (await help('audit', '--help')).split('\n');
    const top = await help('--help');
    expect(top).toContain(`  depwatch ${usage!.replace(/^usage: depwatch /, '')}\n`);
  });
});

const depsOptions = Object.keys(DEPS_OPTIONS).filter((name) => name !== 'help').map((name) => `--${name}`);

describe('depwatch deps --help', () => {
  it('names every option deps accepts (--cyclonedx too) in its usage line, and describes each on a line of its own', async () => {
    const [usage, ...body] = (await help('deps', '--help')).split('\n');
    expect(depsOptions).toContain('--cyclonedx');
    for (const option of depsOptions) {
      expect(usage, option).toContain(option);
      expect(body.some((line) => line.trimStart().startsWith(option)), `${option} described`).toBe(true);
    }
  });

  it('is what depwatch --help says of deps', async () => {
    const [usage] = (await help('deps', '--help')).split('\n');
    expect(await help('--help')).toContain(`  depwatch ${usage!.replace(/^usage: depwatch /, '')}\n`);
  });
});

const reviewOptions = Object.keys(REVIEW_OPTIONS).filter((name) => name !== 'help').map((name) => `--${name}`);

describe('depwatch review --help', () => {
  it('names every option review accepts in its usage line, and describes each on a line of its own', async () => {
    const [usage, ...body] = (await help('review', '--help')).split('\n');
    for (const option of reviewOptions) {
      expect(usage, option).toContain(option);
      expect(body.some((line) => line.trimStart().startsWith(option)), `${option} described`).toBe(true);
    }
  });

  it('is what depwatch --help says of review', async () => {
    const [usage] = (await help('review', '--help')).split('\n');
    expect(await help('--help')).toContain(`  depwatch ${usage!.replace(/^usage: depwatch /, '')}\n`);
  });
});

const scanOptions = Object.keys(SCAN_OPTIONS).filter((name) => name !== 'help').map((name) => `--${name}`);

describe('depwatch scan --help', () => {
  it('names every option scan accepts (--sarif, --history and its limits too) in its usage line, and describes each on a line of its own', async () => {
    const [usage, ...body] = (await help('scan', '--help')).split('\n');
    expect(scanOptions).toContain('--sarif');
    for (const option of scanOptions) {
      expect(usage, option).toContain(option);
      expect(body.some((line) => line.trimStart().startsWith(option)), `${option} described`).toBe(true);
    }
  });

  it('is what depwatch --help says of scan', async () => {
    const [usage] = (await help('scan', '--help')).split('\n');
    expect(await help('--help')).toContain(`  depwatch ${usage!.replace(/^usage: depwatch /, '')}\n`);
  });
});

describe('depwatch fix --help', () => {
  it('names every kind of file fix rewrites, the conda environment.yml included', async () => {
    const text = await help('fix', '--help');
    for (const file of ['requirements files', 'pyproject.toml', 'Pipfile', 'environment.yml']) expect(text).toContain(file);
  });
});
