/**
 * scanTree: every file of a tree through the four rule families (Python code, secrets, files,
 * runtime), then inline suppressions and `.depwatch.yml` ignores. Pure apart from reading through
 * the ScanSource it is given; its result is plain data (structured-clone friendly), so it can run in
 * a worker thread later without change.
 *
 * Bounded: one file in memory at a time (plus a few read ahead), each under `maxFileBytes`, and at
 * most `maxFindingsPerFile` findings kept from each; a file that is too large, not UTF-8 where code
 * is parsed, or too slow to parse or to check (the Python rules have a time budget per file too),
 * and a folder that could not be listed, is listed in `skipped`, and a file with more findings than
 * it may list gets a `truncated` note: either makes the result partial; nothing else is lost.
 */
import { hash } from 'node:crypto';
import { CONFIG_FILES, configFileOf, describeExclusion, excluder, MAX_SETTINGS_BYTES, misnamedSettingsNotes, parseSettings, settingsFolderNotes, settingsTooLarge, unreadSettingsNotes, type ExcludeRule } from '../audit/exclude.js';
import { decodeManifest } from '../python/load.js';
import { boundMessage } from '../quoted-input.js';
import type { ExtractError } from '../python/types.js';
import type { DepwatchFile } from '../audit/ignore-file.js';
import type { IgnoreNote, IgnoreRule } from '../audit/ignores.js';
import { SEVERITY_ORDER } from '../audit/findings.js';
import { GitignoreChain } from './files/gitignore.js';
import { FILE_RULES } from './files/rules/index.js';
import { isCommittedEnvFile } from './files/env-files.js';
import { scanIgnorer, unknownIgnoreNotes, type ScanIgnorer } from './ignores.js';
import { checkpointSecretWording, foldCheckpointCopies } from './jupyter-checkpoints.js';
import { isDockerfilePath, isJupyterCheckpointPath, isNotebookPath, isPythonPath, isRuntimeFile, isTestPath, isTextLikePath, isWorkflowPath, loweredPlace, type LoweredPlace } from './paths.js';
import type { PythonScanner, PythonScanOutcome, Unparsed } from './python/scan-python.js';
import type { Report, RuleInfo } from './rule.js';
import type { LocalActions } from './runtime/gha-local-actions.js';
import type { scanRuntime } from './runtime/scan-runtime.js';
import { randomFingerprintKey } from './secrets/fingerprint.js';
import { SECRET_RULES_BY_ID } from './secrets/rules.js';
import { scanSecrets } from './secrets/scan-secrets.js';
import type { FoldersSkippedByName, ScanSource } from './source.js';
import { commentLinesAbove, commentStyle, fileSuppressions, mentionsMarker, suppressionOnLine, suppresses, type Suppression } from './suppressions.js';
import { decode, decodeUtf16ByContent, decodeUtf16ByShape, LineIndex, looksLikeText, utf16ByMark, utf8OrLatin1, utf8OrNull, type Decoded } from './text.js';
import { severityCounts } from '../report/summary.js';
import type { TreeView } from './tree-rule.js';
import { CONFIDENCE_ORDER, isPartialNote, type CodeFinding, type ScanNote, type ScanResult, type ScanRuleText, type SkippedFile } from './types.js';
import { compareCodeUnits } from '../text-order.js';
import { unlistedFolderMessage } from '../python/directory-walk.js';

export interface ScanOptions {
  /** Files larger than this are not read (and make the result partial). Default 5 MiB, like manifests. */
  maxFileBytes?: number;
  /** Wall-time limit for parsing one Python file. Default 5 s. */
  parseTimeoutMs?: number;
  /**
   * Wall-time limit for the Python rules on one parsed file, the tree-sitter query that finds what
   * they read included. Default 10 s. Past it the rules stop: the file is listed in `skipped`
   * (partial), with the findings reported before the limit kept.
   */
  ruleTimeoutMs?: number;
  /**
   * Key for secret fingerprints (secrets/fingerprint.ts). Give the installation's own key to compare
   * fingerprints across scans; without one, a random key makes them comparable within this scan only.
   */
  fingerprintKey?: string | Uint8Array;
  /** Ignores from elsewhere (a channel), applied with the tree's own `.depwatch.yml`. */
  ignores?: IgnoreRule[];
  /**
   * The tree's `.depwatch.yml`, already read and parsed by an audit of the same tree (null: it has
   * none), whose notes the audit gives: the scan applies it and neither reads it again nor repeats
   * its notes. Without it, the scan reads the tree's settings file itself (readTreeIgnores) and notes its problems.
   */
  settings?: DepwatchFile | null;
  /** For expiry of ignores. Default: now. */
  today?: Date;
  /**
   * At most this many findings listed per file, and as many ignored ones, so a generated file cannot
   * flood memory; the worst are kept and the rest counted in a note (which makes the result partial
   * when findings that are not ignored were left out). Default 200.
   */
  maxFindingsPerFile?: number;
  /** How many files are read ahead of the one being scanned (I/O overlaps parsing). Default 8. */
  readAhead?: number;
  /**
   * The files whose own checks (secrets, Python rules, runtime rules) run in this call; the others
   * are listed (the tree rules see every path) but read elsewhere. For a scan split across worker
   * threads (src/workers/parallel-scan.ts). Default: every file.
   */
  scanHere?: (path: string) => boolean;
  /**
   * No audit reads the tree's settings beside this scan (`depwatch scan`): an ignore entry there
   * that names no scan rule (and no advisory) is noted, as nothing else would say it ignores nothing.
   */
  standalone?: boolean;
  /** Run the tree rules (`.gitignore`, committed `.env`): once per scan, so off in its other parts. Default true. */
  treeRules?: boolean;
}

export const DEFAULT_MAX_FILE_BYTES = 5 * 1024 * 1024;
const DEFAULT_RULE_TIMEOUT_MS = 10_000;

type Raw = Report & { info: RuleInfo };

/**
 * Code and configuration findings in test code and in vendored copies of other projects are
 * reported at low at most, when the rule found nothing worse than its usual case. Tests run on
 * developers' machines and in CI with data the tests themselves choose: `pickle.loads` of a test's
 * own bytes, `importlib.import_module` of a parametrised tutorial module or a fixture's Dockerfile
 * running as root fail no gate, as Semgrep leaves tests out by default and bandit users exclude
 * them. Vendored code is someone else's, fixed upstream and copied in again (pip's pkg_resources
 * `exec`s setup scripts by design); its pinned versions are still audited.
 *
 * Not lowered: a finding the rule rated above its usual severity because it saw where the data
 * comes from (an HTTP request, the environment), which is no test's own data; and secrets, as
 * usable in a test or a vendored file as anywhere (the secret scanner only lowers its confidence in
 * tests). Which paths: loweredPlace (paths.ts).
 */
function ratedLow(raw: Raw, where: LoweredPlace): Raw {
  const usual = raw.info.severity;
  const severity = raw.severity ?? usual;
  if (severity === 'low' || severity === 'info') return raw;
  // A Python rule rates a call above its usual level when it traced the data to outside the
  // program (a request, the environment, the command line): no test's own data.
  if (raw.info.kind === 'code' && SEVERITY_ORDER.indexOf(severity) < SEVERITY_ORDER.indexOf(usual)) return raw;
  const why = where === 'test code' ? 'In test code' : 'In vendored code (fix it upstream and copy it in again)';
  return { ...raw, severity: 'low', message: `${raw.message} (${why}, so rated low rather than ${severity}.)` };
}

export async function scanTree(source: ScanSource, options: ScanOptions = {}): Promise<ScanResult> {
  const maxBytes = options.maxFileBytes ?? DEFAULT_MAX_FILE_BYTES;
  const maxPerFile = options.maxFindingsPerFile ?? 200;
  const parseTimeoutMs = options.parseTimeoutMs ?? 5000;
  const ruleTimeoutMs = options.ruleTimeoutMs ?? DEFAULT_RULE_TIMEOUT_MS;
  const key = options.fingerprintKey ?? randomFingerprintKey();
  const entries = await source.entries();
  const skipped: SkippedFile[] = [];
  const notes: ScanNote[] = [];
  const stats = { files: 0, textFiles: 0, pythonFiles: 0, binaryFiles: 0, bytes: 0 };
  const findings: CodeFinding[] = [];
  const ignored: CodeFinding[] = [];
  /** The rules that reported something, for reports that describe each rule once (SARIF). */
  const rulesSeen = new Map<string, ScanRuleText>();
  const keep = (finding: CodeFinding, info: RuleInfo): void => {
    if (!rulesSeen.has(info.id)) rulesSeen.set(info.id, { id: info.id, kind: info.kind, title: info.title, help: info.help });
    (finding.ignoredBy ? ignored : findings).push(finding);
  };
  /** Texts the tree rules read again (.gitignore, .env), kept from the one pass. */
  const kept = new Map<string, string>();

  // The tree's own `.depwatch.yml` is read before any other file: its `exclude:` decides which files
  // are the tree's at all, and each file's findings are ignored as it is scanned, before they are
  // capped, so the ignores must be known before the first of them. Only the part that scans the
  // file reads it (scanHere); the other parts are handed their files already excluded and the ignores.
  const listed = entries.filter((e) => e.type === 'file').map((e) => e.path);
  // A settings file that is a link or a pipe is still the settings file, never read (readTreeIgnores).
  const notRegular = new Map(entries.filter((e) => CONFIG_FILES.includes(e.path) && (e.type === 'symlink' || e.type === 'other')).map((e) => [e.path, e.type === 'symlink' ? ('symlink' as const) : ('not-regular' as const)]));
  const here = (paths: readonly string[]) => (options.scanHere ? paths.filter(options.scanHere) : paths);
  const own =
    options.settings !== undefined
      ? { rules: options.settings?.rules ?? [], excludes: options.settings?.excludes ?? [], notes: [] }
      : await readTreeIgnores(source, here(listed), maxBytes, new Map([...notRegular].filter(([path]) => here([path]).length > 0)));
  for (const n of own.notes) notes.push({ kind: 'invalid' as const, message: n.message, ...(n.settingsFile !== undefined ? { settingsFile: n.settingsFile } : {}) });
  // Said once: the file's own read below is not skipped again for the same reason.
  const settingsUnread = 'unread' in own && own.unread !== undefined ? own.unread : null;
  if (settingsUnread !== null) skipped.push(settingsUnread);
  const excludedBy = excluder(own.excludes);
  // A folder the walk could not list, or a link (perhaps to a folder), is asked as a folder too; a
  // file only as a file (`build/` excludes a folder named build, not a file of that name).
  const excludingRule = (e: (typeof entries)[number]) => excludedBy(e.path) ?? (e.type !== 'file' ? excludedBy(`${e.path}/`) : null);
  /** Listed files each entry kept out, counted as they are met (each path is matched once). */
  const excludedFiles = new Map<ExcludeRule, number>();

  const files: string[] = [];
  for (const e of entries) {
    const rule = own.excludes.length ? excludingRule(e) : null;
    if (rule !== null) {
      if (e.type === 'file') excludedFiles.set(rule, (excludedFiles.get(rule) ?? 0) + 1);
      continue;
    }
    // Said above, as the settings file not read; or, when an audit handed the settings, by the audit.
    if (e.type !== 'file' && (e.path === settingsUnread?.path || (options.settings !== undefined && notRegular.has(e.path)))) continue;
    if (e.type === 'file') files.push(e.path);
    else if (e.type === 'unlisted') skipped.push({ path: e.path, reason: 'unreadable', partial: true, message: `${e.path}: ${unlistedFolderMessage(e.reason, 'scanned')}`, unlistedBecause: e.reason });
    else if (e.type === 'symlink') skipped.push({ path: e.path, reason: 'symlink', partial: false, message: `${e.path}: symbolic link, not followed (it could point outside the tree; a target inside the tree is scanned there, one outside is not)` });
    else skipped.push({ path: e.path, reason: 'not-regular', partial: false, message: `${e.path}: not a regular file (device, socket or pipe), not read` });
  }
  stats.files = files.length;
  const byName = await source.skippedByName?.();
  if (byName && byName.folders.length > 0) notes.push({ kind: 'skipped-folders', message: skippedByNameNote(byName) });
  const mine = options.scanHere ? files.filter(options.scanHere) : files;
  // Said once per entry, by the part that read the settings: how many listed files it kept out.
  for (const [rule, count] of excludedFiles) {
    const exclusion = { path: rule.path, reason: rule.reason, source: rule.source, manifests: 0, files: count };
    notes.push({ kind: 'excluded', message: describeExclusion(exclusion), exclusion });
  }
  const ignorer = scanIgnorer([...(options.ignores ?? []), ...own.rules], options.today ?? new Date());
  if (options.standalone && options.settings === undefined) notes.push(...unknownIgnoreNotes(own.rules));

  // A composite action of the repository (`uses: ./.github/actions/greet`) runs with the inputs its
  // callers give it, which only the callers' files show: when this part scans workflows or actions,
  // the workflows (and the actions they reach) are read for that first (gha-local-actions.ts). A
  // local action not in the tree is noted at its caller, once, by the part that scans the caller.
  let localActions: LocalActions | null = null;
  if (mine.some((path) => isWorkflowPath(path) || ACTION_FILE.test(path))) {
    localActions = await (await import('./runtime/gha-local-actions.js')).followLocalActions(files, (path) => readForRules(source, path, maxBytes));
    for (const [file, lines] of localActions.notes) {
      if (here([file]).length === 0) continue;
      for (const line of lines) notes.push({ kind: 'unfollowed', file, message: `${file}:${/^\d+: /.test(line) ? '' : ' '}${boundMessage(line)}` });
    }
    for (const { file, message } of localActions.unchecked) if (here([file]).length > 0) notes.push({ kind: 'incomplete', file, message: `${file}: ${boundMessage(message)}` });
  }

  // The Python and runtime rule families (and the parser) load with the first file that needs them:
  // most of a scan's modules, which a tree of manifests alone never uses.
  let python: PythonScanner | null = null;
  let runtimeRules: typeof scanRuntime | null = null;
  try {
    // Reads run a few files ahead so disk I/O overlaps parsing; each result is taken once, in order.
    const ahead = Math.max(1, options.readAhead ?? 8);
    const pending = new Map<number, ReturnType<ScanSource['read']>>();
    const readAt = (i: number) => {
      const p = source.read(mine[i]!, maxBytes);
      p.catch(() => undefined); // awaited below; avoid an unhandled rejection while it waits its turn
      pending.set(i, p);
    };
    for (let i = 0; i < Math.min(ahead, mine.length); i++) readAt(i);

    for (let i = 0; i < mine.length; i++) {
      const path = mine[i]!;
      const read = await pending.get(i)!.catch(() => null);
      pending.delete(i);
      if (i + ahead < mine.length) readAt(i + ahead);

      if ((read === null || !('bytes' in read)) && path === settingsUnread?.path) continue;
      if (read === null) {
        skipped.push({ path, reason: 'unreadable', partial: true, message: `${path}: could not be read` });
        continue;
      }
      if ('unreadable' in read) {
        skipped.push({ path, reason: 'unreadable', partial: true, message: `${path}: could not be read (${read.unreadable})` });
        continue;
      }
      if ('tooLarge' in read) {
        // A large image, archive or model is binary as a small one is, told by its first 8 KB
        // (the bytes the text test below looks at first), and passed over the same way, not
        // partial: else any repository with a 6 MB logo was never "fully checked". Large text, or
        // a head that could be text, stays too large to scan: its secrets were not looked for.
        if (read.head !== undefined && !isPythonPath(path) && binaryByItsHead(read.head)) {
          if (isTextLikePath(path)) notes.push({ kind: 'binary', file: path, message: `${path}: ${formatBytes(read.tooLarge)}, with NUL bytes in its first 8 KB and not UTF-8 text, so it was passed over as binary (not scanned, not even for secrets)` });
          stats.binaryFiles++;
          continue;
        }
        skipped.push({ path, reason: 'too-large', partial: true, message: `${path}: ${formatBytes(read.tooLarge)}, over the ${formatBytes(maxBytes)} limit; not scanned` });
        continue;
      }
      stats.bytes += read.bytes.length;
      const isPython = isPythonPath(path);
      const isNotebook = !isPython && isNotebookPath(path);
      let decoded = decode(read.bytes, isPython);
      if (decoded.kind === 'binary') {
        // A NUL byte in the first 8 KB (git's test for binary). A stray NUL or two at the top of an
        // `.npmrc`, a key file or a YAML file leaves the rest readable to its program (npm, ssh,
        // PyYAML read past it) and its credentials real, whatever the file's name, and gitleaks
        // skips only what is binary by its content: so when NULs are few and every byte is UTF-8
        // (NUL is a UTF-8 character), the file is read as text. Images, archives and compiled files
        // have many NULs or bytes that are not UTF-8 (`\x89PNG`, `PK\3\4`, ELF's zeros) and stay
        // binary, passed over quietly. One pass over the first 8 KB, one over the bytes.
        // A Python file is always read (below): the NUL itself makes it partial.
        // UTF-16 text without a byte order mark is told by its shape (every other byte NUL) and read for secrets.
        const utf16 = isPython ? null : decodeUtf16ByShape(read.bytes);
        let text = isPython ? utf8OrLatin1(read.bytes) : utf16 !== null ? utf16.text : fewNuls(read.bytes.subarray(0, 8192)) && utf16ByMark(read.bytes) === null ? utf8OrNull(read.bytes) : null;
        let encoding = utf16?.encoding ?? 'utf-8';
        // UTF-16 that is mostly not ASCII (Korean, Russian) has too few NULs for that shape, and is
        // told by what it decodes to: letters and punctuation, where a binary yields surrogates,
        // private-use characters and NUL units.
        const byContent = text === null && !isPython && utf16ByMark(read.bytes) === null ? decodeUtf16ByContent(read.bytes) : null;
        if (byContent !== null) [text, encoding] = [byContent.text, byContent.encoding];
        if (text !== null) decoded = { kind: 'text', text, encoding };
        else if (looksLikeText(read.bytes)) {
          // Text by its shape (UTF-16 cut short, UTF-32) that could not be decoded: what it holds was
          // not looked at, so the result is partial, not quietly binary. A tar archive is binary.
          skipped.push({ path, reason: 'not-utf8', partial: true, message: `${path}: looks like text but is neither UTF-8 nor UTF-16 (the shape of UTF-32, or of UTF-16 cut short?); not scanned, not even for secrets` });
          continue;
        }
        // A file that looks like source or settings by name and is binary by content is worth a word.
        else if (isTextLikePath(path)) notes.push({ kind: 'binary', file: path, message: `${path}: has a NUL byte in its first 8 KB and is not UTF-8 text, so it was passed over as binary (not scanned, not even for secrets)` });
      }
      if (decoded.kind === 'binary') {
        stats.binaryFiles++;
        continue;
      }
      const original = decoded.text;
      // Python, YAML and most editors end a line at a lone CR too (old Mac files); tree-sitter and
      // the line index here do not, so every finding after the first line was lost or numbered 1.
      // CR becomes LF for the rules: the same length, so offsets and columns are unchanged. The
      // tree rules read the original (`.gitignore`: git ends lines at LF only).
      const text = original.includes('\r') ? original.replace(LONE_CR, '\n') : original;
      stats.textFiles++;
      if (path === '.gitignore' || path.endsWith('/.gitignore') || isCommittedEnvFile(path)) kept.set(path, original);

      const lines = new LineIndex(text);
      const raw: Raw[] = [];
      // Secrets: in every text file, UTF-8 or not (the formats are ASCII, so Latin-1 reading finds them all).
      const checkpoint = isJupyterCheckpointPath(path);
      const copyWording = checkpoint ? checkpointSecretWording(path, source.workingTree === true) : null;
      for (const s of scanSecrets({ path, text, fingerprintKey: key, lines })) {
        const info = SECRET_RULES_BY_ID.get(s.rule)!;
        raw.push(copyWording ? { ...s, info, message: `${s.message} ${copyWording.message}`, fix: `${s.fix} ${copyWording.fix}` } : { ...s, info });
      }
      const runtime = isRuntimeFile(path, text) || (localActions?.isAction(path) ?? false);
      const inTests = isTestPath(path);
      const lowerTo = loweredPlace(path);
      // Where a suppression may be written: the parser's comments for a parsed Python file, else the
      // comment markers of the file's language on the line.
      let comments: Map<number, string> | null = null;
      if (checkpoint) {
        // Jupyter's autosave, which nothing runs: secrets only (jupyter-checkpoints.ts). Its code is
        // parsed only to read a marker in it that covers a secret, as in the file it copies.
        if ((isPython || isNotebook) && raw.length > 0 && decoded.kind !== 'not-utf8' && !text.includes('\0') && mentionsMarker(text)) {
          python ??= await (await import('./python/scan-python.js')).createPythonScanner({ parseTimeoutMs, ruleTimeoutMs });
          if (isNotebook) (await import('./python/scan-notebook.js')).scanNotebook(python, path, text, inTests, raw);
          else {
            const outcome = python.scan(path, text, inTests, raw);
            outcome.statements.forEach((statement, i) => {
              if (statement) raw[i]!.statement = statement;
            });
            if (!outcome.timedOut) comments = outcome.comments;
          }
        }
      } else if (decoded.kind === 'not-utf8' && (isPython || runtime)) {
        skipped.push({ path, reason: 'not-utf8', partial: true, message: notDecodedMessage(path, decoded) });
      } else if (decoded.kind === 'not-utf8' && isNotebook) {
        // nbformat writes and reads notebooks as UTF-8 only: Jupyter would not open this one.
        skipped.push({ path, reason: 'not-utf8', partial: true, message: `${path}: not UTF-8, as a Jupyter notebook must be; code rules not run on its cells (secrets were checked)` });
      } else if (isPython && text.includes('\0')) {
        // A NUL anywhere in Python source: bandit reads any .py, and Python before 3.11.4 (3.10,
        // 3.9… still in use) runs such a file, dropping the rest of each line from its NUL on and
        // the line break after it (checked with CPython 2.7–3.11.2: the next line joins a `#`
        // comment), while 3.11.4+ refuse it. tree-sitter would read other code than those versions
        // run, so the code rules are not applied and the result is partial; secrets are looked for.
        skipped.push({ path, reason: 'nul-byte', partial: true, message: `${path}: has a NUL byte, which Python before 3.11.4 reads past (dropping the rest of that line) and later versions refuse; code rules not run (secrets were checked)` });
      } else {
        if (isPython) {
          python ??= await (await import('./python/scan-python.js')).createPythonScanner({ parseTimeoutMs, ruleTimeoutMs });
          // The secrets' statements too: a marker on a statement's first or last line covers what is in it.
          const outcome = python.scan(path, text, inTests, raw);
          outcome.statements.forEach((statement, i) => {
            if (statement) raw[i]!.statement = statement;
          });
          const reports = pythonOutcomeReports(path, outcome, text.length, pythonFilePlaces(path), { parseTimeoutMs, ruleTimeoutMs });
          if (reports.skipped) skipped.push(reports.skipped);
          notes.push(...reports.notes);
          if (reports.checked) stats.pythonFiles++;
          if (!outcome.timedOut) {
            comments = outcome.comments;
            // One at a time: a spread passes every element as an argument, and a generated file with
            // 120,000 findings overflowed the stack and lost the whole scan.
            for (const f of outcome.findings) raw.push(lowerTo ? ratedLow(f, lowerTo) : f);
          }
        } else if (isNotebook) {
          // A notebook's code cells, joined as one Python text, through the same parser and rules (python/scan-notebook.ts).
          python ??= await (await import('./python/scan-python.js')).createPythonScanner({ parseTimeoutMs, ruleTimeoutMs });
          const notebook = (await import('./python/scan-notebook.js')).scanNotebook(python, path, text, inTests, raw);
          if (notebook.outcome !== null) {
            const reports = pythonOutcomeReports(path, notebook.outcome, notebook.codeLength, notebook.places, { parseTimeoutMs, ruleTimeoutMs });
            if (reports.skipped) skipped.push(reports.skipped);
            notes.push(...reports.notes);
            if (reports.checked && notebook.notes.length === 0) stats.pythonFiles++;
          }
          notes.push(...notebook.notes);
          for (const f of notebook.findings) raw.push(lowerTo ? ratedLow(f, lowerTo) : f);
        }
        if (runtime) {
          runtimeRules ??= (await import('./runtime/scan-runtime.js')).scanRuntime;
          const outcome = runtimeRules(path, text, localActions ? { asAction: localActions.isAction(path), actionInputs: localActions.inputsOf(path), actionOutputs: localActions.actionOutputs } : {});
          // A credential in ENV/ARG that the secret scanner already reported (with its fingerprint) is one finding, not two.
          const secretLines = new Set(raw.filter((r) => r.info.kind === 'secret').map((r) => r.line));
          const own = outcome.findings.filter((f) => !(f.info.id === 'docker-secret-in-build' && secretLines.has(f.line)));
          for (const f of own) raw.push(lowerTo ? ratedLow(f, lowerTo) : f);
          for (const e of outcome.errors) notes.push({ kind: 'syntax', message: `${path}: ${boundMessage(e)}; runtime rules not applied to it` });
          // A parser's message can quote the file: bounded, as the manifests' are (quoted-input.ts).
          for (const e of outcome.unchecked) notes.push({ kind: 'incomplete', file: path, message: `${path}: ${boundMessage(e)}` });
        }
      }
      // Outside Python the file's lines are read in order, once, on the first finding that asks (a
      // string or block comment open at the end of a line is known on the next), and only in a file
      // that mentions a marker at all.
      let fileMarkers: MarkerAt | null = null;
      const markerOn: MarkerAt = comments ? (n) => suppressionOnLine(comments!.get(n) ?? '', n) : (n) => (fileMarkers ??= fileSuppressions(text, commentStyle(path)))(n);
      // Each line read once for its marker, however many findings it holds: one long line can hold
      // tens of thousands of them, and reading it again for each was quadratic in the line's length.
      const seen = new Map<number, Suppression | null>();
      const markers: MarkerAt = (n) => {
        let s = seen.get(n);
        if (s === undefined) seen.set(n, (s = markerOn(n)));
        return s;
      };
      // A Dockerfile's marker may be on the comment lines right above the instruction (suppressions.ts says why).
      const above: LinesAbove | null = isDockerfilePath(path) ? (n) => commentLinesAbove((k) => lines.line(k), n) : null;
      for (const { finding, info } of capFindings(raw, path, markers, lineDigests(raw, lines), ignorer, maxPerFile, notes, above)) keep(finding, info);
    }
  } finally {
    python?.close();
  }

  const enclosingIgnores = source.workingTree === true && options.treeRules !== false ? await source.enclosingIgnores?.() : null;
  const tree: TreeView = {
    paths: files,
    workingTree: source.workingTree === true,
    ...(enclosingIgnores ? { enclosingIgnores } : {}),
    async readText(path) {
      const cached = kept.get(path);
      if (cached !== undefined) return cached;
      const read = await source.read(path, maxBytes).catch(() => null);
      if (!read || !('bytes' in read)) return null;
      const decoded = decode(read.bytes, false);
      return decoded.kind === 'binary' ? null : decoded.text;
    },
  };
  for (const rule of options.treeRules === false ? [] : FILE_RULES) {
    for (const r of await rule.check(tree)) keep(ignorer.apply(finalize({ ...r, info: rule.info }, r.file, null)), rule.info);
  }
  // A .gitignore over a limit: the paths it would decide counted as not ignored (so reported), and the result says why.
  const gitignoreLimit = await GitignoreChain.limitNote(tree);
  if (gitignoreLimit !== null) notes.push({ kind: 'incomplete', message: gitignoreLimit });

  for (const n of ignorer.notes()) notes.push(n);
  // A secret in a Jupyter checkpoint that the file it copies holds too is that file's finding.
  const folded = foldCheckpointCopies(findings, ignored, source.workingTree === true);
  return {
    findings: folded.findings.sort(compareCodeFindings),
    ignored: folded.ignored.sort(compareCodeFindings),
    skipped,
    notes,
    stats,
    fingerprintScope: options.fingerprintKey === undefined ? 'run' : 'installation',
    rules: [...rulesSeen.values()].sort((a, b) => compareCodeUnits(a.id, b.id)),
    partial: skipped.some((s) => s.partial) || notes.some(isPartialNote),
  };
}

/**
 * One file's findings, suppressions and ignores applied, at most `max` of those that count and
 * `max` of the ignored ones, worst first.
 *
 * Why the cap works this way: it exists to bound memory (a generated file can hold thousands of
 * findings), but the gate must stay honest about it. Ignored findings are set apart first, so a
 * flood of `# nosec` lines cannot push out the one finding that is not suppressed; the worst are
 * kept, so the gate (`--fail-on`) sees the worst severity a file has, whatever its order; and a file
 * whose counted findings were cut makes the result partial (a `truncated` note, a partial reason in
 * every output), because findings that are not listed cannot be reviewed, tracked or fixed, and a
 * result that omits them is not complete. Ignored findings that are cut only get a note: nothing
 * the gate needs is lost with them.
 */
function capFindings(raw: Raw[], path: string, markers: MarkerAt, digests: LineDigestAt, ignorer: ScanIgnorer, max: number, notes: ScanNote[], above: LinesAbove | null = null): { finding: CodeFinding; info: RuleInfo }[] {
  const counted: { finding: CodeFinding; info: RuleInfo }[] = [];
  const ignored: { finding: CodeFinding; info: RuleInfo }[] = [];
  for (const r of raw) {
    const finding = ignorer.apply(finalize(r, path, markers, above));
    (finding.ignoredBy ? ignored : counted).push({ finding, info: r.info });
  }
  const worstFirst = (a: { finding: CodeFinding }, b: { finding: CodeFinding }) => compareCodeFindings(a.finding, b.finding);
  if (counted.length > max) {
    counted.sort(worstFirst);
    const left = counted.splice(max);
    notes.push({
      kind: 'truncated',
      file: path,
      message: `${path}: ${counted.length + left.length} findings, over the limit of ${max} per file: the ${max} worst are listed, ${left.length === 1 ? '1 is' : `${left.length} are`} not (${severityCounts(left.map((l) => l.finding))})`,
    });
  }
  if (ignored.length > max) {
    ignored.sort(worstFirst);
    const left = ignored.splice(max).length;
    notes.push({ kind: 'ignored-truncated', file: path, message: `${path}: ${ignored.length + left} ignored findings, over the limit of ${max} per file: ${left === 1 ? '1 is' : `${left} are`} not listed among the ignored` });
  }
  // Only the findings kept are given their line's digest: a generated file's thousands cut above are not hashed.
  const kept = [...counted, ...ignored];
  for (const { finding, info } of kept) {
    const content = digests(finding.line, info);
    if (content !== null) finding.content = content;
  }
  return kept;
}

/**
 * The tree's settings file among `paths` (configFileOf: `.depwatch.yml` when it has both, as the
 * audit reads it), read, decoded and parsed as the audit reads it (decodeManifest: UTF-8 or UTF-16
 * with a byte order mark, at most 5 MB), and a note on the other settings file, which is not read
 * (unreadSettingsNotes). One that cannot be read is `unread`, a partial skip as the audit is partial
 * for it: none of its ignores and excludes applied, so the scan reports and reads more than the
 * user asked for, and must say so. The parser (YAML, zod) loads only for a tree that has one.
 */
export async function readTreeIgnores(
  source: ScanSource,
  files: readonly string[],
  maxBytes: number,
  notRegular: ReadonlyMap<string, 'symlink' | 'not-regular'> = new Map(),
): Promise<{ rules: IgnoreRule[]; excludes: ExcludeRule[]; notes: IgnoreNote[]; unread?: SkippedFile }> {
  const paths = notRegular.size === 0 ? files : [...files, ...notRegular.keys()];
  const settingsFile = configFileOf(paths);
  const unreadNotes = [...(await settingsFolderNotes(paths, source.isFolder?.bind(source))), ...misnamedSettingsNotes(paths), ...unreadSettingsNotes(paths)];
  if (settingsFile === null) return { rules: [], excludes: [], notes: unreadNotes };
  const notApplied = (reason: SkippedFile['reason'], why: string) => ({
    rules: [],
    excludes: [],
    notes: unreadNotes,
    unread: { path: settingsFile, reason, partial: true, message: `${settingsFile}: ${why}; none of its ignores and excludes were applied` },
  });
  // A link is not followed, wherever it leads (inside the tree too), as every file of the scan; a
  // pipe or a device is not read. Either way the settings it may hold were not applied: partial.
  const special = notRegular.get(settingsFile);
  if (special === 'symlink') return notApplied('symlink', 'symbolic link, not followed');
  if (special === 'not-regular') return notApplied('not-regular', 'not a regular file (device, socket or pipe), not read');
  // Read up to the settings files' own limit (MAX_SETTINGS_BYTES), which is far below the scan's.
  const limit = Math.min(maxBytes, MAX_SETTINGS_BYTES);
  const read = await source.read(settingsFile, limit).catch(() => null);
  if (read === null) return { rules: [], excludes: [], notes: unreadNotes }; // gone since it was listed
  if ('tooLarge' in read) return notApplied('too-large', settingsTooLarge(read.tooLarge) ?? `${formatBytes(read.tooLarge)}, over the ${formatBytes(limit)} limit; not read`);
  if ('unreadable' in read) return notApplied('unreadable', `could not be read (${read.unreadable})`);
  const errors: ExtractError[] = [];
  const text = decodeManifest(read.bytes, settingsFile, errors);
  if (text === null) {
    const why = errors[0]?.message ?? 'not read';
    return notApplied(why.startsWith('not valid UTF-8') ? 'not-utf8' : why.startsWith('file is') ? 'too-large' : 'unreadable', why);
  }
  const parsed = await parseSettings(text, settingsFile);
  return { rules: parsed.rules, excludes: parsed.excludes, notes: [...parsed.notes, ...unreadNotes] };
}

/** The suppression written at a 1-based line of the file being scanned, if any. */
type MarkerAt = (line: number) => Suppression | null;

/** Other lines whose marker covers what is reported on a line (a Dockerfile's comment lines above an instruction). */
type LinesAbove = (line: number) => number[];

/** A finding's `content` (CodeFinding.content): the digest of its line, or null when it gets none. */
type LineDigestAt = (line: number | null, rule: RuleInfo) => string | null;

/** Rules whose finding is about a credential written on the line (so the line is not hashed), besides the secret rules. */
const CREDENTIAL_RULES = new Set(['docker-secret-in-build']);

/**
 * The digest of a finding's own line: the first 16 hex digits of SHA-256 of the line with every
 * run of whitespace made one space and the ends trimmed, so re-indenting does not change it, and
 * lines added or removed above do not either. Each line is hashed once however many findings it
 * holds (one long line can hold thousands). None for a secret (its keyed fingerprint stands for
 * it) nor for any finding on a line a credential was found on: a plain hash of that line could be
 * tested against guesses of the credential (secrets/fingerprint.ts says why only keyed ones are given).
 */
function lineDigests(raw: readonly Raw[], lines: LineIndex): LineDigestAt {
  const credentialLines = new Set(raw.filter((r) => r.info.kind === 'secret' || CREDENTIAL_RULES.has(r.info.id)).map((r) => r.line));
  const digests = new Map<number, string>();
  return (line, rule) => {
    if (line === null || rule.kind === 'secret' || credentialLines.has(line)) return null;
    let digest = digests.get(line);
    if (digest === undefined) {
      const normalised = lines.line(line).replace(/\s+/g, ' ').trim();
      digests.set(line, (digest = hash('sha256', normalised, 'hex').slice(0, 16)));
    }
    return digest;
  };
}

/**
 * Fills in the rule's defaults and applies an inline suppression: one on the finding's own line,
 * or (Python) on the first or last line of the statement it is in, or (Dockerfile) on the comment
 * lines right above its instruction. A marker on an inner line of a
 * multi-line statement covers only what is reported on that line, so `# nosec` written for one
 * argument never hides another finding of the same call.
 */
function finalize(r: Raw, file: string, markers: MarkerAt | null, above: LinesAbove | null = null): CodeFinding {
  const finding: CodeFinding = {
    kind: r.info.kind,
    rule: r.info.id,
    severity: r.severity ?? r.info.severity,
    confidence: r.confidence ?? r.info.confidence,
    file,
    line: r.line,
    column: r.column,
    message: r.message,
    fix: r.fix,
    ...(r.secret ? { secret: r.secret } : {}),
  };
  if (r.inline !== undefined) {
    if (r.inline !== null) {
      const { marker: s, where } = r.inline;
      finding.ignoredBy = { id: s.ids ? s.ids.join(', ') : s.kind, reason: `${s.kind === 'nosec' ? '# nosec' : '# depwatch: ignore'} in ${where}`, until: null, source: 'inline' };
    }
  } else if (markers && r.line !== null) {
    const candidates = r.statement ? [r.line, r.statement.line, r.statement.endLine] : above ? [r.line, ...above(r.line)] : [r.line];
    for (const n of candidates) {
      const s = markers(n);
      if (s && suppresses(s, r.info)) {
        const marker = s.kind === 'nosec' ? '# nosec' : '# depwatch: ignore';
        finding.ignoredBy = { id: s.ids ? s.ids.join(', ') : s.kind, reason: `${marker} on line ${n}`, until: null, source: 'inline' };
        break;
      }
    }
  }
  return finding;
}

/** Worst first, then most certain, then by place. */
export function compareCodeFindings(a: CodeFinding, b: CodeFinding): number {
  return (
    SEVERITY_ORDER.indexOf(a.severity) - SEVERITY_ORDER.indexOf(b.severity) ||
    CONFIDENCE_ORDER.indexOf(a.confidence) - CONFIDENCE_ORDER.indexOf(b.confidence) ||
    compareCodeUnits(a.file, b.file) ||
    (a.line ?? 0) - (b.line ?? 0) ||
    (a.column ?? 0) - (b.column ?? 0) ||
    compareCodeUnits(a.rule, b.rule)
  );
}

/** A stray NUL or a few (at most 1 byte in 64), not the half of UTF-16 text or the many of a binary format. */
function fewNuls(head: Uint8Array): boolean {
  let nuls = 0;
  for (const b of head) if (b === 0) nuls++;
  return nuls <= Math.max(4, head.length >> 6);
}

/**
 * Whether the first bytes of a file too large to read whole say it is binary, as the whole file's
 * test in scanTree would: a NUL in them, and neither UTF-16/UTF-32 text by mark or shape nor
 * UTF-8 with a stray NUL or two (a head cut inside a character is still UTF-8 so far). Anything
 * that could be text is not binary here (fail closed: it stays too large, so partial).
 */
function binaryByItsHead(head: Uint8Array): boolean {
  if (!head.includes(0) || utf16ByMark(head) !== null || looksLikeText(head)) return false;
  if (!fewNuls(head)) return true;
  try {
    // Streaming: a character cut at the end of the head is not an error. A decoder per file, so no state is carried over.
    new TextDecoder('utf-8', { fatal: true }).decode(head, { stream: true });
    return false;
  } catch {
    return true;
  }
}

/** A lone CR: a line end to Python, YAML and editors (scanTree turns it into LF, the same length). */
const LONE_CR = /\r(?!\n)/g;

/** An action's metadata file by its name, wherever it is: a workflow may use one from any folder (`uses: ./tools/greet`). */
const ACTION_FILE = /(?:^|\/)action\.ya?ml$/i;

/**
 * A file's text as the runtime rules read it in the scan below (decoded as text, lone CRs as line
 * ends), or null when it is not text or not there: for reading the workflows before the files are
 * scanned one by one. What cannot be read here is said when the file itself is scanned.
 */
async function readForRules(source: ScanSource, path: string, maxBytes: number): Promise<string | null> {
  const read = await source.read(path, maxBytes).catch(() => null);
  if (!read || !('bytes' in read)) return null;
  const decoded = decode(read.bytes, false);
  if (decoded.kind !== 'text') return null;
  return decoded.text.includes('\r') ? decoded.text.replace(LONE_CR, '\n') : decoded.text;
}

/** How messages name places in parsed code: a `.py` file's own lines, or a notebook's cells (python/scan-notebook.ts). */
export interface CodePlaces {
  /** `path:line` of a 1-based line of the parsed text. */
  at(line: number): string;
  /** `line 3`, `lines 3–5` (in a notebook: `cell 2, lines 3–5`). */
  span(line: number, endLine: number): string;
  /** From a line to the end: `here to the end of the file` (in a notebook: `cell 2, line 3 to the end of the notebook`). */
  toEnd(line: number): string;
}

function pythonFilePlaces(path: string): CodePlaces {
  return { at: (line) => `${path}:${line}`, span: (line, endLine) => (endLine > line ? `lines ${line}–${endLine}` : `line ${line}`), toEnd: () => 'here to the end of the file' };
}

/**
 * What one parse of Python says beside its findings: the file skipped when its parse or its
 * rules ran out of time or a stretch was too wide to query (partial), notes on what could not be
 * parsed and on rules that failed, and whether the rules ran on it all (`checked`: it counts
 * among the Python files).
 */
function pythonOutcomeReports(path: string, outcome: PythonScanOutcome, codeLength: number, places: CodePlaces, limits: { parseTimeoutMs: number; ruleTimeoutMs: number }): { skipped: SkippedFile | null; notes: ScanNote[]; checked: boolean } {
  const notes: ScanNote[] = [];
  if (outcome.timedOut) {
    const message = `${path}: parsing took longer than ${Math.round(outcome.parseBudgetMs ?? limits.parseTimeoutMs)} ms (its time limit for ${codeLength.toLocaleString('en')} characters); code rules not run (secrets were checked)`;
    return { skipped: { path, reason: 'parse-timeout', partial: true, message }, notes, checked: false };
  }
  let skipped: SkippedFile | null = null;
  if (outcome.tooWide !== null) {
    const { line, endLine, children, limit } = outcome.tooWide;
    skipped = {
      path,
      reason: 'wide-syntax-error',
      partial: true,
      message: `${places.at(line)}: could not parse ${places.span(line, endLine)} (one stretch of ${children.toLocaleString('en')} pieces, more than the ${limit.toLocaleString('en')} the syntax tree search takes on in linear time); code rules not run (secrets were checked)`,
    };
  } else if (outcome.rulesTimedOut === 'query') {
    skipped = { path, reason: 'rule-timeout', partial: true, message: `${path}: finding the code the rules check (the syntax tree query) took longer than ${limits.ruleTimeoutMs} ms and was stopped; code rules not run (secrets were checked)` };
  } else if (outcome.rulesTimedOut) {
    skipped = { path, reason: 'rule-timeout', partial: true, message: `${path}: the code rules took longer than ${limits.ruleTimeoutMs} ms and were stopped; findings after that point were not looked for (secrets were checked)` };
  }
  const unparsed = outcome.unparsed;
  if (unparsed?.template) {
    // As a Helm template in YAML: not code Python runs until it is rendered, so not partial.
    notes.push({ kind: 'syntax', message: `${places.at(unparsed.line)}: looks like a Jinja template; code rules ran on the parts that parse` });
  } else if (unparsed !== null) {
    notes.push({ kind: 'incomplete', file: path, message: unparsedMessage(unparsed, places) });
  } else if (outcome.syntaxErrors > 0) {
    notes.push({ kind: 'syntax', message: `${path}: ${outcome.syntaxErrors} syntax error${outcome.syntaxErrors > 1 ? 's' : ''} (a missing token the parser put in); rules ran on the whole file` });
  }
  for (const e of outcome.ruleErrors) notes.push({ kind: 'error', message: `${path}: rule ${boundMessage(e)}` });
  return { skipped, notes, checked: skipped === null };
}

/** Why a file that is Python (or runtime configuration) and was not decoded as its program reads it is not checked by code rules. */
function notDecodedMessage(path: string, decoded: Extract<Decoded, { kind: 'not-utf8' }>): string {
  const declared = decoded.declared === undefined ? null : decoded.declared.length > 40 ? `${decoded.declared.slice(0, 40)}…` : decoded.declared;
  if (declared === null) return `${path}: not UTF-8 (and no PEP 263 encoding declared); code rules not run (secrets were checked)`;
  if (decoded.unsupported) return `${path}: declares the source encoding ${declared} (PEP 263), which the scanner does not decode; code rules not run (secrets were checked in the bytes as written)`;
  return `${path}: declares the source encoding ${declared} (PEP 263) but is not valid ${declared}; code rules not run (secrets were checked)`;
}

/** The part of a Python file the parser could not read, as a partial reason. */
function unparsedMessage(u: Unparsed, places: CodePlaces): string {
  const more = u.others > 0 ? ` (and ${u.others} more place${u.others > 1 ? 's' : ''} after it)` : '';
  if (u.toEnd) return `${places.at(u.line)}: could not parse from ${places.toEnd(u.line)}; code rules may have missed code there`;
  return `${places.at(u.line)}: could not parse ${places.span(u.line, u.endLine)}${more}; code rules may have missed code there`;
}

/** How many folders skipped by name a note names; the rest are counted. */
const NAMED_SKIPPED_FOLDERS = 5;

/**
 * What the scan passed over by folder name (`node_modules`, `venv`, `__pycache__`…, src/python/discover.ts):
 * documented, so not partial, but never hidden, as `exclude:` entries are not: a credential kept in
 * `venv/bin/postactivate` or `node_modules/x/.npmrc` was not looked for, and the report says where.
 */
function skippedByNameNote(skipped: FoldersSkippedByName): string {
  const { folders } = skipped;
  const named = folders.slice(0, NAMED_SKIPPED_FOLDERS).map((f) => `${f}/`).join(', ');
  const more = folders.length > NAMED_SKIPPED_FOLDERS ? ` and ${folders.length - NAMED_SKIPPED_FOLDERS} more` : '';
  const count = `${folders.length} folder${folders.length === 1 ? '' : 's'}`;
  const what =
    skipped.files !== undefined
      ? `${skipped.files} committed file${skipped.files === 1 ? '' : 's'} in ${count} every scan skips by name (dependencies, virtual environments, caches) ${skipped.files === 1 ? 'was' : 'were'} not scanned, not even for secrets`
      : `${count} every scan skips by name (dependencies, virtual environments, caches) ${folders.length === 1 ? 'was' : 'were'} not scanned, not even for secrets`;
  return `${what}: ${named}${more}`;
}

/** A size as the scan's messages give it (`1.5 MB`, `12 KB`). */
export function formatBytes(n: number): string {
  return n >= 1024 * 1024 ? `${(n / 1024 / 1024).toFixed(1)} MB` : `${Math.ceil(n / 1024)} KB`;
}
