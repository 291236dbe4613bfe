/**
 * Malicious-package reports: OSV's `MAL-` records (the OpenSSF malicious-packages data). Such a
 * record is no flaw to upgrade past but a package to remove, whatever severity it carries (usually
 * none): audits make it a critical `malicious` finding, cards an `avoid`, `check` a critical entry
 * marked malicious.
 */
export const isMaliciousId = (id: string): boolean => id.startsWith('MAL-');

/** An alias group any of whose ids is a malicious-package report. */
export const isMaliciousGroup = (group: { id: string; aliases: readonly string[] }): boolean => isMaliciousId(group.id) || group.aliases.some(isMaliciousId);
