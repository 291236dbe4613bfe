import { describe, expect, it } from 'vitest';
import { blobLineUrl, treeUrl } from '../../src/github/links.js';
import { formatRepoRef, htmlHostFromApiUrl, isValidBranchName, parseRepoRef, pullRequestInUrl, RepoRefError } from '../../src/github/repo-ref.js';

describe('parseRepoRef', () => {
  it.each([
    ['pallets/flask', { owner: 'pallets', repo: 'flask' }],
    ['  pallets/flask  ', { owner: 'pallets', repo: 'flask' }],
    ['pallets/flask@main', { owner: 'pallets', repo: 'flask', branch: 'main' }],
    ['pallets/flask@release/3.0.x', { owner: 'pallets', repo: 'flask', branch: 'release/3.0.x' }],
    ['https://github.com/pallets/flask', { owner: 'pallets', repo: 'flask' }],
    ['https://github.com/pallets/flask/', { owner: 'pallets', repo: 'flask' }],
    ['https://github.com/pallets/flask.git', { owner: 'pallets', repo: 'flask' }],
    ['http://www.github.com/pallets/flask///', { owner: 'pallets', repo: 'flask' }],
    ['github.com/pallets/flask', { owner: 'pallets', repo: 'flask' }],
    ['https://github.com/pallets/flask/tree/stable', { owner: 'pallets', repo: 'flask', branch: 'stable' }],
    ['https://github.com/pallets/flask/tree/feature/x-y/', { owner: 'pallets', repo: 'flask', branch: 'feature/x-y' }],
    ['https://github.com/pallets/flask/tree/feature%2Fz', { owner: 'pallets', repo: 'flask', branch: 'feature/z' }],
    ['https://github.com/pallets/flask/issues?q=is%3Aopen#top', { owner: 'pallets', repo: 'flask' }],
    ['git@github.com:pallets/flask.git', { owner: 'pallets', repo: 'flask' }],
    ['<https://github.com/pallets/flask|github.com/pallets/flask>', { owner: 'pallets', repo: 'flask' }],
    ['<https://github.com/pallets/flask>', { owner: 'pallets', repo: 'flask' }],
    ['my-org/my.repo_name-2', { owner: 'my-org', repo: 'my.repo_name-2' }],
    ['octocat_acme/tools', { owner: 'octocat_acme', repo: 'tools' }],
  ])('reads %j', (input, expected) => {
    expect(parseRepoRef(input)).toEqual(expected);
  });

  it.each([
    ['', /give a repository/],
    ['flask', /is not a repository/],
    ['pallets/', /is not a repository/],
    ['pallets/flask/extra', /too many parts/],
    ['pallets/flask@', /nothing after "@"/],
    ['-pallets/flask', /not a valid GitHub owner/],
    [`${'a'.repeat(40)}/flask`, /not a valid GitHub owner/],
    ['pallets/fl ask', /not a valid GitHub repository name/],
    ['pallets/..', /not a valid GitHub repository name/],
    [`pallets/${'r'.repeat(101)}`, /not a valid GitHub repository name/],
    ['pallets/flask@bad..branch', /not a valid branch name/],
    ['pallets/flask@feature branch', /not a valid branch name/],
    ['https://gitlab.com/pallets/flask', /is not on github\.com/],
    ['https://github.com/pallets/flask/blob/main/pyproject.toml', /points at a file/],
    ['ftp://github.com/pallets/flask', /only http\(s\)/],
  ])('rejects %j with a clear message', (input, message) => {
    expect(() => parseRepoRef(input)).toThrow(RepoRefError);
    expect(() => parseRepoRef(input)).toThrow(message);
  });

  it('accepts URLs of a GitHub Enterprise Server host when told about it', () => {
    const host = htmlHostFromApiUrl('https://ghe.example.com/api/v3');
    expect(host).toBe('ghe.example.com');
    expect(parseRepoRef('https://ghe.example.com/team/service/tree/dev', { hosts: [host] })).toEqual({ owner: 'team', repo: 'service', branch: 'dev' });
    expect(() => parseRepoRef('https://github.com/team/service', { hosts: [host] })).toThrow(/is not on ghe\.example\.com/);
    expect(htmlHostFromApiUrl('https://api.github.com')).toBe('github.com');
  });

  it('formats a reference back into what it parses from', () => {
    for (const text of ['pallets/flask', 'pallets/flask@release/3.0.x']) expect(formatRepoRef(parseRepoRef(text))).toBe(text);
  });

  it('applies git ref-name rules to branches', () => {
    expect(isValidBranchName('release/1.x')).toBe(true);
    expect(isValidBranchName('dependabot/pip/django-4.2.1')).toBe(true);
    for (const bad of ['a..b', 'x.lock', '/lead', 'trail/', 'a//b', '.hidden', 'has~tilde', 'what?', 'a@{1}', '@']) {
      expect(isValidBranchName(bad), bad).toBe(false);
    }
  });
});

describe('pullRequestInUrl', () => {
  it('finds the pull request a repository URL points into, which parseRepoRef reads as the repository', () => {
    expect(parseRepoRef('https://github.com/acme/web/pull/7')).toEqual({ owner: 'acme', repo: 'web' });
    expect(pullRequestInUrl('https://github.com/acme/web/pull/7')).toBe(7);
    expect(pullRequestInUrl('<https://github.com/acme/web/pull/7/files|github.com/acme/web/pull/7/files>')).toBe(7);
    expect(pullRequestInUrl('github.com/acme/web/pull/12#discussion_r1')).toBe(12);
  });

  it('finds none in anything else', () => {
    for (const input of ['acme/web', 'acme/web@pull/7', 'https://github.com/acme/web', 'https://github.com/acme/web/pulls', 'https://github.com/acme/web/tree/pull/7', 'https://github.com/acme/web/issues/7']) {
      expect(pullRequestInUrl(input)).toBeNull();
    }
  });

  it('finds none in a branch that has pull/N in its name: `acme/web@feat/x/pull/7` audits that branch', () => {
    expect(parseRepoRef('acme/web@feat/x/pull/7')).toEqual({ owner: 'acme', repo: 'web', branch: 'feat/x/pull/7' });
    expect(pullRequestInUrl('acme/web@feat/x/pull/7')).toBeNull();
    expect(pullRequestInUrl('acme@x/web/y/pull/7')).toBeNull();
  });
});

describe('links', () => {
  const sha = 'ce013625030ba8dba906f756967f9e9ca394464a';

  it('points at a line of a file at a commit, with path segments encoded', () => {
    expect(blobLineUrl('https://github.com/pallets/flask', sha, 'requirements/dev.txt', 12)).toBe(
      `https://github.com/pallets/flask/blob/${sha}/requirements/dev.txt#L12`,
    );
    expect(blobLineUrl('https://github.com/o/r/', sha, 'odd dir/req#1.txt', 3)).toBe(`https://github.com/o/r/blob/${sha}/odd%20dir/req%231.txt#L3`);
  });

  it('omits the line anchor when there is no line', () => {
    expect(blobLineUrl('https://github.com/o/r', sha, 'uv.lock', null)).toBe(`https://github.com/o/r/blob/${sha}/uv.lock`);
    expect(blobLineUrl('https://github.com/o/r', sha, 'uv.lock')).toBe(`https://github.com/o/r/blob/${sha}/uv.lock`);
  });

  it('works for GitHub Enterprise Server web URLs', () => {
    expect(blobLineUrl('https://ghe.example.com/team/svc', sha, 'pyproject.toml', 1)).toBe(`https://ghe.example.com/team/svc/blob/${sha}/pyproject.toml#L1`);
    expect(treeUrl('https://ghe.example.com/team/svc', sha)).toBe(`https://ghe.example.com/team/svc/tree/${sha}`);
  });
});
