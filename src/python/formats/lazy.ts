/**
 * Format → its parser, loaded when the first file of that format is read: a tree of requirements
 * files loads neither the TOML parser nor the lockfile readers (a dozen modules, a few milliseconds
 * of every start-up). The modules handed out are the ones ./index.ts hands out, secrets redacted the
 * same way; ./index.ts stays for callers that need every format at once (the fixer).
 */
import type { ManifestFormat, ManifestFormatModule } from '../types.js';
import { withSecretsRedacted } from './redacted.js';

// Constant specifiers, one per format: nothing from a file decides what is imported.
const LOADERS: Record<ManifestFormat, () => Promise<ManifestFormatModule>> = {
  requirements: async () => (await import('./requirements.js')).requirementsFormat,
  pyproject: async () => (await import('./pyproject.js')).pyprojectFormat,
  'poetry-lock': async () => (await import('./poetry-lock.js')).poetryLockFormat,
  pipfile: async () => (await import('./pipfile.js')).pipfileFormat,
  'pipfile-lock': async () => (await import('./pipfile-lock.js')).pipfileLockFormat,
  'uv-lock': async () => (await import('./uv-lock.js')).uvLockFormat,
  'pdm-lock': async () => (await import('./pdm-lock.js')).pdmLockFormat,
  pylock: async () => (await import('./pylock.js')).pylockFormat,
  'setup-cfg': async () => (await import('./setup-cfg.js')).setupCfgFormat,
  // Loads the Python grammar too (web-tree-sitter, ~30 ms) before handing the reader out: only a
  // tree with a setup.py pays for it.
  'setup-py': async () => (await import('./setup-py.js')).loadSetupPyFormat(),
  'conda-env': async () => (await import('./conda-env.js')).condaEnvFormat,
  dockerfile: async () => (await import('./dockerfile.js')).dockerfileFormat,
};

const loaded = new Map<ManifestFormat, Promise<ManifestFormatModule>>();

/** The parser of `format`, secrets redacted from what it returns. A load that failed is tried again next time. */
export function loadFormatModule(format: ManifestFormat): Promise<ManifestFormatModule> {
  let module = loaded.get(format);
  if (module === undefined) {
    module = LOADERS[format]().then(withSecretsRedacted);
    module.catch(() => loaded.delete(format));
    loaded.set(format, module);
  }
  return module;
}
