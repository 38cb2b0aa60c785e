import postgres from 'postgres';

/**
 * A throwaway database on the real Postgres named by DATABASE_URL, so suites never see
 * each other's rows. Returns its URL and a function that drops it.
 */
export async function createTestDatabase(prefix = 'obstack_t'): Promise<{ url: string; drop: () => Promise<void> }> {
  const admin = process.env.DATABASE_URL;
  if (!admin) throw new Error('DATABASE_URL is not set');
  const name = `${prefix}_${Date.now().toString(36)}_${Math.random().toString(36).slice(2, 8)}`;
  const sql = postgres(admin, { max: 1, onnotice: () => {} });
  await sql.unsafe(`create database ${name}`);
  await sql.end();
  const url = new URL(admin);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    async drop() {
      const s = postgres(admin, { max: 1, onnotice: () => {} });
      try {
        // WITH (FORCE) can't end an autovacuum worker for a non-superuser: retry briefly.
        for (let attempt = 0; ; attempt++) {
          try {
            await s.unsafe(`drop database if exists ${name} with (force)`);
            return;
          } catch (e) {
            // An autovacuum of a big table can take a while: up to a minute.
            if (attempt >= 120) throw e;
            await new Promise((r) => setTimeout(r, 500));
          }
        }
      } finally {
        await s.end();
      }
    },
  };
}

export const hasPostgres = Boolean(process.env.DATABASE_URL);
export const hasRedis = Boolean(process.env.REDIS_URL);
export const hasKafka = Boolean(process.env.KAFKA_BROKERS);
