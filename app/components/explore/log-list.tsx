import { Link } from '@remix-run/react';
import { type ReactNode, memo, useMemo, useState } from 'react';
import { cx } from '../ui';
import { AttributeTable } from './attributes';
import { SEVERITY_COLOR, colorFor, severityLevel } from './colors';
import { nanosToMs } from './format';
import { ChevronRightIcon, LinkIcon, TracesIcon } from './icons';
import { Time } from './time';
import type { JsonLogRecord } from './types';

/** A key that tells records apart across pages and live tail polls. */
export function logKey(r: JsonLogRecord): string {
  return `${r.timeUnixNano}|${r.serviceName}|${r.spanId ?? ''}|${r.body}`;
}

/** The words of a text search as one pattern (a capturing group, so split keeps them); null without words. */
function searchPattern(search: string): RegExp | null {
  const words = search.split(/\s+/).filter(Boolean);
  if (words.length === 0) return null;
  return new RegExp(`(${words.map((w) => w.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')).join('|')})`, 'gi');
}

/** Marks the words of a text search in a body. */
function highlight(body: string, re: RegExp | null): ReactNode {
  if (!re) return body;
  const parts = body.split(re);
  return parts.map((p, i) =>
    i % 2 === 1 ? (
      <mark key={i} className="rounded-sm bg-amber-200 px-0.5 text-inherit dark:bg-amber-500/40">
        {p}
      </mark>
    ) : (
      p
    ),
  );
}

export function SeverityBadge({ n, text }: { n: number; text?: string | undefined }) {
  const level = severityLevel(n);
  const color = SEVERITY_COLOR[level];
  return (
    <span
      className="inline-flex w-14 shrink-0 items-center justify-center rounded px-1.5 py-0.5 text-[10px] font-semibold uppercase tracking-wide"
      style={{ color, backgroundColor: `${color}1f`, boxShadow: `inset 0 0 0 1px ${color}40` }}
      title={text ? `${text} (${n})` : `severity ${n}`}
    >
      {level === 'unset' ? (text || '—') : level}
    </span>
  );
}

/**
 * Log records newest first, one line each; a click expands a record to its full body,
 * attributes, resource and a link to its trace.
 */
export const LogList = memo(function LogList({
  records,
  search,
  fresh,
  filterHref,
}: {
  records: JsonLogRecord[];
  search: string;
  /** Keys of records that just arrived by live tail, shown highlighted for a moment. */
  fresh?: Set<string>;
  filterHref: (key: string, value: string) => string;
}) {
  // Made once per search, not per row and render: live tail re-renders thousands of rows.
  const pattern = useMemo(() => searchPattern(search), [search]);
  return (
    <ol className="divide-y divide-slate-100 font-mono text-xs dark:divide-slate-800" aria-label="Log records" data-testid="log-list">
      {records.map((r) => {
        const key = logKey(r);
        return <LogRow key={key} record={r} pattern={pattern} fresh={fresh?.has(key) ?? false} filterHref={filterHref} />;
      })}
    </ol>
  );
});

function LogRow({ record: r, pattern, fresh, filterHref }: { record: JsonLogRecord; pattern: RegExp | null; fresh: boolean; filterHref: (key: string, value: string) => string }) {
  const [open, setOpen] = useState(false);
  const ms = nanosToMs(r.timeUnixNano);
  const level = severityLevel(r.severityNumber);
  return (
    <li className={cx('relative transition-colors duration-1000', fresh ? 'bg-brand-50 dark:bg-brand-500/15' : '')} data-testid="log-row" data-severity={level}>
      <span className="absolute inset-y-0 left-0 w-0.5" style={{ backgroundColor: SEVERITY_COLOR[level] }} aria-hidden="true" />
      <button
        type="button"
        onClick={() => setOpen((o) => !o)}
        aria-expanded={open}
        className="flex w-full items-center gap-3 py-1.5 pl-3 pr-4 text-left hover:bg-slate-50 dark:hover:bg-slate-800/40"
      >
        <ChevronRightIcon width={12} height={12} className={cx('shrink-0 text-slate-400 transition-transform', open ? 'rotate-90' : '')} />
        <Time ms={ms} format="time-ms" className="shrink-0 tabular-nums text-slate-500 dark:text-slate-400" />
        <SeverityBadge n={r.severityNumber} text={r.severityText} />
        <span className="flex w-28 shrink-0 items-center gap-1.5 truncate font-sans text-slate-600 dark:text-slate-300">
          <span className="h-1.5 w-1.5 shrink-0 rounded-full" style={{ backgroundColor: colorFor(r.serviceName) }} aria-hidden="true" />
          <span className="truncate">{r.serviceName || '—'}</span>
        </span>
        <span className="min-w-0 flex-1 truncate text-slate-900 dark:text-slate-100">{highlight(r.body, pattern)}</span>
        {r.traceId ? <TracesIcon width={13} height={13} className="shrink-0 text-slate-400" aria-label="has a trace" /> : null}
      </button>
      {open ? (
        <div className="space-y-4 border-t border-slate-100 bg-slate-50/60 px-10 py-3 font-sans dark:border-slate-800 dark:bg-slate-950/40" data-testid="log-details">
          <pre className="whitespace-pre-wrap rounded-md bg-white p-3 font-mono text-xs text-slate-900 ring-1 ring-slate-200 [overflow-wrap:anywhere] dark:bg-slate-900 dark:text-slate-100 dark:ring-slate-800">{r.body}</pre>
          <div className="flex flex-wrap items-center gap-x-4 gap-y-2 text-xs text-slate-500 dark:text-slate-400">
            <Time ms={ms} format="datetime-ms" />
            {r.severityText ? <span>severity {r.severityText} ({r.severityNumber})</span> : null}
            {r.scope ? <span>scope {r.scope.name}</span> : null}
            {r.traceId ? (
              <>
                <Link
                  to={`/traces/${r.traceId}${r.spanId ? `?${new URLSearchParams({ span: r.spanId })}` : ''}`}
                  className="inline-flex items-center gap-1 font-medium text-brand-600 hover:underline dark:text-brand-400"
                  data-testid="log-trace-link"
                >
                  <TracesIcon width={14} height={14} /> View trace
                </Link>
                <Link
                  to={`/logs?${new URLSearchParams({ traceId: r.traceId, from: String(Math.floor(ms - 1_800_000)), to: String(Math.ceil(ms + 1_800_000)) })}`}
                  className="inline-flex items-center gap-1 font-medium text-brand-600 hover:underline dark:text-brand-400"
                >
                  <LinkIcon width={14} height={14} /> All logs of this trace
                </Link>
                <span className="font-mono">
                  trace {r.traceId}
                  {r.spanId ? ` · span ${r.spanId}` : ''}
                </span>
              </>
            ) : null}
          </div>
          <div className="grid gap-5 lg:grid-cols-2">
            <div>
              <h4 className="mb-1.5 text-xs font-semibold uppercase tracking-wider text-slate-500">Attributes</h4>
              <AttributeTable label="Log attributes" attributes={r.attributes} filterHref={filterHref} />
            </div>
            <div>
              <h4 className="mb-1.5 text-xs font-semibold uppercase tracking-wider text-slate-500">Resource</h4>
              <AttributeTable label="Resource attributes" attributes={r.resource} filterHref={filterHref} />
            </div>
          </div>
        </div>
      ) : null}
    </li>
  );
}
