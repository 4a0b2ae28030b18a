import type { SettingField, SettingValue } from './api/types';

/**
 * The checks GET /v1/modules describes for each field (required, bounds, length, pattern), run in
 * the browser so every error shows beside its field before anything is sent. The engine runs
 * the same checks and more (cross-field rules); its answer is shown the same way.
 */

export type SettingValues = Record<string, SettingValue>;

export function isFieldVisible(field: SettingField, values: SettingValues): boolean {
  if (!field.showWhen) return true;
  return values[field.showWhen.field] === field.showWhen.equals;
}

export function initialSettingValues(
  fields: readonly SettingField[],
  current: SettingValues = {},
): SettingValues {
  const values: SettingValues = {};
  for (const field of fields) {
    const value = current[field.name] ?? field.default;
    if (value !== undefined) values[field.name] = value;
    else if (field.type === 'yesno') values[field.name] = false;
    else if (field.type === 'radio' && field.options?.[0]) values[field.name] = field.options[0].value;
  }
  return values;
}

export function checkSettingField(field: SettingField, value: SettingValue | undefined): string | undefined {
  const empty = value === undefined || value === '';
  if (empty) return field.required ? `${field.label} is required` : undefined;
  if (field.type === 'number') {
    const number = typeof value === 'number' ? value : Number(value);
    if (!Number.isFinite(number)) return `${field.label} must be a number`;
    if (field.min !== undefined && number < field.min) return `${field.label} must be at least ${field.min}`;
    if (field.max !== undefined && number > field.max) return `${field.label} must be at most ${field.max}`;
    return undefined;
  }
  if (typeof value !== 'string') return undefined;
  if (field.maxLength !== undefined && value.length > field.maxLength)
    return `${field.label} must be at most ${field.maxLength} characters`;
  if (field.pattern && !new RegExp(field.pattern).test(value))
    return field.patternMessage ?? `${field.label} is not in the expected form`;
  if (field.options?.length && !field.loader && !field.options.some((o) => o.value === value))
    return `${field.label} must be one of the choices`;
  return undefined;
}

/** Every problem of the visible fields, by field name. Secret fields left empty keep their value. */
export function checkSettings(
  fields: readonly SettingField[],
  values: SettingValues,
  options: { keptSecrets?: readonly string[] } = {},
): Record<string, string> {
  const problems: Record<string, string> = {};
  for (const field of fields) {
    if (!isFieldVisible(field, values)) continue;
    if (options.keptSecrets?.includes(field.name) && (values[field.name] ?? '') === '') continue;
    const problem = checkSettingField(field, values[field.name]);
    if (problem) problems[field.name] = problem;
  }
  return problems;
}

/** What to send: visible fields only, numbers as numbers, empty kept secrets left out. */
export function settingsToSend(
  fields: readonly SettingField[],
  values: SettingValues,
  options: { keptSecrets?: readonly string[] } = {},
): SettingValues {
  const out: SettingValues = {};
  for (const field of fields) {
    const value = values[field.name];
    if (value === undefined) continue;
    const secret = field.secret || field.type === 'password';
    if (secret && value === '' && options.keptSecrets?.includes(field.name)) continue;
    if (field.type === 'number') {
      if (value === '') continue;
      out[field.name] = Number(value);
    } else out[field.name] = value;
  }
  return out;
}
