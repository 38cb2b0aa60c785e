/** Where a failure comes from: the plugin's own code, the backend it talks to, or its configuration. */
export type ErrorSource = 'plugin' | 'downstream' | 'config';

const BRAND = Symbol.for('obstack.PluginError');

export interface PluginErrorOptions {
  source: ErrorSource;
  /** True when the same call may succeed if repeated later (timeouts, 429, 503...). */
  retryable?: boolean;
  /** HTTP status from the backend, when there was one. */
  status?: number;
  /** Config field at fault, for `config` errors. */
  field?: string;
  cause?: unknown;
}

/**
 * The one error type plugins throw. The host shows `message` to users next to the data
 * source's name, so make it say what is wrong and what to do.
 */
export class PluginError extends Error {
  readonly source: ErrorSource;
  readonly retryable: boolean;
  readonly status: number | undefined;
  readonly field: string | undefined;
  readonly [BRAND] = true;

  constructor(message: string, options: PluginErrorOptions) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'PluginError';
    this.source = options.source;
    this.retryable = options.retryable ?? false;
    this.status = options.status;
    this.field = options.field;
  }
}

/**
 * Works across copies of this package (a third-party plugin may bundle its own), where
 * `instanceof` would not.
 */
export function isPluginError(e: unknown): e is PluginError {
  return typeof e === 'object' && e !== null && (e as Record<symbol, unknown>)[BRAND] === true;
}
