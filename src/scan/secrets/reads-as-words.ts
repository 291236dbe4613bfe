/**
 * Whether a run of letters reads as a name made of words (`TokenizerFastConfigurationHelper`,
 * `downloadURLForRepositoryAndRevision`), as code names things, rather than as letters drawn at
 * random. A format whose random part is only letters (Hugging Face's `hf_` and 34 letters) has the
 * shape of an identifier of that length (`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`), and entropy
 * alone does not tell them apart: a CamelCase name of 34 letters has as many distinct letters as a
 * token.
 *
 * A name splits at its capitals into words: a first word may be lower-case (`download…`), every
 * other starts with a capital; a run of capitals before a capitalised word is one acronym (`HFHub`,
 * `URLFor`: at most one, of at most four letters); the last word may be cut short (`…Transfo`, a
 * lone `…X`). Each word of three letters or more has a vowel (a, e, i, o, u, y) and no five
 * consonants running; two-letter words are the usual short ones of names (`To`, `Of`, `Id`, …);
 * and vowels are at least 30% of all the letters (English names have about 40%, random letters 23%).
 *
 * Random letters pass this by chance rarely: 40 in 10 million draws of 34 mixed-case letters (one in
 * 250,000), where the placeholder words looksRandom refuses at a token's start or end already drop
 * about one in 54,000 (37 in 2 million). Linear: one split and a bounded look at each word.
 */
const SHORT_WORDS = new Set(['to', 'of', 'in', 'on', 'by', 'id', 'is', 'at', 'or', 'as', 'if', 'up', 'no', 'do', 'io', 'db', 'js', 'py', 'ui', 'os', 'an', 'it', 'be', 'me', 'my', 'we', 'ok']);
const WORDS = /[A-Z]{2,}(?=[A-Z][a-z]|$)|[A-Z]?[a-z]+|[A-Z]/g;
const MAX_ACRONYM = 4;
const MIN_VOWEL_SHARE = 0.3;

export function readsAsWords(letters: string): boolean {
  if (!/^[A-Za-z]+$/.test(letters)) return false;
  const words = letters.match(WORDS)!;
  let acronyms = 0;
  for (let i = 0; i < words.length; i++) {
    const word = words[i]!;
    const last = i === words.length - 1;
    if (/^[A-Z]+$/.test(word)) {
      // One capital alone only starts a last word cut short; more are an acronym.
      if (word.length === 1 ? !last : ++acronyms > 1 || word.length > MAX_ACRONYM) return false;
      continue;
    }
    // Lower-case letters start only the first word, and it has two at least.
    if (/^[a-z]/.test(word) && (i > 0 || word.length < 2)) return false;
    if (word.length === 2 && !last && !SHORT_WORDS.has(word.toLowerCase())) return false;
    if (word.length >= 3 && (!/[aeiouy]/i.test(word) || /[^aeiouy]{5}/i.test(word))) return false;
  }
  const vowels = letters.replace(/[^aeiouy]/gi, '').length;
  return vowels >= MIN_VOWEL_SHARE * letters.length;
}
