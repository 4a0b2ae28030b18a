/** A handled panel error: `{"errors": [...]}` with a status (spec §2.1). */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly errors: string[],
    readonly headers: Record<string, string> = {},
  ) {
    super(errors.join(', '));
  }
}

/** Model-level validation (spec §2.2 kind 2): the list serialised to JSON, then wrapped again. */
export function modelValidationError(messages: string[]): ApiError {
  return new ApiError(400, [JSON.stringify({ errors: messages })]);
}

/** Route-level validation (spec §2.2 kind 1): one `<path>: <garde message>` per failure. */
export function routeValidationError(messages: string[]): ApiError {
  return new ApiError(400, messages);
}

export type Json = Record<string, unknown>;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export function isUuid(value: unknown): value is string {
  return typeof value === 'string' && UUID.test(value);
}

/** garde rule texts (spec §2.2, source G). Each pushes onto `errors` when the rule fails. */
export function checkLength(errors: string[], path: string, value: unknown, min: number, max: number): void {
  if (typeof value !== 'string') return;
  const length = [...value].length;
  if (length < min) errors.push(`${path}: length is lower than ${min}`);
  else if (length > max) errors.push(`${path}: length is greater than ${max}`);
}

export function checkRange(errors: string[], path: string, value: unknown, min: number, max?: number): void {
  if (typeof value !== 'number') return;
  if (value < min) errors.push(`${path}: lower than ${min}`);
  else if (max !== undefined && value > max) errors.push(`${path}: greater than ${max}`);
}

export function checkPattern(errors: string[], path: string, value: unknown, pattern: RegExp): void {
  if (typeof value === 'string' && !pattern.test(value))
    errors.push(`${path}: does not match pattern ${pattern.toString()}`);
}

export function emailProblem(value: string): string | undefined {
  if (!value.includes('@')) return 'value is missing `@`';
  const [user, domain] = [value.slice(0, value.lastIndexOf('@')), value.slice(value.lastIndexOf('@') + 1)];
  if (user === '') return 'empty user';
  if (domain === '' || !domain.includes('.')) return 'invalid domain';
  return undefined;
}

export function checkEmail(errors: string[], path: string, value: unknown): void {
  if (typeof value !== 'string') return;
  const problem = emailProblem(value);
  if (problem) errors.push(`${path}: not a valid email: ${problem}`);
  else checkLength(errors, path, value, 0, 255);
}
