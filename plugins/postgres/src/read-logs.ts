import { PluginError, type LogRecord, type LogsQuery, type LogsResult, type LogVolumeBucket, type SeverityName } from '@obstack/plugin-api';
import { filterConditions, type ReadContext } from './read-context';
import { LOG_TEXT, dayOfNs, partitionName } from './partitions';
import { quoteIdent } from './schema';
import { Params, escapeLike, nsParam } from './sql';

const HOST_LIMIT = 5000;
const TRACE_ID = /^[0-9a-fA-F]{32}$/;

export function severityName(n: number): SeverityName {
  if (n >= 1 && n <= 4) return 'trace';
  if (n >= 5 && n <= 8) return 'debug';
  if (n >= 9 && n <= 12) return 'info';
  if (n >= 13 && n <= 16) return 'warn';
  if (n >= 17 && n <= 20) return 'error';
  if (n >= 21 && n <= 24) return 'fatal';
  return 'unset';
}

interface Cursor {
  t: string;
  c: string;
}

function encodeCursor(c: Cursor): string {
  return Buffer.from(JSON.stringify({ v: 1, ...c })).toString('base64url');
}

function decodeCursor(token: string): Cursor {
  try {
    const parsed = JSON.parse(Buffer.from(token, 'base64url').toString()) as { v?: unknown; t?: unknown; c?: unknown };
    if (parsed.v === 1 && typeof parsed.t === 'string' && /^-?\d{1,20}$/.test(parsed.t) && typeof parsed.c === 'string' && /^\(\d+,\d+\)$/.test(parsed.c)) {
      return { t: parsed.t, c: parsed.c };
    }
  } catch {
    // fall through to the error below
  }
  throw new PluginError('The logs cursor is not one this store issued; start again without a cursor.', { source: 'plugin' });
}

/** Lowercases ASCII letters only, as `lower(... collate "C")` does. */
export function asciiLower(s: string): string {
  return s.replace(/[A-Z]/g, (c) => c.toLowerCase());
}

/** The words of a text search: whitespace-separated, each matched as a substring, ASCII letters in any case. */
export function searchWords(text: string | undefined): string[] {
  return (text ?? '').split(/\s+/).filter((w) => w.length > 0);
}

function conditions(rc: ReadContext, q: LogsQuery, p: Params): string[] {
  const where = [`tenant_key = ${p.add(rc.tenantKey, 'int4')}`, `time_ns >= ${p.add(nsParam(q.range.startMs), 'int8')}`, `time_ns < ${p.add(nsParam(q.range.endMs), 'int8')}`];
  if (q.services && q.services.length > 0) where.push(`service_name in (${q.services.map((s) => p.add(s, 'text')).join(', ')})`);
  if (q.minSeverity !== undefined && q.minSeverity > 0) where.push(`severity_number >= ${p.add(q.minSeverity, 'int4')}`);
  if (q.traceId !== undefined && q.traceId !== '') {
    where.push(TRACE_ID.test(q.traceId) ? `trace_id = ${p.add(q.traceId, 'uuid')}` : 'false');
  }
  // On cold partitions the trigram GIN over this very expression answers it; on today's
  // partition it runs on every row of the range, where it is twice as fast as ILIKE.
  for (const word of searchWords(q.text)) where.push(`${LOG_TEXT} like ${p.add(`%${escapeLike(asciiLower(word))}%`, 'text')}`);
  where.push(...filterConditions('logs', q.filters, p));
  return where;
}

interface LogRow {
  t: string;
  c: string;
  o: string | null;
  sn: number;
  st: string | null;
  svc: string;
  body: string;
  tid: string | null;
  sid: string | null;
  flags: number | null;
  scope_name: string | null;
  scope_version: string | null;
  attributes: LogRecord['attributes'] | null;
  resource: LogRecord['resource'] | null;
}

export function toLogRecord(r: LogRow): LogRecord {
  const rec: LogRecord = {
    timeUnixNano: BigInt(r.t),
    severityNumber: Number(r.sn),
    body: r.body,
    serviceName: r.svc,
    attributes: r.attributes ?? {},
    resource: r.resource ?? {},
  };
  if (r.o !== null) rec.observedTimeUnixNano = BigInt(r.o);
  if (r.st !== null) rec.severityText = r.st;
  if (r.scope_name !== null) rec.scope = r.scope_version === null ? { name: r.scope_name } : { name: r.scope_name, version: r.scope_version };
  if (r.tid !== null) rec.traceId = r.tid.replace(/-/g, '');
  if (r.sid !== null) rec.spanId = r.sid;
  if (r.flags !== null) rec.flags = Number(r.flags);
  return rec;
}

export const LOG_COLUMNS = `time_ns::text as t, ctid::text as c, observed_ns::text as o, severity_number as sn, severity_text as st, service_name as svc, body,
  trace_id::text as tid, encode(span_id, 'hex') as sid, flags, scope_name, scope_version, attributes, resource`;

function cursorConditions(q: LogsQuery, p: Params): string[] {
  if (!q.cursor) return [];
  const c = decodeCursor(q.cursor);
  const t = p.add(c.t, 'int8');
  const forward = q.direction === 'forward';
  // (time, ctid) orders rows totally: rows with equal times share a daily partition,
  // where ctid is unique and stays put (the store never updates rows).
  return [forward ? `time_ns >= ${t}` : `time_ns <= ${t}`, `(time_ns, ctid) ${forward ? '>' : '<'} (${t}, ${p.add(c.c, 'tid')})`];
}

function volumeStep(q: LogsQuery): number | undefined {
  if (q.volumeStepMs === undefined) return undefined;
  const step = Math.floor(q.volumeStepMs);
  if (!(step > 0)) throw new PluginError('volumeStepMs must be a positive number of milliseconds', { source: 'plugin' });
  return step;
}

/** Bucket index of `time_ns` for a step in ns: floor division, also before 1970. */
function bucketExpr(stepNs: string): string {
  return `(time_ns - (((time_ns % ${stepNs}) + ${stepNs}) % ${stepNs})) / ${stepNs}`;
}

function toVolume(rows: Array<{ b: string | null; sn: number | null; n: number | null }>, step: number): LogVolumeBucket[] {
  const buckets = new Map<string, LogVolumeBucket>();
  for (const r of rows) {
    if (r.b === null) continue;
    let b = buckets.get(r.b);
    if (!b) {
      b = { t: Number(BigInt(r.b) * BigInt(step)), count: 0, bySeverity: {} };
      buckets.set(r.b, b);
    }
    const n = Number(r.n);
    b.count += n;
    const name = severityName(Number(r.sn));
    const by = b.bySeverity as Record<string, number>;
    by[name] = (by[name] ?? 0) + n;
  }
  return [...buckets.values()].sort((a, b) => a.t - b.t);
}

function pageOf(rows: LogRow[], limit: number): Pick<LogsResult, 'records' | 'nextCursor'> {
  const more = rows.length > limit;
  const kept = more ? rows.slice(0, limit) : rows;
  const last = kept[kept.length - 1];
  const out: Pick<LogsResult, 'records' | 'nextCursor'> = { records: kept.map(toLogRecord) };
  if (more && last) out.nextCursor = encodeCursor({ t: last.t, c: last.c });
  return out;
}

export async function queryLogs(rc: ReadContext, q: LogsQuery): Promise<LogsResult> {
  const limit = Math.max(0, Math.min(Math.floor(q.limit), HOST_LIMIT));
  const step = volumeStep(q);
  const selective = searchWords(q.text).length > 0 || (q.filters ?? []).length > 0;
  if (step !== undefined && selective && limit > 0) return searchOnce(rc, q, limit, step);
  const dir = q.direction === 'forward' ? 'asc' : 'desc';
  const page = async (): Promise<Pick<LogsResult, 'records' | 'nextCursor'>> => {
    if (limit === 0) return { records: [] };
    const p = new Params();
    const where = [...conditions(rc, q, p), ...cursorConditions(q, p)];
    const rows = await rc.driver.query<LogRow & Record<string, unknown>>(
      `select ${LOG_COLUMNS} from ${rc.s}.logs where ${where.join(' and ')} order by time_ns ${dir}, ctid ${dir} limit ${limit + 1}`,
      p.values,
      rc.signal,
    );
    return pageOf(rows, limit);
  };
  const volume = async (): Promise<LogVolumeBucket[] | undefined> => {
    if (step === undefined) return undefined;
    const p = new Params();
    const where = conditions(rc, q, p);
    const stepNs = p.add((BigInt(step) * 1_000_000n).toString(), 'int8');
    const rows = await rc.driver.query<{ b: string; sn: number; n: number }>(
      `select (${bucketExpr(stepNs)})::text as b, severity_number as sn, count(*)::float8 as n from ${rc.s}.logs where ${where.join(' and ')} group by 1, 2`,
      p.values,
      rc.signal,
    );
    return toVolume(rows, step);
  };
  // Without a text or attribute condition each query is cheap per row; on PostgreSQL the
  // two run side by side on two connections.
  const [pageResult, vol] = await Promise.all([page(), volume()]);
  const result: LogsResult = { ...pageResult };
  if (vol !== undefined) result.volume = vol;
  return result;
}

/**
 * A search with text or filters, and a volume: the conditions are the costly part (on
 * today's partition they run on every row of the range), so they are evaluated once. One
 * statement keeps (time, ctid, severity) of the matches, counts the volume from them and
 * picks the page; the page's rows are then read by ctid, a TID scan per daily partition.
 */
async function searchOnce(rc: ReadContext, q: LogsQuery, limit: number, step: number): Promise<LogsResult> {
  const dir = q.direction === 'forward' ? 'asc' : 'desc';
  const p = new Params();
  const where = conditions(rc, q, p);
  const stepNs = p.add((BigInt(step) * 1_000_000n).toString(), 'int8');
  const after = cursorConditions(q, p);
  const rows = await rc.driver.query<{ b: string | null; sn: number | null; n: number | null; t: string | null; c: string | null; r: number | null }>(
    `with m as materialized (select time_ns, ctid, severity_number from ${rc.s}.logs where ${where.join(' and ')})
     select (${bucketExpr(stepNs)})::text as b, severity_number as sn, count(*)::float8 as n, null::text as t, null::text as c, null::int8 as r
       from m group by 1, 2
     union all
     select null, null, null, time_ns::text, ctid::text, row_number() over (order by time_ns ${dir}, ctid ${dir})
       from (select time_ns, ctid from m ${after.length > 0 ? `where ${after.join(' and ')}` : ''} order by time_ns ${dir}, ctid ${dir} limit ${limit + 1}) page`,
    p.values,
    rc.signal,
  );
  const keys = rows.filter((r) => r.t !== null && r.c !== null).sort((a, b) => Number(a.r) - Number(b.r)) as Array<{ t: string; c: string }>;
  const byPartition = new Map<string, string[]>();
  for (const k of keys) {
    const part = partitionName('logs', dayOfNs(BigInt(k.t)));
    let ctids = byPartition.get(part);
    if (!ctids) byPartition.set(part, (ctids = []));
    ctids.push(k.c);
  }
  const found = new Map<string, LogRow>();
  await Promise.all(
    [...byPartition].map(async ([part, ctids]) => {
      const fp = new Params();
      const got = await rc.driver.query<LogRow & Record<string, unknown>>(
        `select ${LOG_COLUMNS} from ${rc.s}.${quoteIdent(part)} where ctid = any(${fp.add(`{${ctids.map((c) => `"${c}"`).join(',')}}`, 'text::tid[]')}) and tenant_key = ${fp.add(rc.tenantKey, 'int4')}`,
        fp.values,
        rc.signal,
      );
      for (const r of got) found.set(`${r.t}|${r.c}`, r);
    }),
  );
  const page = keys.map((k) => found.get(`${k.t}|${k.c}`)).filter((r): r is LogRow => r !== undefined);
  return { ...pageOf(page, limit), volume: toVolume(rows, step) };
}
