import { type PointerEvent, useRef, useState } from 'react';
import { SEVERITY_COLOR, SEVERITY_LEVELS, type SeverityLevel } from './colors';
import { formatCount } from './format';
import { formatTime, useHydrated } from './time';

export interface VolumeBucket {
  t: number;
  count: number;
  bySeverity?: Record<string, number> | undefined;
}

/**
 * Log volume over the range: one column per step, stacked by severity. Drag across it to
 * zoom into that stretch. Plain HTML on a percentage grid, so it renders on the server
 * and needs no chart library.
 */
export function LogVolume({
  buckets,
  stepMs,
  startMs,
  endMs,
  onZoom,
}: {
  buckets: VolumeBucket[];
  stepMs: number;
  startMs: number;
  endMs: number;
  onZoom?: (fromMs: number, toMs: number) => void;
}) {
  const local = useHydrated();
  const area = useRef<HTMLDivElement>(null);
  const [drag, setDrag] = useState<{ a: number; b: number } | null>(null);
  const first = Math.floor(startMs / stepMs) * stepMs;
  const slots: VolumeBucket[] = [];
  const byT = new Map(buckets.map((b) => [b.t, b]));
  for (let t = first; t < endMs && slots.length < 2000; t += stepMs) slots.push(byT.get(t) ?? { t, count: 0 });
  const max = Math.max(1, ...slots.map((s) => s.count));
  const total = buckets.reduce((s, b) => s + b.count, 0);
  const totals: Partial<Record<SeverityLevel, number>> = {};
  for (const b of buckets) for (const [k, v] of Object.entries(b.bySeverity ?? {})) totals[k as SeverityLevel] = (totals[k as SeverityLevel] ?? 0) + v;
  const span = Math.max(1, endMs - first);
  const frac = (e: PointerEvent) => {
    const r = area.current?.getBoundingClientRect();
    if (!r || r.width === 0) return 0;
    return Math.min(1, Math.max(0, (e.clientX - r.left) / r.width));
  };

  return (
    <figure aria-label={`Log volume: ${total} records`} data-testid="log-volume">
      <div className="mb-2 flex flex-wrap items-center justify-between gap-2 text-xs text-slate-500 dark:text-slate-400">
        <span>
          <strong className="text-slate-900 dark:text-slate-100">{formatCount(total)}</strong> {total === 1 ? "record" : "records"} in range
        </span>
        <span className="flex flex-wrap gap-3">
          {SEVERITY_LEVELS.filter((l) => totals[l]).map((l) => (
            <span key={l} className="inline-flex items-center gap-1">
              <span className="h-2 w-2 rounded-sm" style={{ backgroundColor: SEVERITY_COLOR[l] }} aria-hidden="true" />
              {l} {formatCount(totals[l] ?? 0)}
            </span>
          ))}
        </span>
      </div>
      <div className="flex">
        <div className="relative w-10 shrink-0 text-right text-[10px] text-slate-500 dark:text-slate-400" aria-hidden="true">
          <span className="absolute right-2 top-0 -translate-y-1/2">{formatCount(max)}</span>
          <span className="absolute bottom-0 right-2 translate-y-1/2">0</span>
        </div>
        <div
          ref={area}
          className="relative flex h-24 flex-1 cursor-crosshair touch-none items-end gap-px border-b border-slate-200 dark:border-slate-700"
          onPointerDown={(e) => {
            if (!onZoom) return;
            e.currentTarget.setPointerCapture(e.pointerId);
            const f = frac(e);
            setDrag({ a: f, b: f });
          }}
          onPointerMove={(e) => drag && setDrag({ a: drag.a, b: frac(e) })}
          onPointerUp={() => {
            if (!drag || !onZoom) return;
            const lo = Math.min(drag.a, drag.b);
            const hi = Math.max(drag.a, drag.b);
            setDrag(null);
            // A click (no real drag) zooms into the bucket under the pointer.
            if (hi - lo < 0.005) {
              const t = first + Math.floor((lo * span) / stepMs) * stepMs;
              onZoom(t, Math.min(endMs, t + stepMs));
            } else onZoom(Math.round(first + lo * span), Math.round(first + hi * span));
          }}
          title={onZoom ? 'Drag to zoom into a stretch of time' : undefined}
        >
          {slots.map((s) => (
            <div
              key={s.t}
              className="flex h-full min-w-0 flex-1 flex-col-reverse"
              title={`${formatTime(s.t, 'datetime', local)}: ${s.count} record${s.count === 1 ? '' : 's'}${Object.entries(s.bySeverity ?? {})
                .filter(([, v]) => v)
                .map(([k, v]) => `\n${k}: ${v}`)
                .join('')}`}
            >
              {s.bySeverity && Object.keys(s.bySeverity).length
                ? SEVERITY_LEVELS.slice()
                    .reverse()
                    .map((l) => {
                      const v = s.bySeverity?.[l] ?? 0;
                      return v ? <span key={l} className="block w-full" style={{ height: `${(v / max) * 100}%`, backgroundColor: SEVERITY_COLOR[l] }} /> : null;
                    })
                : s.count > 0 && <span className="block w-full bg-brand-500" style={{ height: `${(s.count / max) * 100}%` }} />}
            </div>
          ))}
          {drag ? (
            <div
              className="pointer-events-none absolute inset-y-0 bg-brand-500/20 ring-1 ring-brand-500/50"
              style={{ left: `${Math.min(drag.a, drag.b) * 100}%`, width: `${Math.abs(drag.b - drag.a) * 100}%` }}
            />
          ) : null}
        </div>
      </div>
      <div className="relative ml-10 h-5 text-[10px] text-slate-500 dark:text-slate-400" aria-hidden="true">
        {[0, 0.25, 0.5, 0.75, 1].map((f) => (
          <span key={f} className={f === 0 ? 'absolute left-0 top-1' : f === 1 ? 'absolute right-0 top-1' : 'absolute top-1 -translate-x-1/2'} style={f > 0 && f < 1 ? { left: `${f * 100}%` } : undefined}>
            {formatTime(first + span * f, span > 86_400_000 ? 'datetime' : 'time', local)}
          </span>
        ))}
      </div>
    </figure>
  );
}
