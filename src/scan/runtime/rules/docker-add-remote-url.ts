/** ADD of a remote URL: fetched at build time, unverified. */
import type { DockerfileRule } from '../rule.js';

export const rule: DockerfileRule = {
  info: {
    id: 'docker-add-remote-url',
    kind: 'runtime',
    severity: 'medium',
    confidence: 'high',
    title: 'ADD downloads a remote URL',
    help: 'ADD <url> fetches whatever the server returns at build time, without checking it: a compromised or changed file goes straight into the image. Download with curl and verify a checksum (sha256sum -c), or use ADD --checksum=sha256:….',
  },
  check(df, report) {
    for (const stage of df.stages) {
      for (const ins of stage.instructions) {
        if (ins.keyword !== 'ADD') continue;
        const words = ins.args.split(/\s+/);
        if (words.some((w) => w.startsWith('--checksum='))) continue;
        const remote = words.find((w) => /^(?:https?|ftp):\/\//i.test(w) || /^git@|\.git(?:#.*)?$/.test(w));
        if (!remote) continue;
        report({
          line: ins.line,
          column: ins.column,
          message: `ADD fetches a remote ${/^(?:https?|ftp):/i.test(remote) ? 'URL' : 'repository'} at build time without checking what it gets; a changed or compromised file goes into the image unnoticed.`,
          fix: 'Use ADD --checksum=sha256:<digest> <url>, or RUN curl -fsSLo file <url> && echo "<sha256>  file" | sha256sum -c -.',
        });
      }
    }
  },
};
