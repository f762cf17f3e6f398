import { defineConfig } from 'drizzle-kit';

// drizzle-kit generates migrations/ from src/db/schema/; it never needs a database for that.
// `npm run db:generate` after any schema change, then commit migrations/ (see migrations/README.md).
// scripts/check-migrations.mjs sets DRIZZLE_CHECK_OUT to generate into a scratch copy instead.
export default defineConfig({
  dialect: 'postgresql',
  schema: './src/db/schema/index.ts',
  out: process.env.DRIZZLE_CHECK_OUT ?? './migrations',
  schemaFilter: ['hss', 'hss_internal'],
  migrations: { schema: 'hss_internal', table: '__drizzle_migrations' },
  strict: true,
  verbose: true,
});
