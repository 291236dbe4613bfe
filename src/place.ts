/**
 * Where something is in a tree, as every message and format writes it: `requirements.txt:12`, or the
 * file alone when there is no line. No imports, so a rule and a format use the same one.
 */
export const placeOf = (file: string, line: number | null | undefined): string => `${file}${line ? `:${line}` : ''}`;
