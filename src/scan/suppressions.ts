/**
 * Inline suppressions on the line of a finding (or any line of the statement it spans):
 * - `# nosec` (bandit's): every rule; `# nosec B602, B607` only the rules with those bandit ids
 *   (or our own ids: `# nosec py-eval-exec`);
 * - `# depwatch: ignore[rule-id, other-id]`, or `# depwatch: ignore` for every rule on that line.
 * `//` comments work too, for the non-Python files secrets are found in.
 */
import type { RuleInfo } from './rule.js';

export interface Suppression {
  /** null: every rule. */
  ids: string[] | null;
  kind: 'nosec' | 'depwatch';
  line: number;
}

const NOSEC = /(?:#|\/\/)[ \t]{0,10}nosec\b/i;
const DEPWATCH = /(?:#|\/\/)[ \t]{0,10}depwatch:[ \t]{0,10}ignore\b/i;
const ID = /[A-Za-z][A-Za-z0-9_-]*/g;

/** The suppression written on one line, if any. Only a bounded stretch after the marker is read. */
export function suppressionOnLine(text: string, line: number): Suppression | null {
  // Cheap test first: most lines mention neither.
  if (!text.includes('nosec') && !text.includes('depwatch')) return null;
  const dep = DEPWATCH.exec(text);
  if (dep) {
    const rest = text.slice(dep.index + dep[0].length, dep.index + dep[0].length + 500);
    if (!rest.startsWith('[')) return { ids: null, kind: 'depwatch', line };
    const close = rest.indexOf(']');
    const inside = close === -1 ? rest.slice(1) : rest.slice(1, close);
    return { ids: inside.match(ID) ?? [], kind: 'depwatch', line };
  }
  const nosec = NOSEC.exec(text);
  if (nosec) {
    const rest = text.slice(nosec.index + nosec[0].length, nosec.index + nosec[0].length + 300);
    // Ids follow directly (`# nosec B602,B607` or `# nosec: B602`); anything after another `#` is a comment.
    const idsPart = rest.replace(/^[:\s]+/, '').split('#')[0]!;
    const ids = /^[A-Za-z]/.test(idsPart) ? idsPart.match(ID) ?? [] : [];
    return { ids: ids.length ? ids : null, kind: 'nosec', line };
  }
  return null;
}

export function suppresses(s: Suppression, rule: RuleInfo | { id: string; bandit?: string[] }): boolean {
  if (s.ids === null) return true;
  return s.ids.some((id) => id === rule.id || (rule.bandit ?? []).some((b) => b.toUpperCase() === id.toUpperCase()));
}
