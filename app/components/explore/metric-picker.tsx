import { type KeyboardEvent, useCallback, useEffect, useId, useRef, useState } from 'react';
import { cx } from '../ui';
import { useDismiss } from './dismiss';
import { ChevronDownIcon, MetricsIcon } from './icons';

/**
 * A searchable metric list (combobox pattern): type to filter, arrows to move, Enter or
 * click to pick. Picking calls `onPick`; the page puts the name in the URL.
 */
export function MetricPicker({ names, value, onPick }: { names: string[]; value: string; onPick: (name: string) => void }) {
  const [open, setOpen] = useState(false);
  const [q, setQ] = useState('');
  const [active, setActive] = useState(0);
  const root = useRef<HTMLDivElement>(null);
  const input = useRef<HTMLInputElement>(null);
  const id = useId();
  const listId = `${id}-list`;
  const close = useCallback(() => setOpen(false), []);
  const shown = q ? names.filter((n) => n.toLowerCase().includes(q.toLowerCase())) : names;

  useEffect(() => {
    if (open) input.current?.focus();
  }, [open]);
  useDismiss(open, root, close);

  const pick = (n: string) => {
    setOpen(false);
    setQ('');
    onPick(n);
  };
  const onKey = (e: KeyboardEvent<HTMLInputElement>) => {
    if (e.key === 'ArrowDown') {
      e.preventDefault();
      setActive((a) => Math.min(shown.length - 1, a + 1));
    } else if (e.key === 'ArrowUp') {
      e.preventDefault();
      setActive((a) => Math.max(0, a - 1));
    } else if (e.key === 'Enter') {
      e.preventDefault();
      const n = shown[active];
      if (n) pick(n);
    }
  };

  return (
    <div ref={root} className="relative space-y-1">
      <span id={`${id}-label`} className="block text-xs font-medium text-slate-600 dark:text-slate-400">
        Metric
      </span>
      <button
        type="button"
        aria-haspopup="listbox"
        aria-expanded={open}
        aria-labelledby={`${id}-label ${id}-value`}
        onClick={() => setOpen((o) => !o)}
        className="flex w-full items-center gap-2 rounded-md bg-white px-2.5 py-1.5 text-left text-sm shadow-sm ring-1 ring-inset ring-slate-300 hover:bg-slate-50 dark:bg-slate-900 dark:ring-slate-700 dark:hover:bg-slate-800"
        data-testid="metric-picker"
      >
        <MetricsIcon width={16} height={16} className="shrink-0 text-slate-400" />
        <span id={`${id}-value`} className={cx('flex-1 truncate font-mono text-xs', value ? 'text-slate-900 dark:text-slate-100' : 'font-sans text-sm text-slate-500')}>
          {value || 'Choose a metric…'}
        </span>
        <ChevronDownIcon width={14} height={14} className="shrink-0 text-slate-400" />
      </button>
      {open ? (
        <div className="absolute left-0 top-full z-30 mt-1 w-full min-w-[20rem] rounded-lg bg-white p-2 shadow-xl ring-1 ring-slate-200 dark:bg-slate-900 dark:ring-slate-700">
          <input
            ref={input}
            role="combobox"
            aria-expanded="true"
            aria-controls={listId}
            aria-autocomplete="list"
            aria-label="Search metrics"
            aria-activedescendant={shown[active] ? `${id}-opt-${active}` : undefined}
            value={q}
            onChange={(e) => {
              setQ(e.target.value);
              setActive(0);
            }}
            onKeyDown={onKey}
            placeholder={`Search ${names.length} metrics…`}
            className="mb-2 block w-full rounded-md border-0 bg-white px-2.5 py-1.5 text-sm text-slate-900 ring-1 ring-inset ring-slate-300 focus:ring-2 focus:ring-brand-500 dark:bg-slate-950 dark:text-slate-100 dark:ring-slate-700"
          />
          <ul id={listId} role="listbox" aria-label="Metrics" className="max-h-72 overflow-y-auto">
            {shown.map((n, i) => (
              <li
                key={n}
                id={`${id}-opt-${i}`}
                role="option"
                aria-selected={n === value}
                onMouseEnter={() => setActive(i)}
                onMouseDown={(e) => e.preventDefault()}
                onClick={() => pick(n)}
                className={cx(
                  'cursor-pointer truncate rounded px-2 py-1.5 font-mono text-xs',
                  i === active ? 'bg-brand-50 text-brand-700 dark:bg-brand-500/15 dark:text-brand-400' : 'text-slate-700 dark:text-slate-300',
                  n === value ? 'font-semibold' : '',
                )}
              >
                {n}
              </li>
            ))}
            {shown.length === 0 ? <li className="px-2 py-1.5 text-sm text-slate-500">No metric matches “{q}”</li> : null}
          </ul>
        </div>
      ) : null}
    </div>
  );
}
