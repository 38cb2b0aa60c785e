import type {
  CallContext,
  LogRecord,
  LogsQuery,
  LogsResult,
  LogVolumeBucket,
  MetadataQuery,
  MetricsQuery,
  MetricsResult,
  PluginInstance,
  RumQuery,
  RumResult,
  ServiceStats,
  Signal,
  Span,
  TimeRange,
  Trace,
  TracesQuery,
  TracesResult,
} from '@obstack/plugin-api';
import { PluginError } from '@obstack/plugin-api';
import type { DataSourceService } from './host/data-sources';
import { type PluginHost, type RoutedSource, type SourceError, toSourceError } from './host/host';

/** A query's answer: the merged data plus, per failing source, why — never all-or-nothing. */
export interface Answer<T> {
  data: T;
  errors: SourceError[];
  /** Names of the sources that answered. */
  sources: string[];
}

type Method<T> = (instance: PluginInstance, ctx: CallContext) => Promise<T> | undefined;

/**
 * The one query service: a unified query goes to every data source that answers the
 * signal for this tenant, in parallel, and the answers are merged and ordered.
 */
export class QueryService {
  constructor(
    private readonly host: PluginHost,
    private readonly dataSources: DataSourceService,
  ) {}

  private async fanOut<T>(
    tenantId: string,
    signal: Signal,
    method: Method<T>,
    options: { signal?: AbortSignal } = {},
  ): Promise<{ results: Array<{ source: RoutedSource; value: T }>; errors: SourceError[] }> {
    // Cached like ingest's: a page load runs several queries, each would read routing and open secrets again.
    const sources = (await this.dataSources.routedCached(tenantId)).filter((s) => s.query.includes(signal));
    const settled = await Promise.allSettled(
      sources.map((source) =>
        this.host.call(
          source.spec,
          tenantId,
          async (instance, ctx) => {
            const p = method(instance, ctx);
            if (!p) throw new PluginError(`${source.spec.name} does not support this query`, { source: 'plugin' });
            return p;
          },
          { ...(options.signal ? { signal: options.signal } : {}) },
        ),
      ),
    );
    const results: Array<{ source: RoutedSource; value: T }> = [];
    const errors: SourceError[] = [];
    settled.forEach((r, i) => {
      const source = sources[i]!;
      if (r.status === 'fulfilled') results.push({ source, value: r.value });
      else errors.push(toSourceError(source.spec, r.reason));
    });
    return { results, errors };
  }

  /**
   * Logs from every source, merged in time order. With several sources the cursor
   * remembers, per source, the cursor of its current page and how many of that page's
   * records were already returned, so paging never skips or repeats a record.
   */
  async logs(tenantId: string, query: LogsQuery, signal?: AbortSignal): Promise<Answer<LogsResult>> {
    return this.logsMerged(tenantId, query, decodeCursor(query.cursor), signal);
  }

  private async logsMerged(
    tenantId: string,
    query: LogsQuery,
    state: CursorState | undefined,
    signal?: AbortSignal,
  ): Promise<Answer<LogsResult>> {
    const sources = (await this.dataSources.routedCached(tenantId)).filter((s) => s.query.includes('logs'));
    const settled = await Promise.allSettled(
      sources.map(async (source) => {
        const st = state?.[source.spec.id];
        if (state && !st) return { source, page: { records: [] as LogRecord[] } as LogsResult, st: { skip: 0, done: true } as SourceCursor };
        if (st?.done) return { source, page: { records: [] } as LogsResult, st };
        const skip = st?.skip ?? 0;
        const page = await this.host.call(
          source.spec,
          tenantId,
          (i, ctx) => {
            if (!i.queryLogs) throw new PluginError(`${source.spec.name} cannot query logs`, { source: 'plugin' });
            const q: LogsQuery = { ...query, limit: query.limit + skip };
            delete q.cursor;
            if (st?.cursor) q.cursor = st.cursor;
            // The volume histogram covers the whole query, not a page: only on the first page.
            if (state) delete q.volumeStepMs;
            return i.queryLogs(q, ctx);
          },
          signal ? { signal } : {},
        );
        return { source, page: { ...page, records: page.records.slice(skip) }, st: { cursor: st?.cursor, skip, done: false } };
      }),
    );
    const errors: SourceError[] = [];
    const pages: Array<{ source: RoutedSource; page: LogsResult; st: SourceCursor }> = [];
    settled.forEach((r, i) => {
      if (r.status === 'fulfilled') pages.push(r.value);
      else errors.push(toSourceError(sources[i]!.spec, r.reason));
    });

    const backward = query.direction === 'backward';
    const keyOf = (r: LogRecord) => `${r.timeUnixNano}|${r.serviceName}|${r.severityNumber}|${r.spanId ?? ''}|${r.body}`;
    const tagged = pages.flatMap((p) => p.page.records.map((record) => ({ record, id: p.source.spec.id, key: keyOf(record) })));
    // Ties on time are ordered by content, so copies of one record from several sources sit together.
    tagged.sort((a, b) => {
      const d = a.record.timeUnixNano < b.record.timeUnixNano ? -1 : a.record.timeUnixNano > b.record.timeUnixNano ? 1 : 0;
      if (d !== 0) return backward ? -d : d;
      return a.key < b.key ? -1 : a.key > b.key ? 1 : a.id < b.id ? -1 : a.id > b.id ? 1 : 0;
    });
    // A record stored in two sources (a tenant writing logs to both) is shown once; the
    // copy still counts as consumed from its source so paging stays exact.
    const page: typeof tagged = [];
    const used = new Map<string, number>();
    const seen = pages.length > 1 ? new Set<string>() : undefined;
    for (const t of tagged) {
      // Once the page is full, only the copies of its last record are still consumed.
      if (page.length >= query.limit && !seen?.has(t.key)) break;
      used.set(t.id, (used.get(t.id) ?? 0) + 1);
      if (seen) {
        if (seen.has(t.key)) continue;
        seen.add(t.key);
      }
      page.push(t);
    }

    let more = false;
    const next: CursorState = {};
    for (const p of pages) {
      const taken = used.get(p.source.spec.id) ?? 0;
      const returned = p.page.records.length;
      if (taken < returned) {
        // Some of this page is left: ask for the same page again next time and skip what was shown.
        next[p.source.spec.id] = { ...(p.st.cursor ? { cursor: p.st.cursor } : {}), skip: p.st.skip + taken, done: false };
        more = true;
      } else if (p.page.nextCursor) {
        next[p.source.spec.id] = { cursor: p.page.nextCursor, skip: 0, done: false };
        more = true;
      } else {
        next[p.source.spec.id] = { skip: 0, done: true };
      }
    }

    const volume = state ? undefined : mergeVolume(pages.map((p) => p.page.volume));
    const warnings = pages.flatMap((p) => p.page.warnings ?? []);
    return {
      data: {
        records: page.map((t) => t.record),
        ...(more ? { nextCursor: encodeCursor(next) } : {}),
        ...(volume ? { volume } : {}),
        ...(warnings.length ? { warnings } : {}),
      },
      errors,
      sources: pages.map((p) => p.source.spec.name),
    };
  }

  async metrics(tenantId: string, query: MetricsQuery, signal?: AbortSignal): Promise<Answer<MetricsResult>> {
    const { results, errors } = await this.fanOut(tenantId, 'metrics', (i, ctx) => i.queryMetrics?.(query, ctx), signal ? { signal } : {});
    return {
      data: {
        series: dedupeSeries(results.flatMap((r) => r.value.series)),
        ...warningsOf(results.map((r) => r.value)),
      },
      errors,
      sources: results.map((r) => r.source.spec.name),
    };
  }

  async traces(tenantId: string, query: TracesQuery, signal?: AbortSignal): Promise<Answer<TracesResult>> {
    const { results, errors } = await this.fanOut(tenantId, 'traces', (i, ctx) => i.searchTraces?.(query, ctx), signal ? { signal } : {});
    const byId = new Map<string, TracesResult['traces'][number]>();
    for (const r of results) {
      for (const t of r.value.traces) {
        const seen = byId.get(t.traceId);
        // The same trace in two stores: keep the fuller view.
        if (!seen || t.spanCount > seen.spanCount) byId.set(t.traceId, t);
      }
    }
    const traces = [...byId.values()].sort((a, b) => b.startMs - a.startMs).slice(0, query.limit);
    return { data: { traces, ...warningsOf(results.map((r) => r.value)) }, errors, sources: results.map((r) => r.source.spec.name) };
  }

  /** A trace from every source that has part of it, spans de-duplicated by id. */
  async trace(tenantId: string, traceId: string, signal?: AbortSignal): Promise<Answer<Trace | null>> {
    const { results, errors } = await this.fanOut(tenantId, 'traces', (i, ctx) => i.getTrace?.(traceId, ctx), signal ? { signal } : {});
    const spans = new Map<string, Span>();
    for (const r of results) for (const s of r.value?.spans ?? []) if (!spans.has(s.spanId)) spans.set(s.spanId, s);
    const data =
      spans.size === 0
        ? null
        : { traceId, spans: [...spans.values()].sort((a, b) => (a.startTimeUnixNano < b.startTimeUnixNano ? -1 : a.startTimeUnixNano > b.startTimeUnixNano ? 1 : 0)) };
    return { data, errors, sources: results.map((r) => r.source.spec.name) };
  }

  async serviceStats(tenantId: string, range: TimeRange, signal?: AbortSignal): Promise<Answer<ServiceStats[]>> {
    const { results, errors } = await this.fanOut(tenantId, 'traces', (i, ctx) => i.serviceStats?.(range, ctx), signal ? { signal } : {});
    const merged = new Map<string, ServiceStats>();
    for (const r of results) {
      for (const s of r.value) {
        const m = merged.get(s.service);
        if (!m) {
          merged.set(s.service, { ...s });
          continue;
        }
        // Counts add up; percentiles from two stores can't be combined exactly, so the
        // larger (more pessimistic) one is kept.
        m.requests += s.requests;
        m.errors += s.errors;
        m.rate += s.rate;
        m.errorRate = m.requests ? m.errors / m.requests : 0;
        m.p50Ms = maxOrNull(m.p50Ms, s.p50Ms);
        m.p95Ms = maxOrNull(m.p95Ms, s.p95Ms);
        m.p99Ms = maxOrNull(m.p99Ms, s.p99Ms);
      }
    }
    const data = [...merged.values()].sort((a, b) => b.requests - a.requests || a.service.localeCompare(b.service));
    return { data, errors, sources: results.map((r) => r.source.spec.name) };
  }

  async rum(tenantId: string, query: RumQuery, signal?: AbortSignal): Promise<Answer<RumResult>> {
    const { results, errors } = await this.fanOut(tenantId, 'rum', (i, ctx) => i.queryRum?.(query, ctx), signal ? { signal } : {});
    const events = results
      .flatMap((r) => r.value.events)
      .sort((a, b) => (a.timeUnixNano > b.timeUnixNano ? -1 : a.timeUnixNano < b.timeUnixNano ? 1 : 0))
      .slice(0, query.limit);
    const groups = results.flatMap((r) => r.value.groups ?? []);
    return {
      data: { events, ...(query.groupBy ? { groups } : {}), ...warningsOf(results.map((r) => r.value)) },
      errors,
      sources: results.map((r) => r.source.spec.name),
    };
  }

  /** Union of a metadata list (services, operations, names...) across the sources of `signal`. */
  async metadata(
    tenantId: string,
    signal: Signal,
    pick: (i: PluginInstance, ctx: CallContext) => Promise<string[]> | undefined,
    signalAbort?: AbortSignal,
  ): Promise<Answer<string[]>> {
    const { results, errors } = await this.fanOut(tenantId, signal, pick, signalAbort ? { signal: signalAbort } : {});
    const all = new Set<string>();
    for (const r of results) for (const v of r.value) all.add(v);
    return { data: [...all].sort(), errors, sources: results.map((r) => r.source.spec.name) };
  }

  services(tenantId: string, signal: Signal, q: MetadataQuery, abort?: AbortSignal) {
    return this.metadata(tenantId, signal, (i, ctx) => i.services?.(q, ctx), abort);
  }
}

interface SourceCursor {
  cursor?: string | undefined;
  skip: number;
  done: boolean;
}
type CursorState = Record<string, SourceCursor>;

function encodeCursor(state: CursorState): string {
  return Buffer.from(JSON.stringify(state)).toString('base64url');
}

function decodeCursor(cursor: string | undefined): CursorState | undefined {
  if (!cursor) return undefined;
  try {
    const parsed = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as unknown;
    if (parsed && typeof parsed === 'object') return parsed as CursorState;
  } catch {
    // fall through
  }
  throw new PluginError('The cursor is not valid; start from the first page', { source: 'config' });
}

function mergeVolume(parts: Array<LogVolumeBucket[] | undefined>): LogVolumeBucket[] | undefined {
  const present = parts.filter((p): p is LogVolumeBucket[] => Array.isArray(p));
  if (present.length === 0) return undefined;
  const byT = new Map<number, LogVolumeBucket>();
  for (const buckets of present) {
    for (const b of buckets) {
      const m = byT.get(b.t) ?? { t: b.t, count: 0, bySeverity: {} };
      m.count += b.count;
      for (const [k, v] of Object.entries(b.bySeverity ?? {})) m.bySeverity![k] = (m.bySeverity![k] ?? 0) + v;
      byT.set(b.t, m);
    }
  }
  return [...byT.values()].sort((a, b) => a.t - b.t);
}

function warningsOf(values: Array<{ warnings?: string[] }>): { warnings?: string[] } {
  const w = values.flatMap((v) => v.warnings ?? []);
  return w.length ? { warnings: w } : {};
}

/** The same series from two sources (a tenant writing metrics to both) is kept once. */
function dedupeSeries<T extends { name: string; labels: Record<string, string> }>(series: T[]): T[] {
  const seen = new Set<string>();
  return series.filter((s) => {
    const key = `${s.name}|${JSON.stringify(Object.entries(s.labels).sort(([a], [b]) => (a < b ? -1 : 1)))}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

function maxOrNull(a: number | null, b: number | null): number | null {
  if (a === null) return b;
  if (b === null) return a;
  return Math.max(a, b);
}
