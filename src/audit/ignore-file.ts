/**
 * Reads `.depwatch.yml`'s `ignore:` list into IgnoreRules (see ignores.ts for what they do). Apart
 * from ignores.ts because it needs the YAML parser and the validator (zod, about 100 ms to load): an
 * audit of a tree without an ignore file loads neither.
 */
import { z } from 'zod';
import { errorLine } from '../error-line.js';
import { normalizeName } from '../python/names.js';
import { yaml } from '../yaml.js';
import type { IgnoreNote, IgnoreRule } from './ignores.js';

const DATE = /^\d{4}-\d{2}-\d{2}$/;

const RuleSchema = z.object({
  id: z.string().trim().min(1, 'id is required').max(200),
  reason: z.string().trim().min(1, 'a reason is required (why is it safe to ignore?)').max(2000),
  until: z
    .union([z.string(), z.date()])
    .optional()
    .nullable()
    .transform((v) => (v instanceof Date ? v.toISOString().slice(0, 10) : v ?? null))
    .refine((v) => v === null || (DATE.test(v) && !Number.isNaN(Date.parse(v))), { message: 'until must be a date, YYYY-MM-DD' }),
  package: z.string().trim().min(1).max(200).optional().nullable(),
  path: z.string().trim().min(1).max(500).optional().nullable(),
});

const FileSchema = z.object({ ignore: z.array(z.unknown()).max(10_000).optional().nullable() }).passthrough();

/** Reads `.depwatch.yml`. Each bad entry becomes one note; the good ones still apply. */
export function parseIgnoreFile(text: string, source = '.depwatch.yml'): { rules: IgnoreRule[]; notes: IgnoreNote[] } {
  const notes: IgnoreNote[] = [];
  let doc: unknown;
  try {
    // YAML 1.2 core schema: no custom tags, no merge-key tricks; bounded aliases against billion laughs.
    doc = yaml().parse(text, { schema: 'core', maxAliasCount: 100, uniqueKeys: false });
  } catch (err) {
    return { rules: [], notes: [{ kind: 'invalid', message: `${source}: not valid YAML (${errorLine(err)})` }] };
  }
  if (doc === null || doc === undefined) return { rules: [], notes };
  const file = FileSchema.safeParse(doc);
  if (!file.success) return { rules: [], notes: [{ kind: 'invalid', message: `${source}: expected a mapping with an "ignore:" list` }] };
  const rules: IgnoreRule[] = [];
  (file.data.ignore ?? []).forEach((entry, i) => {
    const parsed = RuleSchema.safeParse(entry);
    if (!parsed.success) {
      const issue = parsed.error.issues[0]!;
      notes.push({ kind: 'invalid', message: `${source}: ignore entry ${i + 1}: ${issue.path.length ? issue.path.join('.') + ': ' : ''}${issue.message}` });
      return;
    }
    const r = parsed.data;
    rules.push({ id: r.id, reason: r.reason, until: r.until, package: r.package ? normalizeName(r.package) : null, ...(r.path ? { path: r.path } : {}), source });
  });
  return { rules, notes };
}
