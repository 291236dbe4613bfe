/**
 * A failure as the first line of its message, for the warnings, notes and log fields that quote
 * it inside a sentence ("advisories unavailable (…): …"): a parser's code excerpt or anything else
 * after the first newline would break the sentence around it. One helper so those places cut the
 * same way; where a place also redacts secrets or caps the length, it does that around this call.
 * No imports, so the CLI and the workers can use it without loading anything else.
 */

/** The first line of an Error's message; any other thrown value as `String(value)`, whole. */
export function errorLine(err: unknown): string {
  return err instanceof Error ? err.message.split('\n')[0]! : String(err);
}
