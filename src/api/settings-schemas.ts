import type { Engine } from '../engine/engine.js';
import { type FieldDescription, productTypesOf } from '../engine/module-catalogue.js';

/**
 * The OpenAPI document describes product settings per module and product type, field by field
 * (`components.schemas.ProductSettings_<module>[_<type>]`), so a client generated from it knows
 * every setting. Requests are still checked by the engine against the module's schema, which
 * reports every field error at once; these schemas document, they do not validate.
 */
function fieldSchema(field: FieldDescription): Record<string, unknown> {
  const type = field.type === 'number' ? 'number' : field.type === 'yesno' ? 'boolean' : 'string';
  return {
    type,
    title: field.label,
    ...(field.description ? { description: field.description } : {}),
    ...(field.default !== undefined ? { default: field.default } : {}),
    ...(field.options ? { enum: field.options.map((o) => o.value) } : {}),
    ...(field.min !== undefined ? { minimum: field.min } : {}),
    ...(field.max !== undefined ? { maximum: field.max } : {}),
    ...(field.maxLength !== undefined ? { maxLength: field.maxLength } : {}),
    ...(field.pattern ? { pattern: field.pattern } : {}),
    ...(field.secret ? { writeOnly: true, format: 'password' } : {}),
    ...(field.loader ? { 'x-provisio-loader': field.loader } : {}),
  };
}

export function productSettingsSchemas(engine: Pick<Engine, 'modules'>): Record<string, unknown> {
  const schemas: Record<string, unknown> = {};
  for (const module of engine.modules.values()) {
    for (const type of productTypesOf(module)) {
      const name = `ProductSettings_${module.id}${type.id ? `_${type.id}` : ''}`;
      schemas[name] = {
        type: 'object',
        title: `${module.displayName}${type.id ? ` ${type.displayName}` : ''} product settings`,
        additionalProperties: false,
        properties: Object.fromEntries(type.settings.map((field) => [field.name, fieldSchema(field)])),
        required: type.settings.filter((field) => field.required).map((field) => field.name),
      };
    }
  }
  return schemas;
}
