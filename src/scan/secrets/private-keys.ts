/**
 * Private key files written into a repository: PEM blocks (a BEGIN … PRIVATE KEY line between five
 * dashes each side), SSH2 key files (the same between four dashes, naming SSH2) and PuTTY's .ppk
 * files (a key-file version line … `Private-Lines:`); formats.ts has the exact headers, as patterns. A header counts only with a key body after it: a
 * header alone is code that looks for keys, or documentation. One key is one finding, at its header.
 *
 * Linear: each header is found by a regex that is a literal with one bounded class, the body is
 * read a bounded number of characters after it, and the search for PuTTY's `Private-Lines:` moves
 * only forward through the text.
 */
import { PRIVATE_KEY_HEADER, PUTTY_KEY_HEADER, PUTTY_PRIVATE_LINES, SSH2_PRIVATE_KEY_HEADER } from './formats.js';

export interface PrivateKey {
  /** Where the header starts. */
  start: number;
  /** What kind of key, in words (`rsa private key`, `PuTTY private key`). */
  kind: string;
  /** The start of the key's body: fingerprinted, never shown. */
  body: string;
}

/** How far after a PuTTY header its `Private-Lines:` may be with other headers between: past the public lines of a 16384-bit RSA key. */
const PUTTY_REACH = 8_000;
/** How many header lines (`Comment: "…"`, `Subject: …`) an SSH2 key file may have before its body, and how long each may be. */
const SSH2_MAX_HEADERS = 16;
const SSH2_MAX_HEADER_LINE = 1_024;

export function privateKeys(text: string): PrivateKey[] {
  const keys: PrivateKey[] = [];
  if (text.includes('PRIVATE KEY')) {
    PRIVATE_KEY_HEADER.lastIndex = 0;
    for (let m = PRIVATE_KEY_HEADER.exec(text); m; m = PRIVATE_KEY_HEADER.exec(text)) {
      const body = pemBody(text, m.index + m[0].length);
      if (body !== null) keys.push({ start: m.index, kind: m[0].slice(11, -5).toLowerCase(), body });
    }
    SSH2_PRIVATE_KEY_HEADER.lastIndex = 0;
    // The next `---- END SSH2` at or after a header (Infinity: none), looked for again only once a
    // header is past it, so the searches cover the text once.
    let end = -1;
    for (let m = SSH2_PRIVATE_KEY_HEADER.exec(text); m; m = SSH2_PRIVATE_KEY_HEADER.exec(text)) {
      const from = m.index + m[0].length;
      let body = ssh2Body(text, from);
      if (body === CAPPED) {
        // More header lines, or a longer one, than are read: a header followed by header lines is
        // a key file, not a mention, so it is reported; fingerprinted by the end of its body, the
        // characters before `---- END SSH2` (by its headers when there is no end).
        if (end < from) {
          const at = text.indexOf(SSH2_END, from);
          end = at === -1 ? Infinity : at;
        }
        body = end === Infinity ? text.slice(from, from + 64) : text.slice(Math.max(from, end - 64), end).trim();
      }
      if (body !== null) keys.push({ start: m.index, kind: m[0].includes('ENCRYPTED') ? 'SSH2 encrypted private key' : 'SSH2 private key', body });
    }
  }
  if (text.includes('PuTTY-User-Key-File-')) {
    PUTTY_KEY_HEADER.lastIndex = 0;
    // The next `Private-Lines:` at or after the header; looked for again only once a header is
    // past it, from that header on, so the searches cover the text once between them.
    let privateLines = text.indexOf(PUTTY_PRIVATE_LINES);
    for (let m = PUTTY_KEY_HEADER.exec(text); m && privateLines !== -1; m = PUTTY_KEY_HEADER.exec(text)) {
      if (privateLines < m.index) privateLines = text.indexOf(PUTTY_PRIVATE_LINES, m.index);
      if (privateLines === -1) continue;
      // Farther than the public lines of a key reach (a very long comment): still this key's when
      // no other header comes between. Each search stops at the next header, so they cover the text once.
      if (privateLines - m.index > PUTTY_REACH) {
        const next = text.indexOf('PuTTY-User-Key-File-', m.index + m[0].length);
        if (next !== -1 && next < privateLines) continue;
      }
      let i = privateLines + PUTTY_PRIVATE_LINES.length;
      for (const from = i; i < text.length && i - from < 12 && /[ \t0-9]/.test(text[i]!); ) i++;
      const body = base64After(text, i);
      if (body === null) continue;
      keys.push({ start: m.index, kind: 'PuTTY private key', body });
      PUTTY_KEY_HEADER.lastIndex = Math.max(PUTTY_KEY_HEADER.lastIndex, privateLines); // its own lines hold no second key
    }
  }
  return keys.sort((a, b) => a.start - b.start);
}

/** The first characters of a base64 run after line breaks (or `\n` escapes in a JSON string) and quotes, when at least 40 long; else null. */
function base64After(text: string, from: number): string | null {
  let i = skipBreaks(text, from);
  let j = i;
  while (j < text.length && j - i < 64 && /[A-Za-z0-9+/=]/.test(text[j]!)) j++;
  return j - i >= 40 ? text.slice(i, j) : null;
}

function skipBreaks(text: string, from: number): number {
  let i = from;
  for (let skipped = 0; i < text.length && skipped < 200; skipped++) {
    const c = text[i]!;
    if (c === '\n' || c === '\r' || c === ' ' || c === '\t' || c === '"' || c === "'") i++;
    else if (c === '\\' && text[i + 1] === 'n') i += 2;
    else break;
  }
  return i;
}

/** The start of a PEM body after its header, or null when there is none. */
function pemBody(text: string, from: number): string | null {
  const i = skipBreaks(text, from);
  // Headers such as `Proc-Type:` come before the body of legacy encrypted keys.
  let j = i;
  while (j < text.length && j - i < 64 && /[A-Za-z0-9+/=]/.test(text[j]!)) j++;
  const body = text.slice(i, j);
  return body.length >= 40 || /^[A-Za-z-]+:/.test(text.slice(i, i + 20)) ? text.slice(i, Math.min(text.length, i + 64)) : null;
}

/** What ssh2Body says when a key file's header lines go past what it reads (SSH2_MAX_HEADERS, SSH2_MAX_HEADER_LINE). */
const CAPPED = Symbol('capped');
const SSH2_END = '---- END SSH2';
const SSH2_HEADER_LINE = /^[A-Za-z][A-Za-z0-9-]*:/;

/**
 * The start of an SSH2 key's base64 body, past its header lines (`Comment: "…"`, continued with a
 * trailing `\`); null when there is none; CAPPED when the header lines are more or longer than are
 * read (RFC 4716 sets no limit), so the caller does not take a key file for a mention.
 */
function ssh2Body(text: string, from: number): string | null | typeof CAPPED {
  let i = skipBreaks(text, from);
  for (let headers = 0; SSH2_HEADER_LINE.test(text.slice(i, i + 64)); headers++) {
    if (headers === SSH2_MAX_HEADERS) return CAPPED;
    // To the end of the header's line; a line ending in `\` continues it.
    let j = i;
    for (; j < text.length; j++) {
      if (j - i === SSH2_MAX_HEADER_LINE) return CAPPED;
      if (text[j] === '\n' && text[j - 1] !== '\\' && !(text[j - 1] === '\r' && text[j - 2] === '\\')) break;
      if (text[j] === '\\' && text[j + 1] === 'n') break; // `\n` in a JSON string
    }
    i = skipBreaks(text, j);
  }
  return base64After(text, i);
}
