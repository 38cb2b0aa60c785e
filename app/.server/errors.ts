const BRAND = Symbol.for('obstack.AppError');

/**
 * The one error type of the service layer. `status` is what an HTTP caller should
 * answer; `code` is stable for machines; `message` is safe to show a user.
 *
 * Test for it with `isAppError`, never `instanceof`: the server bundle and the Remix
 * route build each contain a copy of this module, and an error made by services of
 * one copy reaches routes of the other.
 */
export class AppError extends Error {
  readonly [BRAND] = true;

  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly field?: string,
  ) {
    super(message);
    this.name = 'AppError';
  }
}

export const badRequest = (code: string, message: string, field?: string) => new AppError(400, code, message, field);
export const notFound = (message: string) => new AppError(404, 'not_found', message);
export const conflict = (code: string, message: string, field?: string) => new AppError(409, code, message, field);
export const forbidden = (message: string) => new AppError(403, 'forbidden', message);

export function isAppError(e: unknown): e is AppError {
  return typeof e === 'object' && e !== null && (e as Record<symbol, unknown>)[BRAND] === true;
}

/** A JSON error response in the shape every API route uses: `{"error": {"code", "message"}}`. */
export function jsonError(status: number, code: string, message: string, headers?: HeadersInit): Response {
  const h = new Headers(headers);
  h.set('Content-Type', 'application/json; charset=utf-8');
  return new Response(JSON.stringify({ error: { code, message } }), { status, headers: h });
}

/** Postgres unique_violation, whichever driver raised it. */
export function isUniqueViolation(e: unknown): boolean {
  let cur: unknown = e;
  for (let i = 0; i < 4 && cur && typeof cur === 'object'; i++) {
    if ((cur as { code?: unknown }).code === '23505') return true;
    cur = (cur as { cause?: unknown }).cause;
  }
  return false;
}
