/**
 * RUN downloads a script and runs it in the same breath (`curl … | sh`, `wget -O- | bash`,
 * `curl … | python3 -`, `bash <(curl …)`, `sh -c "$(curl …)"`): whatever the server (or anyone
 * between it and the build) returns that day runs as root in the image, unchecked, and the build
 * cannot be reproduced. A separate rule because nothing else looks at what RUN runs; hadolint and
 * trivy leave it out too, but installers for Python tools (Poetry, uv, pip's get-pip.py) are
 * commonly fetched this way.
 *
 * Linear: the command is split once at its pipes, and each part is looked at a bounded number of times.
 */
import type { DockerfileRule } from '../rule.js';

const DOWNLOADER = /(?:^|[\s;&(/])(?:curl|wget)(?=\s|$)/;
/** What runs what it reads: a shell or an interpreter, maybe after sudo or env settings. */
const RUNNER = /^(?:sudo\s+(?:-\S+\s+){0,4})?(?:env\s+)?(?:[A-Za-z_][A-Za-z0-9_]*=\S*\s+){0,4}(?:\/(?:usr\/)?(?:local\/)?bin\/)?(?:sh|bash|zsh|dash|ash|ksh|python[0-9.]*|perl|ruby|node)(?:\s|$)/;
/** `bash <(curl …)`, `sh -c "$(curl …)"`, `python3 -c "$(wget -qO- …)"`: a download run without a pipe. */
const SUBSTITUTED = /(?:sh|bash|zsh|python[0-9.]*)\s+(?:-c\s+)?["']?(?:<\(|\$\()\s*(?:curl|wget)(?=\s)/;

export const rule: DockerfileRule = {
  info: {
    id: 'docker-pipe-to-shell',
    kind: 'runtime',
    severity: 'medium',
    confidence: 'high',
    title: 'RUN pipes a download into a shell',
    help: 'curl … | sh runs whatever the server returns at build time, as root, without any check: a compromised or changed script goes straight into the image, and the build cannot be reproduced. Download to a file, verify its checksum (sha256sum -c) or signature, then run it; or install from a package manager with pinned versions.',
  },
  check(df, report) {
    for (const stage of df.stages) {
      for (const ins of stage.instructions) {
        if (ins.keyword !== 'RUN') continue;
        const command = ins.args.slice(0, 20_000);
        if (!/curl|wget/.test(command)) continue;
        if (!pipesDownloadIntoRunner(command) && !SUBSTITUTED.test(command)) continue;
        report({
          line: ins.line,
          column: ins.column,
          message: 'RUN downloads a script and runs it straight away (curl/wget piped into a shell or interpreter): whatever the server returns at build time runs in the image unchecked.',
          fix: 'Download to a file (curl -fsSLo install.sh <url>), check it (echo "<sha256>  install.sh" | sha256sum -c -), then run it; or pin the tool with the package manager (pip install poetry==<version>).',
        });
      }
    }
  },
};

/** Whether one part of a pipeline downloads (curl, wget) and the next runs what it reads. `||` is not a pipe. */
function pipesDownloadIntoRunner(command: string): boolean {
  const parts: string[] = [];
  let start = 0;
  for (let k = 0; k < command.length; k++) {
    if (command[k] !== '|') continue;
    if (command[k + 1] === '|') {
      k++;
      continue;
    }
    parts.push(command.slice(start, k));
    start = k + 1;
  }
  parts.push(command.slice(start));
  for (let k = 0; k + 1 < parts.length; k++) {
    // The download is the last command of its part (`cd /tmp && curl …`); the runner the first of the next.
    const before = parts[k]!.split(/&&|;/).pop()!;
    if (DOWNLOADER.test(before) && RUNNER.test(parts[k + 1]!.trimStart())) return true;
  }
  return false;
}
