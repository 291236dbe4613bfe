/**
 * The JSON report of 100,000 findings (about 125 MB), written by the CLI's writer from compiled
 * code into a pipe that is read as fast as it fills: the writing's wall and CPU time, and the peak
 * RSS of the writing process beside what it held before writing (the findings themselves). Issue
 * 12 bounds a CLI audit's peak at 300 MB, so the report must never be held whole.
 */
import { spawn } from 'node:child_process';
import { fmtMs, report } from './util.js';

interface Figures {
  wallMs: number;
  cpuMs: number;
  rssBeforeMb: number;
  peakRssMb: number;
}

function writeReport(count: number): Promise<Figures & { bytes: number }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['bench/report-writer.mjs', String(count)], { stdio: ['ignore', 'pipe', 'pipe'] });
    let bytes = 0;
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (bytes += d.length));
    child.stderr.on('data', (d: Buffer) => (stderr += d));
    child.on('error', reject);
    child.on('close', (code) => {
      if (code !== 0) return reject(new Error(`report writer failed (exit ${code}): ${stderr.slice(0, 500)}`));
      resolve({ ...(JSON.parse(stderr.trim().split('\n').at(-1)!) as Figures), bytes });
    });
  });
}

export async function benchReport(): Promise<void> {
  const runs: (Figures & { bytes: number })[] = [];
  for (let i = 0; i < 3; i++) runs.push(await writeReport(100_000));
  const median = (xs: number[]) => xs.slice().sort((a, b) => a - b)[1]!;
  report(
    'report: JSON of 100,000 findings into a pipe',
    {
      MB: (runs[0]!.bytes / 2 ** 20).toFixed(0),
      'write wall median': fmtMs(median(runs.map((r) => r.wallMs))),
      'write cpu median': fmtMs(median(runs.map((r) => r.cpuMs))),
      'RSS before writing': `${median(runs.map((r) => r.rssBeforeMb))} MB`,
      'peak RSS': `${Math.max(...runs.map((r) => r.peakRssMb))} MB`,
    },
    'peak RSS under 300 MB (the findings alone hold ~170 MB)',
  );
}
