/** Counted nouns, so every message says "1 advisory", "2 advisories", "1 package", "0 findings". */

/** `plural(1, 'advisory', 'advisories')` → "1 advisory"; the plural defaults to the noun + "s". */
export function plural(count: number, one: string, many = `${one}s`): string {
  return `${count} ${count === 1 ? one : many}`;
}
