import { Link } from '@remix-run/react';
import { Fragment, useMemo, useState } from 'react';
import { Alert, Badge, cx } from '../ui';
import { AttributeTable } from './attributes';
import { ERROR_COLOR, colorFor } from './colors';
import { formatDuration, nanosToMs } from './format';
import { AlertIcon, ChevronRightIcon, LinkIcon, XIcon } from './icons';
import { Time } from './time';
import type { JsonSpan } from './types';

export interface SpanNode {
  span: JsonSpan;
  /** ms from the trace's first span start. */
  offsetMs: number;
  durationMs: number;
  depth: number;
  children: SpanNode[];
  /** Descendants at any depth (for "12 hidden" on collapsed rows). */
  descendants: number;
}

export interface TraceTree {
  roots: SpanNode[];
  byId: Map<string, SpanNode>;
  startMs: number;
  endMs: number;
  durationMs: number;
}

/**
 * Spans into a tree by parent id. A span whose parent is missing (not yet arrived, or
 * dropped) becomes a root, so nothing is ever hidden; siblings are ordered by start.
 */
export function buildTree(spans: JsonSpan[]): TraceTree {
  const startNs = spans.reduce((m, s) => (BigInt(s.startTimeUnixNano) < m ? BigInt(s.startTimeUnixNano) : m), BigInt(spans[0]?.startTimeUnixNano ?? '0'));
  const endNs = spans.reduce((m, s) => (BigInt(s.endTimeUnixNano) > m ? BigInt(s.endTimeUnixNano) : m), startNs);
  const byId = new Map<string, SpanNode>();
  for (const s of spans) {
    byId.set(s.spanId, {
      span: s,
      offsetMs: nanosToMs(BigInt(s.startTimeUnixNano) - startNs),
      durationMs: Math.max(0, nanosToMs(BigInt(s.endTimeUnixNano) - BigInt(s.startTimeUnixNano))),
      depth: 0,
      children: [],
      descendants: 0,
    });
  }
  const roots: SpanNode[] = [];
  for (const n of byId.values()) {
    const parent = n.span.parentSpanId ? byId.get(n.span.parentSpanId) : undefined;
    if (parent && parent !== n) parent.children.push(n);
    else roots.push(n);
  }
  const order = (a: SpanNode, b: SpanNode) => a.offsetMs - b.offsetMs || a.span.name.localeCompare(b.span.name);
  const seen = new Set<SpanNode>();
  const walk = (n: SpanNode, depth: number): number => {
    // A cycle in bad data must not hang the page.
    if (seen.has(n)) return 0;
    seen.add(n);
    n.depth = depth;
    n.children.sort(order);
    n.descendants = n.children.reduce((sum, c) => sum + 1 + walk(c, depth + 1), 0);
    return n.descendants;
  };
  roots.sort(order);
  for (const r of roots) walk(r, 0);
  const startMs = nanosToMs(startNs);
  return { roots, byId, startMs, endMs: nanosToMs(endNs), durationMs: nanosToMs(endNs - startNs) };
}

function visibleRows(roots: SpanNode[], collapsed: Set<string>): SpanNode[] {
  const out: SpanNode[] = [];
  const visit = (n: SpanNode) => {
    out.push(n);
    if (!collapsed.has(n.span.spanId)) for (const c of n.children) visit(c);
  };
  for (const r of roots) visit(r);
  return out;
}

const TICKS = [0, 0.25, 0.5, 0.75, 1];

/**
 * The trace waterfall: the span tree on the left (indented, collapsible), bars on a
 * shared time axis on the right, errors in red. Selecting a span opens its details
 * under its row.
 */
export function Waterfall({ tree, selected, onSelect }: { tree: TraceTree; selected: string | null; onSelect: (spanId: string | null) => void }) {
  const [collapsed, setCollapsed] = useState<Set<string>>(() => new Set());
  const rows = useMemo(() => visibleRows(tree.roots, collapsed), [tree, collapsed]);
  const total = Math.max(tree.durationMs, 0.001);
  const toggle = (id: string) =>
    setCollapsed((c) => {
      const next = new Set(c);
      if (next.has(id)) next.delete(id);
      else next.add(id);
      return next;
    });
  const parents = [...tree.byId.values()].filter((n) => n.children.length > 0);
  return (
    <div className="overflow-hidden rounded-xl bg-white shadow-sm ring-1 ring-slate-200 dark:bg-slate-900 dark:ring-slate-800" data-testid="waterfall">
      <div className="flex items-center justify-between border-b border-slate-100 px-4 py-2 text-xs dark:border-slate-800">
        <span className="font-medium text-slate-600 dark:text-slate-300">
          {tree.byId.size} span{tree.byId.size === 1 ? '' : 's'}
        </span>
        <span className="flex gap-1">
          <button type="button" className="rounded px-2 py-1 text-slate-600 hover:bg-slate-100 dark:text-slate-300 dark:hover:bg-slate-800" onClick={() => setCollapsed(new Set())}>
            Expand all
          </button>
          <button type="button" className="rounded px-2 py-1 text-slate-600 hover:bg-slate-100 dark:text-slate-300 dark:hover:bg-slate-800" onClick={() => setCollapsed(new Set(parents.filter((n) => n.depth > 0).map((n) => n.span.spanId)))}>
            Collapse all
          </button>
        </span>
      </div>
      {/* Time axis */}
      <div className="flex border-b border-slate-200 bg-slate-50/70 text-[11px] text-slate-500 dark:border-slate-800 dark:bg-slate-800/40 dark:text-slate-400" aria-hidden="true">
        <div className="w-[38%] shrink-0 px-4 py-1.5 font-medium uppercase tracking-wide">Service & operation</div>
        <div className="relative mr-16 flex-1">
          {TICKS.map((f) => (
            <span key={f} className={cx('absolute top-1.5', f === 0 ? '' : f === 1 ? '-translate-x-full' : '-translate-x-1/2')} style={{ left: `${f * 100}%` }}>
              {formatDuration(total * f)}
            </span>
          ))}
        </div>
      </div>
      <ul className="relative" aria-label="Spans">
        {rows.map((n) => {
          const s = n.span;
          const error = s.status.code === 'error';
          const left = (n.offsetMs / total) * 100;
          const width = (n.durationMs / total) * 100;
          const isSelected = selected === s.spanId;
          const isCollapsed = collapsed.has(s.spanId);
          const color = error ? ERROR_COLOR : colorFor(s.serviceName);
          // The duration goes beside the bar where there is room, else inside it.
          const labelAt = left + width < 70 ? 'right' : left > 15 ? 'left' : 'inside';
          return (
            <Fragment key={s.spanId}>
              <li
                className={cx(
                  'group flex h-8 items-stretch border-b border-slate-100 text-sm dark:border-slate-800/70',
                  isSelected ? 'bg-brand-50 dark:bg-brand-500/10' : 'hover:bg-slate-50 dark:hover:bg-slate-800/40',
                )}
                data-testid="span-row"
                data-span-id={s.spanId}
                data-error={error ? 'true' : undefined}
              >
                <div className="flex w-[38%] shrink-0 items-center gap-1 overflow-hidden pr-2" style={{ paddingLeft: `${8 + n.depth * 16}px` }}>
                  {n.children.length > 0 ? (
                    <button
                      type="button"
                      onClick={() => toggle(s.spanId)}
                      aria-expanded={!isCollapsed}
                      aria-label={`${isCollapsed ? 'Expand' : 'Collapse'} ${s.name}`}
                      className="flex h-5 w-5 shrink-0 items-center justify-center rounded text-slate-500 hover:bg-slate-200 dark:hover:bg-slate-700"
                    >
                      <ChevronRightIcon width={14} height={14} className={cx('transition-transform', isCollapsed ? '' : 'rotate-90')} />
                    </button>
                  ) : (
                    <span className="w-5 shrink-0" />
                  )}
                  <span className="h-4 w-1 shrink-0 rounded-full" style={{ backgroundColor: colorFor(s.serviceName) }} aria-hidden="true" />
                  <button
                    type="button"
                    onClick={() => onSelect(isSelected ? null : s.spanId)}
                    aria-expanded={isSelected}
                    className="flex min-w-0 flex-1 items-center gap-1.5 truncate text-left"
                    title={`${s.serviceName}: ${s.name}`}
                  >
                    <span className="truncate">
                      <span className="font-medium">{s.serviceName}</span> <span className="text-slate-600 dark:text-slate-300">{s.name}</span>
                    </span>
                    {error ? <AlertIcon width={14} height={14} className="shrink-0 text-red-500" aria-label="error" /> : null}
                    {isCollapsed ? <span className="shrink-0 rounded bg-slate-100 px-1 text-[10px] text-slate-600 dark:bg-slate-800 dark:text-slate-300">+{n.descendants}</span> : null}
                  </button>
                </div>
                <button type="button" tabIndex={-1} aria-hidden="true" onClick={() => onSelect(isSelected ? null : s.spanId)} className="relative mr-16 flex-1 cursor-pointer">
                  {TICKS.slice(1, -1).map((f) => (
                    <span key={f} className="absolute inset-y-0 border-l border-slate-100 dark:border-slate-800" style={{ left: `${f * 100}%` }} />
                  ))}
                  <span
                    className={cx('absolute top-1/2 h-3.5 -translate-y-1/2 rounded-sm', error ? 'ring-1 ring-red-700/40' : '', isSelected ? 'ring-2 ring-brand-500' : '')}
                    style={{ left: `${left}%`, width: `max(2px, ${width}%)`, backgroundColor: color, opacity: isSelected ? 1 : 0.85 }}
                  >
                    {s.events.map((e, i) => {
                      const at = n.durationMs > 0 ? ((nanosToMs(BigInt(e.timeUnixNano) - BigInt(s.startTimeUnixNano)) / n.durationMs) * 100) : 0;
                      return <span key={i} className="absolute inset-y-0 w-px bg-white/90" style={{ left: `${Math.min(100, Math.max(0, at))}%` }} />;
                    })}
                  </span>
                  <span
                    className={cx(
                      'absolute top-1/2 -translate-y-1/2 whitespace-nowrap text-[11px] tabular-nums',
                      labelAt === 'inside' ? 'font-medium text-white' : error ? 'text-red-600 dark:text-red-400' : 'text-slate-500 dark:text-slate-400',
                    )}
                    style={
                      labelAt === 'right'
                        ? { left: `calc(${left + width}% + 6px)` }
                        : labelAt === 'left'
                          ? { right: `calc(${100 - left}% + 6px)` }
                          : { right: `calc(${100 - left - width}% + 6px)` }
                    }
                  >
                    {formatDuration(n.durationMs)}
                  </span>
                </button>
              </li>
              {isSelected ? (
                <li className="border-b border-slate-200 bg-slate-50/60 dark:border-slate-800 dark:bg-slate-950/40">
                  <SpanDetails node={n} onClose={() => onSelect(null)} />
                </li>
              ) : null}
            </Fragment>
          );
        })}
      </ul>
    </div>
  );
}

const KIND_LABEL: Record<string, string> = { server: 'server', client: 'client', internal: 'internal', producer: 'producer', consumer: 'consumer', unspecified: 'span' };

function SpanDetails({ node, onClose }: { node: SpanNode; onClose: () => void }) {
  const s = node.span;
  const startNs = BigInt(s.startTimeUnixNano);
  const error = s.status.code === 'error';
  const traceFilter = (k: string, v: string) => `/traces?${new URLSearchParams({ filter: `${k}=${v}` })}`;
  return (
    <section className="space-y-4 px-5 py-4" aria-label={`Span ${s.name}`} data-testid="span-details">
      <header className="flex flex-wrap items-start justify-between gap-3">
        <div>
          <h3 className="text-base font-semibold">{s.name}</h3>
          <p className="mt-1 flex flex-wrap items-center gap-x-3 gap-y-1 text-xs text-slate-500 dark:text-slate-400">
            <span className="inline-flex items-center gap-1.5">
              <span className="h-2 w-2 rounded-full" style={{ backgroundColor: colorFor(s.serviceName) }} aria-hidden="true" />
              {s.serviceName}
            </span>
            <Badge tone="neutral">{KIND_LABEL[s.kind] ?? s.kind}</Badge>
            {error ? <Badge tone="red">error</Badge> : s.status.code === 'ok' ? <Badge tone="green">ok</Badge> : <Badge tone="neutral">unset</Badge>}
            <span>
              Duration <strong className="text-slate-900 dark:text-slate-100">{formatDuration(node.durationMs)}</strong>
            </span>
            <span>
              Starts at <strong className="text-slate-900 dark:text-slate-100">+{formatDuration(node.offsetMs)}</strong>
            </span>
            <Time ms={nanosToMs(startNs)} format="datetime-ms" />
          </p>
          <p className="mt-1 font-mono text-[11px] text-slate-500 dark:text-slate-400">
            span {s.spanId}
            {s.parentSpanId ? ` · parent ${s.parentSpanId}` : ' · root'}
            {s.scope ? ` · ${s.scope.name}${s.scope.version ? ` ${s.scope.version}` : ''}` : ''}
          </p>
        </div>
        <button type="button" onClick={onClose} aria-label="Close span details" className="rounded p-1 text-slate-500 hover:bg-slate-200 dark:hover:bg-slate-800">
          <XIcon width={16} height={16} />
        </button>
      </header>
      {error ? (
        <Alert tone="error" title="Status: error">
          {s.status.message || 'No status message.'}
        </Alert>
      ) : null}
      <div className="grid gap-5 lg:grid-cols-2">
        <div>
          <h4 className="mb-1.5 text-xs font-semibold uppercase tracking-wider text-slate-500">Attributes</h4>
          <AttributeTable label="Span attributes" attributes={s.attributes} filterHref={traceFilter} />
        </div>
        <div>
          <h4 className="mb-1.5 text-xs font-semibold uppercase tracking-wider text-slate-500">Resource</h4>
          <AttributeTable label="Resource attributes" attributes={s.resource} filterHref={traceFilter} />
        </div>
      </div>
      <div className="grid gap-5 lg:grid-cols-2">
        <div>
          <h4 className="mb-1.5 text-xs font-semibold uppercase tracking-wider text-slate-500">Events ({s.events.length})</h4>
          {s.events.length === 0 ? (
            <p className="text-xs text-slate-500 dark:text-slate-400">None</p>
          ) : (
            <ol className="space-y-2">
              {s.events.map((e, i) => (
                <li key={i} className="rounded-lg bg-white p-2.5 ring-1 ring-slate-200 dark:bg-slate-900 dark:ring-slate-800" data-testid="span-event">
                  <p className="flex items-baseline gap-2 text-xs">
                    <span className="font-mono tabular-nums text-slate-500 dark:text-slate-400">+{formatDuration(nanosToMs(BigInt(e.timeUnixNano) - startNs))}</span>
                    <span className={cx('font-medium', e.name === 'exception' ? 'text-red-600 dark:text-red-400' : '')}>{e.name}</span>
                  </p>
                  {Object.keys(e.attributes).length ? (
                    <div className="mt-1.5">
                      <AttributeTable label={`Attributes of event ${e.name}`} attributes={e.attributes} />
                    </div>
                  ) : null}
                </li>
              ))}
            </ol>
          )}
        </div>
        <div>
          <h4 className="mb-1.5 text-xs font-semibold uppercase tracking-wider text-slate-500">Links ({s.links.length})</h4>
          {s.links.length === 0 ? (
            <p className="text-xs text-slate-500 dark:text-slate-400">None</p>
          ) : (
            <ul className="space-y-2">
              {s.links.map((l) => (
                <li key={`${l.traceId}:${l.spanId}`} className="rounded-lg bg-white p-2.5 ring-1 ring-slate-200 dark:bg-slate-900 dark:ring-slate-800">
                  <Link to={`/traces/${l.traceId}?${new URLSearchParams({ span: l.spanId })}`} className="inline-flex items-center gap-1.5 font-mono text-xs font-medium text-brand-600 hover:underline dark:text-brand-400" data-testid="span-link">
                    <LinkIcon width={13} height={13} /> trace {l.traceId.slice(0, 16)}… span {l.spanId}
                  </Link>
                  {Object.keys(l.attributes).length ? (
                    <div className="mt-1.5">
                      <AttributeTable label="Link attributes" attributes={l.attributes} />
                    </div>
                  ) : null}
                </li>
              ))}
            </ul>
          )}
        </div>
      </div>
    </section>
  );
}
