import { useEffect, useRef, useState } from 'react';
import { nanosToMs } from './format';
import type { JsonLogRecord } from './types';

export type TailState = 'off' | 'connecting' | 'live' | 'paused' | 'error';

const POLL_MS = 2_000;
const PAGE = 500;

/**
 * Live tail by polling GET /api/v1/logs (the session authorizes it) with the view's
 * filters and `from` = the newest time seen, oldest first. Polls only while the page is
 * visible, never overlaps requests, and backs off on failures. Records at the boundary
 * millisecond come back twice; the caller de-duplicates by key.
 */
export function useLiveTail({
  enabled,
  filters,
  sinceMs,
  onRecords,
}: {
  enabled: boolean;
  /** The view's query parameters (q, service, severity, filter, traceId); range and paging are set here. */
  filters: string;
  sinceMs: number;
  onRecords: (records: JsonLogRecord[]) => void;
}): { state: TailState; error: string | null } {
  const [state, setState] = useState<TailState>('off');
  const [error, setError] = useState<string | null>(null);
  const deliver = useRef(onRecords);
  deliver.current = onRecords;
  const since = useRef(sinceMs);
  // Where a tail starts is read when it starts; later polls move it forward themselves.
  const startAt = useRef(sinceMs);
  startAt.current = sinceMs;

  useEffect(() => {
    if (!enabled) {
      setState('off');
      return;
    }
    since.current = startAt.current;
    let timer: ReturnType<typeof setTimeout> | undefined;
    let controller: AbortController | undefined;
    let stopped = false;
    let failures = 0;
    setState(document.hidden ? 'paused' : 'connecting');

    const poll = async () => {
      timer = undefined;
      if (stopped) return;
      if (document.hidden) {
        setState('paused');
        return;
      }
      const ctl = new AbortController();
      controller = ctl;
      const params = new URLSearchParams(filters);
      for (const k of ['from', 'to', 'cursor', 'limit', 'direction', 'volumeStep', 'live']) params.delete(k);
      params.set('from', String(Math.floor(since.current)));
      params.set('to', 'now');
      params.set('direction', 'forward');
      params.set('limit', String(PAGE));
      try {
        const res = await fetch(`/api/v1/logs?${params}`, { signal: ctl.signal, headers: { Accept: 'application/json' } });
        const body = (await res.json()) as { data?: { records: JsonLogRecord[] }; error?: { message: string } };
        if (!res.ok || !body.data) throw new Error(body.error?.message ?? `HTTP ${res.status}`);
        failures = 0;
        setError(null);
        setState('live');
        const records = body.data.records;
        if (records.length) {
          since.current = Math.max(since.current, ...records.map((r) => Math.floor(nanosToMs(r.timeUnixNano))));
          deliver.current(records);
        }
        // A full page means more are waiting: fetch again at once.
        schedule(records.length >= PAGE ? 0 : POLL_MS);
      } catch (e) {
        // Aborted because the page was hidden or the tail stopped: not a failure.
        if (stopped || ctl.signal.aborted) return;
        failures++;
        setError(e instanceof Error ? e.message : String(e));
        setState('error');
        schedule(Math.min(30_000, POLL_MS * 2 ** failures));
      }
    };
    const schedule = (ms: number) => {
      if (!stopped) timer = setTimeout(() => void poll(), ms);
    };
    const onVisibility = () => {
      if (document.hidden) {
        controller?.abort();
        if (timer) clearTimeout(timer);
        timer = undefined;
        setState('paused');
      } else if (!timer) {
        setState('connecting');
        void poll();
      }
    };
    document.addEventListener('visibilitychange', onVisibility);
    void poll();
    return () => {
      stopped = true;
      controller?.abort();
      if (timer) clearTimeout(timer);
      document.removeEventListener('visibilitychange', onVisibility);
    };
  }, [enabled, filters]);

  return { state, error };
}
