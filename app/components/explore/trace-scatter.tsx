import { Link, useLocation } from '@remix-run/react';
import { ERROR_COLOR, colorFor } from './colors';
import { formatDuration } from './format';
import { formatTime, useHydrated } from './time';

export interface ScatterTrace {
  traceId: string;
  rootService: string;
  rootName: string;
  startMs: number;
  durationMs: number;
  errorCount: number;
}

/** Nice round steps for an axis up to `max`. */
function niceMax(max: number): number {
  if (max <= 0) return 1;
  const exp = 10 ** Math.floor(Math.log10(max));
  const f = max / exp;
  const nice = f <= 1 ? 1 : f <= 2 ? 2 : f <= 2.5 ? 2.5 : f <= 5 ? 5 : 10;
  return nice * exp;
}

/**
 * Trace durations over time, one dot per trace (red when it has errors): outliers stand
 * out at a glance and a click opens the trace. HTML dots on a percentage grid, so it
 * renders on the server and never stretches.
 */
export function TraceScatter({ traces }: { traces: ScatterTrace[] }) {
  const local = useHydrated();
  const location = useLocation();
  const yMax = niceMax(Math.max(...traces.map((t) => t.durationMs), 1));
  // The x axis spans the traces shown (the most recent N of the range), padded a little.
  const first = Math.min(...traces.map((t) => t.startMs));
  const last = Math.max(...traces.map((t) => t.startMs));
  const pad = Math.max(1_000, (last - first) * 0.03);
  const startMs = first - pad;
  const span = last + pad - startMs;
  const xTicks = [0, 0.25, 0.5, 0.75, 1];
  const yTicks = [0, 0.5, 1];
  return (
    <figure className="select-none" aria-label="Trace durations over time">
      <div className="flex">
        <div className="relative w-14 shrink-0 text-right text-[10px] text-slate-500 dark:text-slate-400" aria-hidden="true">
          {yTicks.map((f) => (
            <span key={f} className="absolute right-2 -translate-y-1/2" style={{ top: `${(1 - f) * 100}%` }}>
              {formatDuration(yMax * f)}
            </span>
          ))}
        </div>
        <div className="relative h-40 flex-1 border-b border-l border-slate-200 dark:border-slate-700">
          {yTicks.slice(1).map((f) => (
            <div key={f} className="absolute inset-x-0 border-t border-dashed border-slate-100 dark:border-slate-800" style={{ top: `${(1 - f) * 100}%` }} aria-hidden="true" />
          ))}
          {traces.map((t) => {
            const x = Math.min(1, Math.max(0, (t.startMs - startMs) / span));
            const y = Math.min(1, t.durationMs / yMax);
            const error = t.errorCount > 0;
            return (
              <Link
                key={t.traceId}
                to={`/traces/${t.traceId}`}
                state={{ back: location.pathname + location.search }}
                title={`${t.rootService}: ${t.rootName} · ${formatDuration(t.durationMs)}${error ? ` · ${t.errorCount} errors` : ''}`}
                aria-label={`Trace ${t.rootService} ${t.rootName}, ${formatDuration(t.durationMs)}`}
                className="absolute h-2.5 w-2.5 -translate-x-1/2 translate-y-1/2 rounded-full opacity-75 ring-1 ring-white transition hover:z-10 hover:scale-150 hover:opacity-100 dark:ring-slate-900"
                style={{ left: `${x * 100}%`, bottom: `${y * 100}%`, backgroundColor: error ? ERROR_COLOR : colorFor(t.rootService) }}
                tabIndex={-1}
              />
            );
          })}
        </div>
      </div>
      <div className="relative ml-14 h-5 text-[10px] text-slate-500 dark:text-slate-400" aria-hidden="true">
        {xTicks.map((f) => (
          <span key={f} className={f === 0 ? 'absolute left-0' : f === 1 ? 'absolute right-0' : 'absolute -translate-x-1/2'} style={f === 0 || f === 1 ? { top: 4 } : { left: `${f * 100}%`, top: 4 }}>
            {formatTime(startMs + span * f, span > 86_400_000 ? 'datetime' : 'time', local)}
          </span>
        ))}
      </div>
    </figure>
  );
}
