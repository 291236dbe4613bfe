/** Counted nouns, so every message says "1 advisory", "2 advisories", "1 package", "0 findings". */

/** `plural(1, 'advisory', 'advisories')` → "1 advisory"; the plural defaults to the noun + "s". */
export function plural(count: number, one: string, many = `${one}s`): string {
  return `${count} ${count === 1 ? one : many}`;
}

/**
 * Some names of a list, the rest counted: "django", "django and pytest", "a, b, c and 4 more". The
 * caller orders them (sorted, for a message that must read the same on every run).
 */
export function someNames(names: readonly string[], max = 3): string {
  const shown = names.slice(0, max);
  const more = names.length - shown.length;
  if (more > 0) return `${shown.join(', ')} and ${more} more`;
  return shown.length <= 1 ? shown.join('') : `${shown.slice(0, -1).join(', ')} and ${shown.at(-1)}`;
}
