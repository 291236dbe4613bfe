/**
 * Small text operations that stay linear on hostile input. The regular expressions they replace
 * (`/\s+$/`, `/(\.0)+$/`, `/,+$/`, `^\s+|\s+$` with the `g` flag) are quadratic in V8: the engine
 * tries every start position inside a run and scans the rest of the run from each one, so 100,000
 * blanks followed by one letter cost 5·10⁹ steps. Each function here looks at every character
 * at most twice.
 */

/**
 * Python's whitespace for `str.strip()` and `\s` in str patterns: unlike JavaScript's `\s` it
 * includes U+001C–U+001F and U+0085 and leaves out U+FEFF.
 */
export function isPythonSpace(code: number): boolean {
  if (code <= 0x20) return code === 0x20 || (code >= 0x09 && code <= 0x0d) || (code >= 0x1c && code <= 0x1f);
  if (code < 0x85) return false;
  return (
    code === 0x85 ||
    code === 0xa0 ||
    code === 0x1680 ||
    (code >= 0x2000 && code <= 0x200a) ||
    code === 0x2028 ||
    code === 0x2029 ||
    code === 0x202f ||
    code === 0x205f ||
    code === 0x3000
  );
}

/** JavaScript's `\s` (what `String.prototype.trim` removes). */
export function isJsSpace(code: number): boolean {
  if (code <= 0x20) return code === 0x20 || (code >= 0x09 && code <= 0x0d);
  if (code < 0xa0) return false;
  return (
    code === 0xa0 ||
    code === 0x1680 ||
    (code >= 0x2000 && code <= 0x200a) ||
    code === 0x2028 ||
    code === 0x2029 ||
    code === 0x202f ||
    code === 0x205f ||
    code === 0x3000 ||
    code === 0xfeff
  );
}

/** Python's `str.strip()` with no argument. */
export function pythonStrip(text: string): string {
  let start = 0;
  let end = text.length;
  while (start < end && isPythonSpace(text.charCodeAt(start))) start++;
  while (end > start && isPythonSpace(text.charCodeAt(end - 1))) end--;
  return start === 0 && end === text.length ? text : text.slice(start, end);
}

/** `text` without its trailing run of `char` (one UTF-16 unit): `replace(/c+$/, '')`. */
export function trimEndChar(text: string, char: string): string {
  const code = char.charCodeAt(0);
  let end = text.length;
  while (end > 0 && text.charCodeAt(end - 1) === code) end--;
  return end === text.length ? text : text.slice(0, end);
}

/** `text` without its trailing run of `suffix`es: `replace(/(\.0)+$/, '')` for `suffix` `.0`. */
export function trimEndRepeated(text: string, suffix: string): string {
  let end = text.length;
  while (end >= suffix.length && text.startsWith(suffix, end - suffix.length)) end -= suffix.length;
  return end === text.length ? text : text.slice(0, end);
}

/** Digits as Python's `int()` reads them: leading zeros dropped (`007` → `7`, `000` → `0`), never rounded. */
export function withoutLeadingZeros(digits: string): string {
  let i = 0;
  while (i < digits.length - 1 && digits.charCodeAt(i) === 0x30) i += 1;
  return i === 0 ? digits : digits.slice(i);
}
