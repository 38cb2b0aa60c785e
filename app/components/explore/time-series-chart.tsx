import { useEffect, useRef, useState } from 'react';
import type uPlot from 'uplot';
import 'uplot/dist/uPlot.min.css';
import { formatNumber } from './format';

export interface ChartSeries {
  key: string;
  label: string;
  color: string;
  values: Array<number | null>;
}

/** Follows the `dark` class on <html> (the theme cookie, or the OS when "system"). */
export function useIsDark(): boolean {
  const [dark, setDark] = useState(false);
  useEffect(() => {
    const el = document.documentElement;
    const update = () => setDark(el.classList.contains('dark'));
    update();
    const mo = new MutationObserver(update);
    mo.observe(el, { attributes: true, attributeFilter: ['class'] });
    return () => mo.disconnect();
  }, []);
  return dark;
}

/**
 * A time-series line chart on uPlot. uPlot draws on a canvas in the browser only, so the
 * server renders an empty box of the same height and the chart is built in an effect;
 * it is rebuilt when data or theme change and resized with its container. Dragging
 * across the plot reports the selected time span (to zoom the page's range); hovering
 * reports the index under the cursor (for the legend's values).
 */
export function TimeSeriesChart({
  timestamps,
  series,
  hidden,
  height = 300,
  yFormat = formatNumber,
  onZoom,
  onCursor,
  label,
}: {
  timestamps: number[];
  series: ChartSeries[];
  hidden?: Set<string>;
  height?: number;
  yFormat?: (v: number) => string;
  onZoom?: (fromMs: number, toMs: number) => void;
  onCursor?: (index: number | null) => void;
  label: string;
}) {
  const box = useRef<HTMLDivElement>(null);
  const plot = useRef<uPlot | null>(null);
  const [ready, setReady] = useState(false);
  const [failed, setFailed] = useState(false);
  const dark = useIsDark();
  // Callbacks change every render; the chart reads the latest through refs instead of being rebuilt.
  const zoomRef = useRef(onZoom);
  const cursorRef = useRef(onCursor);
  const formatRef = useRef(yFormat);
  const hiddenRef = useRef(hidden);
  hiddenRef.current = hidden;
  zoomRef.current = onZoom;
  cursorRef.current = onCursor;
  formatRef.current = yFormat;

  useEffect(() => {
    let disposed = false;
    let ro: ResizeObserver | undefined;
    let u: uPlot | undefined;
    void import('uplot').then(({ default: UPlot }) => {
      const el = box.current;
      if (disposed || !el) return;
      const axis = dark ? '#94a3b8' : '#64748b';
      const grid = dark ? 'rgba(148,163,184,0.12)' : 'rgba(100,116,139,0.12)';
      const single = series.length === 1;
      const opts: uPlot.Options = {
        width: Math.max(100, el.clientWidth),
        height,
        ms: 1,
        legend: { show: false },
        scales: { x: { time: true } },
        cursor: {
          drag: { x: true, y: false, setScale: false },
          points: { size: 7, width: 2 },
          focus: { prox: 16 },
        },
        focus: { alpha: 0.35 },
        series: [
          {},
          ...series.map((s) => ({
            label: s.label,
            stroke: s.color,
            width: 1.75,
            fill: single ? `${s.color}1f` : undefined,
            points: { show: false },
            spanGaps: false,
            show: !hiddenRef.current?.has(s.key),
          })),
        ],
        axes: [
          { stroke: axis, grid: { stroke: grid, width: 1 }, ticks: { stroke: grid, width: 1 }, font: '11px Inter, ui-sans-serif, system-ui, sans-serif' },
          {
            stroke: axis,
            grid: { stroke: grid, width: 1 },
            ticks: { show: false },
            size: 56,
            font: '11px Inter, ui-sans-serif, system-ui, sans-serif',
            values: (_u, vals) => vals.map((v) => formatRef.current(v)),
          },
        ],
        hooks: {
          setSelect: [
            (self) => {
              const { left, width } = self.select;
              if (width > 4 && zoomRef.current) {
                const a = self.posToVal(left, 'x');
                const b = self.posToVal(left + width, 'x');
                zoomRef.current(Math.round(a), Math.round(b));
              }
              self.setSelect({ left: 0, top: 0, width: 0, height: 0 }, false);
            },
          ],
          setCursor: [(self) => cursorRef.current?.(self.cursor.idx ?? null)],
        },
      };
      const data = [timestamps, ...series.map((s) => s.values)] as uPlot.AlignedData;
      u = new UPlot(opts, data, el);
      plot.current = u;
      setReady(true);
      ro = new ResizeObserver(() => {
        if (el.clientWidth > 0) u?.setSize({ width: el.clientWidth, height });
      });
      ro.observe(el);
    }).catch(() => {
      // A stale or blocked script chunk: say so rather than leave a blank box.
      if (!disposed) setFailed(true);
    });
    return () => {
      disposed = true;
      ro?.disconnect();
      u?.destroy();
      plot.current = null;
    };
  }, [timestamps, series, height, dark]);

  useEffect(() => {
    const u = plot.current;
    if (!u) return;
    series.forEach((s, i) => u.setSeries(i + 1, { show: !hidden?.has(s.key) }));
  }, [hidden, series, ready]);

  return (
    <div
      ref={box}
      role="img"
      aria-label={label}
      data-testid="timeseries-chart"
      data-ready={ready ? 'true' : undefined}
      className="relative w-full [&_.u-select]:bg-brand-500/15 [&_.uplot]:font-sans"
      style={{ height }}
    >
      {failed ? <p className="flex h-full items-center justify-center text-sm text-slate-500">The chart could not load. Reload the page to try again.</p> : null}
    </div>
  );
}
