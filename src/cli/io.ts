/** The command line's view of the world, injectable so tests run commands in-process. */
export interface CliIO {
  stdout: (text: string) => void;
  stderr: (text: string) => void;
  /** Whether stderr is a terminal (progress is shown only then). */
  isTTY: boolean;
  cwd: string;
  env: NodeJS.ProcessEnv;
}

export function processIO(): CliIO {
  return {
    stdout: (t) => process.stdout.write(t),
    stderr: (t) => process.stderr.write(t),
    isTTY: Boolean(process.stderr.isTTY),
    cwd: process.cwd(),
    env: process.env,
  };
}

/** A usage or runtime error: one clear line on stderr, exit status 2. */
export class CliError extends Error {
  override name = 'CliError';
}

export const EXIT = { ok: 0, findings: 1, error: 2 } as const;
