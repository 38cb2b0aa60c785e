/**
 * Colors that stay readable on white and on slate-950. Series and services get them by
 * position or by a hash of their name; red is left out so it always means an error.
 */
export const PALETTE = ['#6366f1', '#10b981', '#f59e0b', '#0ea5e9', '#a855f7', '#14b8a6', '#f97316', '#84cc16', '#ec4899', '#3b82f6', '#8b5cf6', '#06b6d4'];

export const ERROR_COLOR = '#ef4444';

/** A stable color per name (a service keeps its color across pages and reloads). */
export function colorFor(name: string): string {
  let h = 2166136261;
  for (let i = 0; i < name.length; i++) {
    h ^= name.charCodeAt(i);
    h = Math.imul(h, 16777619);
  }
  return PALETTE[(h >>> 0) % PALETTE.length] as string;
}

export const SEVERITY_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'unset'] as const;
export type SeverityLevel = (typeof SEVERITY_LEVELS)[number];

export const SEVERITY_COLOR: Record<SeverityLevel, string> = {
  fatal: '#be123c',
  error: '#ef4444',
  warn: '#f59e0b',
  info: '#0ea5e9',
  debug: '#8b5cf6',
  trace: '#94a3b8',
  unset: '#cbd5e1',
};

/** OTLP severity number to its level name (1-4 trace ... 21-24 fatal, 0 unset). */
export function severityLevel(n: number): SeverityLevel {
  if (n >= 21) return 'fatal';
  if (n >= 17) return 'error';
  if (n >= 13) return 'warn';
  if (n >= 9) return 'info';
  if (n >= 5) return 'debug';
  if (n >= 1) return 'trace';
  return 'unset';
}
