import type { FieldError, Module, SettingField, SettingsSchema, SettingValue } from './contract.js';

/**
 * Product-settings validation at save time: every field is checked and every error is listed at
 * once, so the admin fixes the form in one go. Values are coerced to their field's type
 * (`yesno` → boolean, `number` → number) and defaults filled in; unknown keys are errors.
 */
export type SettingsValidation =
  | { ok: true; values: Record<string, SettingValue> }
  | { ok: false; errors: FieldError[] };

const YES = new Set(['on', 'yes', 'true', '1']);
const NO = new Set(['', 'off', 'no', 'false', '0']);

function coerce(field: SettingField, raw: unknown): { value?: SettingValue; error?: string } {
  const label = field.label;
  switch (field.type) {
    case 'yesno': {
      if (typeof raw === 'boolean') return { value: raw };
      if (typeof raw === 'number' && (raw === 0 || raw === 1)) return { value: raw === 1 };
      if (typeof raw === 'string' && YES.has(raw.toLowerCase())) return { value: true };
      if (typeof raw === 'string' && NO.has(raw.toLowerCase())) return { value: false };
      return { error: `${label} must be yes or no` };
    }
    case 'number': {
      const value =
        typeof raw === 'number'
          ? raw
          : typeof raw === 'string' && raw.trim() !== ''
            ? Number(raw)
            : Number.NaN;
      if (!Number.isFinite(value)) return { error: `${label} must be a number` };
      if (field.min !== undefined && value < field.min)
        return { error: `${label} must be at least ${field.min}` };
      if (field.max !== undefined && value > field.max)
        return { error: `${label} must be at most ${field.max}` };
      return { value };
    }
    default: {
      if (typeof raw !== 'string' && typeof raw !== 'number') return { error: `${label} must be text` };
      const value = String(raw);
      if (field.type !== 'textarea' && /[\r\n\0]/.test(value))
        return { error: `${label} must be a single line` };
      if (field.maxLength !== undefined && value.length > field.maxLength) {
        return { error: `${label} must be at most ${field.maxLength} characters` };
      }
      if ((field.type === 'dropdown' || field.type === 'radio') && field.options && value !== '') {
        if (!field.options.some((option) => option.value === value)) {
          return { error: `${label} must be one of: ${field.options.map((o) => o.value).join(', ')}` };
        }
      }
      if (field.pattern && value !== '' && !field.pattern.test(value)) {
        return { error: field.patternMessage ?? `${label} does not have the expected form` };
      }
      return { value };
    }
  }
}

function isEmpty(value: unknown): boolean {
  return value === undefined || value === null || value === '';
}

export function validateSettings(
  schema: SettingsSchema,
  input: Readonly<Record<string, unknown>>,
): SettingsValidation {
  const errors: FieldError[] = [];
  const values: Record<string, SettingValue> = {};
  const known = new Set(schema.fields.map((f) => f.name));
  for (const key of Object.keys(input)) {
    if (!known.has(key)) errors.push({ field: key, message: `${key} is not a setting of this product` });
  }
  for (const field of schema.fields) {
    const raw = input[field.name];
    if (isEmpty(raw)) {
      if (field.required) errors.push({ field: field.name, message: `${field.label} is required` });
      else if (field.default !== undefined) values[field.name] = field.default;
      else if (field.type === 'yesno') values[field.name] = false;
      else if (field.type !== 'number') values[field.name] = '';
      continue;
    }
    const { value, error } = coerce(field, raw);
    if (error !== undefined || value === undefined) {
      errors.push({ field: field.name, message: error ?? `${field.label} is invalid` });
      continue;
    }
    values[field.name] = value;
  }
  // Field and cross-field rules see the coerced values; they run even when another field failed,
  // so every problem is reported at once.
  for (const field of schema.fields) {
    const value = values[field.name];
    if (field.validate && value !== undefined && !errors.some((e) => e.field === field.name)) {
      const message = field.validate(value, values);
      if (message) errors.push({ field: field.name, message });
    }
  }
  if (schema.validate) errors.push(...schema.validate(values));
  return errors.length === 0 ? { ok: true, values } : { ok: false, errors };
}

export function settingsSchemaFor(
  module: Module<unknown>,
  productType: string | null | undefined,
): SettingsSchema | undefined {
  if (module.productTypes?.length) {
    return module.productTypes.find((type) => type.id === productType)?.settings;
  }
  return module.settings;
}

export function isSecretField(field: SettingField): boolean {
  return field.secret === true || field.type === 'password';
}

/** Splits values into what may be stored in clear and what must be sealed. */
export function splitSecretSettings(
  schema: SettingsSchema | undefined,
  values: Readonly<Record<string, SettingValue>>,
): { plain: Record<string, SettingValue>; secret: Record<string, SettingValue> } {
  const secretNames = new Set((schema?.fields ?? []).filter(isSecretField).map((f) => f.name));
  const plain: Record<string, SettingValue> = {};
  const secret: Record<string, SettingValue> = {};
  for (const [key, value] of Object.entries(values)) (secretNames.has(key) ? secret : plain)[key] = value;
  return { plain, secret };
}
