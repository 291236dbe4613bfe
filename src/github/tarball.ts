/**
 * One archive of a commit, for the code scan: `GET /repos/{owner}/{repo}/tarball/{sha}` (GitHub
 * answers with a redirect to codeload, which fetch follows), read as it streams in and refused past
 * `maxBytes` compressed, so a huge repository costs a bounded download and bounded memory. One
 * request per audited commit; the scan result is what is cached (src/store/code-scans.ts), not the
 * archive. Unpacking happens elsewhere, off the main thread (src/scan/tarball-source.ts).
 */
import type { Octokit } from './client.js';
import { GitHubServiceError, toGitHubError } from './errors.js';

/** GitHub's archives of large Python repositories are tens of megabytes; past this the scan says it did not run. */
export const DEFAULT_MAX_ARCHIVE_BYTES = 100 * 1024 * 1024;

export class ArchiveTooLargeError extends Error {
  constructor(readonly limit: number) {
    super(`the repository archive is larger than ${Math.round(limit / 1024 / 1024)} MB compressed; code and configuration were not scanned`);
    this.name = 'ArchiveTooLargeError';
  }
}

export async function downloadTarball(octokit: Octokit, repo: { owner: string; repo: string; sha: string }, maxBytes = DEFAULT_MAX_ARCHIVE_BYTES): Promise<Buffer> {
  const name = { owner: repo.owner, repo: repo.repo };
  let body: unknown;
  try {
    const response = await octokit.request('GET /repos/{owner}/{repo}/tarball/{ref}', {
      owner: repo.owner,
      repo: repo.repo,
      ref: repo.sha,
      // The body as a stream, not parsed (and not held whole before we can count it).
      request: { parseSuccessResponseBody: false },
    });
    body = response.data;
  } catch (err) {
    throw toGitHubError(err, name, 'archive download');
  }
  if (!(body instanceof ReadableStream)) throw new GitHubServiceError(`GitHub answered the archive download for ${repo.owner}/${repo.repo} without a body`);
  const reader = (body as ReadableStream<Uint8Array>).getReader();
  const chunks: Buffer[] = [];
  let length = 0;
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      length += value.byteLength;
      if (length > maxBytes) {
        await reader.cancel().catch(() => undefined);
        throw new ArchiveTooLargeError(maxBytes);
      }
      chunks.push(Buffer.from(value.buffer, value.byteOffset, value.byteLength));
    }
  } catch (err) {
    if (err instanceof ArchiveTooLargeError) throw err;
    throw toGitHubError(err, name, 'archive download');
  }
  return Buffer.concat(chunks, length);
}
