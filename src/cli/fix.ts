/**
 * `depwatch fix [DIR]`: audit a checkout, then rewrite the pins of vulnerable releases to the fix,
 * byte for byte elsewhere. Thin: the audit is `auditFileSource`, the edits are src/fix/plan.ts, the
 * writes src/fix/write.ts. Only the files the audit read are candidates, nothing of the repository
 * is run, and lockfiles get the command that regenerates them instead of an edit.
 */
import { realpath, stat } from 'node:fs/promises';
import { relative, resolve, sep } from 'node:path';
import { parseArgs } from 'node:util';
import { partialStderrLines, reasonsOf } from '../audit/partial.js';
import { auditFileSource } from '../audit/run.js';
import { auditedManifests, recordingSource, type AuditedFile } from '../fix/audited-files.js';
import { fixDiff } from '../fix/diff.js';
import { EncodingError, encodeExact, encodingName } from '../fix/encoding.js';
import { fixExitStatus, fixJson, type FixOutcome } from '../fix/outcome.js';
import { planFixes } from '../fix/plan.js';
import { fixText } from '../fix/text.js';
import { heldBackLine, writeAllInside, type FileWrite } from '../fix/write.js';
import { directorySource } from '../python/files.js';
import { CheckoutRoot } from '../python/inside-root.js';
import { redactSecrets } from '../redact.js';
import { CliError, EXIT, type CliIO } from './io.js';
import { MAX_DATA_AGE_OPTION, MAX_DATA_AGE_USAGE, offlineLimit } from './offline-limit.js';
import { advisorySourceFor, openOnlineServices, openServices } from './services.js';
import { terminalLines, terminalSafe } from '../report/terminal-text.js';
import { unappliableLine } from '../fix/outcome.js';
import { missingOr } from './missing-path.js';
import { namedManifestAt, namesManifest } from './manifest-file.js';
import { namedFileSource } from '../python/named-file-source.js';

export const FIX_USAGE = `usage: depwatch fix [--dry-run] [--json] [--offline [--max-data-age DAYS]] [--db PATH] [DIR | FILE]
  Audits DIR (default: the current folder), or the manifest FILE and its includes from its folder
  (as "depwatch audit FILE" does), and rewrites the requirements that pin vulnerable
  releases to the smallest upgrade clearing every advisory: requirements files (and their -r
  includes; --hash lines of the old release are removed), pyproject.toml (PEP 621, dependency
  groups, uv's constraint and override dependencies, Poetry: constraints widened only as far as
  needed), Pipfile, and the pip: list of a conda environment.yml. Everything else stays byte for
  byte. Lockfiles are never edited: the command that regenerates each is printed.
  --dry-run   write nothing; print the unified diff (stdout) and the summary (stderr)
  --json      print what was (or would be) changed, the lock commands and what was left alone
  --offline   use only the local advisory mirror and skip PyPI (fix versions are then not
              rounded to a published release)
${MAX_DATA_AGE_USAGE}
  Exit status: 0 nothing vulnerable left, 1 something vulnerable left (unfixable, left alone,
  waiting for a lock command, or a dry run), 2 error (or a partial audit).`;

export async function fixCommand(argv: string[], io: CliIO): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      'dry-run': { type: 'boolean' },
      json: { type: 'boolean' },
      offline: { type: 'boolean' },
      ...MAX_DATA_AGE_OPTION,
      db: { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  if (values.help) {
    io.stdout(FIX_USAGE + '\n');
    return EXIT.ok;
  }
  if (positionals.length > 1) throw new CliError('fix: give one directory or manifest file (default: the current folder)');
  const target = positionals[0] ?? '.';
  const full = resolve(io.cwd, target);
  const info = await stat(full).catch(missingOr(target));
  if (!info) throw new CliError(namesManifest(target) ? `no such file: ${target}` : `${target}: no such directory (depwatch fix rewrites a local checkout)`);
  // A manifest is fixed as `depwatch audit FILE` audits it: from its folder, the root of what is written.
  const named = info.isDirectory() ? null : namedManifestAt(full, target);
  const root = named?.dir ?? full;
  const dryRun = Boolean(values['dry-run']);

  const offline = Boolean(values.offline);
  const limit = offlineLimit(values['max-data-age'], io);
  // Offline, nothing loads the configuration or the HTTP clients (as for audit and check). The
  // database is only read, as audit reads it (fix writes manifests, never the mirror): a missing one
  // is not created, and offline the empty mirror is refused as audit refuses it.
  const online = offline ? null : await openOnlineServices(io, values.db, { readOnly: true });
  const services = online ?? openServices(io, values.db, { readOnly: true });
  try {
    const now = new Date();
    const recorded = recordingSource(named ? await namedFileSource(root) : directorySource(root));
    const result = await auditFileSource(
      recorded.source,
      {
        target,
        advisories: advisorySourceFor(services, offline && limit, now),
        registry: online?.pypi ?? null,
        now,
        ...(io.isTTY && !values.json ? { onProgress: (m: string) => io.stderr(`… ${terminalSafe(m)}\n`) } : {}),
      },
      undefined,
      named?.manifest,
    );
    const files = await auditedManifests(recorded.read, recorded.source.folder, { realPathOf: realPathIn(root) });
    const plan = planFixes(result, files, { fixCommandOnline: online !== null });

    const outcome: FixOutcome = { target, dryRun, audit: result, plan, written: [], writeErrors: [] };
    const fileAt = new Map(files.map((f) => [f.path, f]));
    outcome.encodings = new Map(files.filter((f) => f.encoding.charset !== 'utf-8').map((f) => [f.path, encodingName(f.encoding)]));
    if (dryRun) {
      const diff = fixDiff(new Map([...plan.newTexts].map(([path, after]) => [path, diffTexts(fileAt.get(path)!, after)])));
      outcome.diff = diff.text;
      outcome.diffUnappliable = diff.unappliable;
    } else {
      // Every file or none (src/fix/write.ts): each written back in the encoding it was read in
      // (UTF-16 stays UTF-16, its mark kept); one that cannot be holds back the others.
      const writes: FileWrite[] = [];
      const unencodable: FixOutcome['writeErrors'] = [];
      for (const [path, text] of plan.newTexts) {
        try {
          writes.push({ path, expected: recorded.read.get(path)!, bytes: encodeExact(text, fileAt.get(path)!.encoding) });
        } catch (err) {
          const message = err instanceof EncodingError ? `${path}: ${err.message}` : err instanceof Error ? err.message : String(err);
          unencodable.push({ file: path, message });
        }
      }
      const { written, errors } =
        unencodable.length > 0
          ? { written: [], errors: [...unencodable, ...writes.map((w) => ({ file: w.path, message: heldBackLine(w.path, unencodable.map((e) => e.file)) }))] }
          : await writeAllInside(root, writes);
      outcome.written.push(...written);
      for (const e of errors) outcome.writeErrors.push({ file: e.file, message: redactSecrets(e.message) });
    }

    if (values.json) {
      io.stdout(JSON.stringify(fixJson(outcome), null, 2) + '\n');
    } else if (dryRun) {
      // The diff holds no credential (diff.ts leaves such context lines out, or masks them and says
      // so); the file's other bytes are kept for `git apply`, except on a terminal, where a control
      // character from the file (ESC) is shown as an escape rather than acted on.
      const diff = outcome.diff ?? '';
      io.stdout(io.stdoutIsTTY ? terminalLines(diff.split('\n').slice(0, -1)) : diff);
      io.stderr(fixText(outcome));
    } else {
      io.stdout(fixText(outcome));
    }
    for (const path of outcome.diffUnappliable ?? []) io.stderr(`depwatch fix: ${terminalSafe(unappliableLine(path))}\n`);
    // As audit does: the text says why it is partial; beside JSON, stderr does.
    if (values.json) for (const line of partialStderrLines(reasonsOf(result))) io.stderr(line);
    return fixExitStatus(outcome);
  } finally {
    services.close();
  }
}

/** Where a file of the checkout really is, relative to its real root with `/` separators (null when missing). */
function realPathIn(root: string): (path: string) => Promise<string | null> {
  const checkout = new CheckoutRoot(root);
  let realRoot: Promise<string> | undefined;
  return async (path) => {
    const real = await checkout.resolve(path);
    if (real === null) return null;
    return relative(await (realRoot ??= realpath(root)), real).split(sep).join('/');
  };
}

/**
 * The texts a dry run's diff compares. The diff is UTF-8 text whatever the file's encoding; for a
 * UTF-16 file (which `git apply` could not patch byte for byte anyway) the byte order mark is not
 * shown as a character of its first line.
 */
function diffTexts(file: AuditedFile, after: string): { before: string; after: string } {
  if (file.encoding.charset === 'utf-8') return { before: file.text, after };
  const unmarked = (t: string) => t.replace(/^\uFEFF/, '');
  return { before: unmarked(file.text), after: unmarked(after) };
}
