import { type ErrorKind, isProvisioningError } from '../core/errors.js';

/**
 * The error catalogue: every error code a caller of the API (or a reader of an operation's
 * `errorCode`) can see, with its HTTP status and what it means. docs/errors.md mirrors this list
 * and a test keeps the two, and the engine's codes, in step.
 *
 * Body of every error answer: `{ error: { code, message, details? } }`. `message` is the specific
 * sentence (which service, which field, what to do); `details` carries field errors for 422s.
 *
 * Codes that start with a module id (`axigen.`, `storegrid.`, …) come from a backend module; their
 * status follows their kind (KIND_STATUS) and each module's page documents them.
 */
export interface CatalogueEntry {
  status: number;
  /** When it happens, for the documentation. */
  meaning: string;
}

export const ERROR_CATALOGUE = {
  // Authentication and authorisation
  'auth.missing_token': { status: 401, meaning: 'No `Authorization: Bearer <token>` header.' },
  'auth.invalid_token': { status: 401, meaning: 'The token is unknown or was revoked.' },
  'auth.insufficient_scope': {
    status: 403,
    meaning: "The token's scope does not allow this route (read < operator < admin).",
  },
  // Requests
  'request.invalid': {
    status: 422,
    meaning: 'The body, path or query does not match the schema; `details` lists every field.',
  },
  'request.malformed': { status: 400, meaning: 'The body is not valid JSON.' },
  'request.unsupported_media_type': { status: 415, meaning: 'The body is not `application/json`.' },
  'request.too_large': { status: 413, meaning: 'The body exceeds the configured limit.' },
  'route.not_found': { status: 404, meaning: 'No route with this method and path.' },
  'token.not_found': { status: 404, meaning: 'No API token with this id.' },
  'record.duplicate': {
    status: 409,
    meaning: 'A record with this unique value (server, group or product name) exists already.',
  },
  'record.reference_missing': { status: 404, meaning: 'The request refers to a record that does not exist.' },
  'order.client_missing': {
    status: 422,
    meaning: 'An order needs `clientId` or a `client` object, not both.',
  },
  'client.in_use': { status: 409, meaning: 'The client still has services; it cannot be deleted.' },
  'product.in_use': { status: 409, meaning: 'Services were sold with this product; it cannot be deleted.' },
  'server.in_use': {
    status: 409,
    meaning: 'Services were placed on this server; disable it instead of deleting it.',
  },
  'server_group.in_use': { status: 409, meaning: 'Products use this server group; move them first.' },
  'order.invalid': {
    status: 422,
    meaning: 'The order id is missing or malformed, or the order has no services.',
  },
  'server_group.member_exists': {
    status: 409,
    meaning: 'The server is already a member of this server group.',
  },
  'server_group.member_not_found': {
    status: 404,
    meaning: 'The server is not a member of this server group.',
  },
  internal: { status: 500, meaning: 'A bug in provisio; the log has the details, the answer never does.' },
  'store.unreachable': { status: 503, meaning: '`/readyz`: the database does not answer.' },
  // Input checks of the engine
  'input.invalid': { status: 422, meaning: 'A record failed validation; `details` lists every field error.' },
  'settings.invalid': {
    status: 422,
    meaning: "Product settings do not match the module's schema; `details` lists every field error.",
  },
  'action.invalid': { status: 422, meaning: 'Unknown action, or a custom action without a valid name.' },
  'action.unsupported': { status: 422, meaning: "The service's module does not implement this action." },
  'module.not_found': { status: 422, meaning: 'No module with this id is installed in this engine.' },
  'loader.not_found': { status: 422, meaning: 'The settings field has no dynamic loader.' },
  'server.module_mismatch': {
    status: 422,
    meaning: 'The server belongs to another module than the product.',
  },
  'product.module_mismatch': { status: 422, meaning: 'A package change must stay within one module.' },
  'product.invalid': { status: 422, meaning: 'change-package: `productId` must be a number.' },
  'product.no_server_group': {
    status: 422,
    meaning: 'The product has no server group, so a service cannot be placed.',
  },
  'service.no_server': {
    status: 422,
    meaning: 'The service has no server yet (it gets one when it is created).',
  },
  'password.missing': { status: 422, meaning: 'change-password needs the new password.' },
  'password.invalid': { status: 422, meaning: 'The new password contains line breaks or NUL characters.' },
  'welcome.template_invalid': {
    status: 422,
    meaning: "The product's welcome template does not compile or uses a forbidden helper.",
  },
  'placement.no_server': { status: 409, meaning: 'Every server of the group is disabled or full.' },
  // Records that do not exist
  'client.not_found': { status: 404, meaning: 'No client with this id.' },
  'server.not_found': { status: 404, meaning: 'No server with this id.' },
  'server_group.not_found': { status: 404, meaning: 'No server group with this id.' },
  'product.not_found': { status: 404, meaning: 'No product with this id.' },
  'service.not_found': { status: 404, meaning: 'No service with this id.' },
  'operation.not_found': { status: 404, meaning: 'No operation with this id.' },
  'usage.no_server': {
    status: 404,
    meaning: 'The server does not exist, is disabled, or its module does not report usage.',
  },
  // State conflicts
  'client.exists': { status: 409, meaning: 'A client with this external id exists already.' },
  'lifecycle.transition_forbidden': {
    status: 409,
    meaning: "The service's status does not allow this action (e.g. suspending a pending service).",
  },
  'operation.already_active': {
    status: 409,
    meaning: 'The service has an operation in progress; `details.operationId` names it.',
  },
  'operation.not_failed': {
    status: 409,
    meaning: 'Only unresolved failed operations can be retried or resolved.',
  },
  'operation.not_cancellable': {
    status: 409,
    meaning: 'Only queued or waiting operations can be cancelled.',
  },
  'idempotency.key_reused': {
    status: 409,
    meaning: 'The Idempotency-Key was used before for a different request.',
  },
  // Outcomes recorded on operations (errorCode) and returned by synchronous backend calls
  'operation.timeout': {
    status: 504,
    meaning:
      'A run of the action exceeded its time limit (outcome unknown: the engine looks up before retrying).',
  },
  'operation.wait_timeout': {
    status: 502,
    meaning: 'A durable wait (e.g. an OS install) did not finish in its time limit.',
  },
  'transport.aborted': {
    status: 504,
    meaning: 'A backend request was interrupted by cancellation or a timeout.',
  },
  // Error kinds used as codes when a module gives none
  auth: {
    status: 502,
    meaning: 'The backend refused our credentials or a TLS check failed: fix the server record.',
  },
  unavailable: { status: 503, meaning: 'The backend is unreachable or busy; actions retry by themselves.' },
  'unknown-outcome': {
    status: 504,
    meaning: 'A request was sent and its answer lost; actions look up before retrying.',
  },
  remote: { status: 502, meaning: 'The backend refused the request with its own message.' },
  conflict: {
    status: 409,
    meaning: 'The backend object exists and is not ours, or its state forbids the action.',
  },
  'not-found': { status: 404, meaning: 'A referenced record or backend object does not exist.' },
  'invalid-input': { status: 422, meaning: 'The request or settings are wrong for this backend.' },
  unsupported: { status: 422, meaning: 'The module or backend cannot do this.' },
} as const satisfies Record<string, CatalogueEntry>;

export type ErrorCode = keyof typeof ERROR_CATALOGUE;

/**
 * Status by kind, for codes outside the catalogue (module codes). `auth` here is the backend
 * refusing *our* credentials, a gateway problem, not the caller's: 502, never 401.
 */
export const KIND_STATUS: Readonly<Record<ErrorKind, number>> = Object.freeze({
  'invalid-input': 422,
  'not-found': 404,
  conflict: 409,
  unsupported: 422,
  auth: 502,
  unavailable: 503,
  'unknown-outcome': 504,
  remote: 502,
  internal: 500,
});

export interface ApiErrorBody {
  error: { code: string; message: string; details?: unknown };
}

/** An error raised by the API layer itself (auth, request shape). */
export class ApiError extends Error {
  override readonly name = 'ApiError';
  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly details?: unknown,
  ) {
    super(message);
  }

  get status(): number {
    return ERROR_CATALOGUE[this.code].status;
  }
}

export function statusForCode(code: string, kind: ErrorKind): number {
  return (ERROR_CATALOGUE as Record<string, CatalogueEntry>)[code]?.status ?? KIND_STATUS[kind];
}

/**
 * The database's unique and foreign-key constraints, as a last line: the engine checks what it
 * can before writing, and a race (or a check it lacks) must still be a 409/404, never a 500.
 * SQLite: `UNIQUE constraint failed: products.name`; PostgreSQL: SQLSTATE 23505 / 23503.
 */
export function constraintError(error: unknown): ApiError | null {
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
    return new ApiError(
      'record.duplicate',
      `a record with this ${what.replace(/_/g, ' ')} exists already: choose another`,
    );
  }
  if (code === 'SQLITE_CONSTRAINT_FOREIGNKEY' || code === '23503')
    return new ApiError('record.reference_missing', 'the request refers to a record that does not exist');
  return null;
}

/** Maps anything thrown by a route to status and body; `null` for errors the caller must not see. */
export function toErrorAnswer(error: unknown): { status: number; body: ApiErrorBody } | null {
  const constraint = error instanceof ApiError || isProvisioningError(error) ? null : constraintError(error);
  if (constraint) return toErrorAnswer(constraint);
  if (error instanceof ApiError) {
    return {
      status: error.status,
      body: {
        error: {
          code: error.code,
          message: error.message,
          ...(error.details === undefined ? {} : { details: error.details }),
        },
      },
    };
  }
  if (isProvisioningError(error) && error.kind !== 'internal') {
    return {
      status: statusForCode(error.code, error.kind),
      body: {
        error: {
          code: error.code,
          message: error.message,
          ...(error.details === undefined ? {} : { details: error.details }),
        },
      },
    };
  }
  return null;
}

export function internalErrorBody(requestId: string): ApiErrorBody {
  return {
    error: {
      code: 'internal',
      message: `an unexpected error occurred; the server log has the details under request id ${requestId}`,
    },
  };
}
