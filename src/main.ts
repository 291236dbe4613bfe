/**
 * Composition root: config → store → clients → Bolt app (→ scheduler, later). `npm start` runs this.
 */
import { ConfigError, loadConfig, loadDotEnv, missingSlackSettings } from './config.js';
import { createLogger, redactSecrets } from './log.js';
import { buildBotServices, createBot } from './slack/bot.js';
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

  const services = await buildBotServices(config, db, logger);
  const bot = createBot({ config, db, logger, services });
  const { port } = await bot.start();
  logger.info(bot.mode === 'socket' ? 'listening on Socket Mode' : `listening on port ${port} (POST /slack/events)`);

  let stopping = false;
  const stop = (signal: string) => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, 'stopping: finishing audits in progress');
    bot
      .stop()
      .catch((err: unknown) => logger.error({ err }, 'error while stopping'))
      .finally(() => {
        db.close();
        logger.flush();
        process.exit(0);
      });
  };
  process.once('SIGINT', () => stop('SIGINT'));
  process.once('SIGTERM', () => stop('SIGTERM'));
  return 0;
}

main().then(
  (code) => {
    if (code !== 0) process.exit(code);
  },
  (err: unknown) => {
    process.stderr.write(`depwatch: could not start: ${redactSecrets(err instanceof Error ? err.message : String(err))}\n`);
    process.exit(2);
  },
);
