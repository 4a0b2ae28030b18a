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
 *
 * Every error carries a code from a catalogue made with `defineErrors` (code → kind, HTTP status,
 * meaning). The constructor takes a catalogue entry, never a string, so a thrower cannot invent a
 * code at the call site, and the kind always agrees with the code. The engine's codes are in
 * `error-catalogue.ts`; each module declares its own in `modules/<id>/errors.ts`; docs/errors.md
 * is generated from all of them (`npm run docs:errors`) and a test keeps it in step.
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

/**
 * HTTP status by kind, for entries that name none. `auth` here is the backend refusing *our*
 * credentials, a gateway problem, not the caller's: 502, never 401.
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

/** How a catalogue describes one code. */
export interface ErrorSpec {
  kind: ErrorKind;
  /** When it happens and what to do, for the documentation. */
  meaning: string;
  /** HTTP status when it reaches an API caller (default: by kind). */
  status?: number;
}

declare const entryBrand: unique symbol;

/** One catalogued code; only `defineErrors` makes them. */
export interface ErrorEntry<C extends string = string> {
  readonly code: C;
  readonly kind: ErrorKind;
  readonly status: number;
  readonly meaning: string;
  /** Which catalogue it belongs to (`engine`, `axigen`, …), for the documentation. */
  readonly catalogue: string;
  readonly [entryBrand]: true;
}

export interface ProvisioningErrorOptions {
  /** Field-level details, e.g. every settings error at once. */
  details?: unknown;
  /** Seconds the backend asked us to wait (429 Retry-After), when known. */
  retryAfterSeconds?: number;
  cause?: unknown;
}

const madeEntries = new WeakSet<object>();
const registry = new Map<string, ErrorEntry>();

export class ProvisioningError extends Error {
  readonly kind: ErrorKind;
  readonly code: string;
  readonly status: number;
  readonly details: unknown;
  readonly retryAfterSeconds: number | undefined;
  /** The catalogue entry it was made from. */
  readonly entry: ErrorEntry;

  constructor(entry: ErrorEntry, message: string, options: ProvisioningErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    if (!madeEntries.has(entry)) throw new TypeError('ProvisioningError needs an entry made by defineErrors');
    this.name = 'ProvisioningError';
    this.entry = entry;
    this.kind = entry.kind;
    this.code = entry.code;
    this.status = entry.status;
    this.details = options.details;
    this.retryAfterSeconds = options.retryAfterSeconds;
  }
}

/** A set of codes and the one way to raise them. */
export interface ErrorCatalogue<C extends string> {
  readonly name: string;
  readonly entries: Readonly<Record<C, ErrorEntry<C>>>;
  /** Makes the error for `code` (throw it, or reject with it). */
  error(code: C, message: string, options?: ProvisioningErrorOptions): ProvisioningError;
  /** Whether an error carries one of these codes (e.g. `axigen.account_missing`). */
  is(error: unknown, code: C): boolean;
}

/**
 * Declares codes once, with their kind and meaning. Codes are unique across every catalogue in
 * the process: a second declaration of a code is a programming error, reported at load time.
 */
export function defineErrors<const T extends Record<string, ErrorSpec>>(
  name: string,
  specs: T,
): ErrorCatalogue<keyof T & string> {
  type C = keyof T & string;
  const entries = {} as Record<C, ErrorEntry<C>>;
  for (const [code, spec] of Object.entries(specs) as [C, ErrorSpec][]) {
    if (registry.has(code)) throw new Error(`error code ${code} is declared twice`);
    const entry = Object.freeze({
      code,
      kind: spec.kind,
      status: spec.status ?? KIND_STATUS[spec.kind],
      meaning: spec.meaning,
      catalogue: name,
    }) as ErrorEntry<C>;
    madeEntries.add(entry);
    registry.set(code, entry);
    entries[code] = entry;
  }
  Object.freeze(entries);
  return Object.freeze({
    name,
    entries,
    error: (code: C, message: string, options?: ProvisioningErrorOptions) =>
      new ProvisioningError(entries[code], message, options),
    is: (error: unknown, code: C) => isProvisioningError(error) && error.code === code,
  });
}

/** Every code declared so far in this process (the documentation generator loads every module first). */
export function allErrorEntries(): ErrorEntry[] {
  return [...registry.values()];
}

export function errorEntry(code: string): ErrorEntry | undefined {
  return registry.get(code);
}

export function isProvisioningError(value: unknown): value is ProvisioningError {
  return value instanceof ProvisioningError;
}

/** Kinds after which the same request may succeed if tried again later. */
export function isTransient(kind: ErrorKind): boolean {
  return kind === 'unavailable' || kind === 'unknown-outcome';
}

/** The code of a bug: its text may hold anything, so no caller ever sees it. */
export const INTERNAL_CODE = 'internal';

const CORE = defineErrors('engine', {
  internal: {
    kind: 'internal',
    meaning: 'A bug in provisio; the log has the details, the answer never does.',
  },
});

/** Turns anything thrown into a ProvisioningError; unexpected throws become `internal`. */
export function toProvisioningError(error: unknown): ProvisioningError {
  if (isProvisioningError(error)) return error;
  if (error instanceof Error) return CORE.error('internal', error.message, { cause: error });
  return CORE.error('internal', String(error));
}

/** Copies an error with a new message (redaction), keeping its code, kind and retry hint. */
export function withMessage(error: ProvisioningError, message: string): ProvisioningError {
  const copy = new ProvisioningError(error.entry, message, {
    details: error.details,
    ...(error.retryAfterSeconds === undefined ? {} : { retryAfterSeconds: error.retryAfterSeconds }),
  });
  return error.kind === copy.kind ? copy : Object.assign(copy, { kind: error.kind });
}
