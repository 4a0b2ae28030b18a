/**
 * PHP literals from JavaScript values, for the generated modules. Strings are single-quoted (only
 * `\` and `'` are special there), so no value can open PHP code or interpolate a variable.
 */
export type PhpValue =
  | string
  | number
  | boolean
  | null
  | readonly PhpValue[]
  | { readonly [key: string]: PhpValue };

export function phpString(value: string): string {
  return `'${value.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`;
}

export function phpLiteral(value: PhpValue, indent = ''): string {
  if (value === null) return 'null';
  if (typeof value === 'string') return phpString(value);
  if (typeof value === 'boolean') return value ? 'true' : 'false';
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) throw new Error(`cannot write ${value} as a PHP literal`);
    return String(value);
  }
  const inner = `${indent}    `;
  if (Array.isArray(value)) {
    if (value.length === 0) return 'array()';
    return `array(\n${value.map((v) => `${inner}${phpLiteral(v, inner)},`).join('\n')}\n${indent})`;
  }
  const entries = Object.entries(value as Record<string, PhpValue>);
  if (entries.length === 0) return 'array()';
  return `array(\n${entries.map(([k, v]) => `${inner}${phpString(k)} => ${phpLiteral(v, inner)},`).join('\n')}\n${indent})`;
}
