import { describe, expect, it } from 'vitest';
import { scanSecrets } from '../../src/scan/secrets/scan-secrets.js';
import { secretValueSpans } from '../../src/scan/secrets/scan-secrets.js';
import { LineIndex } from '../../src/scan/text.js';
import { KEY } from './helpers.js';

const scan = (path: string, text: string) => scanSecrets({ path, text, fingerprintKey: KEY, lines: new LineIndex(text) });

describe('what a path says, never carried from one scan to the next', () => {
  it('rates each file by its own path when scans of test files, code and free text alternate', () => {
    const text = 'API_TOKEN = "Zq8vN3xK7pL2mR9tW4yB6cF1hJ5dG0sA"\n';
    for (let round = 0; round < 2; round++) {
      expect(scan('tests/test_client.py', text).map((r) => r.confidence)).toEqual(['low']);
      expect(scan('app/settings.py', text).map((r) => r.confidence)).toEqual(['high']);
      expect(secretValueSpans(text)).toEqual([[13, 45]]);
    }
  });
});
