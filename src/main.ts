/**
 * Composition root: config → store → clients → Bolt app → scheduler. `npm start` runs this.
 */
import { ConfigError, loadConfig, loadDotEnv, missingSlackSettings } from './config.js';
import { createLogger } from './log.js';
import { openDb, StoreError } from './store/db.js';

const README_HINT = 'see README.md, "Configuration" (copy .env.example to .env and fill it in)';

export async function main(): Promise<number> {
  loadDotEnv();
  let config;
  try {
    config = loadConfig();
  } catch (err) {
    if (err instanceof ConfigError) {
      for (const p of err.problems) process.stderr.write(`depwatch: ${p}\n`);
      process.stderr.write(`depwatch: ${README_HINT}\n`);
      return 2;
    }
    throw err;
  }
  const missing = missingSlackSettings(config);
  if (missing.length) {
    process.stderr.write('depwatch: cannot start the Slack bot, missing configuration:\n');
    for (const m of missing) process.stderr.write(`  - ${m}\n`);
    process.stderr.write(`depwatch: ${README_HINT}. The CLI works without Slack: npx depwatch --help\n`);
    return 2;
  }
  const logger = createLogger(config.logLevel);
  let db;
  try {
    db = openDb(config.dbPath);
  } catch (err) {
    if (err instanceof StoreError) {
      process.stderr.write(`depwatch: ${err.message}\n`);
      return 2;
    }
    throw err;
  }
  logger.info({ db: config.dbPath }, 'store ready');
  db.close();
  return 0;
}

main().then(
  (code) => {
    if (code !== 0) process.exit(code);
  },
  (err: unknown) => {
    process.stderr.write(`depwatch: could not start: ${err instanceof Error ? err.message : String(err)}\n`);
    process.exit(2);
  },
);
