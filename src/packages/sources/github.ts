/**
 * The upstream repository's health from GitHub, in ONE request: a GraphQL query (variables, never
 * interpolation) for archived, security policy, CI files, commit authors of the last year and the
 * first maintainer reply on recent issues. GraphQL needs a token; without one the REST repository
 * call (`GET /repos/{owner}/{repo}`, allowed unauthenticated) gives what it can (archived, last push)
 * and the rest is left unknown, saying why.
 *
 * What is computed from these facts (medians, counts) lives in health/people.ts: this file only
 * reads and reduces.
 */
import type { Octokit } from 'octokit';
import { z } from 'zod';
import { errorLine } from '../../error-line.js';
import { checkShape } from '../../http.js';
import { answeredStatus, GitHubCredentialsError, RateLimitError, rateLimitFromError, unauthorizedMessage } from '../../github/errors.js';
import { ServiceError } from '../../http.js';
import { redactSecrets } from '../../log.js';
import type { SourceCache } from './cache.js';

/** Recent issues sampled for the reply time; comments read per issue until a maintainer's. */
export const ISSUES_SAMPLED = 20;
export const COMMENTS_PER_ISSUE = 20;
/** Commits read for the contributor count (GitHub's page limit). */
export const COMMITS_SAMPLED = 100;
/** Root entries that mean a CI service is configured (besides GitHub Actions workflows). */
export const CI_ROOT_FILES = ['.travis.yml', '.circleci', 'azure-pipelines.yml', '.gitlab-ci.yml', 'appveyor.yml', '.appveyor.yml', 'Jenkinsfile', '.cirrus.yml', '.drone.yml', 'buildkite.yml', '.buildkite'];

/** Who counts as a maintainer when they comment (GitHub's comment author association). */
const MAINTAINER_ASSOCIATIONS = new Set(['OWNER', 'MEMBER', 'COLLABORATOR']);

export interface IssueFacts {
  createdAt: string;
  /** Opened by a maintainer: not a question waiting for one. */
  byMaintainer: boolean;
  firstMaintainerReplyAt: string | null;
}

export interface RepoFacts {
  /** `owner/repo` as GitHub spells it. */
  repository: string;
  via: 'graphql' | 'rest';
  archived: boolean;
  pushedAt: string | null;
  /** The rest is null when read through REST without a token. */
  securityPolicy: boolean | null;
  ciFiles: string[] | null;
  commitsLastYear: number | null;
  /** Distinct authors (login, else e-mail) of the last year's commits, at most COMMITS_SAMPLED read. */
  authorsLastYear: string[] | null;
  issues: IssueFacts[] | null;
}

export const REPO_HEALTH_QUERY = `query RepoHealth($owner: String!, $name: String!, $since: GitTimestamp!, $issues: Int!, $comments: Int!, $commits: Int!) {
  repo: repository(owner: $owner, name: $name) {
    nameWithOwner
    isArchived
    pushedAt
    isSecurityPolicyEnabled
    workflows: object(expression: "HEAD:.github/workflows") { ... on Tree { entries { name } } }
    root: object(expression: "HEAD:") { ... on Tree { entries { name } } }
    defaultBranchRef {
      target {
        ... on Commit {
          history(first: $commits, since: $since) {
            totalCount
            nodes { author { email user { login } } }
          }
        }
      }
    }
    issues(first: $issues, orderBy: { field: CREATED_AT, direction: DESC }) {
      nodes {
        createdAt
        authorAssociation
        comments(first: $comments) { nodes { createdAt authorAssociation } }
      }
    }
  }
}`;

const Entries = z.object({ entries: z.array(z.object({ name: z.string() })) }).nullish();
const RepoNode = z.object({
  nameWithOwner: z.string(),
  isArchived: z.boolean(),
  pushedAt: z.string().nullish(),
  isSecurityPolicyEnabled: z.boolean().nullish(),
  workflows: Entries,
  root: Entries,
  defaultBranchRef: z
    .object({
      target: z
        .object({
          history: z
            .object({
              totalCount: z.number(),
              nodes: z.array(z.object({ author: z.object({ email: z.string().nullish(), user: z.object({ login: z.string() }).nullish() }).nullish() })),
            })
            .optional(),
        })
        .nullish(),
    })
    .nullish(),
  issues: z.object({
    nodes: z.array(
      z.object({
        createdAt: z.string(),
        authorAssociation: z.string(),
        comments: z.object({ nodes: z.array(z.object({ createdAt: z.string(), authorAssociation: z.string() })) }),
      }),
    ),
  }),
});
const GraphqlAnswer = z.object({ repo: RepoNode.nullable() });

const RestRepo = z.object({ full_name: z.string(), archived: z.boolean(), pushed_at: z.string().nullish() });

export interface GitHubSourceOptions {
  octokit: Octokit;
  /** GraphQL refuses anonymous callers: without a token only the REST call is made. */
  authenticated: boolean;
  /** GITHUB_API_URL, the cache's key (answers from an Enterprise server are not github.com's). */
  apiUrl: string;
  cache: SourceCache;
  now?: () => Date;
}

export class GitHubSource {
  constructor(private readonly options: GitHubSourceOptions) {}

  get authenticated(): boolean {
    return this.options.authenticated;
  }

  /** Facts about `owner/repo`; null when GitHub has no such (visible) repository. */
  repository(owner: string, name: string) {
    const key = `${owner}/${name}`.toLowerCase();
    return this.options.cache.through('github', `${this.options.apiUrl}${this.options.authenticated ? '' : '#anonymous'}`, key, `GitHub's answer for ${owner}/${name}`, () =>
      this.options.authenticated ? this.viaGraphql(owner, name) : this.viaRest(owner, name),
    );
  }

  private async viaGraphql(owner: string, name: string): Promise<RepoFacts | null> {
    const now = (this.options.now ?? (() => new Date()))();
    const since = new Date(now.getTime() - 365 * 86_400_000).toISOString();
    let raw: unknown;
    try {
      raw = await this.options.octokit.graphql(REPO_HEALTH_QUERY, {
        owner,
        name,
        since,
        issues: ISSUES_SAMPLED,
        comments: COMMENTS_PER_ISSUE,
        commits: COMMITS_SAMPLED,
      });
    } catch (err) {
      if (isNotFound(err)) return null;
      throw describe(err, `${owner}/${name}`);
    }
    const answer = checkShape(GraphqlAnswer, raw, 'GitHub', `the repository query for ${owner}/${name}`);
    return answer.repo === null ? null : factsFromGraphql(answer.repo);
  }

  private async viaRest(owner: string, name: string): Promise<RepoFacts | null> {
    let raw: unknown;
    try {
      raw = (await this.options.octokit.request('GET /repos/{owner}/{repo}', { owner, repo: name })).data;
    } catch (err) {
      if ((err as { status?: unknown }).status === 404) return null;
      throw describe(err, `${owner}/${name}`);
    }
    const repo = checkShape(RestRepo, raw, 'GitHub', `GET /repos/${owner}/${name}`);
    return {
      repository: repo.full_name,
      via: 'rest',
      archived: repo.archived,
      pushedAt: repo.pushed_at ?? null,
      securityPolicy: null,
      ciFiles: null,
      commitsLastYear: null,
      authorsLastYear: null,
      issues: null,
    };
  }
}

/** The GraphQL node reduced to facts (pure; exported for tests). */
export function factsFromGraphql(node: z.infer<typeof RepoNode>): RepoFacts {
  const workflows = (node.workflows?.entries ?? []).map((e) => e.name).filter((n) => /\.ya?ml$/i.test(n));
  const rootCi = (node.root?.entries ?? []).map((e) => e.name).filter((n) => CI_ROOT_FILES.includes(n));
  const history = node.defaultBranchRef?.target?.history;
  const authors = new Set<string>();
  for (const commit of history?.nodes ?? []) {
    const who = commit.author?.user?.login ?? commit.author?.email;
    if (who) authors.add(who.toLowerCase());
  }
  return {
    repository: node.nameWithOwner,
    via: 'graphql',
    archived: node.isArchived,
    pushedAt: node.pushedAt ?? null,
    securityPolicy: node.isSecurityPolicyEnabled ?? false,
    ciFiles: [...workflows.map((n) => `.github/workflows/${n}`), ...rootCi],
    commitsLastYear: history?.totalCount ?? 0,
    authorsLastYear: [...authors].sort(),
    issues: node.issues.nodes.map((issue) => ({
      createdAt: issue.createdAt,
      byMaintainer: MAINTAINER_ASSOCIATIONS.has(issue.authorAssociation),
      firstMaintainerReplyAt: issue.comments.nodes.find((c) => MAINTAINER_ASSOCIATIONS.has(c.authorAssociation))?.createdAt ?? null,
    })),
  };
}

function isNotFound(err: unknown): boolean {
  if (!(err instanceof Error) || err.name !== 'GraphqlResponseError') return false;
  const errors = (err as Error & { errors?: { type?: string }[] }).errors ?? [];
  return errors.length > 0 && errors.every((e) => e.type === 'NOT_FOUND');
}

/** One line naming GitHub, the repository and what went wrong; no token, no stack. */
function describe(err: unknown, repo: string): ServiceError {
  const limited = rateLimitFromError(err);
  if (limited) return new RateLimitError(limited.resetAt, limited.secondary);
  if (err instanceof GitHubCredentialsError) return err;
  const status = answeredStatus(err);
  if (status === 401) return new ServiceError('GitHub', unauthorizedMessage(err), { status: 401 });
  const detail = redactSecrets(errorLine(err)).slice(0, 200);
  return new ServiceError('GitHub', status !== undefined ? `GitHub answered ${status} for ${repo}: ${detail}` : `GitHub could not be reached for ${repo}: ${detail}`, {
    status,
    cause: err,
  });
}
