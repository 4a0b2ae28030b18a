import type { FieldDescription } from '../engine/module-catalogue.js';
import { MAX_SETTINGS_FIELDS } from '../modules/contract.js';
import { loaderFunctionSuffix } from './names.js';
import type { PhpValue } from './php.js';

/**
 * A module's settings schema as WHMCS ConfigOptions, field for field and in the same order, so
 * `configoptionN` is the schema's N-th field. WHMCS knows six field types: a number is a `text`
 * field of size 10, and a dropdown whose choices come from the backend is a `text` field with a
 * `Loader` (WHMCS renders it as a dropdown and calls the loader, which asks the engine).
 */
export interface WhmcsConfigOption {
  key: string;
  definition: Record<string, PhpValue>;
}

export function configOptionsOf(fields: readonly FieldDescription[], prefix: string): WhmcsConfigOption[] {
  if (fields.length > MAX_SETTINGS_FIELDS) {
    throw new Error(`${fields.length} settings fields: WHMCS passes at most ${MAX_SETTINGS_FIELDS}`);
  }
  return fields.map((field) => ({ key: field.name, definition: definitionOf(field, prefix) }));
}

function definitionOf(field: FieldDescription, prefix: string): Record<string, PhpValue> {
  const description = [field.description, field.required ? '(required)' : ''].filter(Boolean).join(' ');
  const out: Record<string, PhpValue> = { FriendlyName: field.label };
  if (field.loader) {
    out.Type = 'text';
    out.Size = 30;
    out.Loader = `${prefix}_${loaderFunctionSuffix(field.name)}`;
    out.SimpleMode = true;
  } else if (field.type === 'number') {
    out.Type = 'text';
    out.Size = 10;
  } else if (field.type === 'dropdown' || field.type === 'radio') {
    out.Type = field.type;
    out.Options =
      field.type === 'radio'
        ? (field.options ?? []).map((o) => o.value).join(',')
        : Object.fromEntries((field.options ?? []).map((o) => [o.value, o.label]));
  } else if (field.type === 'textarea') {
    out.Type = 'textarea';
    out.Rows = 3;
    out.Cols = 50;
  } else {
    out.Type = field.type;
    out.Size = 30;
  }
  if (field.default !== undefined) {
    out.Default = field.type === 'yesno' ? (field.default === true ? 'on' : '') : String(field.default);
  }
  if (description) out.Description = description;
  return out;
}
