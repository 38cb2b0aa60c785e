import { useSyncExternalStore } from 'react';

/**
 * Time in the explore views. URLs carry `from`/`to` exactly as the API takes them
 * (`now-1h`, epoch ms or ISO); the UI shows them in the browser's time zone. The server
 * renders UTC and the client re-renders local after hydration, so hydration never
 * disagrees and never leaves server text behind.
 */

const noopSubscribe = () => () => {};

/** False during server rendering and hydration, true afterwards. */
export function useHydrated(): boolean {
  return useSyncExternalStore(
    noopSubscribe,
    () => true,
    () => false,
  );
}

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
const pad = (n: number, w = 2) => String(n).padStart(w, '0');

interface Parts {
  y: number;
  mo: number;
  d: number;
  h: number;
  mi: number;
  s: number;
  ms: number;
}

function parts(ms: number, local: boolean): Parts {
  const t = new Date(ms);
  return local
    ? { y: t.getFullYear(), mo: t.getMonth(), d: t.getDate(), h: t.getHours(), mi: t.getMinutes(), s: t.getSeconds(), ms: t.getMilliseconds() }
    : { y: t.getUTCFullYear(), mo: t.getUTCMonth(), d: t.getUTCDate(), h: t.getUTCHours(), mi: t.getUTCMinutes(), s: t.getUTCSeconds(), ms: t.getUTCMilliseconds() };
}

export type TimeFormat = 'time' | 'time-ms' | 'datetime' | 'datetime-ms' | 'short';

export function formatTime(ms: number, format: TimeFormat, local: boolean): string {
  const p = parts(ms, local);
  const hm = `${pad(p.h)}:${pad(p.mi)}`;
  switch (format) {
    case 'short':
      return hm;
    case 'time':
      return `${hm}:${pad(p.s)}`;
    case 'time-ms':
      return `${hm}:${pad(p.s)}.${pad(p.ms, 3)}`;
    case 'datetime':
      return `${MONTHS[p.mo]} ${p.d}, ${hm}:${pad(p.s)}`;
    case 'datetime-ms':
      return `${MONTHS[p.mo]} ${p.d}, ${hm}:${pad(p.s)}.${pad(p.ms, 3)}`;
  }
}

/** A time in the viewer's zone (UTC until hydrated), with the full ISO time on hover. */
export function Time({ ms, format = 'datetime', className }: { ms: number; format?: TimeFormat; className?: string }) {
  const local = useHydrated();
  const iso = new Date(ms).toISOString();
  return (
    <time dateTime={iso} title={iso} className={className}>
      {formatTime(ms, format, local)}
    </time>
  );
}

/** The `<input type="datetime-local">` value for a time, in the browser's zone. */
export function toDatetimeLocal(ms: number): string {
  const p = parts(ms, true);
  return `${p.y}-${pad(p.mo + 1)}-${pad(p.d)}T${pad(p.h)}:${pad(p.mi)}:${pad(p.s)}`;
}

export const QUICK_RANGES: Array<{ from: string; label: string; short: string }> = [
  { from: 'now-5m', label: 'Last 5 minutes', short: '5m' },
  { from: 'now-15m', label: 'Last 15 minutes', short: '15m' },
  { from: 'now-30m', label: 'Last 30 minutes', short: '30m' },
  { from: 'now-1h', label: 'Last 1 hour', short: '1h' },
  { from: 'now-3h', label: 'Last 3 hours', short: '3h' },
  { from: 'now-6h', label: 'Last 6 hours', short: '6h' },
  { from: 'now-12h', label: 'Last 12 hours', short: '12h' },
  { from: 'now-24h', label: 'Last 24 hours', short: '24h' },
  { from: 'now-2d', label: 'Last 2 days', short: '2d' },
  { from: 'now-7d', label: 'Last 7 days', short: '7d' },
];

const UNIT_NAMES: Record<string, [string, string]> = { s: ['second', 'seconds'], m: ['minute', 'minutes'], h: ['hour', 'hours'], d: ['day', 'days'], w: ['week', 'weeks'] };

/** "Last 1 hour" for `now-1h` .. `now`; undefined for an absolute range. */
export function relativeLabel(from: string, to: string): string | undefined {
  if (to !== 'now') return undefined;
  const quick = QUICK_RANGES.find((q) => q.from === from);
  if (quick) return quick.label;
  const m = /^now-(\d+)([smhdw])$/.exec(from);
  if (!m) return undefined;
  const n = Number(m[1]);
  const [one, many] = UNIT_NAMES[m[2] as string]!;
  return `Last ${n} ${n === 1 ? one : many}`;
}

/** `from`/`to` for a range twice as long around the same middle (never reaching past now). */
export function zoomOut(startMs: number, endMs: number, now = Date.now()): { from: string; to: string } {
  const span = endMs - startMs;
  const end = Math.min(now, endMs + span / 2);
  const start = end - span * 2;
  if (end >= now - 1000) return { from: `now-${Math.max(1, Math.round((now - start) / 60_000))}m`, to: 'now' };
  return { from: String(Math.round(start)), to: String(Math.round(end)) };
}
