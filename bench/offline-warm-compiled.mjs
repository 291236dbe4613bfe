/**
 * The offline audit of the bench tree, run again and again in one process, from compiled code with
 * plain `node`: the checkout at argv[2] (its dist/), the mirror at argv[3], the tree at argv[4].
 * What a long-running process (the bot, a second audit in one run) pays per audit once its code is
 * loaded and optimised, beside the cold figure a one-shot CLI pays (bench/speed.ts). The report's
 * bytes are counted, not written, so the figure is the audit's own work and the JSON it makes.
 * Prints one JSON line: wall and CPU time of each run, and the bytes of each report.
 */
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';

const [root, mirrorDb, tree, runsArg] = process.argv.slice(2);
const runs = Number(runsArg ?? 8);
const { runCli } = await import(pathToFileURL(join(root, 'dist', 'cli.js')).href);

const cpuMs = () => {
  const { user, system } = process.cpuUsage();
  return (user + system) / 1000;
};
const args = ['audit', '--offline', '--json', '--fail-on', 'never', '--db', mirrorDb, tree];
const measured = [];
for (let i = 0; i < runs; i++) {
  let bytes = 0;
  const io = {
    stdout: (text) => {
      bytes += Buffer.byteLength(text);
    },
    stdoutBytes: async (chunk) => {
      bytes += chunk.length;
    },
    stderr: (text) => process.stderr.write(text),
    isTTY: false,
    stdoutIsTTY: false,
    cwd: process.cwd(),
    env: process.env,
  };
  const wall = performance.now();
  const cpu = cpuMs();
  const code = await runCli(args, io);
  if (code !== 0) throw new Error(`the audit exited ${code}`);
  measured.push({ ms: performance.now() - wall, cpuMs: cpuMs() - cpu, bytes });
}
process.stdout.write(`${JSON.stringify(measured)}\n`);
