/**
 * The Slack set-up as documented must match what Slack does: manifest.yml's comment counts the URL
 * lines that Socket Mode users delete, and the README tells people the two things Slack will not tell
 * them: 📌 reactions arrive only from channels the bot is in, and HTTP mode's request URL is verified
 * only once the bot runs.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';

const ROOT = join(import.meta.dirname, '..', '..');
const MANIFEST = readFileSync(join(ROOT, 'manifest.yml'), 'utf8');
const README = readFileSync(join(ROOT, 'README.md'), 'utf8');
const NUMBERS = ['zero', 'one', 'two', 'three', 'four', 'five', 'six', 'seven', 'eight', 'nine', 'ten'];

/** Every `url` and `request_url` value in the manifest, wherever it sits. */
function urlFields(value: unknown): string[] {
  if (Array.isArray(value)) return value.flatMap(urlFields);
  if (!value || typeof value !== 'object') return [];
  return Object.entries(value).flatMap(([key, v]) => (key === 'url' || key === 'request_url' ? [String(v)] : urlFields(v)));
}

describe('Slack set-up documentation', () => {
  it("manifest.yml's comment and the README count the url / request_url lines Socket Mode deletes", () => {
    const lines = MANIFEST.split('\n').filter((line) => /^\s*(?:-\s+)?(?:url|request_url):/.test(line) && !line.trimStart().startsWith('#'));
    expect(lines).toHaveLength(urlFields(parse(MANIFEST)).length);
    const said = /delete the (\w+) `url` \/\s*#?\s*`request_url` lines/.exec(MANIFEST)?.[1];
    expect(said && NUMBERS.indexOf(said)).toBe(lines.length);
    const readme = /delete the\s+(\w+) `url` \/ `request_url` lines/.exec(README)?.[1];
    expect(readme && NUMBERS.indexOf(readme)).toBe(lines.length);
  });

  it('the README tells Slack users to invite the bot where they want 📌 timeline reactions', () => {
    const setUp = README.slice(README.indexOf('## The Slack app'), README.indexOf('### In Slack'));
    expect(setUp).toMatch(/\/invite @depwatch/);
    expect(setUp).toMatch(/📌[\s\S]*reactions:read[\s\S]*only from channels the bot is a member of/);
  });

  it("the README says HTTP mode's request URL is verified once the bot runs, and where to retry", () => {
    const setUp = README.slice(README.indexOf('## The Slack app'), README.indexOf('### In Slack'));
    expect(setUp).toMatch(/HTTP mode only: Slack verifies the events request URL/);
    expect(setUp).toMatch(/\*\*Event Subscriptions\*\*[\s\S]*\*\*Retry\*\*/);
  });
});
