/**
 * `depwatch scan --history` over a generated repository of 5,000 commits (git fast-import, no
 * working copy writes per commit): each commit changes 3 of 400 Python files (40 lines added, about
 * a tenth removed), a token is added every 97th commit and some are deleted later. Measured as a user
 * runs it (a fresh process, git included in the CPU time), beside the working-tree scan alone of the
 * same checkout, so the history's own cost is the difference. Runs alternate, medians of three.
 */
import { spawn, execFileSync } from 'node:child_process';
import { fmtMs, report, run, tempDir, type RunResult } from './util.js';

const COMMITS = 5000;

/** A deterministic fast-import stream (a fixed seed): the same repository on every run. */
function fastImportStream(commits: number): Buffer {
  let seed = 42;
  const random = () => (seed = (seed * 1103515245 + 12345) & 0x7fffffff) / 0x7fffffff;
  const word = () => Math.floor(random() * 1e9).toString(36);
  const token = (i: number) => 'ghp_' + `${i.toString(36)}Qx7Lm2Np9Rt4Vw8Yz3Bc6Df1Gh5Jk0`.slice(0, 36).padEnd(36, 'A');
  const files = new Map<string, string[]>();
  const out: Buffer[] = [];
  const text = (s: string) => out.push(Buffer.from(s));
  const data = (s: string) => {
    const b = Buffer.from(s);
    text(`data ${b.length}\n`);
    out.push(b, Buffer.from('\n'));
  };
  for (let i = 1; i <= commits; i++) {
    const when = 1600000000 + i * 60;
    text(`commit refs/heads/main\nmark :${i}\nauthor A <a@example.com> ${when} +0000\ncommitter A <a@example.com> ${when} +0000\n`);
    data(`change ${i}`);
    if (i > 1) text(`from :${i - 1}\n`);
    for (let k = 0; k < 3; k++) {
      const name = `pkg${Math.floor(random() * 20)}/mod${Math.floor(random() * 400)}.py`;
      let lines = (files.get(name) ?? []).filter(() => random() > 0.1);
      for (let j = 0; j < 40; j++) lines.splice(Math.floor(random() * (lines.length + 1)), 0, `value_${word()} = compute("${word()}", ${j})  # ${word()} ${word()}`);
      if (k === 0 && i % 97 === 0) lines.push(`API_TOKEN = "${token(i)}"`);
      if (k === 0 && i % 97 === 5) lines = lines.filter((l) => !l.startsWith('API_TOKEN'));
      files.set(name, lines);
      text(`M 100644 inline ${name}\n`);
      data(lines.join('\n') + '\n');
    }
  }
  return Buffer.concat(out);
}

const GIT_ENV = { GIT_CONFIG_NOSYSTEM: '1', GIT_CONFIG_GLOBAL: '/dev/null' };

async function makeRepo(root: string): Promise<void> {
  const git = (...args: string[]) => execFileSync('git', args, { cwd: root, env: { ...process.env, ...GIT_ENV }, stdio: ['ignore', 'pipe', 'pipe'] });
  git('init', '-q', '-b', 'main');
  await new Promise<void>((resolve, reject) => {
    const child = spawn('git', ['fast-import', '--quiet'], { cwd: root, env: { ...process.env, ...GIT_ENV }, stdio: ['pipe', 'ignore', 'inherit'] });
    child.on('error', reject);
    child.on('close', (code) => (code === 0 ? resolve() : reject(new Error(`git fast-import: exit ${code}`))));
    child.stdin.end(fastImportStream(COMMITS));
  });
  git('checkout', '-q', 'main');
}

export async function benchScanHistory(): Promise<void> {
  const root = tempDir('scan-history');
  await makeRepo(root);
  const tree: RunResult[] = [];
  const history: RunResult[] = [];
  let summary: { commits: number; added_bytes: number } = { commits: 0, added_bytes: 0 };
  let secrets = 0;
  for (let i = 0; i < 3; i++) {
    const t = await run(process.execPath, ['dist/cli.js', 'scan', '--json', '--fail-on', 'never', root], GIT_ENV);
    const h = await run(process.execPath, ['dist/cli.js', 'scan', '--history', '--json', '--fail-on', 'never', root], GIT_ENV);
    if (t.code !== 0 || h.code !== 0) throw new Error(`scan failed (exit ${t.code}, ${h.code}): ${(t.stderr + h.stderr).slice(0, 500)}`);
    tree.push(t);
    history.push(h);
    const json = JSON.parse(h.stdout) as { history: typeof summary; findings: { commit?: unknown }[] };
    summary = json.history;
    secrets = json.findings.filter((f) => f.commit !== undefined).length;
  }
  const median = (xs: (number | null)[]) => (xs.some((x) => x === null) ? null : (xs as number[]).slice().sort((a, b) => a - b)[1]!);
  report(
    `scan --history: ${COMMITS.toLocaleString('en')} commits`,
    {
      commits: summary.commits,
      'MB added': (summary.added_bytes / 1024 / 1024).toFixed(1),
      secrets,
      'wall median': fmtMs(median(history.map((r) => r.ms))),
      'cpu median': fmtMs(median(history.map((r) => r.cpuMs))),
      'tree scan alone wall': fmtMs(median(tree.map((r) => r.ms))),
      'tree scan alone cpu': fmtMs(median(tree.map((r) => r.cpuMs))),
    },
  );
}
