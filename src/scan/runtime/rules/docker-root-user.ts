/** The final image runs as root: no USER in the last stage, or the last USER is root. */
import type { DockerfileRule } from '../rule.js';
import type { Dockerfile, Stage } from '../dockerfile.js';
import { isRootUser } from '../users.js';

/** The last USER that applies to a stage, following `FROM <earlier stage>` chains. */
function lastUser(df: Dockerfile, stage: Stage, depth = 0): { value: string; line: number; column: number } | null {
  const users = stage.instructions.filter((i) => i.keyword === 'USER');
  const last = users[users.length - 1];
  if (last) return { value: last.args.split(/\s+/)[0] ?? '', line: last.line, column: last.column };
  const parent = df.stages.find((s) => s.name !== null && s.name === stage.image.toLowerCase() && s !== stage);
  return parent && depth < 20 ? lastUser(df, parent, depth + 1) : null;
}

/** Images that set a non-root user themselves: a `nonroot` tag or name part, distroless's `:nonroot` variants. */
function setsNonRootUser(image: string): boolean {
  if (/(?:^|[:@-])nonroot\b/.test(image)) return true;
  // A string search, not /distroless.*:nonroot/: that pattern ran `.*` to the end of the name and
  // back again from every "distroless" in it, quadratic in a name that repeats the word.
  const distroless = image.indexOf('distroless');
  return distroless !== -1 && image.includes(':nonroot', distroless + 'distroless'.length);
}

export const rule: DockerfileRule = {
  info: {
    id: 'docker-root-user',
    kind: 'runtime',
    severity: 'medium',
    confidence: 'medium',
    title: 'Container runs as root',
    help: 'A process running as root inside a container is one kernel or runtime bug away from root on the host, and can rewrite everything in its image. Create an unprivileged user and switch to it with USER at the end of the final stage.',
  },
  check(df, report) {
    const final = df.stages[df.stages.length - 1];
    if (!final || final.image === 'scratch') return;
    if (setsNonRootUser(final.image)) return;
    const user = lastUser(df, final);
    const fix = 'Add `RUN useradd --create-home --uid 10001 app` (or adduser -D on Alpine) and `USER app` (or a numeric UID) as the last USER of the final stage.';
    if (!user) {
      report({
        line: final.from.line,
        column: final.from.column,
        message: `The final stage (FROM ${final.image || '?'}) never sets USER, so the container runs as root unless the base image changed the user.`,
        fix,
      });
    } else if (isRootUser(user.value)) {
      report({ line: user.line, column: user.column, severity: 'high', confidence: 'high', message: `The image ends as ${user.value}: the container runs as root.`, fix });
    }
  },
};
