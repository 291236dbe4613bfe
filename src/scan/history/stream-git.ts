/**
 * One git command whose output is read as it streams (`git log -p`, `git cat-file --batch`): run
 * without a shell, stopped (SIGKILL) at its time limit or when the reader of its output throws, its
 * complaint kept up to a bound. Shared by the history's log and its blob reader, which differ only
 * in what they do with the bytes.
 */
import { spawn } from 'node:child_process';

const MAX_STDERR = 4096;

export interface StreamedGit {
  code: number | null;
  /** The first MAX_STDERR characters git wrote to stderr, or a little more. */
  stderr: string;
  /** The time limit was reached and git was stopped: what came after was not read. */
  timedOut: boolean;
  /** git could not be started (ENOENT and the like). */
  spawnError?: string;
  /** `onStdout` threw (never expected): git was stopped, the rest not read. */
  processError?: string;
}

export function streamGit(
  args: readonly string[],
  options: { dir: string; env: Record<string, string>; timeLimitMs: number; input?: string; onStdout: (chunk: Buffer) => void },
): Promise<StreamedGit> {
  return new Promise((resolve) => {
    const child = spawn('git', args, { cwd: options.dir, env: options.env, stdio: [options.input === undefined ? 'ignore' : 'pipe', 'pipe', 'pipe'], shell: false });
    let stderr = '';
    let timedOut = false;
    let processError: string | undefined;
    const timer = setTimeout(() => {
      timedOut = true;
      child.kill('SIGKILL');
    }, Math.max(0, options.timeLimitMs));
    child.stdout!.on('data', (chunk: Buffer) => {
      if (timedOut || processError !== undefined) return;
      try {
        options.onStdout(chunk);
      } catch (e) {
        processError = e instanceof Error ? e.message : String(e);
        child.kill('SIGKILL');
      }
    });
    child.stderr!.on('data', (d: Buffer) => void (stderr.length < MAX_STDERR && (stderr += d.toString('utf8'))));
    child.on('error', (e: NodeJS.ErrnoException) => {
      clearTimeout(timer);
      resolve({ code: null, stderr, timedOut, spawnError: e.code ?? e.message });
    });
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stderr, timedOut, ...(processError !== undefined ? { processError } : {}) });
    });
    if (options.input !== undefined) {
      child.stdin!.on('error', () => undefined); // git gone early: said by its exit
      child.stdin!.end(options.input);
    }
  });
}
