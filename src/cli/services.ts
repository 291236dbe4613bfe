/** Builds the data sources a command needs from the configuration: store, mirror, OSV, PyPI. */
import { AdvisoryMirror } from '../advisories/mirror.js';
import { OsvApi } from '../advisories/osv-api.js';
import { chooseAdvisorySource } from '../advisories/select.js';
import type { AdvisorySource } from '../advisories/types.js';
import { ConfigError, loadConfig, type Config } from '../config.js';
import { PyPIClient } from '../python/pypi.js';
import { openDb, type Db } from '../store/db.js';
import { CliError, type CliIO } from './io.js';

export interface Services {
  config: Config;
  db: Db;
  mirror: AdvisoryMirror;
  osv: OsvApi;
  pypi: PyPIClient;
  close(): void;
}

export function openServices(io: CliIO, dbOverride?: string): Services {
  let config: Config;
  try {
    config = loadConfig(io.env);
  } catch (err) {
    if (err instanceof ConfigError) throw new CliError(err.problems.join('; '));
    throw err;
  }
  const db = openDb(dbOverride ?? config.dbPath);
  return {
    config,
    db,
    mirror: new AdvisoryMirror(db),
    osv: new OsvApi({ baseUrl: config.osv.apiUrl, db }),
    pypi: new PyPIClient({ baseUrl: config.pypi.url, db }),
    close: () => db.close(),
  };
}

export function advisorySourceFor(services: Services, offline: boolean, now: Date): AdvisorySource {
  return chooseAdvisorySource({ offline, mirror: services.mirror, api: services.osv, now });
}
