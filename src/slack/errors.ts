/**
 * What went wrong, in terms a Slack user can act on. Every failure gets a short error id (E-7K2Q9)
 * that is shown to the user and logged next to the full error, so a report in Slack leads straight
 * to the log line. Nothing here ever shows a stack trace or a token: texts are built from our own
 * error classes, whose messages are written for people and already redacted.
 */
import { randomInt } from 'node:crypto';
import { errorLine } from '../error-line.js';
import { GitHubCredentialsError, RateLimitError, RefNotFoundError, RepoNotFoundError } from '../github/errors.js';
import { RepoRefError } from '../github/repo-ref.js';
import { ServiceError } from '../http.js';
import { redactSecrets } from '../log.js';

/** Letters and digits that can't be mistaken for one another when read aloud or retyped. */
const ID_ALPHABET = 'ABCDEFGHJKMNPQRSTVWXYZ23456789';

export function newErrorId(): string {
  let id = 'E-';
  for (let i = 0; i < 5; i++) id += ID_ALPHABET[randomInt(ID_ALPHABET.length)];
  return id;
}

export const ERROR_ID_PATTERN = /\bE-[A-Z0-9]{5}\b/;

/**
 * One line for the person whose command, click or form failed (the store unreachable, mostly): the
 * error id, never the error itself. `(or not all of it)`: a failure can come after a first write.
 * Plain text, so it reads the same in a modal's field error as in a message.
 */
export function failedRequestLine(errorId: string): string {
  return `Something went wrong (error id ${errorId}): what you asked was not done (or not all of it). The details are in Depwatch's log under that id.`;
}

/** File names and patterns an audit reads (src/python/discover.ts), for "nothing found" messages. */
export const MANIFEST_PATTERNS = [
  'requirements*.txt',
  '*requirements.txt',
  'constraints*.txt',
  'requirements/*.txt',
  '.pip named as .txt',
  '*.in (pip-tools)',
  'pyproject.toml',
  'setup.cfg',
  'setup.py',
  'Pipfile',
  'Pipfile.lock',
  'poetry.lock',
  'uv.lock',
  'pdm.lock',
  'pylock.toml',
  'pylock.*.toml',
  'environment.yml (conda: its pip: list)',
];

/** The repository has no Python manifest or lockfile anywhere discovery looks. */
export class NoManifestsError extends Error {
  override name = 'NoManifestsError';
  constructor(
    readonly repo: string,
    readonly sha: string,
    readonly htmlUrl: string,
  ) {
    super(`no Python manifests in ${repo} at ${sha}`);
  }
}

/**
 * The access policy refused what was asked (src/authz): not a failure, so it carries no error id;
 * `reason` is the policy's one plain sentence for the person.
 */
export class AccessRefusedError extends Error {
  override name = 'AccessRefusedError';
  constructor(readonly reason: string) {
    super(reason);
  }
}

export type Problem =
  | { kind: 'bad-input'; message: string }
  | { kind: 'not-visible'; message: string }
  | { kind: 'no-manifests'; repo: string; sha: string; htmlUrl: string }
  | { kind: 'rate-limited'; resetAt: Date; secondary: boolean }
  /** `status`: the HTTP status the service answered with; absent when no answer came (network, timeout). */
  | { kind: 'service'; service: string; message: string; status?: number }
  /** GitHub answered 401: the configured token or App is wrong, expired or revoked (`message` says what to check). */
  | { kind: 'credentials'; service: string; message: string }
  | { kind: 'unexpected' };

export interface UserError {
  errorId: string;
  problem: Problem;
}

/** Sorts an error into what the user is told. Unknown errors say nothing about their insides. */
export function classifyError(err: unknown): Problem {
  if (err instanceof RepoRefError) return { kind: 'bad-input', message: err.message };
  if (err instanceof RepoNotFoundError || err instanceof RefNotFoundError) return { kind: 'not-visible', message: err.message };
  if (err instanceof NoManifestsError) return { kind: 'no-manifests', repo: err.repo, sha: err.sha, htmlUrl: err.htmlUrl };
  if (err instanceof RateLimitError) return { kind: 'rate-limited', resetAt: err.resetAt, secondary: err.secondary };
  if (err instanceof GitHubCredentialsError) return { kind: 'credentials', service: err.service, message: err.message };
  if (err instanceof ServiceError && err.service === 'GitHub' && err.status === 401) return { kind: 'credentials', service: err.service, message: redactSecrets(errorLine(err)) };
  if (err instanceof ServiceError) {
    return { kind: 'service', service: err.service, message: redactSecrets(errorLine(err)), ...(err.status === undefined ? {} : { status: err.status }) };
  }
  return { kind: 'unexpected' };
}

/**
 * The level a failure is logged at. Error level pages operators, so it is kept for our failures
 * and services failing (GitHub answering 5xx, a rate limit, a bug). What the person typed is not
 * one: a repository or branch that does not exist (or Depwatch cannot see) is `warn` (it may also
 * be a missing GitHub App installation, worth a look, not a page), a malformed reference and a
 * repository with nothing to audit are `info`.
 */
export function logLevelOf(problem: Problem): 'info' | 'warn' | 'error' {
  switch (problem.kind) {
    case 'bad-input':
    case 'no-manifests':
      return 'info';
    case 'not-visible':
      return 'warn';
    default:
      return 'error';
  }
}

export function toUserError(err: unknown): UserError {
  return { errorId: newErrorId(), problem: classifyError(err) };
}
