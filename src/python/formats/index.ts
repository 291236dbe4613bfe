/**
 * File format → the module that reads it. Every module exports the same small interface; the ones
 * handed out here return results whose text has URL credentials removed (./redacted.ts), so nothing
 * raw leaves a parser whichever way it is reached. Every parser, loaded at once, for callers that
 * need them all (the fixer); an audit loads each as its files need it (./lazy.ts), and discovery
 * needs none (./paths.ts).
 */
import type { ManifestFormat, ManifestFormatModule } from '../types.js';
import { pdmLockFormat } from './pdm-lock.js';
import { pipfileLockFormat } from './pipfile-lock.js';
import { pipfileFormat } from './pipfile.js';
import { poetryLockFormat } from './poetry-lock.js';
import { pylockFormat } from './pylock.js';
import { pyprojectFormat } from './pyproject.js';
import { withSecretsRedacted } from './redacted.js';
import { requirementsFormat } from './requirements.js';
import { setupCfgFormat } from './setup-cfg.js';
import { uvLockFormat } from './uv-lock.js';

const PARSERS: Record<ManifestFormat, ManifestFormatModule> = {
  requirements: requirementsFormat,
  pyproject: pyprojectFormat,
  'poetry-lock': poetryLockFormat,
  pipfile: pipfileFormat,
  'pipfile-lock': pipfileLockFormat,
  'uv-lock': uvLockFormat,
  'pdm-lock': pdmLockFormat,
  pylock: pylockFormat,
  'setup-cfg': setupCfgFormat,
};

const MODULES = Object.fromEntries(Object.entries(PARSERS).map(([format, module]) => [format, withSecretsRedacted(module)])) as Record<
  ManifestFormat,
  ManifestFormatModule
>;

export function formatModule(format: ManifestFormat): ManifestFormatModule {
  return MODULES[format];
}
