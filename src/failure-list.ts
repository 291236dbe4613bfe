/**
 * Several lookups of the same kind that failed (PyPI projects, packages' advisory lists), said in
 * one message: the names sorted, some of them named ("django, flask, pytest and 2 more"), and the
 * error of the first in that order. Under concurrency any of them may fail first; sorted, the
 * message reads the same on every run, so a partial reason and its SARIF notification do not
 * change from run to run (docs/cli-contract.md). Each caller keeps its own sentence around it.
 */
import { errorLine } from './error-line.js';
import { someNames } from './plural.js';
import { compareText } from './text-order.js';

/** One lookup that failed: what it was for, and why. */
export interface NamedFailure {
  name: string;
  error: unknown;
}

export interface FailureList {
  /** How many failed (at least 1). */
  count: number;
  /** Some of their names, sorted (someNames). */
  names: string;
  /** The error of the first name in sorted order, to pass on or quote. */
  first: unknown;
  /** Its first line (errorLine), to quote inside a sentence. */
  firstLine: string;
}

/** The failures said as one list, or null when there are none. */
export function failureList(failures: readonly NamedFailure[]): FailureList | null {
  if (failures.length === 0) return null;
  const sorted = [...failures].sort((a, b) => compareText(a.name, b.name));
  const first = sorted[0]!.error;
  return { count: sorted.length, names: someNames(sorted.map((f) => f.name)), first, firstLine: errorLine(first) };
}
