/**
 * Hugging Face tokens are `hf_` and 34 random letters; a CamelCase name of 34 letters after `hf_`
 * (`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`) has the same shape and is code, not a token. The
 * scanner tells them apart by whether the letters read as words (reads-as-words.ts).
 */
import { describe, expect, it } from 'vitest';
import { readsAsWords } from '../../src/scan/secrets/reads-as-words.js';
import { scanFiles } from './helpers.js';

/** Shaped as Hugging Face documents its tokens; random letters here, no real token. */
const TOKENS = ['kQzWmRtYpLxNvBsDcFgHjKaEuIoPlMnBvC', 'hZEmnoOEYISjraJtbySaKCNnSuYAvukaTt', 'QwErTyUiOpAsDfGhJkLzXcVbNmQaZwSxEd', 'xVbNqWeRtYuIoPlKjHgFdSaZxCvBnMqWeR'];
/** Names of 34 letters, as code spells them. */
const NAMES = ['ModelLoaderConfigurationForTransfo', 'downloadURLForRepositoryAndRevisio', 'HFHubSnapshotDownloadManagerForAll', 'uploadFolderToHubWithCommitMessage', 'XLMRobertaForTokenClassificationPt', 'TokenizerFastConfigurationHelperXY'];

describe('Hugging Face tokens and names that look like them', () => {
  it('still finds tokens of random letters, in code and in settings', async () => {
    const result = await scanFiles({
      'app/hub.py': TOKENS.map((t, i) => `CLIENT_${i} = HfApi(token="hf_${t}")`).join('\n') + '\n',
      'deploy/values.yaml': `hub:\n  auth: hf_${TOKENS[0]}\n`,
    });
    const found = result.findings.filter((f) => f.rule === 'secret-huggingface-token');
    expect(found.map((f) => `${f.file}:${f.line}`)).toEqual(['app/hub.py:1', 'app/hub.py:2', 'app/hub.py:3', 'app/hub.py:4', 'deploy/values.yaml:2']);
  });

  it('leaves out names of words after hf_: functions, variables, attributes', async () => {
    const result = await scanFiles({
      'app/loaders.py': [
        `def hf_${NAMES[0]}(path):`,
        `    hf_${NAMES[1]} = resolve(path)`,
        `    return self.hf_${NAMES[2]}(hf_${NAMES[1]})`,
        `class hf_${NAMES[3]}:`,
        `    pass`,
        `MODEL = registry.hf_${NAMES[4]}`,
        `helper = hf_${NAMES[5]}()`,
      ].join('\n') + '\n',
    });
    expect(result.findings.filter((f) => f.rule === 'secret-huggingface-token')).toEqual([]);
  });
});

describe('readsAsWords', () => {
  it('reads CamelCase and camelCase names, acronyms and a last word cut short as words', () => {
    for (const name of NAMES) expect(readsAsWords(name), name).toBe(true);
    expect(readsAsWords('AutoModelForSequenceClassification')).toBe(true);
  });

  it('does not read random letters as words', () => {
    for (const token of TOKENS) expect(readsAsWords(token), token).toBe(false);
    expect(readsAsWords('Model2LoaderConfig')).toBe(false); // digits: not this test's to judge
    // Drawn at random as Hugging Face draws tokens (seeded, so the test is the same every run):
    // at about one in 250,000 (reads-as-words.ts), none of these reads as words.
    let seed = 2024;
    const random = () => {
      // mulberry32
      seed = (seed + 0x6d2b79f5) | 0;
      let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
      t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
      return ((t ^ (t >>> 14)) >>> 0) / 2 ** 32;
    };
    const letters = 'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ';
    const read: string[] = [];
    for (let i = 0; i < 20_000; i++) {
      const token = Array.from({ length: 34 }, () => letters[Math.floor(random() * letters.length)]).join('');
      if (readsAsWords(token)) read.push(token);
    }
    expect(read).toEqual([]);
  });
});
