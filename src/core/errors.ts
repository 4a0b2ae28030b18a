/**
 * One error type with a closed set of kinds. The engine decides what to do from the kind alone:
 *
 * | kind             | meaning                                                        | engine reaction            |
 * |------------------|----------------------------------------------------------------|----------------------------|
 * | invalid-input    | our request was wrong (settings, names, values)                | fail, no retry             |
 * | not-found        | the remote object or a referenced record does not exist        | fail, no retry             |
 * | conflict         | the remote object exists and is not ours / state forbids it    | fail, no retry             |
 * | auth             | credentials refused or permission missing                      | fail, no retry             |
 * | unavailable      | transient: refused connection, 503, 429, timeout before send   | retry with backoff         |
 * | unknown-outcome  | the request was sent but no answer came back                   | look up, then retry        |
 * | remote           | the backend refused with its own message                       | fail with that message     |
 * | unsupported      | the module or backend cannot do this                           | fail, no retry             |
 * | internal         | a bug of ours                                                  | fail, no retry             |
 */
export const ERROR_KINDS = [
  'invalid-input',
  'not-found',
  'conflict',
  'auth',
  'unavailable',
  'unknown-outcome',
  'remote',
  'unsupported',
  'internal',
] as const;

export type ErrorKind = (typeof ERROR_KINDS)[number];

export interface ProvisioningErrorOptions {
  /** Stable machine-readable code, e.g. `axigen.domain_exists`. Defaults to the kind. */
  code?: string;
  /** Field-level details, e.g. every settings error at once. */
  details?: unknown;
  /** Seconds the backend asked us to wait (429 Retry-After), when known. */
  retryAfterSeconds?: number;
  cause?: unknown;
}

export class ProvisioningError extends Error {
  readonly kind: ErrorKind;
  readonly code: string;
  readonly details: unknown;
  readonly retryAfterSeconds: number | undefined;

  constructor(kind: ErrorKind, message: string, options: ProvisioningErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'ProvisioningError';
    this.kind = kind;
    this.code = options.code ?? kind;
    this.details = options.details;
    this.retryAfterSeconds = options.retryAfterSeconds;
  }
}

export function isProvisioningError(value: unknown): value is ProvisioningError {
  return value instanceof ProvisioningError;
}

/** Kinds after which the same request may succeed if tried again later. */
export function isTransient(kind: ErrorKind): boolean {
  return kind === 'unavailable' || kind === 'unknown-outcome';
}

/** Turns anything thrown into a ProvisioningError; unexpected throws become `internal`. */
export function toProvisioningError(error: unknown): ProvisioningError {
  if (isProvisioningError(error)) return error;
  if (error instanceof Error) return new ProvisioningError('internal', error.message, { cause: error });
  return new ProvisioningError('internal', String(error));
}
