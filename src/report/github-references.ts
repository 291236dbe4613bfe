/**
 * GitHub's own links in text that someone else wrote. Once a comment or a pull-request body is
 * rendered, GitHub turns `#12`, `octo/other#2` and `GH-3` into links to issues or pull requests
 * (and adds a "mentioned this" backlink to each), a run of hex digits into a link to the commit it
 * names, and `:name:` into an emoji ("Autolinked references and URLs", GitHub Docs). It does so in
 * the rendered text, after Markdown: a backslash escape (`:white\_check\_mark:`) or an entity is
 * rendered back to the characters GitHub looks for, so none stops it. Inside code (`code`, `pre`)
 * it does none of it, so code spans need none of this.
 *
 * A zero-width space where GitHub's pattern needs two characters side by side breaks each of them,
 * shows the text as written and copies it with only an invisible character added, as the `@` of a
 * mention is broken (markdown-text.ts). "PKCS #12" in an advisory's summary then links nowhere.
 */

const ZERO_WIDTH_SPACE = '\u200B';

/**
 * `#` before a digit: `#12`, `octo/other#12` and `octo#12` all need the number right after the `#`.
 * `GH-` before a digit, in any case. Whatever precedes them: what GitHub lets precede a reference
 * can only be less than anything, so this breaks every one it could make and a few it would not.
 */
const ISSUE_REFERENCE = /#(?=\d)|gh-(?=\d)/gi;

/**
 * Runs of 7 or more hex digits with a letter among them: GitHub links 7 to 40 that name a commit of
 * the repository (`deadbee`, `octo@deadbee`, `octo/repo@deadbee`), and seven chosen characters are
 * cheap to find among a repository's commits. Split into pieces of at most 6, none of which is long
 * enough, whatever GitHub takes as the edge of a word. Runs of digits alone stay as written: they are
 * CVE numbers (`CVE-2017-1000117`), dates and versions that readers copy into a search, and a
 * written number names one of the audited repository's commits only if a commit id happens to
 * start with it (about one chance in 16^7 / commits, a few in ten thousand for a large repository).
 * Each whole run is matched once and then looked at for a letter: linear.
 */
const HEX_RUN = /[0-9a-f]{7,}/gi;
const HEX_LETTER = /[a-f]/i;
const HEX_PIECE = /[0-9a-f]{6}(?=[0-9a-f])/gi;

/**
 * A `:` that opens an emoji shortcode: letters, digits, `_`, `+` or `-` up to the next `:`
 * (`:white_check_mark:`, `:+1:`, `:8ball:`). Each such `:` gets the space, so that no closing `:`
 * can be taken as the opening of the next (`:a:b:`). A name of digits alone is an emoji only as
 * `:100:` and `:1234:`: `requirements.txt:2: …` and `12:34:56` stay as written, copyable.
 * Linear: a run of name characters ends at the first `:`, so each character is looked at from one
 * `:` at most, and the digits before the first other name character are read once.
 */
const SHORTCODE_OPENING = /:(?=\d*[A-Za-z_+-][A-Za-z0-9_+-]*:|(?:100|1234):)/g;

/** `text` with no issue or pull-request reference, commit link or emoji shortcode left for GitHub to make. */
export function breakGitHubReferences(text: string): string {
  return text
    .replace(ISSUE_REFERENCE, (marker) => `${marker}${ZERO_WIDTH_SPACE}`)
    .replace(SHORTCODE_OPENING, `:${ZERO_WIDTH_SPACE}`)
    .replace(HEX_RUN, (run) => (HEX_LETTER.test(run) ? run.replace(HEX_PIECE, (piece) => `${piece}${ZERO_WIDTH_SPACE}`) : run));
}
