import type { CallContext, CreateContext, PluginFetch, PluginLogger } from '../plugin';

export interface LogEntry {
  level: 'debug' | 'info' | 'warn' | 'error';
  msg: string;
  fields?: Record<string, unknown>;
}

/** A logger that keeps entries in memory, so tests stay quiet and can assert on what was logged. */
export interface MemoryLogger extends PluginLogger {
  readonly entries: LogEntry[];
}

export function createMemoryLogger(): MemoryLogger {
  const entries: LogEntry[] = [];
  const at =
    (level: LogEntry['level']) =>
    (msg: string, fields?: Record<string, unknown>) => {
      entries.push(fields === undefined ? { level, msg } : { level, msg, fields });
    };
  return { entries, debug: at('debug'), info: at('info'), warn: at('warn'), error: at('error') };
}

export interface TestContextOptions {
  tenantId: string;
  /** The call's deadline from now; the signal aborts then. Default 10 s. */
  timeoutMs?: number;
  /** Use this signal instead of one that times out (e.g. an already aborted one). */
  signal?: AbortSignal;
  logger?: PluginLogger;
  /** Default: the global fetch. The host's is guarded (deadline, no private addresses); this one is not. */
  fetch?: PluginFetch;
}

/** A CallContext like the host builds for each call. */
export function createTestContext(options: TestContextOptions): CallContext {
  const timeoutMs = options.timeoutMs ?? 10_000;
  return {
    tenantId: options.tenantId,
    signal: options.signal ?? AbortSignal.timeout(timeoutMs),
    deadline: Date.now() + timeoutMs,
    logger: options.logger ?? createMemoryLogger(),
    fetch: options.fetch ?? ((input, init) => fetch(input, init)),
  };
}

/** A CreateContext like the host gives `create`. */
export function createTestCreateContext(options: { dataSourceId?: string; logger?: PluginLogger; fetch?: PluginFetch } = {}): CreateContext {
  return {
    dataSourceId: options.dataSourceId ?? 'conformance-data-source',
    logger: options.logger ?? createMemoryLogger(),
    fetch: options.fetch ?? ((input, init) => fetch(input, init)),
  };
}

/** A context whose signal is already aborted, as when the user navigated away before the call started. */
export function createAbortedContext(tenantId: string): CallContext {
  const controller = new AbortController();
  controller.abort();
  return { ...createTestContext({ tenantId, signal: controller.signal }), deadline: Date.now() - 1 };
}
