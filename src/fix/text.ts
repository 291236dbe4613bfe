/** `depwatch fix` for people: what was rewritten, the lock commands still to run, what was left alone and why. */
import { partialBlock, reasonsOf } from '../audit/partial.js';
import { redactSecrets } from '../redact.js';
import { terminalSafe } from '../report/terminal-text.js';
import { commandLine } from './lock-commands.js';
import { statusAfterWriting, stillVulnerable, type FixOutcome } from './outcome.js';

export function fixText(outcome: FixOutcome): string {
  const { plan, dryRun } = outcome;
  const { partial } = outcome.audit;
  const lines: string[] = [];
  const files = new Set(plan.changes.map((c) => c.file));

  // Written or not, by file: a change in a file that was not written is not said to be done.
  const unwritten = new Set(dryRun ? [] : outcome.writeErrors.map((e) => e.file));
  const done = plan.changes.filter((c) => !unwritten.has(c.file));
  const notDone = plan.changes.filter((c) => unwritten.has(c.file));
  const listChanges = (changes: typeof plan.changes) => {
    for (const c of changes) {
      const fix = plan.fixes.find((f) => f.package === c.package && f.from === c.fromVersion);
      const ids = fix ? fix.advisories : [];
      const clears = ids.length === 0 ? '' : `  clears ${ids.slice(0, 2).join(', ')}${ids.length > 2 ? ` and ${ids.length - 2} more` : ''}`;
      const hashes = c.hashesRemoved > 0 ? `  (${count(c.hashesRemoved, 'hash', 'hashes')} of ${c.fromVersion} removed)` : '';
      lines.push(`  ${c.file}:${c.line}  ${c.package} ${c.before || '(any)'} → ${c.after}${clears}${hashes}`);
    }
  };
  const filesOf = (changes: typeof plan.changes) => new Set(changes.map((c) => c.file)).size;

  if (plan.changes.length > 0) {
    if (done.length > 0) {
      lines.push(`${dryRun ? 'Would rewrite' : 'Rewrote'} ${count(done.length, 'requirement')} in ${count(filesOf(done), 'file')}:`);
      listChanges(done);
    }
    if (notDone.length > 0) {
      if (done.length > 0) lines.push('');
      lines.push(`Did not rewrite ${count(notDone.length, 'requirement')} in ${count(filesOf(notDone), 'file')} (not written: see below):`);
      listChanges(notDone);
    }
    // The diff and the lines above show text; say that such a file keeps its encoding on disk.
    for (const [file, encoding] of [...(outcome.encodings ?? [])].filter(([file]) => files.has(file)).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) {
      lines.push(`  (${file} ${dryRun ? 'would be' : 'was'} written back as ${encoding}, as it was saved)`);
    }
  } else {
    const nothingFound = plan.fixes.length === 0 && plan.leftAlone.length === 0;
    // A partial audit cannot say nothing vulnerable is pinned: only that it found nothing in what it read.
    lines.push(nothingFound ? (partial ? 'Nothing to fix in what was read (the audit was partial: see below).' : 'Nothing to fix: no vulnerable release is pinned.') : 'No file needs rewriting.');
  }

  if (plan.lockCommands.length > 0) {
    lines.push('', 'Lockfiles are never edited by hand; regenerate them:');
    for (const l of plan.lockCommands) lines.push(`  ${commandLine(l)}`, `      ${l.required ? '' : '(recommended) '}${l.reason}`);
  }
  if (plan.leftAlone.length > 0) {
    lines.push('', 'Left alone:');
    for (const l of plan.leftAlone) {
      const what = l.package ? `${l.package}${l.version ? ` ${l.version}` : ''}` : '(file)';
      const where = l.file ? `  ${l.file}${l.line ? `:${l.line}` : ''}` : '';
      lines.push(`  ${what}${where}  [${l.kind}] ${l.reason}`);
    }
  }
  if (plan.notes.length > 0) {
    lines.push('', 'Notes:');
    for (const n of plan.notes) lines.push(`  ${n.message}`);
  }
  if (outcome.writeErrors.length > 0) {
    lines.push('', 'Not written:');
    for (const e of outcome.writeErrors) lines.push(`  ${e.message}`);
  }
  for (const w of outcome.audit.warnings) lines.push('', `WARNING: ${w}`);
  if (partial) lines.push('', ...partialBlock(reasonsOf(outcome.audit)));

  const byStatus = (s: string) => plan.fixes.filter((f) => statusAfterWriting(outcome, f) === s).length;
  const notWritten = byStatus('not-written');
  // A release held in one project may still move in another: "not moved" would contradict the
  // rewrites listed above, so such a release is counted as moved in part.
  const movedSomewhere = (f: (typeof plan.fixes)[number]) => plan.changes.some((c) => c.package === f.package && c.fromVersion === f.from);
  const leftAlone = plan.fixes.filter((f) => statusAfterWriting(outcome, f) === 'left-alone');
  const inPart = leftAlone.filter(movedSomewhere).length;
  const remaining = stillVulnerable(outcome);
  lines.push(
    '',
    // Releases by what became of them, then every entry of the "Left alone" list (one release can
    // be left alone in several places, and an ignored or unfixable one has no fix to count above).
    `${count(plan.fixes.length, 'vulnerable release')} with a fix: ${byStatus('fixed')} ${dryRun ? 'fixable by rewriting' : 'fixed'}, ${byStatus('lock-pending')} waiting for a lock command, ${leftAlone.length - inPart} not moved${inPart > 0 ? `, ${inPart} moved in some projects only` : ''}${notWritten > 0 ? `, ${notWritten} not written` : ''}; ` +
      `${plan.leftAlone.length} left alone${plan.leftAlone.length > 0 ? ' (listed above)' : ''}. ` +
      (remaining > 0
        ? `${count(remaining, 'vulnerable release')} still installed${dryRun ? ' (dry run: nothing was written)' : ''}.`
        : partial
          ? 'Nothing vulnerable was found in what was read (PARTIAL: not everything was read or checked).'
          : 'Nothing vulnerable is left.'),
  );
  if (outcome.written.length > 0) lines.push(`Written: ${outcome.written.join(', ')}`);
  // Each line as a terminal may show it: file names and reasons come from the repository.
  return redactSecrets(lines.map(terminalSafe).join('\n')) + '\n';
}

function count(n: number, one: string, many = `${one}s`): string {
  return `${n} ${n === 1 ? one : many}`;
}
