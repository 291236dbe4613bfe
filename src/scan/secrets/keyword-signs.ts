/**
 * Which of a list of keywords a text holds, found in one pass: the secret scanner asks it once per
 * file for every token format's keywords, and redaction (src/redact.ts) once per message, instead
 * of searching the text once per keyword (the scanner's 55 `includes` passes over every file were
 * several times the cost of this one walk). Most text holds none, and the callers then skip every
 * format; text that holds some runs only the formats whose keywords it holds.
 *
 * The keywords make one regular expression shaped as a tree of their characters
 * (`g(?:h(?:p_|o_|…)|l(?:pat-|…))|…`): where one keyword starts another it matches the longer,
 * whatever their order in the list (a flat alternation matched whichever was listed first), and the
 * shorter ones it starts are added too. Linear: each position is tried once, and a match is at most
 * as long as the longest keyword. Case-sensitive, as the formats' keywords are.
 */
export type KeywordSigns = (text: string) => Set<string>;

/** A finder of `keywords` (none empty) in text: the keywords the text holds (empty: none). */
export function keywordSigns(keywords: readonly string[]): KeywordSigns {
  const unique = [...new Set(keywords)];
  if (unique.some((k) => k === '')) throw new Error('keywordSigns: an empty keyword is in every text');
  const anySign = new RegExp(keywordTree(unique), 'g');
  // Keyword → every keyword that starts it, itself included. At one position the expression matches
  // the longest keyword there (`pypi-AgE`, not `pypi-`), and the shorter ones are signs too.
  const signsOf = new Map(unique.map((k) => [k, unique.filter((other) => k.startsWith(other))]));
  return (text) => {
    const signs = new Set<string>();
    anySign.lastIndex = 0;
    for (let m = anySign.exec(text); m !== null; m = anySign.exec(text)) {
      for (const sign of signsOf.get(m[0])!) signs.add(sign);
      // On from the next character, not past the match: a keyword overlapping this one is found too.
      anySign.lastIndex = m.index + 1;
    }
    return signs;
  };
}

/** A regular expression source matching any of `words` (none empty), longest first where one starts another. */
function keywordTree(words: readonly string[]): string {
  const byFirst = new Map<string, string[]>();
  let endsHere = false;
  for (const word of words) {
    if (word === '') {
      endsHere = true;
      continue;
    }
    const rest = byFirst.get(word[0]!) ?? [];
    rest.push(word.slice(1));
    byFirst.set(word[0]!, rest);
  }
  const branches = [...byFirst].map(([first, rest]) => first.replace(/[.*+?^${}()|[\]\\/-]/g, '\\$&') + keywordTree(rest));
  if (branches.length === 0) return '';
  // Greedy: `?` tries the longer keywords first, and settles for the one ending here.
  if (!endsHere && branches.length === 1) return branches[0]!;
  return `(?:${branches.join('|')})${endsHere ? '?' : ''}`;
}
