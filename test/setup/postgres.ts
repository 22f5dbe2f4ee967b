// Starts one embedded PostgreSQL for the test run and migrates a template database that every test
// file copies (CREATE DATABASE ... TEMPLATE is much faster than migrating each time).
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { TestProject } from 'vitest/node';
import { startEmbeddedPostgres } from '../../src/store/embedded-postgres.js';
import { migrate } from '../../src/store/migrate.js';
import { createLogger } from '../../src/log.js';
import { MIGRATIONS_DIR } from '../../src/paths.js';

export const TEMPLATE = 'mailbridge_template';

declare module 'vitest' {
  export interface ProvidedContext {
    postgresAdminUrl: string;
    postgresTemplate: string;
  }
}

export default async function setup(project: TestProject) {
  const base = await fs.mkdtemp(path.join(os.tmpdir(), 'mailbridge-test-'));
  // PostgreSQL runs as the postgres user when the tests run as root: it must reach its folder.
  await fs.chmod(base, 0o755);
  const pg = await startEmbeddedPostgres(path.join(base, 'pg'));
  const templateUrl = await pg.ensureDatabase(TEMPLATE);
  await migrate(templateUrl, MIGRATIONS_DIR, createLogger('silent'));
  project.provide('postgresAdminUrl', pg.url);
  project.provide('postgresTemplate', TEMPLATE);
  return async () => {
    await pg.stop();
    await fs.rm(base, { recursive: true, force: true });
  };
}
