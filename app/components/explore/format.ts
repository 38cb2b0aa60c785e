/** Formatting shared by the explore views. Pure functions: the same output on server and client. */

export function formatDuration(ms: number | null | undefined): string {
  if (ms === null || ms === undefined || !Number.isFinite(ms)) return '–';
  const abs = Math.abs(ms);
  if (abs === 0) return '0ms';
  if (abs < 1) return `${Math.round(ms * 1000)}µs`;
  if (abs < 10) return `${trim(ms.toFixed(2))}ms`;
  if (abs < 100) return `${trim(ms.toFixed(1))}ms`;
  if (abs < 1000) return `${Math.round(ms)}ms`;
  if (abs < 60_000) return `${trim((ms / 1000).toFixed(abs < 10_000 ? 2 : 1))}s`;
  if (abs < 3_600_000) {
    const m = Math.floor(abs / 60_000);
    const s = Math.round((abs % 60_000) / 1000);
    return `${ms < 0 ? '-' : ''}${m}m${s ? ` ${s}s` : ''}`;
  }
  const h = Math.floor(abs / 3_600_000);
  const m = Math.round((abs % 3_600_000) / 60_000);
  return `${ms < 0 ? '-' : ''}${h}h${m ? ` ${m}m` : ''}`;
}

function trim(s: string): string {
  return s.includes('.') ? s.replace(/\.?0+$/, '') : s;
}

/** 1234 -> "1,234"; 1234567 -> "1.23M". */
export function formatCount(n: number): string {
  const abs = Math.abs(n);
  if (abs >= 1e9) return `${trim((n / 1e9).toFixed(2))}B`;
  if (abs >= 1e6) return `${trim((n / 1e6).toFixed(2))}M`;
  if (abs >= 1e4) return `${trim((n / 1e3).toFixed(1))}k`;
  return Math.round(n).toLocaleString('en-US');
}

/** A value of unknown magnitude with ~3 significant digits and an SI suffix. */
export function formatNumber(v: number | null | undefined): string {
  if (v === null || v === undefined || !Number.isFinite(v)) return '–';
  const abs = Math.abs(v);
  if (abs === 0) return '0';
  if (abs >= 1e12) return `${trim((v / 1e12).toPrecision(3))}T`;
  if (abs >= 1e9) return `${trim((v / 1e9).toPrecision(3))}G`;
  if (abs >= 1e6) return `${trim((v / 1e6).toPrecision(3))}M`;
  if (abs >= 1e4) return `${trim((v / 1e3).toPrecision(3))}k`;
  if (abs >= 100) return String(Math.round(v));
  if (abs >= 0.001) return trim(v.toPrecision(3));
  return v.toExponential(2);
}

/** Requests per second, switching to per minute below one. */
export function formatRate(perSecond: number): string {
  if (perSecond === 0) return '0';
  if (perSecond < 1) return `${formatNumber(perSecond * 60)}/min`;
  return `${formatNumber(perSecond)}/s`;
}

export function formatPercent(ratio: number): string {
  if (ratio === 0) return '0%';
  const p = ratio * 100;
  if (p < 0.1) return '<0.1%';
  return `${trim(p.toFixed(p < 10 ? 1 : 0))}%`;
}

/** A value of an attribute as text: strings as they are, everything else as JSON. */
export function attributeText(v: unknown): string {
  if (typeof v === 'string') return v;
  if (v === null || v === undefined) return 'null';
  return JSON.stringify(v);
}

/** Nanoseconds as a decimal string (the JSON form of bigint) to milliseconds, keeping sub-ms precision. */
export function nanosToMs(ns: string | number | bigint): number {
  if (typeof ns === 'number') return ns / 1e6;
  const b = typeof ns === 'bigint' ? ns : BigInt(ns);
  return Number(b / 1000n) / 1000;
}
