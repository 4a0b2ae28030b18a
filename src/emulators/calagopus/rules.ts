import { EGG_VARIABLE_ORDER } from './guesses.js';
import type { Egg } from './state.js';

/**
 * The panel's egg-variable rules (Laravel-style strings, docs/specs/calagopus.md §2.2, source
 * `rule-validator` @ 3d2a94a): every rule string is parsed first (`invalid rule 'x': …`), then the
 * variables are checked and the FIRST failure is the answer, `<ENV>: <text>`. A blank value runs
 * only the implicit rules (`required`); `nullable` skips the others for "" and "null"; with a
 * `numeric` or `integer` rule, `min`/`max`/`between`/`size` compare the number, else the length.
 */
type Check = (value: string, variable: VariableRules) => string | undefined;

interface Rule {
  label: string;
  implicit?: boolean;
  check: Check;
}

interface VariableRules {
  labels: Set<string>;
}

/** Mirrors PHP is_numeric (the crate's `is_numeric`). */
function isNumeric(value: string): boolean {
  const trimmed = value.trim();
  return trimmed !== '' && /^[0-9eE+\-.]+$/.test(trimmed) && !Number.isNaN(Number(trimmed));
}

function size(value: string, variable: VariableRules): number {
  const numericRule = variable.labels.has('numeric') || variable.labels.has('integer');
  return isNumeric(value) && numericRule ? Number(value.trim()) : [...value].length;
}

function numericArgument(name: string, args: string[]): number {
  if (args.length !== 1) throw new Error(`${name} requires one numeric value`);
  const value = Number(args[0]);
  if (args[0]?.trim() === '' || Number.isNaN(value)) throw new Error(`invalid value for ${name}`);
  return value;
}

function atLeastOne(name: string, what: string, args: string[]): string[] {
  if (args.length === 0) throw new Error(`${name} requires at least one ${what}`);
  return args;
}

const fail = (text: string) => text;

const RULES: Readonly<Record<string, (args: string[]) => Rule>> = {
  required: () => ({
    label: 'required',
    implicit: true,
    check: (v) => (v.trim() !== '' ? undefined : fail('is required and cannot be empty')),
  }),
  nullable: () => ({ label: 'nullable', check: () => undefined }),
  string: () => ({ label: 'string', check: () => undefined }),
  numeric: () => ({
    label: 'numeric',
    check: (v) => (isNumeric(v) ? undefined : fail('must be a valid numeric value')),
  }),
  integer: () => ({
    label: 'integer',
    check: (v) => (/^[+-]?\d+$/.test(v.trim()) ? undefined : fail('must be a valid integer')),
  }),
  boolean: () => ({
    label: 'boolean',
    check: (v) =>
      ['0', '1', 'false', 'true'].includes(v)
        ? undefined
        : fail("must be a boolean ('0', '1', 'true' or 'false')"),
  }),
  max: (args) => {
    const max = numericArgument('max', args);
    return {
      label: 'max',
      check: (v, r) => (size(v, r) <= max ? undefined : fail(`must be less than or equal to ${max}`)),
    };
  },
  min: (args) => {
    const min = numericArgument('min', args);
    return {
      label: 'min',
      check: (v, r) => (size(v, r) >= min ? undefined : fail(`must be greater than or equal to ${min}`)),
    };
  },
  between: (args) => {
    if (args.length !== 2) throw new Error('between requires two numeric values');
    const [min, max] = args.map(Number) as [number, number];
    if (Number.isNaN(min)) throw new Error('invalid minimum value');
    if (Number.isNaN(max)) throw new Error('invalid maximum value');
    return {
      label: 'between',
      check: (v, r) => {
        const s = size(v, r);
        return s >= min && s <= max ? undefined : fail(`must be between ${min} and ${max}`);
      },
    };
  },
  size: (args) => {
    const expected = numericArgument('size', args);
    return {
      label: 'size',
      check: (v, r) => (size(v, r) === expected ? undefined : fail(`must be equal to ${expected}`)),
    };
  },
  in: (args) => {
    const options = atLeastOne('in', 'option', args);
    return {
      label: 'in',
      check: (v) => (options.includes(v) ? undefined : fail(`must be one of: ${options.join(', ')}`)),
    };
  },
  not_in: (args) => {
    const options = atLeastOne('not_in', 'option', args);
    return {
      label: 'not_in',
      check: (v) => (options.includes(v) ? fail(`must not be one of: ${options.join(', ')}`) : undefined),
    };
  },
  alpha_num: () => ({
    label: 'alpha_num',
    check: (v) =>
      /^[\p{L}\p{N}]+$/u.test(v) ? undefined : fail('must contain only alphanumeric characters'),
  }),
  alpha_dash: () => ({
    label: 'alpha_dash',
    check: (v) =>
      /^[\p{L}\p{N}_-]+$/u.test(v)
        ? undefined
        : fail('must contain only alphanumeric characters, dashes, or underscores'),
  }),
};
const ALIASES: Readonly<Record<string, string>> = {
  num: 'numeric',
  int: 'integer',
  str: 'string',
  bool: 'boolean',
};

/** Parses one rule string as the crate does (`name:arg,arg`), or throws its parse error. */
function parseRule(text: string): Rule {
  const colon = text.indexOf(':');
  const name = colon < 0 ? text : text.slice(0, colon);
  const args = colon < 0 ? [] : text.slice(colon + 1).split(',');
  const make = RULES[ALIASES[name] ?? name];
  if (!make) throw new Error(`unknown or unsupported validation rule: ${name}`);
  return make(args);
}

/** The panel's answer for these values, or undefined when every variable passes. */
export function eggVariableError(egg: Egg, valueFor: (envVariable: string) => string): string | undefined {
  const parsed: { env: string; rules: Rule[] }[] = [];
  for (const variable of EGG_VARIABLE_ORDER(egg.variables)) {
    const rules: Rule[] = [];
    for (const text of variable.rules) {
      try {
        rules.push(parseRule(text));
      } catch (error) {
        return `invalid rule '${text}': ${(error as Error).message}`;
      }
    }
    parsed.push({ env: variable.env_variable, rules });
  }
  for (const { env, rules } of parsed) {
    const value = valueFor(env);
    const context: VariableRules = { labels: new Set(rules.map((r) => r.label)) };
    const isNull = value === '' || value === 'null';
    for (const rule of rules) {
      if (!rule.implicit && (value.trim() === '' || (context.labels.has('nullable') && isNull))) continue;
      const problem = rule.check(value, context);
      if (problem) return `${env}: ${problem}`;
    }
  }
  return undefined;
}
