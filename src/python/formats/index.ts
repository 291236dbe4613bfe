/**
 * File format → the module that reads it. Every module exports the same small interface; the ones
 * handed out here return results whose text has URL credentials removed (./redacted.ts), so nothing
 * raw leaves a parser whichever way it is reached. Every parser, loaded at once, for callers that
 * need them all (the fixer); an audit loads each as its files need it (./lazy.ts), and discovery
 * needs none (./paths.ts).
 *
 * setup.py's reader needs the Python grammar, which web-tree-sitter loads asynchronously; its
 * `extract` is synchronous once it is loaded. The fixer's planner (src/fix/plan.ts) is pure and
 * synchronous and reads each file through `formatModule`, so the grammar is awaited here, once, at
 * import (top-level await): importing this module takes the ~30 ms the grammar costs, and every
 * format is then ready as this module promises. Only the fixer imports it, lazily in the CLI
 * (`depwatch fix`); an audit goes through ./lazy.ts and loads the grammar only for a setup.py. A
 * grammar that cannot be loaded (an install missing its wasm file) leaves setup.py files unread,
 * each with one error, as load.ts says of a reader that cannot be loaded, rather than failing the
 * import and with it every format.
 */
import { errorLine } from '../../error-line.js';
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
import { loadSetupPyFormat } from './setup-py.js';
import { isSetupPyPath } from './paths.js';
import { uvLockFormat } from './uv-lock.js';

const setupPyFormat: ManifestFormatModule = await loadSetupPyFormat().catch(
  (err: unknown): ManifestFormatModule => ({
    format: 'setup-py',
    matches: isSetupPyPath,
    extract: (_text, context) => ({
      dependencies: [],
      errors: [{ file: context.file, line: null, message: `the setup-py reader could not be loaded (${errorLine(err)}); not read` }],
    }),
  }),
);

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
  'setup-py': setupPyFormat,
};

const MODULES = Object.fromEntries(Object.entries(PARSERS).map(([format, module]) => [format, withSecretsRedacted(module)])) as Record<
  ManifestFormat,
  ManifestFormatModule
>;

export function formatModule(format: ManifestFormat): ManifestFormatModule {
  return MODULES[format];
}
