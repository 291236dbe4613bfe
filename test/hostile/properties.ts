/**
 * The properties every parser of untrusted text keeps, whatever it is given: it returns (never
 * throws: problems are data, as the loader expects), its answer is well formed, and it answers
 * soon. Shared by the property tests in `npm test` and by `npm run fuzz`, which runs them on far
 * more inputs.
 */
import fc from 'fast-check';
import type { ExtractResult, ManifestFormat } from '../../src/python/types.js';
import {
  extractAs,
  FORMAT_FILES,
  FORMAT_TEMPLATES,
  hostileRun,
  mutatedFile,
  mutatedLine,
  TEXT_PARSERS,
  TEXT_TEMPLATES,
} from '../fixtures/hostile.js';

/** Far beyond any input here (a few kilobytes, or a run of at most `maxRun` characters): a parser that takes this long has stalled. */
export const STALL_MS = 2_000;

const SOURCES = new Set(['registry', 'vcs', 'url', 'path']);
const KINDS = new Set(['requirement', 'constraint', 'locked']);

/** What is wrong with an extract result, or null: the shape of `ExtractResult`, and lines inside the file. */
export function problemWith(result: ExtractResult, format: ManifestFormat, text: string): string | null {
  const file = FORMAT_FILES[format];
  const lastLine = text.split(/\r\n|[\n\r\v\f\x1c\x1d\x1e\x85\u2028\u2029]/).length;
  const badLine = (line: unknown) => line !== null && !(Number.isInteger(line) && (line as number) >= 1 && (line as number) <= lastLine);
  if (!Array.isArray(result.dependencies) || !Array.isArray(result.errors)) return 'dependencies and errors must be arrays';
  for (const d of result.dependencies) {
    if (typeof d.name !== 'string' || typeof d.specifier !== 'string' || typeof d.group !== 'string') return `bad strings in ${JSON.stringify(d)}`;
    if (d.version !== null && typeof d.version !== 'string') return `bad version in ${JSON.stringify(d)}`;
    if (d.marker !== null && typeof d.marker !== 'string') return `bad marker in ${JSON.stringify(d)}`;
    if (!Array.isArray(d.extras) || d.extras.some((e) => typeof e !== 'string')) return `bad extras in ${JSON.stringify(d)}`;
    if (!SOURCES.has(d.source) || !KINDS.has(d.kind)) return `bad source or kind in ${JSON.stringify(d)}`;
    if (typeof d.editable !== 'boolean' || typeof d.direct !== 'boolean') return `bad flags in ${JSON.stringify(d)}`;
    if (d.file !== file) return `dependency in another file: ${d.file}`;
    if (badLine(d.line)) return `dependency line ${d.line} outside 1..${lastLine}`;
  }
  for (const e of result.errors) {
    if (e.file !== file) return `error in another file: ${e.file}`;
    if (badLine(e.line)) return `error line ${e.line} outside 1..${lastLine}: ${e.message}`;
    if (typeof e.message !== 'string' || e.message.trim() === '') return 'an error without a message';
  }
  for (const list of [result.options ?? [], result.includes ?? []]) if (!Array.isArray(list)) return 'options and includes must be arrays';
  return null;
}

/** One format's property over mutated real files and hostile runs up to `maxRun` characters. */
export function formatProperty(format: ManifestFormat, maxRun: number): fc.IPropertyWithHooks<[string]> {
  const input = fc.oneof({ weight: 4, arbitrary: mutatedFile(format) }, { weight: 1, arbitrary: hostileRun(FORMAT_TEMPLATES[format], maxRun) });
  return fc.property(input, (text) => {
    const started = performance.now();
    const result = extractAs(format, text);
    const elapsed = performance.now() - started;
    const problem = problemWith(result, format, text);
    if (problem !== null) throw new Error(problem);
    if (elapsed > STALL_MS) throw new Error(`took ${elapsed.toFixed(0)} ms on ${text.length} characters`);
  });
}

/** A parser below the formats: it answers (a result object or a boolean), never throws, never stalls. */
export function textParserProperty(name: string, maxRun: number): fc.IPropertyWithHooks<[string]> {
  const parse = TEXT_PARSERS[name]!;
  const input = fc.oneof({ weight: 4, arbitrary: mutatedLine() }, { weight: 1, arbitrary: hostileRun(TEXT_TEMPLATES[name]!, maxRun) });
  return fc.property(input, (text) => {
    const started = performance.now();
    const answer = parse(text);
    const elapsed = performance.now() - started;
    if (typeof answer !== 'boolean' && !(typeof answer === 'object' && answer !== null && typeof (answer as { ok: unknown }).ok === 'boolean')) {
      throw new Error(`answered ${JSON.stringify(answer)}`);
    }
    if (elapsed > STALL_MS) throw new Error(`took ${elapsed.toFixed(0)} ms on ${text.length} characters`);
  });
}
