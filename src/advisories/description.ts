/**
 * One line that says what an advisory is about, for every report and message.
 *
 * OSV `summary` is that line when a record has a meaningful one (GHSA records do; only 2 of the
 * 2,661 PyPA records do). Otherwise it comes from `details`, whose first sentence is often
 * boilerplate: an introduction of the package ("urllib3 is a user-friendly HTTP client library
 * for Python."), a bare "An issue was discovered in Django 1.11.x before 1.11.19, …", or Snyk's
 * "This affects the package celery before 5.2.2." The first sentence that is none of these wins.
 *
 * Advisory text is untrusted and can be long: only its start is read, and every pattern here is
 * anchored with no nested quantifiers, so the work stays linear in the text read.
 */
import type { OsvRecord } from './types.js';

/** The longest description returned; longer sentences are cut at a word with "…". */
export const DESCRIPTION_MAX = 260;

/** How much of a summary or details is read: the describing sentence is always near the start. */
const TEXT_READ = 6000;

/** The line to show for a group of records describing one flaw (primary record first). */
export function describeAdvisory(records: readonly Pick<OsvRecord, 'summary' | 'details'>[]): string {
  for (const record of records) {
    const { summary } = describeRecord(record);
    if (summary !== null) return summary;
  }
  let fallback = '';
  for (const record of records) {
    const { telling, first } = describeRecord(record);
    if (telling !== null) return telling;
    fallback ||= first;
  }
  return fallback;
}

/**
 * What `describeAdvisory` reads of one record, each line already clipped: its summary when that is
 * meaningful, the first sentence of its details that is not boilerplate, and the first sentence
 * (the last resort). Worked out once per record: the mirror stores it at import time
 * (stored-record.ts), and reading advisory text is most of the work of describing.
 */
export interface RecordDescription {
  summary: string | null;
  telling: string | null;
  first: string;
}

// Keyed by the record object, which is never mutated once decoded (see record-cache.ts).
const described = new WeakMap<object, RecordDescription>();

export function describeRecord(record: Pick<OsvRecord, 'summary' | 'details'>): RecordDescription {
  let description = described.get(record);
  if (description === undefined) {
    description = computeRecordDescription(record);
    described.set(record, description);
  }
  return description;
}

/** Installs a description worked out earlier (stored by the mirror) for `record`. */
export function primeDescription(record: Pick<OsvRecord, 'summary' | 'details'>, description: RecordDescription): void {
  if (!described.has(record)) described.set(record, description);
}

/** Stored by the mirror at import: a change to what this computes must bump STORED_RECORD_FORMAT (stored-record.ts). */
export function computeRecordDescription(record: Pick<OsvRecord, 'summary' | 'details'>): RecordDescription {
  const summary = oneLine(stripMarkdown((record.summary ?? '').slice(0, TEXT_READ)));
  const sentences = sentencesOf(stripMarkdown((record.details ?? '').slice(0, TEXT_READ)));
  const telling = sentences.find((s) => !isBoilerplateSentence(s));
  return {
    summary: isMeaningfulSummary(summary) ? clip(summary) : null,
    telling: telling === undefined ? null : clip(withoutConnective(telling)),
    // clip('') is '', and a clipped line clips to itself: the fallback reads the same either way.
    first: clip(sentences[0] ?? ''),
  };
}

function isMeaningfulSummary(summary: string): boolean {
  if (summary.length < 8) return false;
  if (/^(?:CVE|GHSA|PYSEC|OSV|MAL|PSF|SNYK)-[\w-]+$/i.test(summary)) return false;
  return !isBoilerplateSentence(summary);
}

// ---------------------------------------------------------------------------------------------
// Boilerplate
// ---------------------------------------------------------------------------------------------

/** Words that make a sentence about the flaw rather than about the package. */
const FLAW_WORDS =
  /vulnerab|attack|exploit|inject|overflow|denial|bypass|leak|crash|xss|csrf|ssrf|travers|arbitrary|malicious|unauthori|escalat|disclos|expos|redirect|smuggl|forg|spoof|hijack|race condition|use-after-free|null pointer|dereference|out-of-bounds|redos|insecure|sensitive|credential|password|secret|execut|privilege|backdoor|trojan|malware|compromis|flaw|\bissue\b|\bbug\b|allows?\b|could\b|lead|prior to|before\s+(?:v(?:ersion)?\s*)?\d/i;

/** Words that open a clause saying what the problem is: a discovery sentence with one is not bare. */
const CLAUSE_WORDS = /\b(?:that|which|where|when|whereby|allow|allows|allowing|via|lead|leads|leading|cause|causes|causing|resulting|could|can|may|does|did|fails|due|because)\b|[:;]/i;

/** Words that start a clause, not a subject: "In TiffDecode.c, there is a negative-offset memcpy…". */
const NOT_A_SUBJECT = /^(?:there|this|it|that|these|those|a|an|in|on|at|by|for|from|with|within|when|if|since|due|because|after|before|while|as|under|prior|although|however|also|once|until|using|via)$/i;

/**
 * "urllib3 is a user-friendly HTTP client library for Python.", "The django-registration package
 * provides tools for …": a short subject (a name, no comma), then "is a/an/the" or a verb that
 * describes what the package does, and nothing about a flaw.
 */
function isIntroduction(sentence: string): boolean {
  const words = sentence.split(/\s+/, 9);
  if (NOT_A_SUBJECT.test(words[0] ?? '')) return false;
  const verb = words.findIndex(
    (w, i) => i > 0 && i <= 6 && ((/^(?:is|are)$/i.test(w) && /^(?:a|an|the|one)$/i.test(words[i + 1] ?? '')) || /^(?:provides|offers|implements|enables|lets)$/i.test(w)),
  );
  return verb > 0 && !words.slice(0, verb).some((w) => w.endsWith(',')) && !FLAW_WORDS.test(sentence);
}

/** "An issue was discovered in Django 1.11.x before 1.11.19." with nothing about the issue itself. */
function isBareDiscovery(sentence: string): boolean {
  // VulDB's "A vulnerability, which was classified as critical, has been found in X up to 1.2."
  const text = sentence.replace(/^(an?\s+\w+),?\s+(?:which\s+(?:was|has\s+been)\s+)?(?:classified|rated|declared)\s+as\s+\w+,?/i, '$1');
  const m = /^(?:an?|the|one)\s+(?:security\s+|new\s+)?(?:issue|vulnerability|flaw|problem|bug|weakness)\s+(?:was|has\s+been|have\s+been|is)\s+(?:discovered|found|identified|reported)\s+in\b/i.exec(text);
  return m !== null && !CLAUSE_WORDS.test(text.slice(m[0].length));
}

/** Snyk's "This affects the package celery before 5.2.2." and VulDB's "It has been classified as critical." */
function isBareStatement(sentence: string): boolean {
  if (/^this\s+affects\s+(?:the\s+package|all\s+versions\s+of(?:\s+the)?\s+package|versions\s+of(?:\s+the)?\s+package)\b/i.test(sentence)) {
    return !CLAUSE_WORDS.test(sentence);
  }
  if (/^it\s+(?:has\s+been|was|is)\s+(?:classified|rated|declared)\s+as\s+\w+\.?$/i.test(sentence)) return true;
  // VulDB again: "This issue affects some unknown processing of the file x.py." says where, not what.
  return /^(?:this|the)\s+(?:issue|vulnerability)\s+affects\s+(?:the\s+function|some\s+unknown|an\s+unknown|unknown)\b/i.test(sentence) && !CLAUSE_WORDS.test(sentence);
}

/** Whether a sentence only introduces the package or only says an issue exists. */
export function isBoilerplateSentence(sentence: string): boolean {
  const s = sentence.trim();
  return isIntroduction(s) || isBareDiscovery(s) || isBareStatement(s);
}

// ---------------------------------------------------------------------------------------------
// Markdown and sentences
// ---------------------------------------------------------------------------------------------

/**
 * CommonMark as plain prose: fenced code and headings (section labels such as "### Impact") are
 * dropped, links keep their text, emphasis and code marks go, list items and paragraphs end with a
 * line break so they never run into one sentence.
 */
export function stripMarkdown(text: string): string {
  const out: string[] = [];
  let fenced = false;
  for (const raw of text.split(/\r?\n/)) {
    const line = raw.trim();
    if (/^(?:```|~~~)/.test(line)) {
      fenced = !fenced;
      continue;
    }
    if (fenced || /^#{1,6}(?:\s|$)/.test(line) || /^(?:[-*_]\s*){3,}$/.test(line)) {
      out.push('');
      continue;
    }
    // A line that is a list item or a quote starts a new paragraph.
    const item = /^(?:>\s?|[-*+]\s+|\d{1,3}[.)]\s+)/.test(line);
    if (item) out.push('');
    out.push(inline(line.replace(/^(?:>\s?)+/, '').replace(/^(?:[-*+]\s+|\d{1,3}[.)]\s+)/, '')));
  }
  return out.join('\n');
}

/** Inline CommonMark to text. Code spans keep their content verbatim; emphasis outside them goes. */
function inline(line: string): string {
  return line
    .split(/(`+[^`]*`+)/)
    .map((part, i) => {
      if (i % 2 === 1) return part.replace(/^`+\s?|\s?`+$/g, '');
      return part
        .replace(/!?\[([^[\]]*)\]\([^()\s]*\)/g, '$1') // [text](url), ![alt](url)
        .replace(/<\/?[A-Za-z][^<>]*>/g, '') // inline HTML
        .replace(/\*\*|__/g, '') // strong
        .replace(/(^|[\s(])[*_](?=\S)/g, '$1') // emphasis opening at a word
        .replace(/(\S)[*_](?=[\s).,;:!?]|$)/g, '$1'); // …and closing
    })
    .join('');
}

const ABBREVIATION = /(?:^|[\s(])(?:e\.g|i\.e|etc|vs|cf|approx|inc|ltd|no|nos|incl|resp|[A-Za-z])\.$/i;

/**
 * Sentences of plain text: a paragraph (or list item) ends one, and so does `.`, `!` or `?` before
 * a space and a capital letter (not after "e.g." or an initial). "before 2.1.6. Due to" splits;
 * "1.11.x before 1.11.19, 2.0.x" does not.
 */
export function sentencesOf(text: string): string[] {
  const sentences: string[] = [];
  for (const paragraph of text.split(/\n\s*\n/)) {
    const flat = oneLine(paragraph);
    let start = 0;
    for (let i = 0; i < flat.length; i++) {
      const c = flat[i];
      if (c !== '.' && c !== '!' && c !== '?') continue;
      if (flat[i + 1] !== ' ') continue;
      const next = flat[i + 2] ?? '';
      // A lower-case start ("…for Python. urllib3 previously…") ends a sentence only after a word.
      if (!/[A-Z"'`(“]/.test(next) && !(/[a-z]/.test(next) && /[A-Za-z]/.test(flat[i - 1] ?? ''))) continue;
      if (c === '.' && ABBREVIATION.test(flat.slice(Math.max(start, i - 8), i + 1))) continue;
      sentences.push(flat.slice(start, i + 1).trim());
      start = i + 2;
    }
    const rest = flat.slice(start).trim();
    if (rest) sentences.push(rest);
  }
  return sentences.map(disputed).filter((s) => s.length > 0);
}

/** NVD's "** DISPUTED ** text" (the stars already stripped) reads as "Disputed: text". */
function disputed(sentence: string): string {
  const m = /^(DISPUTED|REJECT|UNSUPPORTED WHEN ASSIGNED)\s+/.exec(sentence);
  return m ? `${m[1]![0]}${m[1]!.slice(1).toLowerCase()}: ${sentence.slice(m[0].length)}` : sentence;
}

/** "However, it is possible…" reads as "It is possible…" once it stands alone. */
function withoutConnective(sentence: string): string {
  const m = /^(?:however|additionally|also|furthermore|moreover|in addition|as a result|specifically),\s+(\S)/i.exec(sentence);
  return m ? `${m[1]!.toUpperCase()}${sentence.slice(m[0].length)}` : sentence;
}

const oneLine = (text: string) => text.replace(/\s+/g, ' ').trim();

/** At most DESCRIPTION_MAX characters, cut at a word boundary. */
function clip(text: string): string {
  if (text.length <= DESCRIPTION_MAX) return text;
  const cut = text.lastIndexOf(' ', DESCRIPTION_MAX - 1);
  return `${text.slice(0, cut > DESCRIPTION_MAX / 2 ? cut : DESCRIPTION_MAX - 1).replace(/[\s,;:]+$/, '')}…`;
}
