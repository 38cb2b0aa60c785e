import type { RumEvent, RumGroup, RumQuery, RumResult } from '@obstack/plugin-api';
import { RUM_KIND_NAMES } from './encode';
import { filterConditions, type ReadContext } from './read-context';
import { Params, nsParam } from './sql';

const KIND_CODE: Record<string, number> = Object.fromEntries(RUM_KIND_NAMES.map((k, i) => [k, i]).filter(([k]) => k !== ''));

const DIMENSIONS = {
  kind: 'kind::text',
  name: 'name',
  page: "coalesce(page_path, '')",
  browser: "coalesce(browser_name, '')",
  os: "coalesce(browser_os, '')",
  device: "coalesce(browser_device, '')",
  app: 'app_name',
} as const;

interface RumRow {
  t: string;
  value: number | null;
  kind: number;
  tid: string | null;
  sid: string | null;
  name: string;
  session_id: string;
  user_id: string | null;
  app_name: string;
  app_version: string | null;
  app_environment: string | null;
  page_url: string;
  page_path: string | null;
  page_query: string | null;
  page_referrer: string | null;
  browser_name: string | null;
  browser_version: string | null;
  browser_os: string | null;
  browser_device: string | null;
  user_agent: string | null;
  message: string | null;
  stack: string | null;
  attributes: RumEvent['attributes'] | null;
}

function set<T extends object, K extends keyof T>(target: T, key: K, value: T[K] | null): void {
  if (value !== null && value !== undefined) target[key] = value;
}

function toEvent(r: RumRow): RumEvent {
  const app: RumEvent['app'] = { name: r.app_name };
  set(app, 'version', r.app_version);
  set(app, 'environment', r.app_environment);
  const page: RumEvent['page'] = { url: r.page_url };
  set(page, 'path', r.page_path);
  set(page, 'query', r.page_query);
  set(page, 'referrer', r.page_referrer);
  const e: RumEvent = {
    timeUnixNano: BigInt(r.t),
    kind: (RUM_KIND_NAMES[Number(r.kind)] || 'event') as RumEvent['kind'],
    name: r.name,
    sessionId: r.session_id,
    app,
    page,
    attributes: r.attributes ?? {},
  };
  if (r.value !== null) e.value = Number(r.value);
  set(e, 'message', r.message);
  set(e, 'stack', r.stack);
  set(e, 'userId', r.user_id);
  const browser: NonNullable<RumEvent['browser']> = {};
  set(browser, 'name', r.browser_name);
  set(browser, 'version', r.browser_version);
  set(browser, 'os', r.browser_os);
  set(browser, 'device', r.browser_device);
  set(browser, 'userAgent', r.user_agent);
  if (Object.keys(browser).length > 0) e.browser = browser;
  if (r.tid !== null) e.traceId = r.tid.replace(/-/g, '');
  set(e, 'spanId', r.sid);
  return e;
}

export async function queryRum(rc: ReadContext, q: RumQuery): Promise<RumResult> {
  const limit = Math.max(0, Math.floor(q.limit));
  const p = new Params();
  const where = [`tenant_key = ${p.add(rc.tenantKey, 'int4')}`, `time_ns >= ${p.add(nsParam(q.range.startMs), 'int8')}`, `time_ns < ${p.add(nsParam(q.range.endMs), 'int8')}`];
  if (q.kinds && q.kinds.length > 0) {
    const codes = q.kinds.map((k) => KIND_CODE[k]).filter((c): c is number => c !== undefined);
    where.push(codes.length > 0 ? `kind in (${codes.join(', ')})` : 'false');
  }
  if (q.sessionId !== undefined) where.push(`session_id = ${p.add(q.sessionId, 'text')}`);
  if (q.pagePath !== undefined) where.push(`page_path = ${p.add(q.pagePath, 'text')}`);
  where.push(...filterConditions('rum_events', q.filters, p));
  if (limit === 0) return q.groupBy && q.groupBy.length > 0 ? { events: [], groups: [] } : { events: [] };

  if (q.groupBy && q.groupBy.length > 0) {
    const dims = [...new Set(q.groupBy)];
    const select = dims.map((d, i) => `${DIMENSIONS[d]} as d${i}`);
    const rows = await rc.driver.query<Record<string, unknown> & { n: number; sessions: number; p75: number | null }>(
      `select ${select.join(', ')}, count(*)::float8 as n, count(distinct session_id)::float8 as sessions,
              percentile_cont(0.75) within group (order by value) as p75
         from ${rc.s}.rum_events where ${where.join(' and ')}
        group by ${dims.map((_, i) => i + 1).join(', ')}
        order by n desc, ${dims.map((_, i) => i + 1).join(', ')}
        limit ${limit}`,
      p.values,
      rc.signal,
    );
    const groups: RumGroup[] = rows.map((r) => {
      const key: Record<string, string> = {};
      dims.forEach((d, i) => {
        const raw = String(r[`d${i}`] ?? '');
        key[d] = d === 'kind' ? (RUM_KIND_NAMES[Number(raw)] ?? '') : raw;
      });
      return { key, count: Number(r.n), sessions: Number(r.sessions), p75Value: r.p75 === null ? null : Number(r.p75) };
    });
    return { events: [], groups };
  }

  const rows = await rc.driver.query<RumRow & Record<string, unknown>>(
    `select time_ns::text as t, value, kind, trace_id::text as tid, encode(span_id, 'hex') as sid, name, session_id, user_id, app_name, app_version, app_environment,
            page_url, page_path, page_query, page_referrer, browser_name, browser_version, browser_os, browser_device, user_agent, message, stack, attributes
       from ${rc.s}.rum_events where ${where.join(' and ')}
      order by time_ns desc, ctid desc limit ${limit}`,
    p.values,
    rc.signal,
  );
  return { events: rows.map(toEvent) };
}
