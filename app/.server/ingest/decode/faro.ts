/**
 * Grafana Faro web SDK payloads (grafana/faro-web-sdk, packages/core/src/transports/types.ts
 * `TransportBody`): `{ meta, logs?, exceptions?, measurements?, events?, traces? }`, POSTed
 * as application/json (optionally gzip) by the fetch transport. `traces` is an OTLP/JSON
 * ExportTraceServiceRequest and goes through the OTLP/JSON decoder.
 *
 * Mapping to RumEvent (event names from packages/core/src/semantic.ts and the web SDK's
 * instrumentations):
 *  - logs[]           -> kind 'log', name = level, message = message, context -> attributes
 *  - exceptions[]     -> kind 'error', name = type, message = value, stack = "Type: value" plus
 *                        one "    at fn (file:line:col)" line per stacktrace frame
 *  - measurements[]   -> type 'web-vitals': one 'web_vital' per vital in values (lcp, inp, cls,
 *                        fcp, ttfb, fid; name upper-cased), the other values (delta…) as attributes;
 *                        any other type: one 'measurement' per value, named "<type>.<key>"
 *  - events[]         -> session_start / session_resume / session_extend: 'session';
 *                        view_changed, route_change, navigation and faro.performance.navigation
 *                        (a full page load): 'page_view'; everything else (click,
 *                        faro.performance.resource, faro.tracing.fetch, custom…): 'event'
 *  - meta             -> sessionId, userId, app, page (url split into path and query), browser
 *                        (userAgent kept for enrichment), and attributes view.name, page.id,
 *                        sdk.*, app.namespace/release/bundle_id, session.<k>, page.<k>
 */
import type { AttributeValue, Attributes, RumEvent, RumEventKind, Span } from '@obstack/plugin-api';
import { capString, isHex, isZeroHex } from './bytes';
import { setAttr, timeProblem, truncationWarning, UNKNOWN_SERVICE } from './build';
import { guard } from './errors';
import { envelopeArray, envelopeObject, isObj, ItemError, type JsonObject, parseJsonBody } from './json';
import { type DecodeLimits, type DecodeOptions, resolveLimits } from './limits';
import { tracesFromJsonObject } from './otlp-json';
import { Report } from './report';

export interface FaroDecodeOptions extends DecodeOptions {
  /** Session id to use when meta carries none (the transport also sends it as x-faro-session-id). */
  sessionId?: string;
}

export interface FaroResult {
  events: RumEvent[];
  spans: Span[];
  /** Events and spans taken. */
  accepted: number;
  /** Items (and spans) rejected. */
  rejected: number;
  message: string | undefined;
}

/** The RumEvent fields that come from `meta` and are the same for every item of a payload. */
interface Base {
  sessionId: string;
  userId: string | undefined;
  app: RumEvent['app'];
  page: RumEvent['page'];
  browser: RumEvent['browser'];
  attributes: Attributes;
}

/** What every item decoder needs; `base` is derived from meta once per payload. */
interface Env {
  limits: DecodeLimits;
  report: Report;
  /** Strings cut to their limit, reported as one warning. */
  cut: { n: number };
  received: bigint;
}

interface FCtx extends Env {
  base: Base;
}

const SESSION_EVENTS = new Set(['session_start', 'session_resume', 'session_extend']);
const PAGE_VIEW_EVENTS = new Set(['view_changed', 'route_change', 'navigation', 'faro.performance.navigation']);
const WEB_VITALS = new Set(['lcp', 'inp', 'cls', 'fcp', 'ttfb', 'fid']);

/** Decodes a Faro TransportBody. Throws IngestError (400/413) when the body is not one. */
export function decodeFaro(body: Uint8Array | string, opts?: FaroDecodeOptions): FaroResult {
  return guard('json', () => {
    const root = parseJsonBody(body);
    const limits = resolveLimits(opts?.limits);
    const report = new Report(limits, 'items');
    const env: Env = { limits, report, cut: { n: 0 }, received: opts?.receivedAtUnixNano ?? BigInt(Date.now()) * 1_000_000n };
    const c: FCtx = { ...env, base: baseOf(env, envelopeObject(root.meta, 'meta') ?? {}, opts?.sessionId) };
    const events: RumEvent[] = [];
    const each = (key: string, fn: (v: JsonObject) => void) => {
      const list = envelopeArray(root, key, undefined, key);
      for (let i = 0; i < list.length; i++) {
        report.countItem();
        try {
          const v = list[i];
          if (!isObj(v)) throw new ItemError('must be an object');
          fn(v);
        } catch (e) {
          if (!(e instanceof ItemError)) throw e;
          report.reject(`${key}[${i}]`, e.message);
        }
      }
    };
    each('logs', (v) => events.push(log(c, v)));
    each('exceptions', (v) => events.push(exception(c, v)));
    each('measurements', (v) => events.push(...measurement(c, v)));
    each('events', (v) => events.push(event(c, v)));

    let spans: Span[] = [];
    const traces = envelopeObject(root.traces, 'traces');
    let spanMessage: string | undefined;
    let spansRejected = 0;
    if (traces) {
      // The span budget is what the items left of maxItems.
      const budget = Math.max(0, limits.maxItems - report.items);
      const t = tracesFromJsonObject(traces, { ...opts, limits: { ...limits, maxItems: budget } });
      spans = t.items;
      spansRejected = t.rejected;
      spanMessage = t.message ? `traces: ${t.message}` : undefined;
    }
    if (c.cut.n > 0) report.warn(truncationWarning(limits), c.cut.n);
    const message = [report.message(), spanMessage].filter(Boolean).join('. ') || undefined;
    return { events, spans, accepted: events.length + spans.length, rejected: report.rejected + spansRejected, message };
  });
}

function str(c: Env, v: unknown, max: number): string | undefined {
  if (typeof v !== 'string' || v === '') return undefined;
  const out = capString(v, max);
  if (out !== v) c.cut.n++;
  return out;
}

function baseOf(c: Env, meta: JsonObject, sessionFallback: string | undefined): Base {
  const lim = c.limits;
  const name = lim.maxNameBytes;
  const obj = (k: string): JsonObject => (isObj(meta[k]) ? meta[k] : {});
  const app = obj('app');
  const session = obj('session');
  const user = obj('user');
  const page = obj('page');
  const browser = obj('browser');
  const sdk = obj('sdk');
  const view = obj('view');
  const os = obj('os');
  const device = obj('device');

  const attributes: Attributes = {};
  const put = (k: string, v: unknown) => {
    const s = str(c, v, lim.maxAttributeValueBytes);
    if (s !== undefined) setAttr(attributes, k, s);
  };
  put('view.name', view.name);
  put('page.id', page.id);
  put('sdk.name', sdk.name);
  put('sdk.version', sdk.version);
  put('app.namespace', app.namespace);
  put('app.release', app.release);
  put('app.bundle_id', app.bundleId);
  // Arbitrary string maps the SDK lets applications attach; prefixed so they cannot shadow the above.
  for (const [prefix, holder] of [
    ['session', session],
    ['page', page],
  ] as const) {
    const a = holder.attributes;
    if (!isObj(a)) continue;
    let n = 0;
    for (const [k, v] of Object.entries(a)) {
      if (n++ >= lim.maxAttributes) break;
      if (k.length <= lim.maxAttributeKeyBytes) put(`${prefix}.${k}`, v);
    }
  }

  const url = str(c, page.url, lim.maxAttributeValueBytes) ?? '';
  const pageOut: RumEvent['page'] = { url };
  try {
    const u = new URL(url);
    pageOut.path = u.pathname;
    if (u.search.length > 1) pageOut.query = u.search.slice(1);
  } catch {
    // Not an absolute URL: keep it as sent, without a path split.
  }

  const mobile = browser.mobile;
  const osName = str(c, browser.os, name) ?? [str(c, os.name, name), str(c, os.version, name)].filter(Boolean).join(' ');
  const browserOut: NonNullable<RumEvent['browser']> = {
    name: str(c, browser.name, name),
    version: str(c, browser.version, name),
    os: osName || undefined,
    device: str(c, device.type, name) ?? (typeof mobile === 'boolean' ? (mobile ? 'mobile' : 'desktop') : undefined),
    userAgent: str(c, browser.userAgent, lim.maxAttributeValueBytes),
  };

  return {
    sessionId: str(c, session.id, name) ?? str(c, sessionFallback, name) ?? '',
    userId: str(c, user.id, name),
    app: { name: str(c, app.name, name) ?? UNKNOWN_SERVICE, version: str(c, app.version, name), environment: str(c, app.environment, name) },
    page: pageOut,
    browser: Object.values(browserOut).some((v) => v !== undefined) ? browserOut : undefined,
    attributes,
  };
}

/** Faro timestamps are ISO-8601 strings (new Date().toISOString()); missing means "now". */
function timeOf(c: FCtx, v: unknown): bigint {
  if (v === undefined || v === null) return c.received;
  const ms = typeof v === 'string' ? Date.parse(v) : typeof v === 'number' ? v : NaN;
  if (!Number.isFinite(ms)) throw new ItemError(`timestamp ${JSON.stringify(String(v).slice(0, 40))} is not an ISO-8601 date`);
  const ns = BigInt(Math.trunc(ms)) * 1_000_000n;
  const why = timeProblem(ns, 'timestamp', c.limits);
  if (why !== undefined) throw new ItemError(why);
  return ns;
}

/** Faro's TraceContext is `{ trace_id, span_id }` in hex; anything else is ignored (correlation is optional). */
function traceOf(v: unknown): { traceId?: string; spanId?: string } {
  if (!isObj(v)) return {};
  const t = v.trace_id;
  const s = v.span_id;
  const ok = (x: unknown, n: number): x is string => typeof x === 'string' && x.length === n && isHex(x) && !isZeroHex(x);
  return { traceId: ok(t, 32) ? t.toLowerCase() : undefined, spanId: ok(s, 16) ? s.toLowerCase() : undefined };
}

/** Item attributes: the meta attributes, overlaid with the item's own (context / attributes). */
function attrsOf(c: FCtx, own: unknown, extra?: Attributes): Attributes {
  const lim = c.limits;
  const out: Attributes = { ...c.base.attributes };
  if (extra) for (const k of Object.keys(extra)) setAttr(out, k, extra[k]!);
  if (!isObj(own)) return out;
  let n = 0;
  for (const [k, v] of Object.entries(own)) {
    if (n >= lim.maxAttributes) {
      c.report.warn(`attribute dropped over the limit of ${lim.maxAttributes} per item`);
      break;
    }
    if (k === '' || k.length > lim.maxAttributeKeyBytes) continue;
    const av = plainValue(c, v, 0);
    if (av === undefined) continue;
    setAttr(out, k, av);
    n++;
  }
  return out;
}

/** A JSON value from a Faro context map to an AttributeValue, with the usual size and depth limits. */
function plainValue(c: FCtx, v: unknown, depth: number): AttributeValue | undefined {
  const lim = c.limits;
  if (typeof v === 'string') {
    const s = capString(v, lim.maxAttributeValueBytes);
    if (s !== v) c.cut.n++;
    return s;
  }
  if (typeof v === 'number' || typeof v === 'boolean' || v === null) return v;
  if (depth >= lim.maxAnyValueDepth) return undefined;
  if (Array.isArray(v)) {
    const out: AttributeValue[] = [];
    for (const x of v.slice(0, lim.maxArrayValues)) {
      const av = plainValue(c, x, depth + 1);
      if (av !== undefined) out.push(av);
    }
    return out;
  }
  if (isObj(v)) {
    const out: Attributes = {};
    for (const [k, x] of Object.entries(v).slice(0, lim.maxAttributes)) {
      const av = plainValue(c, x, depth + 1);
      if (av !== undefined) setAttr(out, k, av);
    }
    return out;
  }
  return undefined;
}

function actionAttrs(v: unknown): Attributes | undefined {
  if (!isObj(v)) return undefined;
  const out: Attributes = {};
  if (typeof v.name === 'string') out['action.name'] = v.name;
  if (typeof v.id === 'string') out['action.id'] = v.id;
  if (typeof v.parentId === 'string') out['action.parent_id'] = v.parentId;
  return out;
}

function rum(c: FCtx, kind: RumEventKind, name: string, time: bigint, trace: unknown, attributes: Attributes): RumEvent {
  const b = c.base;
  const t = traceOf(trace);
  return {
    timeUnixNano: time,
    kind,
    name,
    value: undefined,
    message: undefined,
    stack: undefined,
    sessionId: b.sessionId,
    userId: b.userId,
    app: b.app,
    page: b.page,
    browser: b.browser,
    traceId: t.traceId,
    spanId: t.spanId,
    attributes,
  };
}

function log(c: FCtx, v: JsonObject): RumEvent {
  if (typeof v.message !== 'string') throw new ItemError('message must be a string');
  const level = str(c, v.level, c.limits.maxNameBytes) ?? 'log';
  const e = rum(c, 'log', level, timeOf(c, v.timestamp), v.trace, attrsOf(c, v.context));
  e.message = str(c, v.message, c.limits.maxLogBodyBytes) ?? '';
  return e;
}

function exception(c: FCtx, v: JsonObject): RumEvent {
  const lim = c.limits;
  const type = str(c, v.type, lim.maxNameBytes);
  const value = typeof v.value === 'string' ? v.value : undefined;
  if (type === undefined && value === undefined) throw new ItemError('exception has neither type nor value');
  const e = rum(c, 'error', type ?? 'Error', timeOf(c, v.timestamp), v.trace, attrsOf(c, v.context, actionAttrs(v.action)));
  e.message = str(c, value, lim.maxLogBodyBytes) ?? '';
  const frames = isObj(v.stacktrace) && Array.isArray(v.stacktrace.frames) ? v.stacktrace.frames : [];
  if (frames.length > 0) {
    // V8's format, which is what most readers (and symbolicators) expect.
    const lines = [`${type ?? 'Error'}: ${value ?? ''}`];
    for (const f of frames.slice(0, lim.maxArrayValues)) {
      if (!isObj(f)) continue;
      const fn = typeof f.function === 'string' && f.function !== '' ? f.function : '<anonymous>';
      let loc = typeof f.filename === 'string' ? f.filename : '<unknown>';
      if (typeof f.lineno === 'number') loc += `:${f.lineno}${typeof f.colno === 'number' ? `:${f.colno}` : ''}`;
      lines.push(`    at ${fn} (${loc})`);
    }
    const stack = lines.join('\n');
    e.stack = capString(stack, lim.maxLogBodyBytes);
    if (e.stack !== stack) c.cut.n++;
  }
  return e;
}

function measurement(c: FCtx, v: JsonObject): RumEvent[] {
  const type = str(c, v.type, c.limits.maxNameBytes);
  if (type === undefined) throw new ItemError('measurement type must be a non-empty string');
  if (!isObj(v.values)) throw new ItemError('measurement values must be an object');
  const time = timeOf(c, v.timestamp);
  const numeric = Object.entries(v.values).filter((e): e is [string, number] => typeof e[1] === 'number' && Number.isFinite(e[1]));
  if (numeric.length === 0) throw new ItemError('measurement has no finite numeric value');
  const out: RumEvent[] = [];
  if (type === 'web-vitals') {
    const extra: Attributes = {};
    for (const [k, x] of numeric) if (!WEB_VITALS.has(k.toLowerCase())) extra[k] = x;
    for (const [k, x] of numeric) {
      if (!WEB_VITALS.has(k.toLowerCase())) continue;
      const e = rum(c, 'web_vital', k.toUpperCase(), time, v.trace, attrsOf(c, v.context, extra));
      e.value = x;
      out.push(e);
    }
    if (out.length === 0) throw new ItemError('web-vitals measurement has no known vital (lcp, inp, cls, fcp, ttfb, fid)');
    return out;
  }
  for (const [k, x] of numeric.slice(0, c.limits.maxAttributes)) {
    const e = rum(c, 'measurement', `${type}.${k}`, time, v.trace, attrsOf(c, v.context, { 'measurement.type': type }));
    e.value = x;
    out.push(e);
  }
  return out;
}

function event(c: FCtx, v: JsonObject): RumEvent {
  const name = str(c, v.name, c.limits.maxNameBytes);
  if (name === undefined) throw new ItemError('event name must be a non-empty string');
  const kind: RumEventKind = SESSION_EVENTS.has(name) ? 'session' : PAGE_VIEW_EVENTS.has(name) ? 'page_view' : 'event';
  const extra = actionAttrs(v.action) ?? {};
  const domain = str(c, v.domain, c.limits.maxNameBytes);
  if (domain !== undefined) extra['event.domain'] = domain;
  return rum(c, kind, name, timeOf(c, v.timestamp), v.trace, attrsOf(c, v.attributes, extra));
}
