/** Small helpers for the benchmarks: timing, child processes, temp dirs, peak RSS. */
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export const tempDir = (prefix: string) => mkdtempSync(join(tmpdir(), `depwatch-bench-${prefix}-`));

export async function timed<T>(fn: () => Promise<T>): Promise<{ ms: number; value: T }> {
  const start = performance.now();
  const value = await fn();
  return { ms: performance.now() - start, value };
}

/**
 * CPU time (user + system, ms) of every child this process has waited for, from /proc/self/stat
 * (cutime + cstime, in the kernel's fixed 100 Hz clock ticks); null where there is no /proc.
 * Unlike wall time it does not grow when other work loads the machine.
 */
function childrenCpuMs(): number | null {
  try {
    const stat = readFileSync('/proc/self/stat', 'utf8');
    // Fields after the command name (which may contain spaces): state is field 3, cutime 16, cstime 17.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[13]) + Number(fields[14])) * 10;
  } catch {
    return null;
  }
}

export interface RunResult {
  ms: number;
  /** User + system CPU of the command (10 ms resolution); null when the platform cannot say. */
  cpuMs: number | null;
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs a command to completion; resolves with wall and CPU time, exit code and output. Run one at a time: CPU is measured for all children. */
export function run(cmd: string, args: string[], env: NodeJS.ProcessEnv = {}, cwd?: string): Promise<RunResult> {
  return new Promise((resolve, reject) => {
    const cpuBefore = childrenCpuMs();
    const start = performance.now();
    const child = spawn(cmd, args, { env: { ...process.env, ...env }, cwd, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    child.on('error', reject);
    child.on('close', (code) => {
      const ms = performance.now() - start;
      const cpuAfter = childrenCpuMs();
      resolve({ ms, cpuMs: cpuBefore === null || cpuAfter === null ? null : cpuAfter - cpuBefore, code, stdout, stderr });
    });
  });
}

export const fmtMs = (ms: number | null) => (ms === null ? 'n/a' : `${ms.toFixed(0)} ms`);

export function report(name: string, figures: Record<string, string | number>, target?: string): void {
  const parts = Object.entries(figures).map(([k, v]) => `${k}=${v}`);
  process.stdout.write(`${name.padEnd(48)} ${parts.join('  ')}${target ? `   (target: ${target})` : ''}\n`);
}
