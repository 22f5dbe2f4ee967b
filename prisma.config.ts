// The Prisma CLI's settings. The CLI needs a URL even for `generate`, which never connects, so a
// placeholder stands in when DATABASE_URL is unset (the server itself reads its settings in src/config.ts).
import { defineConfig } from 'prisma/config';

export default defineConfig({
  schema: 'prisma/schema.prisma',
  migrations: { path: 'prisma/migrations' },
  datasource: { url: process.env.DATABASE_URL ?? 'postgresql://placeholder@localhost:5432/placeholder' },
});
