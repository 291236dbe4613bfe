/**
 * RUN downloads a script and runs it in the same breath (`curl … | sh`, `wget -O- | bash`,
 * `curl … | python3 -`, `bash <(curl …)`, `sh -c "$(curl …)"`): whatever the server (or anyone
 * between it and the build) returns that day runs as root in the image, unchecked, and the build
 * cannot be reproduced. A separate rule because nothing else looks at what RUN runs; hadolint and
 * trivy leave it out too, but installers for Python tools (Poetry, uv, pip's get-pip.py) are
 * commonly fetched this way.
 *
 * Read as the shell reads it, once: a comment (a word starting with `#`) ends the command line;
 * `;`, `&`, `&&`, `||`, `|` and `)` end a command; redirections (`2>&1`, `>/dev/null`, `<file`,
 * `&>log`) are not arguments. So `… | sh # why`, `… | bash;` and `… | sh 2>&1` run the download.
 *
 * Linear: comments are cut in one pass, the command is split once at its pipes, and each part is
 * read once or twice, from its start, by one left-to-right pass (commandWords).
 */
import { commandWords, RUNNER, runScripts, runsStdin } from '../run-scripts.js';
import type { DockerfileRule } from '../rule.js';

const DOWNLOADER = /(?:^|[\s;&(/])(?:curl|wget)(?=\s|$)/;
/** `tee f` copies what it reads on to the next command: `curl … | tee install.sh | sh` still runs the download. */
const PASS_THROUGH = /^tee(?=[\s;&|()<>]|$)/;
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
        const downloadsIntoRunner = runScripts(ins, MAX_SCRIPT).some((text) => {
          const command = text.slice(0, MAX_SCRIPT);
          return /curl|wget/.test(command) && (pipesDownloadIntoRunner(command) || SUBSTITUTED.test(command));
        });
        if (!downloadsIntoRunner) continue;
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

/** The most of one script that is read (a RUN's text, a `-c` script, a here-document): bounded for a hostile Dockerfile. */
const MAX_SCRIPT = 20_000;

/**
 * Whether one part of a pipeline downloads (curl, wget) and a later one runs what it reads, through
 * any `tee` between them. `||` is not a pipe.
 */
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
  // Whether the download reaches the start of the current part. Each part is looked at once or twice.
  let downloaded = false;
  for (const part of parts) {
    const first = part.trimStart();
    if (downloaded) {
      const runner = RUNNER.exec(first);
      if (runner && runsStdin(runner[1]!, first.slice(runner[0].length))) return true;
    }
    // The download is the last command of its part (`cd /tmp && curl …`); `tee f` alone passes it on.
    downloaded = DOWNLOADER.test(part.split(/&&|;/).pop()!) || (downloaded && PASS_THROUGH.test(first) && commandWords(first.slice(3)).wholePart);
  }
  return false;
}

