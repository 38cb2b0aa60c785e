import { PluginError, isPluginError } from '@obstack/plugin-api';

const RETRYABLE_SQLSTATE = new Set([
  '40001', // serialization_failure
  '40P01', // deadlock_detected
  '55P03', // lock_not_available (lock_timeout)
  '57014', // query_canceled (statement_timeout)
  '57P01', // admin_shutdown
  '57P02', // crash_shutdown
  '57P03', // cannot_connect_now
  '53300', // too_many_connections
  '53100', // disk_full
  '53200', // out_of_memory
]);

const CONFIG_SQLSTATE = new Set([
  '28000', // invalid_authorization_specification
  '28P01', // invalid_password
  '3D000', // invalid_catalog_name (no such database)
  '42501', // insufficient_privilege
]);

const NETWORK_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'EPIPE',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'EAI_AGAIN',
  'ENOTFOUND',
  'CONNECT_TIMEOUT',
  'CONNECTION_CLOSED',
  'CONNECTION_ENDED',
  'CONNECTION_DESTROYED',
]);

function codeOf(e: unknown): string | undefined {
  const code = (e as { code?: unknown } | null)?.code;
  return typeof code === 'string' ? code : undefined;
}

/** AbortError/TimeoutError pass through untouched: the host knows it gave up. */
export function isAbort(e: unknown): boolean {
  const name = (e as { name?: unknown } | null)?.name;
  return name === 'AbortError' || name === 'TimeoutError';
}

/**
 * Turns a driver error into the PluginError the host expects: `downstream`, retryable
 * when repeating the call later can succeed (connection trouble, timeouts, lock waits),
 * `config` for credentials and privileges.
 */
export function toPluginError(e: unknown, doing: string): Error {
  if (isPluginError(e) || isAbort(e)) return e as Error;
  const code = codeOf(e);
  const detail = e instanceof Error ? e.message : String(e);
  if (code !== undefined && (NETWORK_CODES.has(code) || code.startsWith('08'))) {
    return new PluginError(`Cannot reach the database while ${doing}: ${detail}`, { source: 'downstream', retryable: true, cause: e });
  }
  if (code !== undefined && CONFIG_SQLSTATE.has(code)) {
    return new PluginError(`The database refused access while ${doing}: ${detail}. Check the URL, user and password.`, { source: 'config', cause: e });
  }
  if (code !== undefined && RETRYABLE_SQLSTATE.has(code)) {
    return new PluginError(`The database is busy or restarting (${doing}): ${detail}`, { source: 'downstream', retryable: true, cause: e });
  }
  if (code !== undefined && /^(22|23)/.test(code)) {
    // Data the store produced was refused: a bug here or input the encoder did not catch.
    return new PluginError(`The database rejected data while ${doing}: ${detail}`, { source: 'plugin', cause: e });
  }
  return new PluginError(`Database error while ${doing}: ${detail}`, { source: 'downstream', cause: e });
}
