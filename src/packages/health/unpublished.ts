/**
 * What nobody publishes in a form a machine can read: test coverage and documentation quality.
 * Shown as unknown, or through a named proxy that says what it stands for, never guessed.
 */
import type { PypiRelease } from '../sources/pypi.js';
import { githubRepoOf } from './supply-chain.js';
import { known, SOURCES, unknownSignal, type Signals } from './signal.js';

type Read<T> = { ok: true; value: T } | { ok: false; why: string; failed: boolean };

export function unpublishedSignals(release: Read<PypiRelease>): Signals {
  const f = 'unpublished' as const;
  const signals: Signals = {
    test_coverage: unknownSignal(f, 'Test coverage', SOURCES.none, 'neither PyPI nor GitHub publishes it', false),
  };
  const label = 'Documentation (proxy: a documentation URL is declared)';
  if (!release.ok) signals.documentation = unknownSignal(f, label, SOURCES.json, release.why, release.failed);
  else {
    const docs = Object.entries(release.value.projectUrls).find(([name, url]) => /doc/i.test(name) && githubRepoOf(url) === null) ?? Object.entries(release.value.projectUrls).find(([name]) => /doc/i.test(name));
    signals.documentation = known(
      f,
      label,
      docs ? docs[1] : false,
      docs ? `${docs[1]} (says a documentation site exists, nothing about its quality)` : 'no documentation URL declared',
      SOURCES.json,
    );
  }
  return signals;
}
