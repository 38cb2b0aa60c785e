import { useLocation, useNavigation, useRevalidator } from '@remix-run/react';
import { type FormEvent, useCallback, useEffect, useId, useRef, useState } from 'react';
import { Button, Spinner, cx } from '../ui';
import { useDismiss } from './dismiss';
import { ClockIcon, RefreshIcon, ZoomOutIcon } from './icons';
import { QUICK_RANGES, Time, relativeLabel, toDatetimeLocal, zoomOut } from './time';
import { useSetParams } from './url';

export interface ResolvedRange {
  startMs: number;
  endMs: number;
  from: string;
  to: string;
}

/**
 * The global time range: quick relative ranges, an absolute from/to, zoom out and
 * refresh. It only ever writes `from`/`to` to the URL; the loaders resolve them.
 */
export function TimeRangePicker({ range }: { range: ResolvedRange }) {
  const [open, setOpen] = useState(false);
  const setParams = useSetParams();
  const panelId = useId();
  const root = useRef<HTMLDivElement>(null);
  const close = useCallback(() => setOpen(false), []);
  const [from, setFrom] = useState('');
  const [to, setTo] = useState('');
  const [error, setError] = useState<string | null>(null);

  useEffect(() => {
    if (!open) return;
    setFrom(toDatetimeLocal(range.startMs));
    setTo(toDatetimeLocal(range.endMs));
    setError(null);
    // Focus moves into the dialog, on the range in use.
    root.current?.querySelector<HTMLElement>('[role=dialog] button[aria-current], [role=dialog] input')?.focus();
  }, [open, range.startMs, range.endMs]);
  useDismiss(open, root, close);

  const apply = (f: string, t: string) => {
    setOpen(false);
    setParams({ from: f, to: t });
  };

  const onAbsolute = (e: FormEvent) => {
    e.preventDefault();
    const a = new Date(from).getTime();
    const b = new Date(to).getTime();
    if (Number.isNaN(a) || Number.isNaN(b)) return setError('Enter both times.');
    if (b <= a) return setError('"To" must be after "From".');
    apply(new Date(a).toISOString(), new Date(b).toISOString());
  };

  const label = relativeLabel(range.from, range.to);
  return (
    <div ref={root} className="relative flex items-center gap-2" data-testid="time-range">
      <div className="flex items-center rounded-md shadow-sm ring-1 ring-inset ring-slate-300 dark:ring-slate-700">
        <button
          type="button"
          aria-haspopup="dialog"
          aria-expanded={open}
          aria-controls={panelId}
          onClick={() => setOpen((o) => !o)}
          className="flex items-center gap-2 rounded-l-md bg-white px-3 py-1.5 text-left text-sm hover:bg-slate-50 dark:bg-slate-900 dark:hover:bg-slate-800"
        >
          <ClockIcon className="shrink-0 text-slate-400" />
          <span className="flex flex-col leading-tight">
            <span className="font-medium" data-testid="time-range-label">
              {label ?? (
                <>
                  <Time ms={range.startMs} format="datetime" /> → <Time ms={range.endMs} format="datetime" />
                </>
              )}
            </span>
            {label ? (
              <span className="text-[11px] text-slate-500 dark:text-slate-400">
                <Time ms={range.startMs} format="datetime" /> – <Time ms={range.endMs} format="short" />
              </span>
            ) : null}
          </span>
        </button>
        <button
          type="button"
          title="Zoom out (twice the range)"
          aria-label="Zoom out"
          onClick={() => {
            const z = zoomOut(range.startMs, range.endMs);
            setParams({ from: z.from, to: z.to });
          }}
          className="self-stretch border-l border-slate-300 bg-white px-2 text-slate-500 hover:bg-slate-50 hover:text-slate-900 dark:border-slate-700 dark:bg-slate-900 dark:hover:bg-slate-800 dark:hover:text-slate-100"
        >
          <ZoomOutIcon />
        </button>
        <RefreshButton />
      </div>
      {open ? (
        <div
          id={panelId}
          role="dialog"
          aria-label="Time range"
          className="absolute right-0 top-full z-30 mt-2 flex w-[34rem] max-w-[calc(100vw-2rem)] overflow-hidden rounded-xl bg-white shadow-xl ring-1 ring-slate-200 dark:bg-slate-900 dark:ring-slate-700"
        >
          <form onSubmit={onAbsolute} className="flex-1 space-y-3 border-r border-slate-100 p-4 dark:border-slate-800">
            <p className="text-xs font-semibold uppercase tracking-wider text-slate-400">Absolute range</p>
            <DateInput label="From" value={from} onChange={setFrom} />
            <DateInput label="To" value={to} onChange={setTo} />
            {error ? <p className="text-xs text-red-600 dark:text-red-400">{error}</p> : null}
            <Button type="submit" size="sm" className="w-full">
              Apply time range
            </Button>
            <p className="text-[11px] text-slate-500 dark:text-slate-400">Times are in your browser's time zone.</p>
          </form>
          <div className="w-48 p-2">
            <p className="px-2 pb-1 pt-2 text-xs font-semibold uppercase tracking-wider text-slate-400">Quick ranges</p>
            <ul>
              {QUICK_RANGES.map((q) => {
                const active = range.from === q.from && range.to === 'now';
                return (
                  <li key={q.from}>
                    <button
                      type="button"
                      onClick={() => apply(q.from, 'now')}
                      aria-current={active ? 'true' : undefined}
                      className={cx(
                        'w-full rounded-md px-2 py-1.5 text-left text-sm',
                        active ? 'bg-brand-50 font-medium text-brand-700 dark:bg-brand-500/15 dark:text-brand-400' : 'hover:bg-slate-100 dark:hover:bg-slate-800',
                      )}
                    >
                      {q.label}
                    </button>
                  </li>
                );
              })}
            </ul>
          </div>
        </div>
      ) : null}
    </div>
  );
}

function DateInput({ label, value, onChange }: { label: string; value: string; onChange: (v: string) => void }) {
  const id = useId();
  return (
    <div className="space-y-1">
      <label htmlFor={id} className="block text-xs font-medium text-slate-600 dark:text-slate-300">
        {label}
      </label>
      <input
        id={id}
        type="datetime-local"
        step={1}
        value={value}
        onChange={(e) => onChange(e.target.value)}
        className="block w-full rounded-md border-0 bg-white px-2.5 py-1.5 text-sm text-slate-900 ring-1 ring-inset ring-slate-300 focus:ring-2 focus:ring-brand-500 dark:bg-slate-950 dark:text-slate-100 dark:ring-slate-700"
      />
    </div>
  );
}

/** Re-runs the page's loaders: relative ranges move to the current time. */
export function RefreshButton() {
  const revalidator = useRevalidator();
  const navigation = useNavigation();
  const location = useLocation();
  const busy = revalidator.state === 'loading' || (navigation.state === 'loading' && navigation.location?.pathname === location.pathname);
  return (
    <button
      type="button"
      onClick={() => revalidator.revalidate()}
      aria-label="Refresh"
      title="Refresh"
      className="flex items-center self-stretch rounded-r-md border-l border-slate-300 bg-white px-2.5 text-slate-500 hover:bg-slate-50 hover:text-slate-900 dark:border-slate-700 dark:bg-slate-900 dark:hover:bg-slate-800 dark:hover:text-slate-100"
    >
      {busy ? <Spinner className="h-[18px] w-[18px] text-brand-500" /> : <RefreshIcon />}
    </button>
  );
}
