/**
 * Checklist templates: the built-in `default` (templates/default.yml beside this module's source)
 * plus custom YAML files from a `templates/` folder next to the database file. Every file is
 * validated at start-up; a broken file is reported with its name and the field at fault and left
 * out, and the others still load (one typo must not take incidents down).
 */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse as parseYaml } from 'yaml';
import { QUIET_YAML } from '../yaml.js';
import { z } from 'zod';
import { errorLine } from '../error-line.js';
import { parseDuration } from './duration.js';
import { COMMANDER_ROLE, MILESTONES, PREFILLS, type IncidentTemplate } from './types.js';
import { issuePhrase } from '../settings-issue.js';

/** The most steps a template may have: each step is a block pair in Slack, spread over thread messages. */
export const MAX_TEMPLATE_STEPS = 100;

/** Works from src/incidents (tsx, vitest) and dist/incidents (built) alike: both sit two levels below the root. */
export const BUILTIN_TEMPLATE_FILE = join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'src', 'incidents', 'templates', 'default.yml');

const ID = /^[a-z0-9][a-z0-9_-]{0,39}$/;
const idField = z.string().regex(ID, 'use 1-40 lower-case letters, digits, "-" or "_"');

/**
 * The latest a step can be due, in minutes after the start. No incident waits a year for a step,
 * and an offset past what a Date holds would throw at every start with the template instead of
 * being refused here, at start-up.
 */
export const MAX_DUE_MINUTES = 365 * 24 * 60;

const dueField = z.union([z.number().int().nonnegative(), z.string()]).transform((value, ctx) => {
  const minutes = typeof value === 'number' ? value : parseDuration(value);
  if (minutes === null) {
    ctx.addIssue({ code: 'custom', message: `"${value}" is not a duration like 30m, 2h, 1h30m or 5d` });
    return z.NEVER;
  }
  if (minutes > MAX_DUE_MINUTES) {
    const written = typeof value === 'number' ? `${value} minutes` : `"${value}"`;
    ctx.addIssue({ code: 'custom', message: `${written} is more than a year; a step is due within 365d (${MAX_DUE_MINUTES} minutes)` });
    return z.NEVER;
  }
  return minutes;
});

const StepSchema = z.strictObject({
  id: idField,
  title: z.string().trim().min(1).max(200),
  detail: z.string().trim().max(1000).optional(),
  due: dueField.optional(),
  role: idField.optional(),
  milestone: z.enum(MILESTONES).optional(),
  prefill: z.enum(PREFILLS).optional(),
});

const SectionSchema = z.strictObject({
  id: idField,
  title: z.string().trim().min(1).max(100),
  steps: z.array(StepSchema).min(1, 'a section needs at least one step'),
});

const RoleSchema = z.strictObject({
  id: idField,
  name: z.string().trim().min(1).max(60),
  description: z.string().trim().max(300).optional(),
});

const TemplateSchema = z
  .strictObject({
    id: idField,
    name: z.string().trim().min(1).max(100),
    description: z.string().trim().max(500).optional(),
    roles: z.array(RoleSchema).optional(),
    sections: z.array(SectionSchema).min(1, 'a template needs at least one section'),
  })
  .superRefine((t, ctx) => {
    const roles = new Set((t.roles ?? []).map((r) => r.id));
    roles.add(COMMANDER_ROLE);
    const stepIds = new Map<string, string>();
    const sectionIds = new Set<string>();
    let count = 0;
    t.sections.forEach((section, s) => {
      if (sectionIds.has(section.id)) ctx.addIssue({ code: 'custom', path: ['sections', s, 'id'], message: `section id "${section.id}" is used twice` });
      sectionIds.add(section.id);
      section.steps.forEach((step, i) => {
        count++;
        const where = ['sections', s, 'steps', i];
        if (stepIds.has(step.id)) ctx.addIssue({ code: 'custom', path: [...where, 'id'], message: `step id "${step.id}" is already used at ${stepIds.get(step.id)}` });
        stepIds.set(step.id, `sections[${s}].steps[${i}]`);
        if (step.role !== undefined && !roles.has(step.role)) {
          ctx.addIssue({ code: 'custom', path: [...where, 'role'], message: `role "${step.role}" is not declared under roles (declared: ${[...roles].join(', ')})` });
        }
      });
    });
    if (count > MAX_TEMPLATE_STEPS) ctx.addIssue({ code: 'custom', path: ['sections'], message: `${count} steps; a checklist can have at most ${MAX_TEMPLATE_STEPS}` });
  });

export class TemplateError extends Error {
  override name = 'TemplateError';
  constructor(
    readonly file: string,
    readonly problems: string[],
  ) {
    super(problems.map((p) => `${file}: ${p}`).join('\n'));
  }
}

function fieldPath(path: readonly PropertyKey[]): string {
  let out = '';
  for (const part of path) out += typeof part === 'number' ? `[${part}]` : `${out ? '.' : ''}${String(part)}`;
  return out || '(top level)';
}

/** Parses one template file's text; throws TemplateError naming the file and every field at fault. */
export function parseTemplate(text: string, origin: string): IncidentTemplate {
  let raw: unknown;
  try {
    raw = parseYaml(text, { ...QUIET_YAML, prettyErrors: true });
  } catch (error) {
    throw new TemplateError(origin, [`not valid YAML: ${errorLine(error)}`]);
  }
  const parsed = TemplateSchema.safeParse(raw);
  if (!parsed.success) {
    throw new TemplateError(origin, parsed.error.issues.map((issue) => `${fieldPath(issue.path)}: ${issuePhrase(issue, raw)}`));
  }
  const t = parsed.data;
  const roles = t.roles ?? [];
  if (!roles.some((r) => r.id === COMMANDER_ROLE)) roles.unshift({ id: COMMANDER_ROLE, name: 'Incident commander' });
  return {
    id: t.id,
    name: t.name,
    ...(t.description !== undefined ? { description: t.description } : {}),
    roles: roles.map((r) => ({ id: r.id, name: r.name, ...(r.description !== undefined ? { description: r.description } : {}) })),
    sections: t.sections.map((section) => ({
      id: section.id,
      title: section.title,
      steps: section.steps.map((step) => ({
        id: step.id,
        title: step.title,
        ...(step.detail !== undefined ? { detail: step.detail } : {}),
        ...(step.due !== undefined ? { dueMinutes: step.due } : {}),
        ...(step.role !== undefined ? { role: step.role } : {}),
        ...(step.milestone !== undefined ? { milestone: step.milestone } : {}),
        ...(step.prefill !== undefined ? { prefill: step.prefill } : {}),
      })),
    })),
    origin,
  };
}

export function builtinTemplate(): IncidentTemplate {
  return parseTemplate(readFileSync(BUILTIN_TEMPLATE_FILE, 'utf8'), 'built-in');
}

export interface TemplateLibrary {
  templates: IncidentTemplate[];
  /** One line per problem, each naming the file and field. */
  errors: string[];
}

/** The folder custom templates are read from: `templates/` next to the database file. */
export function templatesDirFor(dbPath: string): string | null {
  if (dbPath === ':memory:' || dbPath.length === 0) return null;
  return join(dirname(dbPath), 'templates');
}

/**
 * The built-in template plus every `*.yml` / `*.yaml` in `dir` (when given and present). A custom
 * template with the built-in's id replaces it; two custom files with one id are an error in the second.
 */
export function loadTemplateLibrary(dir: string | null): TemplateLibrary {
  const errors: string[] = [];
  const byId = new Map<string, IncidentTemplate>();
  const builtin = builtinTemplate();
  byId.set(builtin.id, builtin);
  if (dir === null || !existsSync(dir)) return { templates: [...byId.values()], errors };
  if (!statSync(dir).isDirectory()) return { templates: [...byId.values()], errors: [`${dir}: not a directory`] };
  const files = readdirSync(dir).filter((f) => /\.ya?ml$/i.test(f)).sort();
  const custom = new Set<string>();
  for (const file of files) {
    const path = join(dir, file);
    try {
      const template = parseTemplate(readFileSync(path, 'utf8'), path);
      if (custom.has(template.id)) {
        errors.push(`${path}: id: "${template.id}" is already used by another template file`);
        continue;
      }
      custom.add(template.id);
      byId.set(template.id, template);
    } catch (error) {
      if (error instanceof TemplateError) errors.push(...error.problems.map((p) => `${basename(dir)}/${file}: ${p}`));
      else errors.push(`${basename(dir)}/${file}: cannot read: ${(error as Error).message}`);
    }
  }
  return { templates: [...byId.values()], errors };
}

export function templateStepCount(template: IncidentTemplate): number {
  return template.sections.reduce((n, s) => n + s.steps.length, 0);
}
