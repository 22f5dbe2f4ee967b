import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // The Debian packages of the real servers first, then one real PostgreSQL for the whole run; each
    // test file gets its own database copied from a migrated template (test/helpers/database.ts).
    globalSetup: ['test/setup/system-packages.ts', 'test/setup/postgres.ts'],
    testTimeout: 30_000,
    hookTimeout: 60_000,
    pool: 'forks',
  },
});
