/**
 * The `where=` filter grammar of ISPsystem's v3/v4 APIs (spec §4.2), parsed into a predicate:
 * `FIELD OP VALUE`, `FIELD IS [NOT] null`, `NOT e`, `e AND e`, `e OR e`, `( e )`; operators
 * EQ NE CP (SQL LIKE, `%` and `_`) GT LT GE LE; values quoted ('' escapes a quote), bare numbers,
 * true, false, null. Fields may be dotted (`operation.status`).
 */
import { GUESSES } from './guesses.js';

type Token =
  | { type: 'paren'; value: '(' | ')' }
  | { type: 'word'; value: string }
  | { type: 'string'; value: string };

export class WhereSyntaxError extends Error {}

function tokenize(text: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  while (i < text.length) {
    const char = text[i] as string;
    if (/\s/.test(char)) {
      i++;
    } else if (char === '(' || char === ')') {
      tokens.push({ type: 'paren', value: char });
      i++;
    } else if (char === "'") {
      let value = '';
      i++;
      for (;;) {
        if (i >= text.length) throw new WhereSyntaxError('unterminated string');
        if (text[i] === "'" && text[i + 1] === "'") {
          value += "'";
          i += 2;
        } else if (text[i] === "'") {
          i++;
          break;
        } else {
          value += text[i];
          i++;
        }
      }
      tokens.push({ type: 'string', value });
    } else {
      const match = /^[^\s()']+/.exec(text.slice(i));
      const word = match?.[0] ?? char;
      tokens.push({ type: 'word', value: word });
      i += word.length;
    }
  }
  return tokens;
}

export type Predicate = (row: unknown) => boolean;
type Value = string | number | boolean | null;

function fieldOf(row: unknown, path: string): unknown {
  let current: unknown = row;
  for (const part of path.split('.')) {
    if (current === null || typeof current !== 'object') return undefined;
    current = (current as Record<string, unknown>)[part];
  }
  return current;
}

function likeToRegExp(pattern: string): RegExp {
  const body = pattern
    .replace(/[.*+?^${}()|[\]\\]/g, '\\$&')
    .replace(/%/g, '.*')
    .replace(/_/g, '.');
  return new RegExp(`^${body}$`, GUESSES.likeCaseInsensitive ? 'is' : 's');
}

function compare(op: string, actual: unknown, expected: Value): boolean {
  if (op === 'CP')
    return (
      typeof expected === 'string' &&
      actual !== null &&
      actual !== undefined &&
      likeToRegExp(expected).test(String(actual))
    );
  if (op === 'EQ' || op === 'NE') {
    const equal =
      expected === null
        ? actual === null || actual === undefined
        : actual !== null && actual !== undefined && String(actual) === String(expected);
    return op === 'EQ' ? equal : !equal;
  }
  const a = Number(actual);
  const b = Number(expected);
  if (Number.isNaN(a) || Number.isNaN(b)) return false;
  switch (op) {
    case 'GT':
      return a > b;
    case 'LT':
      return a < b;
    case 'GE':
      return a >= b;
    case 'LE':
      return a <= b;
    default:
      throw new WhereSyntaxError(`unknown operator ${op}`);
  }
}

const OPERATORS = new Set(['EQ', 'NE', 'CP', 'GT', 'LT', 'GE', 'LE']);

export function parseWhere(text: string): Predicate {
  const tokens = tokenize(text);
  let pos = 0;
  const peekWord = (): string | undefined => {
    const token = tokens[pos];
    return token?.type === 'word' ? token.value.toUpperCase() : undefined;
  };
  const parseValue = (): Value => {
    const token = tokens[pos++];
    if (!token || token.type === 'paren') throw new WhereSyntaxError('value expected');
    if (token.type === 'string') return token.value;
    const lower = token.value.toLowerCase();
    if (lower === 'null') return null;
    if (lower === 'true' || lower === 'false') return lower === 'true';
    if (/^-?\d+(\.\d+)?$/.test(token.value)) return Number(token.value);
    return token.value;
  };
  const parsePrimary = (): Predicate => {
    const token = tokens[pos];
    if (token?.type === 'paren' && token.value === '(') {
      pos++;
      const inner = parseOr();
      const close = tokens[pos++];
      if (close?.type !== 'paren' || close.value !== ')') throw new WhereSyntaxError('")" expected');
      return inner;
    }
    if (token?.type !== 'word') throw new WhereSyntaxError('field expected');
    pos++;
    const field = token.value;
    const op = peekWord();
    pos++;
    if (op === 'IS') {
      const negate = peekWord() === 'NOT';
      if (negate) pos++;
      if (peekWord() !== 'NULL') throw new WhereSyntaxError('null expected after IS');
      pos++;
      return (row) => {
        const value = fieldOf(row, field);
        const isNull = value === null || value === undefined;
        return negate ? !isNull : isNull;
      };
    }
    if (!op || !OPERATORS.has(op)) throw new WhereSyntaxError(`operator expected after ${field}`);
    const expected = parseValue();
    return (row) => compare(op, fieldOf(row, field), expected);
  };
  const parseUnary = (): Predicate => {
    if (peekWord() === 'NOT') {
      pos++;
      const inner = parseUnary();
      return (row) => !inner(row);
    }
    return parsePrimary();
  };
  const parseAnd = (): Predicate => {
    let left = parseUnary();
    while (peekWord() === 'AND') {
      pos++;
      const right = parseUnary();
      const l = left;
      left = (row) => l(row) && right(row);
    }
    return left;
  };
  const parseOr = (): Predicate => {
    let left = parseAnd();
    while (peekWord() === 'OR') {
      pos++;
      const right = parseAnd();
      const l = left;
      left = (row) => l(row) || right(row);
    }
    return left;
  };
  const predicate = parseOr();
  if (pos < tokens.length) throw new WhereSyntaxError('unexpected text after the expression');
  return predicate;
}

/** `where`, `orderby=<field> asc|desc[, …]` and `limit=offset,count|count` over rows: `{list,size}`. */
export function queryList<T>(rows: readonly T[], params: URLSearchParams): { list: T[]; size: number } {
  const where = params.get('where');
  let result = where ? rows.filter(parseWhere(where)) : [...rows];
  const orderby = params.get('orderby');
  if (orderby) {
    const keys = orderby.split(',').map((part) => {
      const [field = 'id', direction = 'asc'] = part.trim().split(/\s+/);
      return { field, sign: direction.toLowerCase() === 'desc' ? -1 : 1 };
    });
    result.sort((a, b) => {
      for (const { field, sign } of keys) {
        const x = fieldOf(a, field);
        const y = fieldOf(b, field);
        if (x === y) continue;
        if (x === null || x === undefined) return -sign;
        if (y === null || y === undefined) return sign;
        return (
          (typeof x === 'number' && typeof y === 'number' ? x - y : String(x).localeCompare(String(y))) * sign
        );
      }
      return 0;
    });
  }
  const size = result.length;
  const limit = params.get('limit');
  if (limit) {
    const parts = limit.split(',').map((n) => Number(n.trim()));
    const [offset, count] = parts.length > 1 ? [parts[0] ?? 0, parts[1] ?? 0] : [0, parts[0] ?? 0];
    result = result.slice(offset, offset + count);
  }
  return { list: result, size };
}
