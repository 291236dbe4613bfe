/**
 * Long problem lines made short: a parse error can quote a 5,000-character line. Every format shows
 * the start of the message and the whole place (`file:line`), with "…" where text was cut.
 */
import { describeReason, type PartialReason } from '../audit/partial.js';
import { placeOf } from '../place.js';

/** Problem lines are cut to this many characters in every format. */
export const PROBLEM_LINE_MAX = 200;

/** One line of at most `max` characters, cut at a word where one is near, ending with "…" when cut. */
export function shorten(text: string, max: number = PROBLEM_LINE_MAX): string {
  const flat = text.replace(/\s+/g, ' ').trim();
  if (flat.length <= max) return flat;
  const room = Math.max(0, max - 1);
  const space = flat.lastIndexOf(' ', room);
  const cut = space >= room * 0.75 ? space : room;
  return `${flat.slice(0, cut).trimEnd()}…`;
}

export interface Problem {
  file: string;
  line: number | null;
  message: string;
}

/** The message of a problem shortened so that "file:line: message" stays within `max` (the place is never cut). */
export function shortProblemMessage(p: Problem, max: number = PROBLEM_LINE_MAX): string {
  return shorten(p.message, Math.max(40, max - placeOf(p.file, p.line).length - 2));
}

/**
 * `text` within `max` characters by cutting its middle ("src/very/…/requirements.txt:12"): what
 * tells a path apart is its start and its file name, so both are kept.
 */
export function shortenMiddle(text: string, max: number): string {
  if (text.length <= max) return text;
  if (max <= 1) return '…'.slice(0, Math.max(0, max));
  const keep = max - 1;
  const head = Math.ceil(keep / 2);
  return `${text.slice(0, head)}…${text.slice(text.length - (keep - head))}`;
}

/**
 * A partial reason in one line of at most `max` characters. "<file>:<line> not read completely:
 * <why>" keeps its verb whatever the path's length: the path is shortened in its middle and the
 * message at its end, never the sentence between them.
 */
export function shortReason(r: PartialReason, max: number = PROBLEM_LINE_MAX): string {
  const whole = describeReason(r).replace(/\s+/g, ' ').trim();
  if (whole.length <= max) return whole;
  // A source that failed says the cause in its middle and what was not checked at its end
  // ("package registry unavailable (…): outdated and yanked releases … were not checked"): the
  // cause is cut, never the consequence.
  if (r.kind === 'data-source') return shortenMiddle(whole, max);
  if (r.kind !== 'unread' || r.file === undefined) return shorten(whole, max);
  const joint = ' not read completely: ';
  const place = placeOf(r.file, r.line ?? null).replace(/\s+/g, ' ');
  // The message keeps at least 40 characters, the place what is left (at least its ends).
  const message = shorten(r.message, Math.max(40, max - joint.length - Math.min(place.length, Math.floor(max / 2))));
  return `${shortenMiddle(place, Math.max(9, max - joint.length - message.length))}${joint}${message}`;
}
