/**
 * Builds the data sources a command needs from the configuration. `openServices` gives the store and
 * the advisory mirror, all an offline command reads; `openOnlineServices` adds the configuration and
 * the OSV and PyPI clients. Those load the validator (zod, about 100 ms) and the HTTP clients, so an
 * offline audit of a checkout, which never talks to a service, does not wait for them.
 */
import { AdvisoryMirror } from '../advisories/mirror.js';
import type { OsvApi } from '../advisories/osv-api.js';
import { chooseAdvisorySource, offlineSource, type OfflineLimit } from '../advisories/select.js';
import type { AdvisorySource } from '../advisories/types.js';
import type { Config } from '../config.js';
import type { PyPIClient } from '../python/pypi.js';
import type { CliIO } from './io.js';
import { openStore, type OpenOptions, type Store } from './store.js';

export { cliDbPath, type OpenOptions } from './store.js';

export interface Services extends Store {
  mirror: AdvisoryMirror;
}

export interface OnlineServices extends Services {
  config: Config;
  osv: OsvApi;
  pypi: PyPIClient;
}

export function openServices(io: CliIO, dbOverride?: string, options: OpenOptions = {}): Services {
  const store = openStore(io, dbOverride, options);
  return { ...store, mirror: new AdvisoryMirror(store.db) };
}

export async function openOnlineServices(io: CliIO, dbOverride?: string, options: OpenOptions = {}): Promise<OnlineServices> {
  const [{ cliConfig }, { OsvApi }, { PyPIClient }] = await Promise.all([import('./config.js'), import('../advisories/osv-api.js'), import('../python/pypi.js')]);
  // Settings first: a bad one is reported before anything is opened.
  const config = cliConfig(io);
  const services = openServices(io, dbOverride, options);
  return {
    ...services,
    config,
    osv: new OsvApi({ baseUrl: config.osv.apiUrl, db: services.db }),
    pypi: new PyPIClient({ baseUrl: config.pypi.url, db: services.db }),
  };
}

/**
 * Offline (`offline` is then its limit on the data's age, offlineLimit): the mirror alone (refused
 * when empty, partial when older than the limit). Otherwise OSV or the mirror, as chooseAdvisorySource decides.
 */
export function advisorySourceFor(services: Services | OnlineServices, offline: false | OfflineLimit, now: Date): AdvisorySource {
  if (offline) return offlineSource(services.mirror, offline, now);
  if (!('osv' in services)) throw new Error('advisorySourceFor: a command that may ask OSV opens openOnlineServices');
  return chooseAdvisorySource({ offline: false, mirror: services.mirror, api: services.osv, now });
}
