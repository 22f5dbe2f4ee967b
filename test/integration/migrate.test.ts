// The server applies its migrations itself at start and records them as Prisma does.
import { createHash } from 'node:crypto';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { MigrationError, migrate } from '../../src/store/migrate.js';
import { createLogger } from '../../src/log.js';
import { MIGRATIONS_DIR } from '../../src/paths.js';
import { emptyDatabase, query } from '../helpers/database.js';

const log = createLogger('silent');

async function migrationNames() {
  return (await fs.readdir(MIGRATIONS_DIR, { withFileTypes: true })).filter((d) => d.isDirectory()).map((d) => d.name).sort();
}

describe('migrations at start', () => {
  it('apply every migration once, recorded in _prisma_migrations with its sha256 checksum', async () => {
    const url = await emptyDatabase();
    const names = await migrationNames();
    expect(await migrate(url, MIGRATIONS_DIR, log)).toEqual(names);
    expect(await migrate(url, MIGRATIONS_DIR, log)).toEqual([]);

    const rows = await query<{ migration_name: string; checksum: string; finished_at: Date | null; applied_steps_count: number }>(
      url,
      'SELECT migration_name, checksum, finished_at, applied_steps_count FROM "_prisma_migrations" ORDER BY migration_name',
    );
    expect(rows.map((r) => r.migration_name)).toEqual(names);
    for (const r of rows) {
      const file = await fs.readFile(path.join(MIGRATIONS_DIR, r.migration_name, 'migration.sql'));
      expect(r.checksum).toBe(createHash('sha256').update(file).digest('hex'));
      expect(r.finished_at).toBeInstanceOf(Date);
      expect(r.applied_steps_count).toBe(1);
    }
    const tables = await query<{ table_name: string }>(url, "SELECT table_name FROM information_schema.tables WHERE table_schema = 'public'");
    expect(tables.map((t) => t.table_name)).toEqual(expect.arrayContaining(['Tenant', 'MessageSource', 'MessageOutbound', 'OAuthCredential', 'LedgerEntry', 'Activity']));
  });

  it('let several processes start at once: one applies, the others wait', async () => {
    const url = await emptyDatabase();
    const results = await Promise.all([1, 2, 3].map(() => migrate(url, MIGRATIONS_DIR, log)));
    expect(results.flat().sort()).toEqual(await migrationNames());
  });

  it('stop on a failed migration, keep its error, and refuse to start until it is resolved', async () => {
    const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'migrations-'));
    await fs.mkdir(path.join(dir, '20260101000000_ok'));
    await fs.writeFile(path.join(dir, '20260101000000_ok', 'migration.sql'), 'CREATE TABLE "Fine" (id int);');
    await fs.mkdir(path.join(dir, '20260102000000_broken'));
    await fs.writeFile(path.join(dir, '20260102000000_broken', 'migration.sql'), 'CREATE TABLE "Half" (id int);\nSELECT * FROM "NoSuchTable";');
    const url = await emptyDatabase();

    await expect(migrate(url, dir, log)).rejects.toThrow(MigrationError);
    // The broken migration ran in a transaction: nothing of it stayed.
    expect(await query(url, "SELECT 1 FROM information_schema.tables WHERE table_name = 'Half'")).toEqual([]);
    const [failed] = await query<{ logs: string; finished_at: Date | null }>(url, `SELECT logs, finished_at FROM "_prisma_migrations" WHERE migration_name = '20260102000000_broken'`);
    expect(failed).toMatchObject({ finished_at: null, logs: expect.stringContaining('NoSuchTable') });
    await expect(migrate(url, dir, log)).rejects.toThrow(/failed earlier.*migrate resolve --rolled-back 20260102000000_broken/);
    await fs.rm(dir, { recursive: true, force: true });
  });
});
