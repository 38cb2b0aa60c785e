import { randomBytes, randomInt } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { vi } from 'vitest';
import { type BackendEnv, type RunningObstack, freshBackend, runCli, startObstack } from './obstack';
import { hasKafka, hasPostgres, hasRedis } from './pg';

/**
 * A running Obstack for the ingest suites, in one of the three ways it is deployed:
 * embedded (PGlite, inline bus), scaled on Postgres + Redis + Kafka (Kafka bus), or
 * scaled on Postgres + Redis without Kafka (BullMQ bus). The first tenant and a key with
 * ingest+read come from the unattended-install variables, so no test clicks through setup.
 */
export type IngestMode = 'embedded' | 'kafka' | 'bullmq';

export const INGEST_MODES: readonly IngestMode[] = ['embedded', 'kafka', 'bullmq'];

/** Whether the services a mode needs are configured (scaled suites skip only when they are not). */
export function modeAvailable(mode: IngestMode): boolean {
  if (mode === 'embedded') return true;
  if (mode === 'kafka') return hasPostgres && hasRedis && hasKafka;
  return hasPostgres && hasRedis;
}

const ALNUM = 'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789';

function randomFrom(alphabet: string, n: number): string {
  const bytes = randomBytes(n);
  let s = '';
  for (let i = 0; i < n; i++) s += alphabet[(bytes[i] as number) % alphabet.length];
  return s;
}

/** A key in the format Obstack issues: obs_<8 lowercase alnum>_<40 alnum>. */
export function newApiKey(): string {
  return `obs_${randomFrom('abcdefghijklmnopqrstuvwxyz0123456789', 8)}_${randomFrom(ALNUM, 40)}`;
}

export interface IngestStack {
  mode: IngestMode;
  app: RunningObstack;
  url: string;
  /** The first tenant's key (scopes ingest, read). */
  key: string;
  store: BackendEnv;
  /** `obstack <args>` against this instance's data; throws unless it exits 0; parses JSON output. */
  cli<T = Record<string, unknown>>(...args: string[]): Promise<T>;
  stop(): Promise<void>;
}

/** Starts the built server in `mode` with a fresh database and a bootstrap key. */
export async function startIngestStack(mode: IngestMode, extraEnv: Record<string, string> = {}): Promise<IngestStack> {
  const key = newApiKey();
  const extra: Record<string, string> = {
    OBSTACK_ADMIN_EMAIL: 'admin@ingest.test',
    OBSTACK_ADMIN_PASSWORD: 'ingest test password',
    OBSTACK_BOOTSTRAP_API_KEY: key,
    ...extraEnv,
  };
  if (mode !== 'embedded') {
    // A bus namespace of its own, so this run's Kafka topics and consumer group, BullMQ
    // queues and rate-limit counters never meet another run's on the shared servers.
    extra.OBSTACK_BUS_PREFIX = `t${Date.now().toString(36)}${randomInt(1000, 9999)}`;
    extra.REDIS_URL = process.env.REDIS_URL ?? '';
    if (mode === 'kafka') extra.KAFKA_BROKERS = process.env.KAFKA_BROKERS ?? '';
  }
  const store = await freshBackend(mode === 'embedded' ? 'pglite' : 'postgres', extra);
  let app: RunningObstack;
  try {
    app = await startObstack(store.env);
  } catch (e) {
    await store.cleanup();
    throw e;
  }
  return {
    mode,
    app,
    url: app.url,
    key,
    store,
    async cli<T>(...args: string[]) {
      const r = await runCli(args, app.env);
      if (r.code !== 0) throw new Error(`obstack ${args.join(' ')} exited ${r.code}: ${r.stderr}${r.stdout}`);
      return r.json<T>();
    },
    async stop() {
      await app.stop();
      await store.cleanup();
    },
  };
}

/** A second tenant with its own key (scopes as given), created through the operator CLI. */
export async function createTenantWithKey(stack: IngestStack, slug: string, scopes = 'ingest,read'): Promise<{ tenantId: string; key: string }> {
  const tenant = await stack.cli<{ id: string }>('tenants', 'create', '--name', slug.toUpperCase(), '--slug', slug);
  const created = await stack.cli<{ key: string }>('keys', 'create', '--tenant', slug, '--scopes', scopes, '--name', `${slug}-${scopes}`);
  return { tenantId: tenant.id, key: created.key };
}

export interface ApiAnswer<T> {
  data: T;
  errors: unknown[];
  sources: string[];
}

/** GET on the read API with a key; returns status and parsed JSON. */
export async function readApi<T>(base: string, key: string, path: string, params: Record<string, string | string[]> = {}): Promise<{ status: number; body: ApiAnswer<T> & { error?: { code?: string; message?: string } } }> {
  const qs = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) for (const one of Array.isArray(v) ? v : [v]) qs.append(k, one);
  const res = await fetch(`${base}${path}${qs.size ? `?${qs}` : ''}`, { headers: { Authorization: `Bearer ${key}` } });
  const text = await res.text();
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    throw new Error(`GET ${path} answered ${res.status} with non-JSON: ${text.slice(0, 300)}`);
  }
  return { status: res.status, body: body as ApiAnswer<T> & { error?: { code?: string; message?: string } } };
}

/** Like readApi but insists on 200 and returns the answer. */
export async function read<T>(base: string, key: string, path: string, params: Record<string, string | string[]> = {}): Promise<ApiAnswer<T>> {
  const r = await readApi<T>(base, key, path, params);
  if (r.status !== 200) throw new Error(`GET ${path} answered ${r.status}: ${JSON.stringify(r.body)}`);
  return r.body;
}

/**
 * Retries `check` until it stops throwing: in scaled mode ingest answers once the batch is
 * durable on the bus, and the worker stores it a moment later.
 */
export function eventually<T>(check: () => Promise<T> | T, timeoutMs = 45_000): Promise<T> {
  return vi.waitFor(check, { timeout: timeoutMs, interval: 250 });
}

/** Resident set size of a process in MiB (VmRSS in /proc/<pid>/status). */
export function rssMiB(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const m = /VmRSS:\s+(\d+)\s+kB/.exec(status);
  if (!m) throw new Error(`no VmRSS for ${pid}`);
  return Number(m[1]) / 1024;
}

// --------------------------------------------------------------- read API answer shapes

export interface ApiServiceStats {
  service: string;
  requests: number;
  errors: number;
  errorRate: number;
  p50Ms: number | null;
  p95Ms: number | null;
}

export interface ApiSpan {
  traceId: string;
  spanId: string;
  parentSpanId?: string;
  name: string;
  kind: string;
  startTimeUnixNano: string;
  endTimeUnixNano: string;
  status: { code: string; message?: string };
  serviceName: string;
  attributes: Record<string, unknown>;
  resource: Record<string, unknown>;
  scope?: { name: string; version?: string };
  events: Array<{ timeUnixNano: string; name: string; attributes: Record<string, unknown> }>;
  links: unknown[];
}

export interface ApiTraceSummary {
  traceId: string;
  rootService: string;
  rootName: string;
  spanCount: number;
  errorCount: number;
  services: string[];
}

export interface ApiLogRecord {
  timeUnixNano: string;
  severityNumber: number;
  severityText?: string;
  body: string;
  serviceName: string;
  attributes: Record<string, unknown>;
  resource: Record<string, unknown>;
  traceId?: string;
  spanId?: string;
}

export interface ApiSeries {
  name: string;
  labels: Record<string, string>;
  timestamps: number[];
  values: Array<number | null>;
}

export interface ApiRumEvent {
  timeUnixNano: string;
  kind: string;
  name: string;
  value?: number;
  message?: string;
  stack?: string;
  sessionId: string;
  app: { name: string; version?: string; environment?: string };
  page: { url: string; path?: string; query?: string };
  browser?: { name?: string; version?: string; os?: string; device?: string; userAgent?: string };
  traceId?: string;
  spanId?: string;
  attributes: Record<string, unknown>;
}

/** The non-null values of a series, in time order. */
export function valuesOf(s: ApiSeries | undefined): number[] {
  return (s?.values ?? []).filter((v): v is number => v !== null);
}
