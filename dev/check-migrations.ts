// Checks, where Prisma's own migration engine is at hand (../shared/tools/prisma-offline.mjs drives
// its WebAssembly build), that our start-up migrator and `prisma migrate deploy` agree:
//   1. the committed migrations produce exactly prisma/schema.prisma (no migration was forgotten);
//   2. a database migrated by Prisma is up to date for our migrator, and the other way round
//      (same rows in _prisma_migrations, same checksums).
//   npx tsx dev/check-migrations.ts [path-to-prisma-offline.mjs]
import { spawnSync } from 'node:child_process';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { startEmbeddedPostgres } from '../src/store/embedded-postgres.js';
import { migrate } from '../src/store/migrate.js';
import { createLogger } from '../src/log.js';
import { MIGRATIONS_DIR, PROJECT_ROOT } from '../src/paths.js';

const tool = path.resolve(process.argv[2] ?? '../shared/tools/prisma-offline.mjs');

/** Runs the tool; returns what it printed (it reports on stderr), throws when it fails. */
function prismaOffline(args: string[], env: Record<string, string> = {}): string {
  const r = spawnSync(process.execPath, [tool, ...args], { cwd: PROJECT_ROOT, env: { ...process.env, ...env }, encoding: 'utf8' });
  const out = `${r.stdout}${r.stderr}`;
  if (r.status !== 0) throw new Error(`prisma-offline ${args[0]} failed: ${out.trim()}`);
  return out;
}

async function recorded(url: string) {
  const c = new pg.Client({ connectionString: url });
  await c.connect();
  try {
    const { rows } = await c.query<{ migration_name: string; checksum: string }>(
      'SELECT migration_name, checksum FROM "_prisma_migrations" WHERE finished_at IS NOT NULL ORDER BY migration_name',
    );
    return JSON.stringify(rows);
  } finally {
    await c.end();
  }
}

async function main() {
  await fs.access(tool).catch(() => {
    throw new Error(`cannot find ${tool}`);
  });
  const base = await fs.mkdtemp(path.join(os.tmpdir(), 'mailbridge-migrations-'));
  await fs.chmod(base, 0o755);
  const server = await startEmbeddedPostgres(path.join(base, 'pg'));
  const log = createLogger('silent');
  let failed = false;
  const check = (ok: boolean, what: string) => {
    console.log(`${ok ? 'ok  ' : 'FAIL'} ${what}`);
    failed ||= !ok;
  };
  try {
    const copy = path.join(base, 'migrations');
    await fs.cp(MIGRATIONS_DIR, copy, { recursive: true });
    const out = prismaOffline(['create', 'check', 'prisma/schema.prisma', copy]);
    const extra = (await fs.readdir(copy)).filter((d) => d.endsWith('_check'));
    check(extra.length === 0 && /no changes/.test(out), 'the committed migrations produce prisma/schema.prisma (nothing left to migrate)');

    const byPrisma = await server.ensureDatabase('by_prisma');
    prismaOffline(['deploy', MIGRATIONS_DIR], { DATABASE_URL: byPrisma });
    check((await migrate(byPrisma, MIGRATIONS_DIR, log)).length === 0, 'a database migrated by Prisma needs nothing from our migrator');

    const byUs = await server.ensureDatabase('by_us');
    await migrate(byUs, MIGRATIONS_DIR, log);
    const applied = prismaOffline(['deploy', MIGRATIONS_DIR], { DATABASE_URL: byUs });
    check(/applied: \[\]/.test(applied), 'a database migrated by us needs nothing from Prisma');
    check((await recorded(byUs)) === (await recorded(byPrisma)), '_prisma_migrations holds the same names and checksums either way');
  } finally {
    await server.stop();
    await fs.rm(base, { recursive: true, force: true });
  }
  if (failed) process.exit(1);
}

main().catch((err: unknown) => {
  console.error(`FAIL ${err instanceof Error ? err.message : String(err)}`);
  process.exit(2);
});
