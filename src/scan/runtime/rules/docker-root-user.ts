/**
 * The final image runs as root: no USER in the last stage, or the last USER is root, written out
 * or through a variable whose default is root (`ARG APP_USER=root` then `USER ${APP_USER}`).
 */
import type { DockerfileRule } from '../rule.js';
import { keyValues, shellWords, unquote, type Dockerfile, type Stage } from '../dockerfile.js';
import { isRootUser } from '../users.js';

interface LastUser {
  value: string;
  line: number;
  column: number;
  /** The value with the stage's ARG and ENV defaults put in, or null when one is not known (an ARG with no default). */
  resolved: string | null;
}

const parentOf = (df: Dockerfile, stage: Stage) => df.stages.find((s) => s.name !== null && s.name === stage.image.toLowerCase() && s !== stage);

/** The last USER that applies to a stage, following `FROM <earlier stage>` chains. */
function lastUser(df: Dockerfile, stage: Stage, depth = 0): LastUser | null {
  const at = stage.instructions.findLastIndex((i) => i.keyword === 'USER');
  if (at !== -1) {
    const last = stage.instructions[at]!;
    // The user is one shell word, quotes removed as BuildKit's lexer removes them: `USER "root"` is root.
    const value = shellWords(last.args.slice(0, 1_000))[0] ?? '';
    // Inside single quotes the lexer expands nothing: `USER '$U'` is the user literally named $U.
    const resolved = value.includes('$') && !value.startsWith("'") ? substitute(value, variablesBefore(df, stage, at)) : value;
    return { value, line: last.line, column: last.column, resolved: resolved === null ? null : unquote(resolved) };
  }
  const parent = parentOf(df, stage);
  return parent && depth < 20 ? lastUser(df, parent, depth + 1) : null;
}

/**
 * The variables a stage's instruction `at` sees, as the Dockerfile reference scopes them: ENV set
 * in the stages it is built FROM and earlier in its own stage; ARG declared earlier in its own stage,
 * with its default, or the default of the same ARG before the first FROM when it gives none. A
 * build argument can override an ARG's default; the defaults are what the file says. Null: declared
 * with no default anywhere, so not known.
 */
function variablesBefore(df: Dockerfile, stage: Stage, at: number): Map<string, string | null> {
  const vars = new Map<string, string | null>();
  const chain: Stage[] = [];
  for (let s = parentOf(df, stage); s && chain.length < 20; s = parentOf(df, s)) chain.unshift(s);
  for (const s of chain) {
    for (const ins of s.instructions) if (ins.keyword === 'ENV') for (const { key, value } of keyValues(ins.keyword, ins.args.slice(0, 10_000))) vars.set(key, value);
  }
  const global = new Map<string, string | null>();
  for (const ins of df.preamble) if (ins.keyword === 'ARG') for (const { key, value } of keyValues(ins.keyword, ins.args.slice(0, 10_000))) global.set(key, value);
  const fromEnv = new Set(vars.keys());
  for (const ins of stage.instructions.slice(0, at)) {
    if (ins.keyword !== 'ENV' && ins.keyword !== 'ARG') continue;
    for (const { key, value } of keyValues(ins.keyword, ins.args.slice(0, 10_000))) {
      if (ins.keyword === 'ENV') {
        vars.set(key, value === null ? null : substitute(value, vars));
        fromEnv.add(key);
      } else if (!fromEnv.has(key)) vars.set(key, value ?? global.get(key) ?? null); // an ENV of the same name wins over an ARG
    }
  }
  return vars;
}

/**
 * `$NAME`, `${NAME}`, `${NAME:-word}` and `${NAME:+word}` replaced by their values; null when a
 * variable it needs is not known or the form is one the rule does not read. One pass, bounded.
 */
function substitute(value: string, vars: Map<string, string | null>): string | null {
  if (value.length > 200) return null;
  let out = '';
  for (let k = 0; k < value.length; ) {
    if (value[k] !== '$') {
      out += value[k++];
      continue;
    }
    const braced = /^\$\{([A-Za-z_][A-Za-z0-9_]*)(?:(:[-+])([^}]*))?\}/.exec(value.slice(k));
    const bare = braced ? null : /^\$([A-Za-z_][A-Za-z0-9_]*)/.exec(value.slice(k));
    const m = braced ?? bare;
    if (!m) return null;
    const known = vars.get(m[1]!);
    const set = known !== undefined && known !== null && known !== '';
    if (braced?.[2] === ':-') out += set ? known : braced[3]!;
    else if (braced?.[2] === ':+') out += set ? braced[3]! : '';
    else if (known === undefined || known === null) return null;
    else out += known;
    k += m[0].length;
  }
  return out;
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
    } else if (user.resolved !== null && user.resolved !== user.value && isRootUser(user.resolved)) {
      report({
        line: user.line,
        column: user.column,
        severity: 'high',
        confidence: 'high',
        message: `The image ends as USER ${user.value}, which is ${user.resolved} with the defaults this Dockerfile gives (unless a build argument changes it): the container runs as root.`,
        fix,
      });
    }
  },
};
