/**
 * A label written to stand alone ("Owners on PyPI", "CI configured") as it reads inside a sentence
 * ("could not read owners on PyPI, CI configured"). Only a first word that is an ordinary
 * capitalised word is lowered; acronyms and names keep their case (PyPI, PEP 740, CI, GitHub, OSV),
 * where lowering the whole label wrote "pypi", "pep 740" and "ci".
 */

/** Names that look like ordinary capitalised words but are not lowered. */
const PROPER_NOUNS: ReadonlySet<string> = new Set(['Python', 'Slack', 'Docker', 'Kubernetes', 'Dependabot', 'Renovate', 'Sigstore', 'Git']);

export function midSentence(label: string): string {
  const first = /^[A-Z][a-z]+(?=$|[^A-Za-z])/.exec(label)?.[0];
  if (first === undefined || PROPER_NOUNS.has(first)) return label;
  return first.toLowerCase() + label.slice(first.length);
}
