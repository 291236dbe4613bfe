/**
 * Settings problems found by the validator read as sentences about the field, never as zod's own
 * text ("Invalid input: expected string, received undefined"): in `.depwatch.yml` (ignore entries),
 * in the environment (loadConfig) and in incident templates alike.
 */
import { describe, expect, it } from 'vitest';
import { parseIgnoreFile } from '../src/audit/ignore-file.js';
import { ConfigError, loadConfig } from '../src/config.js';

const ignoreNotes = (yaml: string) => parseIgnoreFile(yaml).notes.map((n) => n.message);
const configProblems = (env: NodeJS.ProcessEnv): string[] => {
  try {
    loadConfig(env);
    return [];
  } catch (err) {
    return (err as ConfigError).problems;
  }
};

describe('an ignore entry the validator refuses', () => {
  it('with no reason: names the entry by its id, the field, and what it is for', () => {
    expect(ignoreNotes('ignore:\n  - id: PYSEC-1\n    reason: fine\n  - id: GHSA-aaaa-bbbb-cccc\n')).toEqual([
      '.depwatch.yml: ignore entry 2 (id: GHSA-aaaa-bbbb-cccc): `reason` is missing: say why it is ignored; not applied',
    ]);
  });

  it('with an empty reason, a reason that is a number, no id, an id too long: each said in words', () => {
    const notes = ignoreNotes(`ignore:\n  - {id: A-1, reason: "  "}\n  - {id: A-2, reason: 42}\n  - {reason: why}\n  - {id: ${'X'.repeat(201)}, reason: why}\n`);
    expect(notes).toEqual([
      '.depwatch.yml: ignore entry 1 (id: A-1): `reason` is empty: say why it is ignored; not applied',
      '.depwatch.yml: ignore entry 2 (id: A-2): `reason` must be text, not a number: say why it is ignored; not applied',
      '.depwatch.yml: ignore entry 3: `id` is missing: name the advisory to ignore (GHSA-…, PYSEC-…, CVE-…); not applied',
      `.depwatch.yml: ignore entry 4 (id: ${'X'.repeat(60)}…): \`id\` is longer than 200 characters; not applied`,
    ]);
    for (const note of notes) expect(note).not.toMatch(/Invalid|expected string|received/);
  });

  it('that is not a mapping', () => {
    expect(ignoreNotes('ignore:\n  - PYSEC-1\n')).toEqual(['.depwatch.yml: ignore entry 1: the entry (a mapping with an id and a reason) must be a mapping (name: value lines), not text; not applied']);
  });
});

describe('an environment setting the validator refuses', () => {
  it('a log level that is not one: the choices, not zod\'s text', () => {
    expect(configProblems({ LOG_LEVEL: 'loud' })).toEqual(['LOG_LEVEL: must be one of fatal, error, warn, info, debug, trace, silent']);
  });

  it('a message the schema words itself is kept', () => {
    expect(configProblems({ PORT: 'eighty' })).toEqual(['PORT: must be a port number from 1 to 65535, in digits (0: any free port)']);
  });
});
