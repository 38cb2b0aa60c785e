import { once } from 'node:events';
import net from 'node:net';
import type { PGlite, Transaction } from '@electric-sql/pglite';
import type { Options, PendingQuery, Row as PgRow, Sql } from 'postgres';

/** What a pool and a transaction have in common. */
type PgRunner = Pick<Sql, 'unsafe'>;

export type Row = Record<string, unknown>;

/** What both drivers offer, inside and outside a transaction. */
export interface Queryable {
  query<T extends Row = Row>(text: string, params?: unknown[], signal?: AbortSignal): Promise<T[]>;
  /** COPY ... FROM in text format; `data` is complete lines, each ending in `\n`. */
  copyIn(target: string, data: string, signal?: AbortSignal): Promise<void>;
}

export interface Driver extends Queryable {
  readonly kind: 'postgres' | 'pglite';
  /** BEGIN ... COMMIT around `fn`; rolls back when it throws. */
  transaction<T>(fn: (tx: Queryable) => Promise<T>, signal?: AbortSignal): Promise<T>;
  /**
   * `sql` (no parameters) followed by a COPY of `data` into `target`, as one simple-query
   * message, which Postgres runs as one implicit transaction.
   */
  execWithCopy(sql: string, target: string, data: string | null, signal?: AbortSignal): Promise<void>;
  /**
   * Runs `fn` while holding the session advisory lock `key`, or returns undefined at once
   * when another session holds it (another process doing the same job).
   */
  tryExclusive<T>(key: string, fn: () => Promise<T>): Promise<T | undefined>;
  /** A description for health messages, e.g. `PGlite 0.5.17`. */
  readonly label: string;
  close(): Promise<void>;
}

/**
 * Session settings for every store connection. Seq scans are priced out so a range query
 * always goes through BRIN (or the btree and GIN of finished days): until autovacuum has
 * analysed today's partition, and whenever its statistics lag the newest rows, the planner
 * took a parallel seq scan of the whole day for a 1-hour search (182 ms against 47 ms
 * through BRIN with 1.5M rows in the partition). Every table the store reads has an
 * index that fits its queries, so nothing loses by it.
 */
export const PLANNER_SETTINGS = { enable_seqscan: 'off' } as const;

export function abortError(signal: AbortSignal): Error {
  const reason: unknown = signal.reason;
  if (reason instanceof Error) return reason;
  const e = new Error('The operation was aborted');
  e.name = 'AbortError';
  return e;
}

export function throwIfAborted(signal: AbortSignal | undefined): void {
  if (signal?.aborted) throw abortError(signal);
}

// ------------------------------------------------------------------- postgres.js

export interface PostgresDriverOptions {
  url: string;
  password?: string;
  maxConnections: number;
}

export async function createPostgresDriver(options: PostgresDriverOptions): Promise<Driver> {
  const { default: postgres } = await import('postgres');
  const config: Options<Record<string, never>> = {
    max: options.maxConnections,
    onnotice: () => {},
    connection: { application_name: 'obstack-store', ...PLANNER_SETTINGS },
    // Statements are built per call; naming them would only fill each connection's cache.
    prepare: false,
  };
  // Not in postgres.js' typings, but documented and used as is (see noDelaySocket).
  Object.assign(config, { socket: noDelaySocket });
  if (options.password !== undefined) config.password = options.password;
  const sql = postgres(options.url, config);
  const driver: Driver = {
    kind: 'postgres',
    label: 'PostgreSQL',
    query: (text, params, signal) => runPostgres(sql, text, params, signal),
    copyIn: (target, data, signal) => copyPostgres(sql, target, data, signal),
    async transaction(fn, signal) {
      throwIfAborted(signal);
      const result = await sql.begin((tx) =>
        fn({
          query: (text, params, s) => runPostgres(tx as unknown as PgRunner, text, params, s ?? signal),
          copyIn: (target, data, s) => copyPostgres(tx as unknown as PgRunner, target, data, s ?? signal),
        }),
      );
      return result as Awaited<ReturnType<typeof fn>>;
    },
    async tryExclusive(key, fn) {
      // A session lock lives on one connection: hold one aside for as long as fn runs.
      const reserved = await sql.reserve();
      try {
        const got = await reserved.unsafe<Array<{ ok: boolean }>>(`select pg_try_advisory_lock(${key}::int8) as ok`);
        if (got[0]?.ok !== true) return undefined;
        try {
          return await fn();
        } finally {
          await reserved.unsafe(`select pg_advisory_unlock(${key}::int8)`);
        }
      } finally {
        reserved.release();
      }
    },
    async execWithCopy(text, target, data, signal) {
      // A simple-query message is one implicit transaction: the claim and the rows commit
      // together, without the round trips of BEGIN and COMMIT.
      if (data === null) await runPostgres(sql, text, [], signal);
      else await copyStatement(sql, `${text};\ncopy ${target} from stdin`, data, signal);
    },
    close: () => sql.end({ timeout: 5 }),
  };
  return driver;
}

/**
 * postgres.js leaves Nagle's algorithm on. COPY sends its data and then a 5-byte
 * CopyDone in a separate write, which Nagle holds back until the server's delayed ACK
 * (40 ms on Linux): a 512-row batch took 46 ms instead of 2 ms. We connect the socket
 * ourselves with TCP_NODELAY; postgres.js still does TLS and the protocol on top.
 */
async function noDelaySocket(options: Record<string, unknown>): Promise<net.Socket> {
  const path = options.path;
  if (typeof path === 'string' && path !== '') {
    const socket = net.connect({ path });
    await once(socket, 'connect');
    return socket;
  }
  const hosts = (options.host as string[] | undefined) ?? ['localhost'];
  const ports = (options.port as number[] | undefined) ?? [5432];
  let last: unknown;
  // postgres.js would try each host of a multi-host URL in turn; so do we.
  for (let i = 0; i < hosts.length; i++) {
    const socket = net.connect({ host: hosts[i] as string, port: ports[i] ?? ports[0] ?? 5432, noDelay: true });
    try {
      await Promise.race([
        once(socket, 'connect'),
        new Promise((_, reject) => setTimeout(() => reject(Object.assign(new Error('connect timeout'), { code: 'CONNECT_TIMEOUT' })), 30_000).unref()),
      ]);
      return socket;
    } catch (e) {
      socket.destroy();
      last = e;
    }
  }
  throw last;
}

async function runPostgres<T extends Row>(sql: PgRunner, text: string, params: unknown[] = [], signal?: AbortSignal): Promise<T[]> {
  throwIfAborted(signal);
  const query = sql.unsafe<PgRow[]>(text, params as never[]) as PendingQuery<PgRow[]>;
  const onAbort = () => void query.cancel();
  signal?.addEventListener('abort', onAbort, { once: true });
  try {
    return (await query) as unknown as T[];
  } catch (e) {
    if (signal?.aborted) throw abortError(signal);
    throw e;
  } finally {
    signal?.removeEventListener('abort', onAbort);
  }
}

type SettleableQuery = PendingQuery<PgRow[]> & { resolve(value: unknown): void; reject(error: unknown): void };

function copyPostgres(sql: PgRunner, target: string, data: string, signal?: AbortSignal): Promise<void> {
  return copyStatement(sql, `copy ${target} from stdin`, data, signal);
}

/** `text` is a COPY FROM STDIN, possibly after other statements in the same simple-query message. */
async function copyStatement(sql: PgRunner, text: string, data: string, signal?: AbortSignal): Promise<void> {
  throwIfAborted(signal);
  const query = sql.unsafe(text) as unknown as SettleableQuery;
  if (typeof query.resolve !== 'function' || typeof query.reject !== 'function') {
    throw new Error('postgres.js changed: COPY results cannot be observed (see driver.ts)');
  }
  // postgres.js settles a COPY query as soon as the server is ready for data (with the
  // stream), and a row the server refuses is reported after the stream has ended, where
  // it reaches no one: the write would hang, or commit an aborted transaction as if it had
  // worked. The verdict still goes through the query's own resolve/reject (a second time),
  // so we listen there: the first resolve is the stream, the next call is the outcome.
  const verdict = new Promise<void>((resolve, reject) => {
    const original = { resolve: query.resolve, reject: query.reject };
    let opened = false;
    query.resolve = (value) => {
      // The stream's error listener goes on here, as the stream is made: a cancel or an error
      // can arrive in the same socket read as the copy-in response, before `await writable()`
      // resumes, and a stream error with no listener is an uncaught exception. The verdict
      // (through reject below) carries the error.
      if (!opened) (value as { on?: (event: string, fn: () => void) => void } | undefined)?.on?.('error', () => {});
      original.resolve(value);
      if (opened) resolve();
      opened = true;
    };
    query.reject = (error) => {
      original.reject(error);
      reject(error);
    };
  });
  verdict.catch(() => {});
  const onAbort = () => void query.cancel();
  signal?.addEventListener('abort', onAbort, { once: true });
  try {
    const stream = await query.writable();
    stream.end(data);
    await verdict;
  } catch (e) {
    if (signal?.aborted) throw abortError(signal);
    throw e;
  } finally {
    signal?.removeEventListener('abort', onAbort);
  }
}

// ------------------------------------------------------------------------- PGlite

export interface PgliteDriverOptions {
  dataDir: string;
}

export interface PgliteDriver extends Driver {
  readonly db: PGlite;
}

export async function createPgliteDriver(options: PgliteDriverOptions): Promise<PgliteDriver> {
  const [{ PGlite }, { pg_trgm }, { btree_gin }] = await Promise.all([
    import('@electric-sql/pglite'),
    import('@electric-sql/pglite/contrib/pg_trgm'),
    import('@electric-sql/pglite/contrib/btree_gin'),
  ]);
  const db = await PGlite.create({ dataDir: options.dataDir, extensions: { pg_trgm, btree_gin } });
  // One session for the life of the instance, so session settings stick.
  for (const [name, value] of Object.entries(PLANNER_SETTINGS)) await db.query(`select set_config($1, $2, false)`, [name, value]);
  const versionRows = await db.query<{ v: string }>(`select current_setting('server_version') as v`);
  const pgVersion = versionRows.rows[0]?.v ?? '?';
  const run = async <T extends Row>(q: PGlite | Transaction, text: string, params: unknown[] = [], signal?: AbortSignal): Promise<T[]> => {
    // PGlite runs in this thread: a started statement cannot be interrupted, so the
    // signal is honoured before and after it.
    throwIfAborted(signal);
    const result = await q.query<T>(text, params);
    throwIfAborted(signal);
    return result.rows;
  };
  const copy = async (q: PGlite | Transaction, target: string, data: string, signal?: AbortSignal) => {
    throwIfAborted(signal);
    await q.query(`copy ${target} from '/dev/blob'`, [], { blob: new Blob([data]) });
    throwIfAborted(signal);
  };
  return {
    kind: 'pglite',
    label: `PGlite (PostgreSQL ${pgVersion})`,
    db,
    query: (text, params, signal) => run(db, text, params, signal),
    copyIn: (target, data, signal) => copy(db, target, data, signal),
    async transaction(fn, signal) {
      throwIfAborted(signal);
      return db.transaction((tx) =>
        fn({
          query: (text, params, s) => run(tx, text, params, s ?? signal),
          copyIn: (target, data, s) => copy(tx, target, data, s ?? signal),
        }),
      );
    },
    // One process per data directory: nobody else can be holding it.
    tryExclusive: (_key, fn) => fn(),
    async execWithCopy(sql, target, data, signal) {
      throwIfAborted(signal);
      // One call into the engine instead of BEGIN, claim, COPY, COMMIT: on PGlite each call
      // costs about as much as parsing a few hundred rows.
      if (data === null) await db.exec(sql);
      else await db.exec(`${sql};\ncopy ${target} from '/dev/blob'`, { blob: new Blob([data]) });
      throwIfAborted(signal);
    },
    close: () => db.close(),
  };
}
