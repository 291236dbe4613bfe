/**
 * Issue 13's seam: what to say belongs to src/watch and src/incidents, how to say it in Slack to
 * src/slack. Alerts, digests, reminders and review cards are written to the Slack outbox as domain
 * messages, watch command replies are data; src/slack renders and posts them. No file of the
 * domain imports src/slack.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';

const ROOT = join(import.meta.dirname, '..', '..');

function tsFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? tsFiles(join(dir, e.name)) : e.name.endsWith('.ts') ? [join(dir, e.name)] : []));
}

/** Files whose import or export statements name a module under src/slack/. */
function importingSlack(dir: string): string[] {
  return tsFiles(join(ROOT, dir))
    .filter((file) => /^\s*(?:import|export)\b[^;]*?from\s+['"](?:\.\.\/)+slack\//m.test(readFileSync(file, 'utf8')))
    .map((file) => relative(ROOT, file))
    .sort();
}

describe('the domain does not import Slack', () => {
  it('has no file in src/watch or src/incidents that imports src/slack', () => {
    expect([...importingSlack('src/watch'), ...importingSlack('src/incidents')]).toEqual([]);
  });

  it('finds an import of src/slack where there is one (the check itself works)', () => {
    expect(importingSlack('src/ops')).toContain('src/ops/server.ts');
  });
});
