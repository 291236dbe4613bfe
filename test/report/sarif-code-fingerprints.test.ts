/**
 * GitHub code scanning keeps an alert (and its dismissal) as long as its `partialFingerprints` stay
 * the same: a code result's must not change when lines are added above it, must not be shared by
 * two findings (GitHub would merge them into one alert), and must not hold a secret or a hash of one
 * that could be tested against guesses.
 */
import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import type { AuditResult } from '../../src/audit/audit.js';
import { renderSarif } from '../../src/report/sarif.js';
import type { ScanResult } from '../../src/scan/types.js';
import { scanFiles } from '../scan/helpers.js';

const auditOf = (code: ScanResult): AuditResult =>
  ({ target: 'app', dependencies: 0, findings: [], ignored: [], notes: [], errors: [], warnings: [], notices: [], partial: false, partialReasons: [], advisorySource: 'mirror', code }) as AuditResult;

/** `rule@line fingerprint` of each code result of the SARIF of a scan of these files. */
async function fingerprintsOf(files: Record<string, string>): Promise<string[]> {
  const run = JSON.parse(renderSarif(auditOf(await scanFiles({ '.gitignore': '.env\n*.env\n', ...files })), {})).runs[0];
  return run.results.map((r: { ruleId: string; locations: { physicalLocation: { region?: { startLine: number } } }[]; partialFingerprints: { depwatchCode: string } }) => `${r.ruleId}@${r.locations[0]!.physicalLocation.region?.startLine} ${r.partialFingerprints.depwatchCode}`);
}

const withoutLines = (entries: string[]) => entries.map((e) => e.replace(/@\d+ /, ' ')).sort();

const APP = 'import subprocess, pickle, yaml\n\ndef run(cmd):\n    subprocess.call(cmd, shell=True)\n\ndef load(b):\n    return pickle.loads(b)\n';

describe('code result fingerprints', () => {
  it('stay the same when a line is added above the findings (the line number is not in them)', async () => {
    const before = await fingerprintsOf({ 'app.py': APP });
    const after = await fingerprintsOf({ 'app.py': `# a new comment line\n${APP}` });
    expect(before.length).toBeGreaterThanOrEqual(2);
    // The findings moved down one line each…
    expect(after.map((e) => e.split(' ')[0])).toEqual(before.map((e) => e.replace(/@(\d+)/, (_, n) => `@${Number(n) + 1}`).split(' ')[0]));
    // …and kept their fingerprints.
    expect(withoutLines(after)).toEqual(withoutLines(before));
    for (const entry of before) expect(entry).toMatch(/ (py-[a-z-]+)\|app\.py\|[0-9a-f]{16}$/);
  });

  it('are made of the rule, the path and a digest of the whitespace-normalised line, so re-indenting keeps them', async () => {
    const [entry] = await fingerprintsOf({ 'svc/run.py': 'import subprocess\nsubprocess.call(cmd,   shell=True)\n' });
    const digest = createHash('sha256').update('subprocess.call(cmd, shell=True)').digest('hex').slice(0, 16);
    expect(entry).toBe(`py-subprocess-shell@2 py-subprocess-shell|svc/run.py|${digest}`);
    const [indented] = await fingerprintsOf({ 'svc/run.py': 'import subprocess\nif True:\n\tsubprocess.call(cmd, shell=True)\n' });
    expect(indented).toBe(`py-subprocess-shell@3 py-subprocess-shell|svc/run.py|${digest}`);
  });

  it('tell two findings on one line apart (|2), and the same line written twice in a file, by their order', async () => {
    const entries = await fingerprintsOf({
      'app.py': 'import subprocess\ndef f(a, b):\n    subprocess.call(a, shell=True); subprocess.call(b, shell=True)\n    subprocess.call(a, shell=True)\n\n    subprocess.call(a, shell=True)\n',
    });
    const shell = entries.filter((e) => e.startsWith('py-subprocess-shell')).sort();
    expect(shell).toHaveLength(4);
    const fingerprints = shell.map((e) => e.split(' ')[1]);
    expect(new Set(fingerprints).size).toBe(4);
    const [line3a, line3b] = fingerprints.filter((_, i) => shell[i]!.includes('@3 '));
    expect(line3b).toBe(`${line3a}|2`);
    const [line4, line6] = [shell.find((e) => e.includes('@4 '))!.split(' ')[1], shell.find((e) => e.includes('@6 '))!.split(' ')[1]];
    expect(line6).toBe(`${line4}|2`);
  });

  it('give a secret its keyed fingerprint (never its value or a plain hash of its line), and two secrets on one line two alerts', async () => {
    const line = 'K = ["ghp_JTeKdNnFRIBXuDL7DxtpYlSXpfKtHF4vUCsM", "ghp_ZZeKdNnFRIBXuDL7DxtpYlSXpfKtHF4vUCsQ"]';
    const entries = await fingerprintsOf({ 'app.py': `import os\n${line}\nos.system(K[0]); os.system(K[0])\n` });
    const secrets = entries.filter((e) => e.startsWith('secret-'));
    expect(secrets).toHaveLength(2);
    expect(new Set(secrets.map((e) => e.split(' ')[1])).size).toBe(2);
    const plainHashes = [line, line.replace(/\s+/g, ' ').trim(), 'ghp_JTeKdNnFRIBXuDL7DxtpYlSXpfKtHF4vUCsM'].map((t) => createHash('sha256').update(t).digest('hex').slice(0, 16));
    for (const entry of entries) {
      expect(entry).not.toContain('ghp_');
      for (const h of plainHashes) expect(entry).not.toContain(h);
    }
    // The same secret written twice in a file is two alerts too.
    const twice = (await fingerprintsOf({ 'deploy.sh': 'export A=ghp_JTeKdNnFRIBXuDL7DxtpYlSXpfKtHF4vUCsM\nexport B=ghp_JTeKdNnFRIBXuDL7DxtpYlSXpfKtHF4vUCsM\n' })).filter((e) => e.startsWith('secret-'));
    expect(twice).toHaveLength(2);
    expect(twice[1]!.split(' ')[1]).toBe(`${twice[0]!.split(' ')[1]}|2`);
  });

  it('do not hash a line that holds a credential: a code finding there is told by its rule, path and order', async () => {
    const entries = await fingerprintsOf({ 'app.py': 'import requests\nrequests.get(u, verify=False, headers={"Authorization": "token ghp_JTeKdNnFRIBXuDL7DxtpYlSXpfKtHF4vUCsM"})\n' });
    const tls = entries.find((e) => e.startsWith('py-tls-verify-disabled'));
    expect(tls).toBe('py-tls-verify-disabled@2 py-tls-verify-disabled|app.py|');
  });
});
