import { fail } from '../core/error-catalogue.js';
import type { ActionArgument, CustomAction, FieldError } from '../modules/contract.js';

/** Arguments are small, flat JSON: a nested 5,000-deep body must be refused, not crash a hash. */
const MAX_ARGUMENT_DEPTH = 4;
const MAX_ARGUMENTS_TEXT = 16_384;

function depthOf(value: unknown, depth = 0): number {
  if (depth > MAX_ARGUMENT_DEPTH || typeof value !== 'object' || value === null) return depth;
  let deepest = depth;
  for (const inner of Object.values(value)) deepest = Math.max(deepest, depthOf(inner, depth + 1));
  return deepest;
}

/** Refuses argument objects too deep or too large to be what any action takes. */
export function checkArgumentsShape(args: Record<string, unknown>): void {
  if (depthOf(args) > MAX_ARGUMENT_DEPTH) {
    throw fail('action.args_invalid', `action arguments may nest at most ${MAX_ARGUMENT_DEPTH} levels deep`);
  }
  if (JSON.stringify(args).length > MAX_ARGUMENTS_TEXT) {
    throw fail(
      'action.args_invalid',
      `action arguments may be at most ${MAX_ARGUMENTS_TEXT} characters of JSON`,
    );
  }
}

function checkOne(spec: ActionArgument, value: unknown): string | undefined {
  switch (spec.type) {
    case 'text':
      if (typeof value !== 'string') return `${spec.name} must be text`;
      if (spec.maxLength !== undefined && value.length > spec.maxLength)
        return `${spec.name} must be at most ${spec.maxLength} characters`;
      if (/[\0\r\n]/.test(value)) return `${spec.name} must be a single line`;
      return undefined;
    case 'number':
      if (typeof value !== 'number' || !Number.isFinite(value)) return `${spec.name} must be a number`;
      if (spec.min !== undefined && value < spec.min) return `${spec.name} must be at least ${spec.min}`;
      if (spec.max !== undefined && value > spec.max) return `${spec.name} must be at most ${spec.max}`;
      return undefined;
    case 'yesno':
      return typeof value === 'boolean' ? undefined : `${spec.name} must be true or false`;
    case 'choice':
      if (typeof value !== 'string') return `${spec.name} must be one of its choices, as text`;
      if (spec.choices && !spec.choices.includes(value))
        return `${spec.name} must be one of: ${spec.choices.join(', ')}`;
      return undefined;
  }
}

/**
 * Every problem with a custom action's arguments at once: unknown names, missing required ones,
 * wrong types, values outside their choices. Choices that come from a loader depend on the
 * backend: the action itself refuses a value the backend does not offer.
 */
export function argumentErrors(action: CustomAction<unknown>, args: Record<string, unknown>): FieldError[] {
  const specs = action.arguments ?? [];
  const errors: FieldError[] = [];
  for (const name of Object.keys(args)) {
    if (!specs.some((spec) => spec.name === name)) {
      const known = specs.map((spec) => spec.name);
      errors.push({
        field: name,
        message: `${name} is not an argument of this action${known.length ? ` (it takes: ${known.join(', ')})` : ' (it takes none)'}`,
      });
    }
  }
  for (const spec of specs) {
    const value = args[spec.name];
    if (value === undefined || value === null || value === '') {
      if (spec.required) errors.push({ field: spec.name, message: `${spec.name} is required` });
      continue;
    }
    const problem = checkOne(spec, value);
    if (problem) errors.push({ field: spec.name, message: problem });
  }
  return errors;
}
