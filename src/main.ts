// The composition root: reads the settings once, starts the database (embedded unless DATABASE_URL is
// set), applies migrations, then runs the web app, the mailbox worker or both (ROLE). Nothing else
// reads process.env.
import path from 'node:path';
import type { Server } from 'node:http';
import { ConfigError, loadConfig, type Config } from './config.js';
import { createLogger, type Logger } from './log.js';
import { startEmbeddedPostgres, type EmbeddedDatabase } from './store/embedded-postgres.js';
import { loadOrCreateKeyFile } from './store/key-file.js';
import { migrate } from './store/migrate.js';
import { createDb } from './store/db.js';
import { Keyring } from './store/crypto.js';
import { buildApp } from './app.js';
import { createServices } from './services.js';
import { buildWorker } from './workers/build.js';
import { MIGRATIONS_DIR } from './paths.js';

const PURGE_EVERY_MS = 60 * 60 * 1000;

async function database(config: Config, log: Logger): Promise<{ url: string; embedded?: EmbeddedDatabase }> {
  if (config.databaseUrl) return { url: config.databaseUrl };
  const dir = path.join(config.dataDir, 'postgres');
  const embedded = await startEmbeddedPostgres(dir, (line) => log.debug({ component: 'postgres' }, line));
  const url = await embedded.ensureDatabase('mailbridge');
  log.info({ dataDir: dir }, `DATABASE_URL is not set: using an embedded PostgreSQL with its data in ${dir}`);
  return { url, embedded };
}

async function encryptionKey(config: Config, log: Logger): Promise<string> {
  if (config.encryptionKey) return config.encryptionKey;
  const { key, file, created } = await loadOrCreateKeyFile(config.dataDir);
  log.warn(
    { file },
    `ENCRYPTION_KEY is not set: ${created ? 'created' : 'using'} the key in ${file}. Set ENCRYPTION_KEY in production; without this file the stored secrets cannot be read.`,
  );
  return key;
}

async function main() {
  let config: Config;
  try {
    config = loadConfig(process.env);
  } catch (err) {
    if (err instanceof ConfigError) {
      process.stderr.write(`mailbridge: ${err.message}\n`);
      process.exit(1);
    }
    throw err;
  }
  const log = createLogger(config.logLevel);
  const { url, embedded } = await database(config, log);
  const key = await encryptionKey(config, log);
  await migrate(url, MIGRATIONS_DIR, log);
  const db = createDb(url);
  const keyring = new Keyring(key, config.previousEncryptionKeys);
  // One set of services per process: the web app and the worker share its access-token cache.
  const services = createServices({ config, log, db, keyring });

  let server: Server | undefined;
  if (config.role !== 'worker') {
    const { app } = await buildApp({ config, log, db, keyring, services });
    server = app.listen(config.port, () => {
      log.info({ port: config.port, baseUrl: config.baseUrl }, `Mailbridge is listening; Jira installs it from ${config.baseUrl}/atlassian-connect.json`);
    });
  }
  const worker = config.role !== 'web' ? buildWorker({ config, log, db, databaseUrl: url, services }) : undefined;
  await worker?.start();
  if (worker) log.info('the mailbox worker is running');

  const purge = setInterval(() => {
    services
      .purge()
      .then((n) => Object.values(n).some((count) => count > 0) && log.info(n, 'removed what is past its retention: uninstalled tenants, Authorize attempts, abandoned authorizations, raw messages, spools'))
      .catch((err: unknown) => log.error({ err }, 'purge failed'));
  }, PURGE_EVERY_MS);
  purge.unref();

  let stopping = false;
  const stop = (signal: string) => {
    if (stopping) return;
    stopping = true;
    log.info({ signal }, 'stopping');
    clearInterval(purge);
    void (async () => {
      await worker?.stop().catch(() => {});
      if (server) {
        const closed = new Promise((resolve) => server.close(resolve));
        server.closeAllConnections();
        await closed;
      }
      await db.$disconnect().catch(() => {});
      await embedded?.stop().catch(() => {});
      process.exit(0);
    })();
  };
  process.on('SIGTERM', () => stop('SIGTERM'));
  process.on('SIGINT', () => stop('SIGINT'));
}

main().catch((err: unknown) => {
  process.stderr.write(`mailbridge: could not start: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
});
