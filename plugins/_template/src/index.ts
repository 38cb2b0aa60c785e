/**
 * An Obstack plugin that keeps logs in memory. To connect a real backend, replace the
 * per-tenant Map below with calls to it and keep the shape.
 */
import {
  definePlugin,
  matchesFilters,
  PLUGIN_API_VERSION,
  PluginError,
  severityName,
  type CallContext,
  type LogRecord,
  type LogsQuery,
  type LogsResult,
  type LogVolumeBucket,
  type PluginInstance,
  type WriteBatch,
  type WriteResult,
} from '@obstack/plugin-api';

/** The validated config `create` receives: configSchema below, with its defaults applied. */
export interface TemplateConfig {
  maxRecords: number;
}

interface Stored {
  record: LogRecord;
  /** Arrival order: breaks ties between records with the same time, so pages stay stable. */
  seq: number;
}

/** One tenant's data. Kept per tenant so no query can reach another tenant's records. */
interface TenantStore {
  records: Stored[];
  batchIds: Set<string>;
}

export const plugin = definePlugin({
  id: 'template',
  name: 'Template (in-memory logs)',
  description: 'Keeps logs in memory; a starting point for new plugins.',
  version: '0.0.0',
  // The plugin API versions this plugin works with; the host refuses to load it otherwise.
  apiVersion: `^${PLUGIN_API_VERSION}`,
  capabilities: {
    logs: { read: true, write: true, stability: 'experimental' },
  },
  configSchema: {
    type: 'object',
    properties: {
      maxRecords: {
        type: 'integer',
        title: 'Maximum records',
        description: 'Records kept per tenant; the oldest are dropped first.',
        default: 100_000,
        minimum: 1,
        maximum: 10_000_000,
      },
    },
  },
  create(config: TemplateConfig): PluginInstance {
    // Per instance, never module-wide: each data source gets its own store, and the
    // host can dispose one without touching another.
    const tenants = new Map<string, TenantStore>();
    let seq = 0;

    const storeOf = (tenantId: string): TenantStore => {
      let store = tenants.get(tenantId);
      if (store === undefined) {
        store = { records: [], batchIds: new Set() };
        tenants.set(tenantId, store);
      }
      return store;
    };

    return {
      async checkHealth(ctx: CallContext) {
        ctx.signal.throwIfAborted();
        return { status: 'ok', message: `Holding logs of ${tenants.size} tenant(s) in memory` };
      },

      async write(batch: WriteBatch, ctx: CallContext): Promise<WriteResult> {
        ctx.signal.throwIfAborted();
        if (batch.signal !== 'logs') {
          // The host only routes declared signals here; anything else is a host bug.
          throw new PluginError(`this plugin stores logs only, not ${batch.signal}`, { source: 'plugin' });
        }
        const store = storeOf(ctx.tenantId);
        // Redelivered batches (same id, same tenant) must not store their rows twice.
        if (store.batchIds.has(batch.id)) return { accepted: 0, duplicate: true };
        for (const record of batch.records) store.records.push({ record: structuredClone(record), seq: seq++ });
        store.batchIds.add(batch.id);
        if (store.records.length > config.maxRecords) {
          store.records.sort(compareAscending);
          store.records.splice(0, store.records.length - config.maxRecords);
        }
        return { accepted: batch.records.length };
      },

      async queryLogs(query: LogsQuery, ctx: CallContext): Promise<LogsResult> {
        ctx.signal.throwIfAborted();
        const store = tenants.get(ctx.tenantId);
        if (store === undefined) return { records: [], ...(query.volumeStepMs ? { volume: [] } : {}) };

        const matching = store.records.filter((s) => matches(s.record, query)).sort(compareAscending);
        if (query.direction === 'backward') matching.reverse();

        // The cursor is the position of the last record returned, so records written
        // between two pages neither repeat nor shift the next page.
        const after = query.cursor === undefined ? undefined : decodeCursor(query.cursor);
        const start = after === undefined ? 0 : matching.findIndex((s) => isAfter(s, after, query.direction));
        const page = start === -1 ? [] : matching.slice(start, start + query.limit);
        const last = page[page.length - 1];
        const more = start !== -1 && start + query.limit < matching.length;

        const result: LogsResult = { records: page.map((s) => structuredClone(s.record)) };
        if (more && last !== undefined) result.nextCursor = encodeCursor(last);
        if (query.volumeStepMs) result.volume = volume(matching, query.volumeStepMs);
        return result;
      },

      async dispose() {
        tenants.clear();
      },
    };
  },
});

export default plugin;

function matches(record: LogRecord, query: LogsQuery): boolean {
  const startNs = BigInt(query.range.startMs) * 1_000_000n;
  const endNs = BigInt(query.range.endMs) * 1_000_000n;
  if (record.timeUnixNano < startNs || record.timeUnixNano >= endNs) return false;
  if (query.services !== undefined && !query.services.includes(record.serviceName)) return false;
  if (query.minSeverity !== undefined && record.severityNumber < query.minSeverity) return false;
  if (query.traceId !== undefined && record.traceId !== query.traceId) return false;
  if (query.text !== undefined) {
    const body = record.body.toLowerCase();
    const words = query.text.toLowerCase().split(/\s+/).filter(Boolean);
    if (!words.every((w) => body.includes(w))) return false;
  }
  return matchesFilters(query.filters, record.attributes, record.resource);
}

function compareAscending(a: Stored, b: Stored): number {
  if (a.record.timeUnixNano !== b.record.timeUnixNano) return a.record.timeUnixNano < b.record.timeUnixNano ? -1 : 1;
  return a.seq - b.seq;
}

interface Position {
  time: bigint;
  seq: number;
}

function encodeCursor(s: Stored): string {
  return Buffer.from(`${s.record.timeUnixNano}:${s.seq}`).toString('base64url');
}

function decodeCursor(cursor: string): Position {
  const [time, seq] = Buffer.from(cursor, 'base64url').toString().split(':');
  if (time === undefined || seq === undefined || !/^\d+$/.test(time) || !/^\d+$/.test(seq)) {
    throw new PluginError('the cursor is not one this plugin gave out', { source: 'plugin' });
  }
  return { time: BigInt(time), seq: Number(seq) };
}

/** Whether `s` comes after the cursor position in the query's order. */
function isAfter(s: Stored, p: Position, direction: LogsQuery['direction']): boolean {
  const cmp = s.record.timeUnixNano === p.time ? s.seq - p.seq : s.record.timeUnixNano < p.time ? -1 : 1;
  return direction === 'forward' ? cmp > 0 : cmp < 0;
}

function volume(records: Stored[], stepMs: number): LogVolumeBucket[] {
  const buckets = new Map<number, LogVolumeBucket>();
  for (const { record } of records) {
    const ms = Number(record.timeUnixNano / 1_000_000n);
    const t = Math.floor(ms / stepMs) * stepMs;
    const bucket = buckets.get(t) ?? { t, count: 0, bySeverity: {} };
    bucket.count++;
    const name = severityName(record.severityNumber);
    bucket.bySeverity![name] = (bucket.bySeverity![name] ?? 0) + 1;
    buckets.set(t, bucket);
  }
  return [...buckets.values()].sort((a, b) => a.t - b.t);
}
