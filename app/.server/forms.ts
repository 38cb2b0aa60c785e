import { data } from '@remix-run/node';
import { ZodError, ZodObject, type ZodType, type z } from 'zod';
import { isAppError } from './errors';

export interface FormFailure {
  ok: false;
  formError?: string;
  fieldErrors: Record<string, string>;
}

/** Parses a form with a zod schema; a failure becomes a 400 the page shows beside each field. */
export function parseForm<S extends ZodType>(form: FormData, schema: S): z.output<S> {
  const raw: Record<string, unknown> = {};
  for (const [k, v] of form) {
    if (typeof v !== 'string') continue;
    // Repeated fields (checkbox groups) arrive as arrays.
    const prev = raw[k];
    raw[k] = prev === undefined ? v : Array.isArray(prev) ? [...prev, v] : [prev, v];
  }
  // A browser submits an empty text input as "", so a missing field reads as empty too:
  // the user then sees "E-mail is required", not a type error.
  // Fields that may be absent (optional, or with a default) are left absent.
  if (schema instanceof ZodObject) {
    for (const [key, field] of Object.entries(schema.shape as Record<string, ZodType>)) {
      if (raw[key] === undefined && !field.safeParse(undefined).success) raw[key] = '';
    }
  }
  return schema.parse(raw);
}

/**
 * What an action answers when its work failed for a reason the user can fix: the
 * message, the field it belongs to, and a 4xx status. Anything else is rethrown.
 */
export function formFailure(e: unknown) {
  if (e instanceof ZodError) {
    const fieldErrors: Record<string, string> = {};
    for (const issue of e.issues) {
      const key = String(issue.path[0] ?? '_');
      fieldErrors[key] ??= issue.message;
    }
    const formError = fieldErrors._;
    delete fieldErrors._;
    return data<FormFailure>({ ok: false, fieldErrors, ...(formError ? { formError } : {}) }, { status: 400 });
  }
  if (isAppError(e) && e.status < 500) {
    return data<FormFailure>(
      { ok: false, fieldErrors: e.field ? { [e.field]: e.message } : {}, ...(e.field ? {} : { formError: e.message }) },
      { status: e.status },
    );
  }
  throw e;
}

/** Only same-site paths, so a crafted link can't send a user elsewhere after sign-in. */
export function safeRedirect(to: FormDataEntryValue | string | null | undefined, fallback = '/'): string {
  if (typeof to !== 'string' || !to.startsWith('/') || to.startsWith('//') || to.startsWith('/\\')) return fallback;
  return to;
}
