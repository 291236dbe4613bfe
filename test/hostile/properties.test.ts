/**
 * Property-based tests over every parser of untrusted text (see properties.ts): a few thousand
 * generated inputs here, mutations of the real files in the tests and long runs of hostile
 * characters. `npm run fuzz` runs the same properties on 100,000 and more.
 */
import fc from 'fast-check';
import { describe, it } from 'vitest';
import { FORMATS, TEXT_PARSERS } from '../fixtures/hostile.js';
import { formatProperty, textParserProperty } from './properties.js';

const RUNS_PER_FORMAT = 600;
const RUNS_PER_TEXT_PARSER = 400;
const MAX_RUN = 3_000;

describe('no parser crashes, throws or stalls on generated input', () => {
  for (const format of FORMATS) {
    it(`${format}: ${RUNS_PER_FORMAT} mutated files and hostile runs`, () => {
      fc.assert(formatProperty(format, MAX_RUN), { numRuns: RUNS_PER_FORMAT });
    });
  }
  for (const name of Object.keys(TEXT_PARSERS)) {
    it(`${name}: ${RUNS_PER_TEXT_PARSER} mutated lines and hostile runs`, () => {
      fc.assert(textParserProperty(name, MAX_RUN), { numRuns: RUNS_PER_TEXT_PARSER });
    });
  }
});
