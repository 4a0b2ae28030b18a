import { fail } from '../core/error-catalogue.js';
import type { FieldError } from '../modules/contract.js';

/**
 * Input checks shared by every entry point (API, CLI, library): each returns every error at once
 * as `invalid-input` with field details, before anything is written.
 */
export class FieldErrors {
  readonly errors: FieldError[] = [];

  add(field: string, message: string): this {
    this.errors.push({ field, message });
    return this;
  }

  text(
    field: string,
    value: unknown,
    options: { required?: boolean; max?: number; label?: string } = {},
  ): void {
    const label = options.label ?? field;
    if (value === undefined || value === null || value === '') {
      if (options.required) this.add(field, `${label} is required`);
      return;
    }
    if (typeof value !== 'string') return void this.add(field, `${label} must be text`);
    if (/[\0\r\n]/.test(value)) this.add(field, `${label} must be a single line`);
    if (value.length > (options.max ?? 255))
      this.add(field, `${label} must be at most ${options.max ?? 255} characters`);
  }

  email(field: string, value: unknown, required = true): void {
    if ((value === undefined || value === '') && !required) return;
    if (
      typeof value !== 'string' ||
      !/^[^\s@]{1,64}@[^\s@]+\.[^\s@]{2,}$/.test(value) ||
      value.length > 254
    ) {
      this.add(field, `${field} must be an e-mail address like name@example.com`);
    }
  }

  integer(
    field: string,
    value: unknown,
    options: { required?: boolean; min?: number; max?: number } = {},
  ): void {
    if (value === undefined || value === null) {
      if (options.required) this.add(field, `${field} is required`);
      return;
    }
    if (typeof value !== 'number' || !Number.isInteger(value))
      return void this.add(field, `${field} must be a whole number`);
    if (options.min !== undefined && value < options.min)
      this.add(field, `${field} must be at least ${options.min}`);
    if (options.max !== undefined && value > options.max)
      this.add(field, `${field} must be at most ${options.max}`);
  }

  stringMap(field: string, value: unknown): void {
    if (value === undefined) return;
    if (typeof value !== 'object' || value === null || Array.isArray(value))
      return void this.add(field, `${field} must be an object of text values`);
    for (const [key, inner] of Object.entries(value)) {
      if (typeof inner !== 'string') this.add(`${field}.${key}`, `${field}.${key} must be text`);
      else if (inner.length > 4096 || key.length > 128)
        this.add(`${field}.${key}`, `${field}.${key} is too long`);
    }
  }

  throwIfAny(what: string): void {
    if (this.errors.length === 0) return;
    throw fail('input.invalid', `${what}: ${this.errors.map((e) => e.message).join('; ')}`, {
      details: this.errors,
    });
  }
}

/** Host names and IP literals as a server address; no scheme, no path. */
export function isHostName(value: string): boolean {
  return /^[A-Za-z0-9.-]{1,253}$/.test(value) || /^\[?[0-9A-Fa-f:.]+\]?$/.test(value);
}

/** Field checks of a new client (also run for a client created by an order). */
export function checkNewClient(input: {
  email: unknown;
  firstName?: unknown;
  lastName?: unknown;
  company?: unknown;
  externalId?: unknown;
  customFields?: unknown;
}): FieldErrors {
  const errors = new FieldErrors();
  errors.email('email', input.email);
  errors.text('firstName', input.firstName, { max: 100 });
  errors.text('lastName', input.lastName, { max: 100 });
  errors.text('company', input.company, { max: 200 });
  errors.text('externalId', input.externalId, { max: 100 });
  errors.stringMap('customFields', input.customFields);
  return errors;
}

/** Field checks of a new service (also run for each service of an order). */
export function checkNewService(
  input: {
    clientId?: unknown;
    productId: unknown;
    domain?: unknown;
    username?: unknown;
    password?: unknown;
    configOptions?: unknown;
    customFields?: unknown;
  },
  options: { clientKnown?: boolean } = {},
): FieldErrors {
  const errors = new FieldErrors();
  if (!options.clientKnown) errors.integer('clientId', input.clientId, { required: true, min: 1 });
  errors.integer('productId', input.productId, { required: true, min: 1 });
  errors.text('domain', input.domain, { max: 253 });
  errors.text('username', input.username, { max: 128 });
  errors.text('password', input.password, { max: 256 });
  errors.stringMap('configOptions', input.configOptions);
  errors.stringMap('customFields', input.customFields);
  return errors;
}
