import { mkdtempSync, writeFileSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { stepsFromTemplate } from '../../src/incidents/checklist.js';
import { parseDuration, formatDuration } from '../../src/incidents/duration.js';
import { builtinTemplate, loadTemplateLibrary, parseTemplate, TemplateError, templatesDirFor, templateStepCount } from '../../src/incidents/templates.js';

function problems(text: string): string[] {
  try {
    parseTemplate(text, 'templates/broken.yml');
  } catch (error) {
    if (error instanceof TemplateError) return error.problems;
    throw error;
  }
  throw new Error('expected the template to be rejected');
}

describe('durations', () => {
  it('reads the offsets people write and prints compact durations', () => {
    expect(parseDuration('15m')).toBe(15);
    expect(parseDuration('2h')).toBe(120);
    expect(parseDuration('1h30m')).toBe(90);
    expect(parseDuration('5d')).toBe(7200);
    expect(parseDuration('soon')).toBeNull();
    expect(parseDuration('10 minutes')).toBeNull();
    expect(formatDuration(45 * 60_000)).toBe('45 min');
    expect(formatDuration(125 * 60_000)).toBe('2 h 05 min');
    expect(formatDuration((3 * 24 + 4) * 3_600_000)).toBe('3 d 4 h');
  });
});

describe('the built-in template', () => {
  it('has the four sections of the product issue, with due offsets, roles and milestones', () => {
    const t = builtinTemplate();
    expect(t.id).toBe('default');
    expect(t.sections.map((s) => s.title)).toEqual(['Immediate steps', 'Communication', 'Customer notification', 'Post-incident analysis']);
    expect(templateStepCount(t)).toBe(14);
    expect(t.sections[0]?.steps.map((s) => [s.id, s.dueMinutes, s.milestone ?? null, s.prefill ?? null])).toEqual([
      ['confirm-affected', 15, 'acknowledged', 'affected'],
      ['assess-exposure', 60, null, 'advisory'],
      ['contain', 240, 'contained', 'fix'],
      ['verify-deployed', 480, 'resolved', null],
    ]);
    expect(t.roles.map((r) => r.id)).toEqual(['commander', 'comms']);
  });
});

describe('custom templates', () => {
  it('name the file and the field at fault', () => {
    expect(
      problems(`id: Bad Id
name: x
sections:
  - id: one
    title: One
    steps:
      - id: a
        title: A
        due: soon
        role: scribe
      - id: a
        title: Again
        dues: 5m
`),
    ).toEqual([
      'id: use 1-40 lower-case letters, digits, "-" or "_"',
      'sections[0].steps[0].due: "soon" is not a duration like 30m, 2h, 1h30m or 5d',
      expect.stringMatching(/^sections\[0\]\.steps\[1\]: .*dues/),
    ]);
    expect(problems('id: x\nname: X\nsections:\n  - id: s\n    title: S\n    steps:\n      - {id: a, title: A, role: scribe}\n      - {id: a, title: B}\n')).toEqual([
      'sections[0].steps[0].role: role "scribe" is not declared under roles (declared: commander)',
      'sections[0].steps[1].id: step id "a" is already used at sections[0].steps[0]',
    ]);
    expect(problems('id: [unclosed')[0]).toMatch(/^not valid YAML/);
    expect(problems('just a string')).toEqual(['(top level): must be a mapping (name: value lines), not text']);
  });

  it('refuse a due time beyond a year at start-up, which would otherwise break every start with that template', () => {
    const withDue = (due: string): string => `id: far\nname: Far\nsections:\n  - id: s\n    title: S\n    steps:\n      - {id: a, title: A, due: ${due}}\n`;
    expect(problems(withDue('200000000d'))).toEqual(['sections[0].steps[0].due: "200000000d" is more than a year; a step is due within 365d (525600 minutes)']);
    expect(problems(withDue('366d'))).toEqual(['sections[0].steps[0].due: "366d" is more than a year; a step is due within 365d (525600 minutes)']);
    expect(problems(withDue('525601'))).toEqual(['sections[0].steps[0].due: 525601 minutes is more than a year; a step is due within 365d (525600 minutes)']);
    expect(problems(withDue(`${'9'.repeat(400)}m`))).toEqual([expect.stringMatching(/is more than a year; a step is due within 365d/)]);

    const yearLong = parseTemplate(withDue('365d'), 'templates/far.yml');
    expect(stepsFromTemplate(yearLong, null, '2024-11-28T10:00:00.000Z')[0]?.dueAt).toBe('2025-11-28T10:00:00.000Z');

    const root = mkdtempSync(join(tmpdir(), 'depwatch-templates-'));
    mkdirSync(join(root, 'templates'));
    writeFileSync(join(root, 'templates', 'far.yml'), withDue('200000000d'));
    const library = loadTemplateLibrary(join(root, 'templates'));
    expect(library.templates.map((t) => t.id)).toEqual(['default']);
    expect(library.errors).toEqual(['templates/far.yml: sections[0].steps[0].due: "200000000d" is more than a year; a step is due within 365d (525600 minutes)']);
  });

  it('load from templates/ next to the database; a broken file is reported and the rest still load', () => {
    const root = mkdtempSync(join(tmpdir(), 'depwatch-templates-'));
    const dir = templatesDirFor(join(root, 'depwatch.db'));
    expect(dir).toBe(join(root, 'templates'));
    expect(templatesDirFor(':memory:')).toBeNull();
    mkdirSync(dir as string);
    writeFileSync(join(dir as string, 'supply-chain.yml'), 'id: supply-chain\nname: Supply chain\nroles:\n  - {id: scribe, name: Scribe}\nsections:\n  - id: s\n    title: Triage\n    steps:\n      - {id: a, title: Look, due: 10m, role: scribe}\n');
    writeFileSync(join(dir as string, 'broken.yaml'), 'id: broken\nname: Broken\nsections: []\n');
    writeFileSync(join(dir as string, 'notes.txt'), 'not a template');
    const library = loadTemplateLibrary(dir);
    expect(library.templates.map((t) => t.id)).toEqual(['default', 'supply-chain']);
    expect(library.templates[1]?.roles.map((r) => r.id)).toEqual(['commander', 'scribe']);
    expect(library.errors).toEqual(['templates/broken.yaml: sections: a template needs at least one section']);
    expect(loadTemplateLibrary(join(root, 'missing')).templates.map((t) => t.id)).toEqual(['default']);
  });
});
