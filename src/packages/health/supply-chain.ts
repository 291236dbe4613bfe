/**
 * Supply-chain signals: PEP 740 attestations of the release's files (the Simple API says which files
 * have a provenance; the Integrity API names the Trusted Publisher that produced it) and which
 * repository the project claims.
 *
 * The publisher named in a provenance is the ONLY verified link from a PyPI release to a source
 * repository: PyPI checked, at upload, that the Trusted Publisher (a GitHub workflow, say) signed
 * it. Depwatch reads PyPI's record of that check; it does not verify the Sigstore bundles again.
 * Project URLs are whatever the uploader typed and are shown as unverified.
 */
import type { Provenance, PypiRelease, SimpleProject } from '../sources/pypi.js';
import type { RepoLink } from './people.js';
import { known, SOURCES, unknownSignal, type Signals } from './signal.js';

type Read<T> = { ok: true; value: T } | { ok: false; why: string; failed: boolean };

/** `https://github.com/Owner/Repo(.git)(/…)` → `Owner/Repo`; null for anything else. Pure, linear. */
export function githubRepoOf(url: string): string | null {
  let u: URL;
  try {
    u = new URL(url.trim());
  } catch {
    return null;
  }
  if (!/^https?:$/.test(u.protocol) || !/^(www\.)?github\.com$/i.test(u.hostname)) return null;
  const [owner, repo] = u.pathname.split('/').filter(Boolean);
  if (!owner || !repo) return null;
  const name = repo.replace(/\.git$/i, '');
  if (!/^[A-Za-z0-9-]+$/.test(owner) || !/^[A-Za-z0-9._-]+$/.test(name)) return null;
  return `${owner}/${name}`;
}

/** The repository a project claims in its URLs (Source/Repository/Code first, then any GitHub URL). */
export function claimedRepository(projectUrls: Record<string, string>): string | null {
  const entries = Object.entries(projectUrls);
  const preferred = entries.filter(([label]) => /source|repo|code|github/i.test(label));
  for (const [, url] of [...preferred, ...entries]) {
    const repo = githubRepoOf(url);
    if (repo) return repo;
  }
  return null;
}

/** The publisher's GitHub repository when a provenance names one. */
export function verifiedRepository(provenance: Provenance | null): string | null {
  const publisher = provenance?.publishers.find((p) => p.kind.toLowerCase() === 'github' && p.repository);
  return publisher?.repository ?? null;
}

/** Which repository the people signals describe: the verified one when there is one, else the claimed one, marked. */
export function repositoryLink(provenance: Provenance | null, release: PypiRelease | null): RepoLink | null {
  const verified = verifiedRepository(provenance);
  if (verified) return { repository: verified, verified: true, how: 'named by the PEP 740 attestations of this release' };
  const claimed = release ? claimedRepository(release.projectUrls) : null;
  return claimed ? { repository: claimed, verified: false, how: 'named in the project URLs (unverified)' } : null;
}

export function supplyChainSignals(
  simple: Read<SimpleProject>,
  version: string | null,
  provenance: Read<Provenance | null> | null,
  release: Read<PypiRelease>,
): Signals {
  const f = 'supply_chain' as const;
  const signals: Signals = {};
  const files = simple.ok && version !== null ? simple.value.files.filter((file) => file.version === version) : [];

  if (!simple.ok) signals.attestations = unknownSignal(f, 'Attestations (PEP 740)', SOURCES.simple, simple.why, simple.failed);
  else if (version === null) signals.attestations = unknownSignal(f, 'Attestations (PEP 740)', SOURCES.simple, 'no release to look at', false);
  else {
    const attested = files.filter((file) => file.hasProvenance).length;
    signals.attestations = known(
      f,
      'Attestations (PEP 740)',
      { attested, files: files.length },
      files.length === 0 ? 'the release has no files' : attested === 0 ? `none of ${files.length} files` : `${attested} of ${files.length} files`,
      SOURCES.simple,
    );
  }

  const publisherLabel = 'Trusted Publisher';
  if (provenance === null) {
    signals.publisher = unknownSignal(f, publisherLabel, SOURCES.integrity, simple.ok ? 'no file of this release has an attestation' : 'the file list could not be read', !simple.ok && simple.failed);
  } else if (!provenance.ok) signals.publisher = unknownSignal(f, publisherLabel, SOURCES.integrity, provenance.why, provenance.failed);
  else if (provenance.value === null) signals.publisher = unknownSignal(f, publisherLabel, SOURCES.integrity, 'the index lists a provenance but serves none', true);
  else {
    const p = provenance.value.publishers[0];
    signals.publisher = p
      ? known(
          f,
          publisherLabel,
          { kind: p.kind, repository: p.repository, workflow: p.workflow, environment: p.environment, file: provenance.value.filename },
          `${p.kind}${p.repository ? ` ${p.repository}` : ''}${p.workflow ? `, workflow ${p.workflow}` : ''}${p.environment ? `, environment ${p.environment}` : ''} (verified by PyPI at upload)`,
          { ...SOURCES.integrity, verified: true },
        )
      : unknownSignal(f, publisherLabel, SOURCES.integrity, 'the provenance names no publisher', true);
  }

  if (!release.ok) signals.project_urls = unknownSignal(f, 'Claimed repository', SOURCES.json, release.why, release.failed);
  else {
    const claimed = claimedRepository(release.value.projectUrls);
    const verified = provenance?.ok ? verifiedRepository(provenance.value) : null;
    const mismatch = claimed !== null && verified !== null && claimed.toLowerCase() !== verified.toLowerCase();
    signals.project_urls = known(
      f,
      'Claimed repository',
      { repository: claimed, verified: verified !== null && !mismatch && claimed !== null, matches_publisher: verified === null || claimed === null ? null : !mismatch },
      claimed === null
        ? 'no GitHub repository in the project URLs'
        : mismatch
          ? `github.com/${claimed} (UNVERIFIED, and the attestations name ${verified} instead)`
          : verified !== null
            ? `github.com/${claimed} (matches the attested publisher)`
            : `github.com/${claimed} (unverified: project URLs are whatever the uploader typed)`,
      { ...SOURCES.json, verified: verified !== null && !mismatch && claimed !== null },
    );
  }
  return signals;
}
