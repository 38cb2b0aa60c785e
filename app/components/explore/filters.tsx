import { useLocation, useNavigate } from '@remix-run/react';
import { type FormEvent, type KeyboardEvent, type ReactNode, useCallback, useEffect, useId, useRef, useState } from 'react';
import { cx } from '../ui';
import { useDismiss } from './dismiss';
import { ChevronDownIcon, XIcon } from './icons';

/**
 * Submits a GET form as a clean URL: empty fields are left out, so links stay short and
 * readable. Without JavaScript the form still submits natively.
 */
export function useCleanGetSubmit() {
  const navigate = useNavigate();
  const location = useLocation();
  return useCallback(
    (form: HTMLFormElement) => {
      const params = new URLSearchParams();
      for (const [k, v] of new FormData(form)) {
        if (typeof v === 'string' && v.trim() !== '') params.append(k, v.trim());
      }
      const q = params.toString();
      navigate(`${location.pathname}${q ? `?${q}` : ''}`, { preventScrollReset: true });
    },
    [navigate, location.pathname],
  );
}

export function onCleanSubmit(submit: (form: HTMLFormElement) => void) {
  return (e: FormEvent<HTMLFormElement>) => {
    e.preventDefault();
    submit(e.currentTarget);
  };
}

const inputClass =
  'block w-full rounded-md border-0 bg-white px-2.5 py-1.5 text-sm text-slate-900 shadow-sm ring-1 ring-inset ring-slate-300 placeholder:text-slate-400 focus:ring-2 focus:ring-inset focus:ring-brand-500 dark:bg-slate-900 dark:text-slate-100 dark:ring-slate-700';

export function FilterField({ label, htmlFor, children, className }: { label: string; htmlFor: string; children: ReactNode; className?: string }) {
  return (
    <div className={cx('space-y-1', className)}>
      <label htmlFor={htmlFor} className="block text-xs font-medium text-slate-600 dark:text-slate-400">
        {label}
      </label>
      {children}
    </div>
  );
}

export function TextInput(props: React.InputHTMLAttributes<HTMLInputElement>) {
  return <input {...props} className={cx(inputClass, props.className)} />;
}

export function SelectInput(props: React.SelectHTMLAttributes<HTMLSelectElement>) {
  return <select {...props} className={cx(inputClass, 'pr-8', props.className)} />;
}

/**
 * `key=value` conditions as removable chips, each a hidden input named `name` so the
 * form (and so the URL) carries them. Typing a condition and pressing Enter adds it and
 * runs the query; removing one runs it too.
 */
export function ChipsInput({
  name,
  label,
  values,
  suggestions = [],
  placeholder,
  help,
  validate,
}: {
  name: string;
  label: string;
  values: string[];
  suggestions?: string[];
  placeholder?: string;
  help?: ReactNode;
  /** A message when the text is not a valid condition. */
  validate?: (v: string) => string | null;
}) {
  const [chips, setChips] = useState(values);
  const [text, setText] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [pending, setPending] = useState(false);
  const input = useRef<HTMLInputElement>(null);
  const id = useId();
  const listId = `${id}-keys`;
  const joined = values.join('\u0000');
  // The URL is the truth: follow it when it changes (back button, shared link).
  useEffect(() => setChips(joined ? joined.split('\u0000') : []), [joined]);
  useEffect(() => {
    if (!pending) return;
    setPending(false);
    input.current?.form?.requestSubmit();
  }, [pending]);

  const add = () => {
    const v = text.trim();
    if (!v) return false;
    const problem = validate?.(v) ?? null;
    if (problem) {
      setError(problem);
      return true;
    }
    setError(null);
    setText('');
    if (!chips.includes(v)) setChips([...chips, v]);
    setPending(true);
    return true;
  };

  const onKey = (e: KeyboardEvent<HTMLInputElement>) => {
    if (e.key === 'Enter') {
      if (add()) e.preventDefault();
    } else if (e.key === 'Backspace' && text === '' && chips.length > 0) {
      setChips(chips.slice(0, -1));
    }
  };

  // Suggest attribute keys until an operator is typed.
  const keyOnly = !/[=!~<>]/.test(text);
  return (
    <div className="space-y-1">
      <label htmlFor={id} className="block text-xs font-medium text-slate-600 dark:text-slate-400">
        {label}
      </label>
      <div className="flex min-h-[34px] flex-wrap items-center gap-1.5 rounded-md bg-white px-1.5 py-1 shadow-sm ring-1 ring-inset ring-slate-300 focus-within:ring-2 focus-within:ring-brand-500 dark:bg-slate-900 dark:ring-slate-700">
        {chips.map((c) => (
          <span key={c} className="inline-flex items-center gap-1 rounded bg-brand-50 py-0.5 pl-2 pr-1 font-mono text-xs text-brand-700 ring-1 ring-inset ring-brand-100 dark:bg-brand-500/15 dark:text-brand-400 dark:ring-brand-500/30" data-testid="filter-chip">
            {c}
            <input type="hidden" name={name} value={c} />
            <button
              type="button"
              aria-label={`Remove ${c}`}
              className="rounded p-0.5 hover:bg-brand-100 dark:hover:bg-brand-500/25"
              onClick={() => {
                setChips(chips.filter((x) => x !== c));
                setPending(true);
              }}
            >
              <XIcon width={12} height={12} />
            </button>
          </span>
        ))}
        <input
          ref={input}
          id={id}
          value={text}
          onChange={(e) => {
            setText(e.target.value);
            setError(null);
          }}
          onKeyDown={onKey}
          onBlur={() => {
            if (text.trim() && !validate?.(text.trim())) {
              setChips((c) => (c.includes(text.trim()) ? c : [...c, text.trim()]));
              setText('');
            }
          }}
          list={keyOnly && suggestions.length ? listId : undefined}
          placeholder={chips.length ? '' : placeholder}
          aria-describedby={error ? `${id}-error` : undefined}
          aria-invalid={error ? true : undefined}
          className="min-w-[10rem] flex-1 border-0 bg-transparent px-1 py-0.5 font-mono text-xs text-slate-900 placeholder:font-sans placeholder:text-sm placeholder:text-slate-400 focus:outline-none focus:ring-0 dark:text-slate-100"
        />
        {suggestions.length ? (
          <datalist id={listId}>
            {suggestions.map((s) => (
              <option key={s} value={`${s}=`} />
            ))}
          </datalist>
        ) : null}
      </div>
      {error ? (
        <p id={`${id}-error`} className="text-xs text-red-600 dark:text-red-400">
          {error}
        </p>
      ) : help ? (
        <p className="text-[11px] text-slate-500 dark:text-slate-400">{help}</p>
      ) : null}
    </div>
  );
}

/** Checks the attribute filter syntax the API takes (see app/.server/api/params.ts parseFilter). */
export function validateFilter(v: string): string | null {
  const m = /^(!?)([^=!~<>]+)(=~|!~|!=|>=|<=|=|~|>|<)?(.*)$/.exec(v);
  if (!m || !m[2]?.trim()) return 'Write key=value, key!=value, key=~regex, key~text, key>number or just key.';
  if (m[3] && ['>', '>=', '<', '<='].includes(m[3]) && !Number.isFinite(Number(m[4]))) return `${m[3]} needs a number.`;
  return null;
}

/** Checks a PromQL-style label matcher (see parseMatcher). */
export function validateMatcher(v: string): string | null {
  return /^\s*[A-Za-z_.][\w.]*\s*(=~|!~|!=|=)\s*"?.*"?\s*$/.test(v) ? null : 'Write label=value, label!=value, label=~regex or label!~regex.';
}

/**
 * A compact multi-select: a button that opens a list of checkboxes, each named `name`
 * so a GET form sends them as repeated parameters.
 */
export function MultiSelect({
  name,
  label,
  options,
  selected,
  allLabel = 'All',
  submitOnApply,
  join,
}: {
  name: string;
  label: string;
  options: string[];
  selected: string[];
  allLabel?: string;
  /** Run the enclosing form's search when the user applies the selection. */
  submitOnApply?: boolean;
  /** Send one parameter with the values joined by this (`by=a,b`) instead of one per value. */
  join?: string;
}) {
  const [open, setOpen] = useState(false);
  const [picked, setPicked] = useState(selected);
  const [q, setQ] = useState('');
  const root = useRef<HTMLDivElement>(null);
  const id = useId();
  const joined = selected.join('\u0000');
  useEffect(() => setPicked(joined ? joined.split('\u0000') : []), [joined]);
  const close = useCallback(() => setOpen(false), []);
  useDismiss(open, root, close);
  const all = [...new Set([...options, ...picked])];
  const shown = q ? all.filter((o) => o.toLowerCase().includes(q.toLowerCase())) : all;
  const summary = picked.length === 0 ? allLabel : picked.length <= 2 ? picked.join(', ') : `${picked.length} selected`;
  return (
    <div ref={root} className="relative space-y-1">
      <span id={`${id}-label`} className="block text-xs font-medium text-slate-600 dark:text-slate-400">
        {label}
      </span>
      {join !== undefined ? (
        picked.length ? <input type="hidden" name={name} value={picked.join(join)} /> : null
      ) : (
        picked.map((p) => <input key={p} type="hidden" name={name} value={p} />)
      )}
      <button
        type="button"
        aria-haspopup="dialog"
        aria-expanded={open}
        aria-controls={`${id}-panel`}
        aria-labelledby={`${id}-label ${id}-value`}
        onClick={() => setOpen((o) => !o)}
        className={cx(inputClass, 'flex items-center justify-between gap-2 text-left')}
      >
        <span id={`${id}-value`} className={cx('truncate', picked.length === 0 ? 'text-slate-500 dark:text-slate-400' : '')}>
          {summary}
        </span>
        <ChevronDownIcon width={14} height={14} className="shrink-0 text-slate-400" />
      </button>
      {open ? (
        <div id={`${id}-panel`} role="group" aria-label={label} className="absolute left-0 top-full z-30 mt-1 w-64 rounded-lg bg-white p-2 shadow-xl ring-1 ring-slate-200 dark:bg-slate-900 dark:ring-slate-700">
          {all.length > 8 ? (
            <input
              aria-label={`Search ${label.toLowerCase()}`}
              value={q}
              onChange={(e) => setQ(e.target.value)}
              placeholder="Search…"
              className={cx(inputClass, 'mb-2')}
            />
          ) : null}
          <ul className="max-h-64 overflow-y-auto">
            {shown.map((o) => {
              const on = picked.includes(o);
              return (
                <li key={o}>
                  <label className="flex cursor-pointer items-center gap-2 rounded px-2 py-1.5 text-sm hover:bg-slate-100 dark:hover:bg-slate-800">
                    <input
                      type="checkbox"
                      checked={on}
                      onChange={() => setPicked(on ? picked.filter((x) => x !== o) : [...picked, o])}
                      className="h-4 w-4 rounded border-slate-300 text-brand-600 focus:ring-brand-500"
                    />
                    <span className="truncate">{o}</span>
                  </label>
                </li>
              );
            })}
            {shown.length === 0 ? <li className="px-2 py-1.5 text-sm text-slate-500">Nothing matches</li> : null}
          </ul>
          <div className="mt-2 flex justify-between border-t border-slate-100 pt-2 dark:border-slate-800">
            <button type="button" className="rounded px-2 py-1 text-xs text-slate-600 hover:bg-slate-100 dark:text-slate-300 dark:hover:bg-slate-800" onClick={() => setPicked([])}>
              Clear
            </button>
            <button
              type="button"
              className="rounded bg-brand-600 px-2.5 py-1 text-xs font-medium text-white hover:bg-brand-700"
              onClick={() => {
                setOpen(false);
                // After this render the hidden inputs hold the new selection.
                if (submitOnApply) setTimeout(() => root.current?.closest('form')?.requestSubmit(), 0);
              }}
            >
              Apply
            </button>
          </div>
        </div>
      ) : null}
    </div>
  );
}
