/**
 * `npm run fuzz`: the properties of properties.test.ts on far more inputs (over 100,000 by
 * default) and longer hostile runs. Not part of `npm test`: it takes minutes.
 *
 *   npm run fuzz                       every parser, default counts, a random seed
 *   npm run fuzz -- --seed 42          the same inputs again
 *   npm run fuzz -- --runs 2000 uv-lock pep508    fewer runs, only the parsers named
 *
 * A failure prints the seed and path that replay it, and the input (shortened).
 */
import fc from 'fast-check';
import { parseArgs } from 'node:util';
import { FORMATS, TEXT_PARSERS } from '../fixtures/hostile.js';
import { formatProperty, textParserProperty } from './properties.js';

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: { runs: { type: 'string' }, seed: { type: 'string' }, 'max-run': { type: 'string' } },
});
const FORMAT_RUNS = Number(values.runs ?? 12_000);
const TEXT_RUNS = Number(values.runs ?? 2_500);
const MAX_RUN = Number(values['max-run'] ?? 20_000);
const seed = values.seed === undefined ? Date.now() % 2 ** 31 : Number(values.seed);

const chosen = (name: string) => positionals.length === 0 || positionals.some((p) => name.includes(p));
const jobs = [
  ...FORMATS.filter(chosen).map((format) => ({ name: format, runs: FORMAT_RUNS, property: formatProperty(format, MAX_RUN) })),
  ...Object.keys(TEXT_PARSERS)
    .filter(chosen)
    .map((name) => ({ name, runs: TEXT_RUNS, property: textParserProperty(name, MAX_RUN) })),
];

process.stdout.write(`fuzzing ${jobs.length} parsers, seed ${seed}, hostile runs up to ${MAX_RUN} characters\n`);
let total = 0;
let failed = 0;
for (const { name, runs, property } of jobs) {
  const started = performance.now();
  const details = fc.check(property, { numRuns: runs, seed });
  const seconds = ((performance.now() - started) / 1000).toFixed(1);
  total += details.numRuns;
  if (!details.failed) {
    process.stdout.write(`${name.padEnd(20)} ${String(details.numRuns).padStart(7)} inputs  ${seconds.padStart(6)} s  ok\n`);
    continue;
  }
  failed++;
  const input = String(details.counterexample?.[0] ?? '');
  const error = details.errorInstance instanceof Error ? details.errorInstance.message : String(details.errorInstance);
  process.stdout.write(
    `${name.padEnd(20)} FAILED after ${details.numRuns} inputs: ${error}\n` +
      `  replay: npm run fuzz -- --seed ${seed} ${name}   (path ${details.counterexamplePath})\n` +
      `  input (${input.length} characters): ${JSON.stringify(input.length > 600 ? `${input.slice(0, 600)}…` : input)}\n`,
  );
}
process.stdout.write(`${total} inputs, ${failed === 0 ? 'no failures' : `${failed} parsers failed`}\n`);
process.exitCode = failed === 0 ? 0 : 1;
