import { defineConfig } from 'drizzle-kit';

// Migrations are generated from the schema and committed; they run on both
// postgres.js and PGlite, so nothing Postgres-server-only may appear in them.
export default defineConfig({
  dialect: 'postgresql',
  schema: './db/src/schema.ts',
  out: './db/migrations',
});
