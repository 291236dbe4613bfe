/**
 * One health signal: its value, where it came from and, when it could not be had, why. A signal
 * that could not be READ (a source failed) marks the card partial; one that nobody publishes
 * (test coverage), or that needs something absent (a repository link, a token), is unknown
 * without making the card partial. Values are plain JSON so the CLI contract can print them as is.
 */

export type SignalFamily = 'releases' | 'people' | 'supply_chain' | 'weight' | 'security' | 'unpublished';

/** How each family is titled on a card, in the terminal and in Slack alike. */
export const FAMILY_TITLES: Readonly<Record<SignalFamily, string>> = {
  releases: 'Releases',
  people: 'People',
  supply_chain: 'Supply chain',
  weight: 'Weight',
  security: 'Security',
  unpublished: 'Not published anywhere',
};

export type JsonValue = string | number | boolean | null | JsonValue[] | { [key: string]: JsonValue };

export interface SignalSource {
  /** e.g. "PyPI Simple API", "GitHub GraphQL API", "local advisory mirror". */
  name: string;
  /** What exactly was read, when it has an address (a repository, a project page). */
  url?: string;
  /**
   * False when the data is about something nobody verified belongs to this package (a repository
   * named only in the project URLs); absent when the question does not arise.
   */
  verified?: boolean;
}

export interface Unknown {
  why: string;
  /** True when a source failed (the card is partial); false when the value is simply not published. */
  failed: boolean;
}

export interface Signal {
  family: SignalFamily;
  label: string;
  /** Null when `unknown` is set, or when there is nothing to measure (no release at all). */
  value: JsonValue;
  /** For people: "412 days ago (2.31.0, 2023-05-22)". */
  text: string;
  source: SignalSource;
  unknown?: Unknown;
}

export type Signals = Record<string, Signal>;

export function known(family: SignalFamily, label: string, value: JsonValue, text: string, source: SignalSource): Signal {
  return { family, label, value, text, source };
}

export function unknownSignal(family: SignalFamily, label: string, source: SignalSource, why: string, failed: boolean): Signal {
  return { family, label, value: null, text: `unknown: ${why}`, source, unknown: { why, failed } };
}

export const SOURCES = {
  json: { name: 'PyPI JSON API' },
  simple: { name: 'PyPI Simple API' },
  integrity: { name: 'PyPI Integrity API (PEP 740)' },
  none: { name: 'not published anywhere' },
} as const;

/** Whole days from `from` to `now`. */
export function ageInDays(from: string, now: Date): number {
  return Math.floor((now.getTime() - Date.parse(from)) / 86_400_000);
}

export function plural(n: number, one: string, many = `${one}s`): string {
  return `${n} ${n === 1 ? one : many}`;
}
