/** The configuration for commands that talk to OSV, PyPI or GitHub; a bad setting is one CLI error line. */
import { ConfigError, loadConfig, type Config } from '../config.js';
import { CliError, type CliIO } from './io.js';

export function cliConfig(io: CliIO): Config {
  try {
    return loadConfig(io.env);
  } catch (err) {
    if (err instanceof ConfigError) throw new CliError(err.problems.join('; '));
    throw err;
  }
}
