/**
 * File format → the module that reads it, synchronously, for callers that need every format at
 * once (the fixer's planner, src/fix/plan.ts, which is pure and synchronous). Every module exports
 * the same small interface; the ones handed out here return results whose text has URL credentials
 * removed (./redacted.ts), so nothing raw leaves a parser whichever way it is reached. An audit
 * loads each parser as its files need it (./lazy.ts), and discovery needs none (./paths.ts).
 *
 * setup.py's reader needs the Python grammar, which web-tree-sitter loads asynchronously (~30 ms):
 * importing this module does not load it, so the bot's start-up and a `depwatch fix` of a tree
 * without a setup.py never pay for it. A caller about to read files synchronously awaits
 * `readyFormatReaders(formats)` first with the formats it will read (the fixer's files come from
 * src/fix/audited-files.ts, which does); only `setup-py` among them loads anything (through ./lazy.ts, so an audit and the fixer share one load). A grammar that
 * cannot be loaded (an install missing its wasm file) leaves each setup.py unread with one error,
 * as src/python/load.ts says of a reader that cannot be loaded, and the other formats read as ever.
 */
import { errorLine } from '../../error-line.js';
import { condaEnvFormat } from './conda-env.js';
import { dockerfileFormat } from './dockerfile.js';
import type { ExtractContext, ExtractResult, ManifestFormat, ManifestFormatModule } from '../types.js';
import { loadFormatModule } from './lazy.js';
import { isSetupPyPath } from './paths.js';
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

/** What `readyFormatReaders` last made of the setup.py reader: not asked for yet, loaded, or failed (why). */
let setupPy: { state: 'not-asked' } | { state: 'ready'; reader: ManifestFormatModule } | { state: 'failed'; why: string } = { state: 'not-asked' };

/**
 * Loads the readers `formats` need that are not loaded at import (setup.py's grammar), once per
 * thread. Never throws: a reader that cannot be loaded reads each of its files as one error line.
 * A failed load is tried again by the next call (the bot lives long; a later fix may succeed).
 */
export async function readyFormatReaders(formats: Iterable<ManifestFormat>): Promise<void> {
  if (setupPy.state === 'ready' || ![...formats].includes('setup-py')) return;
  try {
    setupPy = { state: 'ready', reader: await loadFormatModule('setup-py') };
  } catch (err) {
    setupPy = { state: 'failed', why: errorLine(err) };
  }
}

/** Already redacted: what ./lazy.ts hands out is. */
const setupPyFormat: ManifestFormatModule = {
  format: 'setup-py',
  matches: isSetupPyPath,
  extract(text: string, context: ExtractContext): ExtractResult {
    if (setupPy.state === 'ready') return setupPy.reader.extract(text, context);
    if (setupPy.state === 'failed') {
      return { dependencies: [], errors: [{ file: context.file, line: null, message: `the setup-py reader could not be loaded (${setupPy.why}); not read` }] };
    }
    // A caller's bug, not the file's: reading on would make a setup.py look empty.
    throw new Error('the setup-py reader is not loaded: await readyFormatReaders() with the formats to read first');
  },
};

const PARSERS: Record<Exclude<ManifestFormat, 'setup-py'>, ManifestFormatModule> = {
  requirements: requirementsFormat,
  pyproject: pyprojectFormat,
  'poetry-lock': poetryLockFormat,
  pipfile: pipfileFormat,
  'pipfile-lock': pipfileLockFormat,
  'uv-lock': uvLockFormat,
  'pdm-lock': pdmLockFormat,
  pylock: pylockFormat,
  'setup-cfg': setupCfgFormat,
  'conda-env': condaEnvFormat,
  dockerfile: dockerfileFormat,
};

const MODULES: Record<ManifestFormat, ManifestFormatModule> = {
  ...(Object.fromEntries(Object.entries(PARSERS).map(([format, module]) => [format, withSecretsRedacted(module)])) as Record<keyof typeof PARSERS, ManifestFormatModule>),
  'setup-py': setupPyFormat,
};

/** The reader of `format`; for setup.py, `readyFormatReaders` must have been awaited with it. */
export function formatModule(format: ManifestFormat): ManifestFormatModule {
  return MODULES[format];
}
