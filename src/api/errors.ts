import { fail } from '../core/error-catalogue.js';
import { INTERNAL_CODE, isProvisioningError, type ProvisioningError } from '../core/errors.js';

/**
 * The API's side of errors: only the HTTP mapping. Codes, kinds, statuses and meanings live in
 * the catalogues (`core/error-catalogue.ts` and each module's `errors.ts`).
 *
 * Body of every error answer: `{ error: { code, message, details? } }`. `message` is the specific
 * sentence (which service, which field, what to do); `details` carries field errors for 422s.
 */
export interface ApiErrorBody {
  error: { code: string; message: string; details?: unknown };
}

/**
 * The database's unique and foreign-key constraints, as a last line: the engine checks what it
 * can before writing, and a race (or a check it lacks) must still be a 409/404, never a 500.
 * SQLite: `UNIQUE constraint failed: products.name`; PostgreSQL: SQLSTATE 23505 / 23503.
 */
export function constraintError(error: unknown): ProvisioningError | null {
  const {
    code,
    message = '',
    detail = '',
  } = (error ?? {}) as { code?: string; message?: string; detail?: string };
  const unique =
    /UNIQUE constraint failed: (\w+)\.(\w+)/.exec(message) ??
    (code === '23505' ? /Key \((\w+)\)/.exec(detail) : null);
  if (unique || code === 'SQLITE_CONSTRAINT_UNIQUE') {
    const what = unique?.[2] ?? unique?.[1] ?? 'value';
    return fail(
      'record.duplicate',
      `a record with this ${what.replace(/_/g, ' ')} exists already: choose another`,
    );
  }
  if (code === 'SQLITE_CONSTRAINT_FOREIGNKEY' || code === '23503')
    return fail('record.reference_missing', 'the request refers to a record that does not exist');
  return null;
}

/**
 * Maps anything thrown by a route to status and body; `null` for errors the caller must not see
 * (the generic `internal` code: a bug, whose text may hold anything).
 */
export function toErrorAnswer(error: unknown): { status: number; body: ApiErrorBody } | null {
  const known = isProvisioningError(error) ? error : constraintError(error);
  if (!known || known.code === INTERNAL_CODE) return null;
  return {
    status: known.status,
    body: {
      error: {
        code: known.code,
        message: known.message,
        ...(known.details === undefined ? {} : { details: known.details }),
      },
    },
  };
}

export function internalErrorBody(requestId: string): ApiErrorBody {
  return {
    error: {
      code: INTERNAL_CODE,
      message: `an unexpected error occurred; the server log has the details under request id ${requestId}`,
    },
  };
}
