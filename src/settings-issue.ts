/**
 * A settings problem found by the validator (zod), in words for the person who wrote the setting:
 * "`reason` is missing: say why it is ignored", not zod's "Invalid input: expected string, received
 * undefined". Every place that checks settings (`.depwatch.yml`, the environment, incident
 * templates) says its issues through here, so the same mistake reads the same everywhere. Messages
 * written in a schema (`refine`, `addIssue`) are already in people's words and are kept; zod's own
 * are reworded from the issue's fields. Never quotes a value: a setting may hold a secret.
 */
import type { z } from 'zod';

type Issue = z.core.$ZodIssue;

/** What a field is for, said after a missing or empty one ("say why it is ignored"), by its name. */
export type FieldHints = Readonly<Record<string, string>>;

const NOUNS: Readonly<Record<string, string>> = {
  string: 'text',
  number: 'a number',
  int: 'a whole number',
  boolean: 'true or false',
  array: 'a list',
  object: 'a mapping (name: value lines)',
  date: 'a date',
  null: 'empty',
};

/** What a YAML or environment value is, in the same words as NOUNS. */
function kindOf(value: unknown): string {
  if (value === null) return 'empty';
  if (Array.isArray(value)) return 'a list';
  if (value instanceof Date) return 'a date';
  if (typeof value === 'object') return 'a mapping';
  return NOUNS[typeof value] ?? typeof value;
}

/** The value at the issue's path in what was checked (zod 4 issues do not carry it). */
function valueAt(input: unknown, path: readonly PropertyKey[]): unknown {
  let value = input;
  for (const key of path) {
    if (value === null || typeof value !== 'object') return undefined;
    value = (value as Record<PropertyKey, unknown>)[key];
  }
  return value;
}

/** zod's own messages start so; a schema's own do not, and are kept as written. */
const ZOD_WORDING = /^(Invalid|Too (small|big)|Unrecognized|Expected)/;

/**
 * The problem, as the end of a sentence whose subject is the field ("is missing: …", "must be
 * text, not a number"). `input`: what was validated, to tell a missing value from a wrong one.
 */
export function issuePhrase(issue: Issue, input: unknown, hints: FieldHints = {}): string {
  const field = issue.path.at(-1);
  const hint = typeof field === 'string' ? hints[field] : undefined;
  const withHint = (phrase: string) => (hint ? `${phrase}: ${hint}` : phrase);
  if (!ZOD_WORDING.test(issue.message)) return issue.message;
  switch (issue.code) {
    case 'invalid_type': {
      const value = valueAt(input, issue.path);
      if (value === undefined) return withHint('is missing');
      return withHint(`must be ${NOUNS[issue.expected] ?? issue.expected}, not ${kindOf(value)}`);
    }
    case 'too_small':
      if (issue.origin === 'string') return withHint(Number(issue.minimum) <= 1 ? 'is empty' : `is shorter than ${issue.minimum} characters`);
      if (issue.origin === 'array') return withHint(`needs at least ${issue.minimum} ${Number(issue.minimum) === 1 ? 'entry' : 'entries'}`);
      return withHint(`must be at least ${issue.minimum}`);
    case 'too_big':
      if (issue.origin === 'string') return `is longer than ${issue.maximum} characters`;
      if (issue.origin === 'array') return `has more than ${issue.maximum} entries`;
      return `must be at most ${issue.maximum}`;
    case 'invalid_value':
      return `must be one of ${issue.values.map((v) => String(v)).join(', ')}`;
    case 'unrecognized_keys':
      return `has ${issue.keys.length === 1 ? 'a setting' : 'settings'} not known here: ${issue.keys.join(', ')} (a misspelling?)`;
    case 'invalid_union':
      return withHint(`is not valid here (it is ${kindOf(valueAt(input, issue.path))})`);
    case 'invalid_format':
      return withHint(`is not in the expected form (${issue.format})`);
    default:
      return withHint('is not valid here');
  }
}
