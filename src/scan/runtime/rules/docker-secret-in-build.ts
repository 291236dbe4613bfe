/** Credentials passed through ENV or ARG: both end up readable in the image or its history. */
import type { DockerfileRule } from '../rule.js';
import { keyValues } from '../dockerfile.js';

const SECRET_NAME = /(?:^|_)(?:pass(?:word|wd)?|pwd|secret|token|api_?key|access_?key|private_?key|credentials?|auth)(?:$|_)/i;
const NOT_SECRET = /_(?:FILE|PATH|DIR|URL|URI|NAME|ID|HOST|PORT|USER|USERNAME|TYPE)$/i;

export const rule: DockerfileRule = {
  info: {
    id: 'docker-secret-in-build',
    kind: 'runtime',
    severity: 'high',
    confidence: 'medium',
    title: 'Secret passed through ENV or ARG',
    help: 'ENV values are stored in the image for anyone who pulls it, and ARG values in its build history (docker history). Pass build-time secrets with RUN --mount=type=secret and run-time secrets from the orchestrator\'s secret store, never through ENV or ARG.',
  },
  check(df, report) {
    const all = [...df.preamble, ...df.stages.flatMap((s) => s.instructions)];
    for (const ins of all) {
      if (ins.keyword !== 'ENV' && ins.keyword !== 'ARG') continue;
      for (const { key, value } of keyValues(ins.keyword, ins.args.slice(0, 10_000))) {
        if (!SECRET_NAME.test(key) || NOT_SECRET.test(key)) continue;
        const hasValue = value !== null && value !== '' && !value.startsWith('$');
        if (ins.keyword === 'ENV' && !hasValue) continue; // ENV TOKEN=$TOKEN: the ARG is reported where it is declared
        report({
          line: ins.line,
          column: ins.column,
          severity: ins.keyword === 'ENV' || hasValue ? 'high' : 'medium',
          confidence: hasValue ? 'high' : 'medium',
          // The value itself is never shown.
          message:
            ins.keyword === 'ENV'
              ? `ENV ${key} sets a credential in the image: anyone who can pull it reads the value (docker inspect).`
              : `ARG ${key} passes a credential as a build argument: its value is kept in the image history (docker history)${hasValue ? ', and a default value is written here' : ''}.`,
          fix: `Use RUN --mount=type=secret,id=${key.toLowerCase()} … for build-time secrets, and inject run-time secrets from the orchestrator (Docker/Kubernetes secrets); remove ${key} from ${ins.keyword}.`,
        });
      }
    }
  },
};
