/**
 * Change detection for many repositories at once: the HEAD commit of each, one GraphQL query per 250
 * repositories (aliases r0…r249). A sweep compares these oids with the last audited ones and takes a
 * snapshot only of repositories that moved. One missing or inaccessible repository is reported in
 * its own entry and never stops the others.
 */
import type { Octokit } from 'octokit';
import { errorLine } from '../error-line.js';
import { redactSecrets } from '../log.js';
import { answeredStatus, GitHubCredentialsError, type RateLimitError, rateLimitFromError, unauthorizedMessage } from './errors.js';
import { formatRepoRef, type RepoRef } from './repo-ref.js';

/**
 * Repositories per query. octokit's throttling spaces GraphQL requests a second apart (it paces
 * every POST as GitHub asks for writes), so the number of queries, not their size, sets a sweep's
 * pace: 1,000 repositories took ten seconds at 100 per query. GitHub caps a query at 500,000 nodes
 * and documents no cap on aliases; one repository here is three nodes (the repository, its branch
 * ref, the commit), so 250 stay far below the cap and cost one rate-limit point like 100 did.
 */
export const HEADS_BATCH_SIZE = 250;

export type HeadResult =
  | { ok: true; oid: string; branch: string; isPrivate: boolean }
  | { ok: false; reason: 'not-found' | 'no-branch' | 'empty' | 'rate-limited' | 'failed'; message: string; resetAt?: Date };

export interface FetchHeadsOptions {
  batchSize?: number;
}

/** The key of a repository in fetchHeads' result: `owner/repo`, or `owner/repo@branch` when a branch was asked for. */
export function headKey(ref: RepoRef): string {
  return formatRepoRef(ref);
}

interface RepositoryNode {
  isPrivate: boolean;
  defaultBranchRef: { name: string; target: { oid: string } | null } | null;
  ref?: { target: { oid: string } | null } | null;
}

interface GraphqlError {
  type?: string;
  path?: (string | number)[];
  message?: string;
}

export async function fetchHeads(octokit: Octokit, repos: readonly RepoRef[], options: FetchHeadsOptions = {}): Promise<Map<string, HeadResult>> {
  const batchSize = Math.max(1, Math.min(HEADS_BATCH_SIZE, options.batchSize ?? HEADS_BATCH_SIZE));
  const unique = [...new Map(repos.map((r) => [headKey(r), r])).values()];
  const results = new Map<string, HeadResult>();
  let limited: RateLimitError | undefined;

  for (let start = 0; start < unique.length; start += batchSize) {
    const batch = unique.slice(start, start + batchSize);
    if (limited) {
      // Once the limit is exhausted every further query would fail: say so per repository and stop asking.
      for (const ref of batch) results.set(headKey(ref), rateLimited(limited));
      continue;
    }
    const { query, variables } = buildHeadsQuery(batch);
    let data: Record<string, RepositoryNode | null> | undefined;
    let errors: GraphqlError[] = [];
    try {
      data = await octokit.graphql<Record<string, RepositoryNode | null>>(query, variables);
    } catch (err) {
      const partial = graphqlPartial(err);
      if (partial) {
        ({ data, errors } = partial);
      } else {
        limited = rateLimitFromError(err);
        const message = limited ? limited.message : describeBatchFailure(err);
        for (const ref of batch) results.set(headKey(ref), limited ? rateLimited(limited) : { ok: false, reason: 'failed', message });
        continue;
      }
    }
    batch.forEach((ref, i) => results.set(headKey(ref), readHead(ref, data?.[`r${i}`] ?? null, errors.filter((e) => e.path?.[0] === `r${i}`))));
  }
  return results;
}

/** Variables, not string interpolation: names typed by users never become GraphQL syntax. */
export function buildHeadsQuery(batch: readonly RepoRef[]): { query: string; variables: Record<string, string> } {
  const params: string[] = [];
  const fields: string[] = [];
  const variables: Record<string, string> = {};
  batch.forEach((ref, i) => {
    params.push(`$o${i}: String!`, `$n${i}: String!`);
    variables[`o${i}`] = ref.owner;
    variables[`n${i}`] = ref.repo;
    let refField = '';
    if (ref.branch) {
      params.push(`$q${i}: String!`);
      variables[`q${i}`] = ref.branch.startsWith('refs/') ? ref.branch : `refs/heads/${ref.branch}`;
      refField = ` ref(qualifiedName: $q${i}) { target { oid } }`;
    }
    fields.push(`  r${i}: repository(owner: $o${i}, name: $n${i}) { isPrivate defaultBranchRef { name target { oid } }${refField} }`);
  });
  return { query: `query DepwatchHeads(${params.join(', ')}) {\n${fields.join('\n')}\n}`, variables };
}

function readHead(ref: RepoRef, node: RepositoryNode | null, errors: GraphqlError[]): HeadResult {
  const name = `${ref.owner}/${ref.repo}`;
  if (!node) {
    const notFound = errors.length === 0 || errors.some((e) => e.type === 'NOT_FOUND' || e.type === 'FORBIDDEN');
    return notFound
      ? { ok: false, reason: 'not-found', message: `I can't see ${name} with the configured GitHub credentials` }
      : { ok: false, reason: 'failed', message: `GitHub could not look up ${name}: ${errors.map((e) => e.message).join('; ')}` };
  }
  if (ref.branch) {
    const oid = node.ref?.target?.oid;
    return oid
      ? { ok: true, oid, branch: ref.branch, isPrivate: node.isPrivate }
      : { ok: false, reason: 'no-branch', message: `${name} has no branch named "${ref.branch}"` };
  }
  const head = node.defaultBranchRef;
  if (!head?.target) return { ok: false, reason: 'empty', message: `${name} is empty (no commits on a default branch)` };
  return { ok: true, oid: head.target.oid, branch: head.name, isPrivate: node.isPrivate };
}

/** GraphQL answers "some aliases failed" with data plus errors; octokit throws GraphqlResponseError carrying both. */
function graphqlPartial(err: unknown): { data: Record<string, RepositoryNode | null>; errors: GraphqlError[] } | undefined {
  if (!(err instanceof Error) || err.name !== 'GraphqlResponseError') return undefined;
  const { data, errors } = err as Error & { data?: unknown; errors?: unknown };
  if (typeof data !== 'object' || data === null || !Array.isArray(errors)) return undefined;
  if (errors.some((e) => (e as GraphqlError).type === 'RATE_LIMITED')) return undefined;
  return { data: data as Record<string, RepositoryNode | null>, errors: errors as GraphqlError[] };
}

function describeBatchFailure(err: unknown): string {
  if (err instanceof GitHubCredentialsError) return err.message;
  const status = answeredStatus(err);
  if (status === 401) return unauthorizedMessage(err);
  const detail = redactSecrets(errorLine(err)).slice(0, 200);
  return status !== undefined ? `GitHub failed the head lookup (HTTP ${status}: ${detail})` : `could not reach GitHub for the head lookup: ${detail}`;
}

function rateLimited(err: RateLimitError): HeadResult {
  return { ok: false, reason: 'rate-limited', message: err.message, resetAt: err.resetAt };
}
