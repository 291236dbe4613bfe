/**
 * Issue 13's seam: what to say belongs to src/watch and src/incidents, how to say it in Slack to
 * src/slack. A ratchet: the files that still import src/slack are listed here and the list may only
 * shrink; alerts (through the outbox) already left it.
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

// Still to move onto the outbox (issue 13 item 3): digests, reminders, the watch command replies,
// the pull-request reviews (written beside the outbox, merged after it) and the service that
// wires the delivery loop.
const NOT_YET = ['src/incidents/reminders.ts', 'src/watch/commands.ts', 'src/watch/digests.ts', 'src/watch/pr-review/sweep-part.ts', 'src/watch/service.ts'];

describe('the domain does not import Slack', () => {
  it('keeps alerts and the domain messages free of src/slack', () => {
    const offenders = [...importingSlack('src/watch'), ...importingSlack('src/incidents')];
    expect(offenders).not.toContain('src/watch/alerts.ts');
    expect(offenders).not.toContain('src/watch/messages.ts');
    expect(offenders.filter((f) => !NOT_YET.includes(f))).toEqual([]);
  });

  it('finds an import of src/slack where there is one (the check itself works)', () => {
    expect(importingSlack('src/watch')).toContain('src/watch/digests.ts');
  });
});
