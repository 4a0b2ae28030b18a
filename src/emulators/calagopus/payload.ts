import {
  CONTENT_TYPE_EXACT,
  expectedTypeText,
  NON_JSON_PAYLOAD_TEXT,
  SYNTAX_ERROR_TEXT,
  unexpectedValueText,
} from './guesses.js';
import { JsonSyntaxError, lineColumn, type PositionedJson, parsePositioned } from './json-positions.js';
import { uuidProblem } from './uuid-text.js';
import { ApiError, type Json } from './validation.js';

/**
 * The panel's `Payload` extractor (docs/specs/calagopus.md §1.1, §2.2 kind 3): a strict
 * Content-Type, an empty JSON body read as `{}`, then serde's reading of the body into the route's
 * struct: fields in the order the body has them, the first wrong value ends it (a bad UUID reads
 * `invalid payload: UUID parsing failed: … at line 1 column N`, with no field path), and a missing
 * field is reported at the end of its object.
 */
export interface Payload {
  raw: string;
  json: PositionedJson;
  /** The top-level object. */
  value: Json;
}

const ACCEPTED_TYPES = new Set(['application/json', 'application/msgpack', 'text/xml', 'application/yaml']);

function payloadError(detail: string): ApiError {
  return new ApiError(400, [`invalid payload: ${detail}`]);
}

export function parsePayload(contentType: string | undefined, raw: string): Payload {
  if (contentType === undefined) throw payloadError('missing content type header');
  const type = contentType.trim();
  // Full media type equality (mime PartialEq): parameters such as charset make it unsupported.
  if (CONTENT_TYPE_EXACT ? !ACCEPTED_TYPES.has(type) : !ACCEPTED_TYPES.has(type.split(';')[0] ?? ''))
    throw payloadError('unsupported content type');
  if (type !== 'application/json') throw new ApiError(400, [NON_JSON_PAYLOAD_TEXT]);
  const text = raw.trim() === '' ? '{}' : raw;
  let json: PositionedJson;
  try {
    json = parsePositioned(text);
  } catch (error) {
    if (!(error instanceof JsonSyntaxError)) throw error;
    const { line, column } = lineColumn(text, error.offset);
    throw payloadError(SYNTAX_ERROR_TEXT(error.message, line, column));
  }
  if (typeof json.value !== 'object' || json.value === null || Array.isArray(json.value)) {
    const { line, column } = lineColumn(text, text.length);
    throw payloadError(
      `invalid type: ${unexpectedValueText(json.value)}, expected a map at line ${line} column ${column}`,
    );
  }
  return { raw: text, json, value: json.value as Json };
}

export type Scalar = 'bool' | 'string' | 'int' | 'number' | 'uuid' | 'uuid[]' | 'array' | 'object';
/** A field: a scalar kind (`?` = Option, may be absent or null), a nested struct or a list of them. */
export type FieldSpec =
  | Scalar
  | `${Scalar}?`
  | { struct: string; fields: Shape; optional?: boolean; list?: boolean };
export type Shape = Readonly<Record<string, FieldSpec>>;

function at(payload: Payload, path: string): string {
  const { line, column } = lineColumn(payload.raw, payload.json.ends.get(path) ?? payload.raw.length);
  return `at line ${line} column ${column}`;
}

function typeMatches(value: unknown, kind: Scalar): boolean {
  switch (kind) {
    case 'bool':
      return typeof value === 'boolean';
    case 'string':
    case 'uuid':
      return typeof value === 'string';
    case 'int':
      return typeof value === 'number' && Number.isInteger(value);
    case 'number':
      return typeof value === 'number';
    case 'array':
    case 'uuid[]':
      return Array.isArray(value);
    case 'object':
      return typeof value === 'object' && value !== null && !Array.isArray(value);
  }
}

function readScalar(payload: Payload, path: string, value: unknown, kind: Scalar): void {
  if (!typeMatches(value, kind)) {
    throw payloadError(
      `invalid type: ${unexpectedValueText(value)}, expected ${expectedTypeText(kind)} ${at(payload, path)}`,
    );
  }
  if (kind === 'uuid') {
    const problem = uuidProblem(value as string);
    if (problem) throw payloadError(`UUID parsing failed: ${problem} ${at(payload, path)}`);
  }
  if (kind === 'uuid[]')
    (value as unknown[]).forEach((item, i) => {
      readScalar(payload, `${path}[${i}]`, item, 'uuid');
    });
}

/** Reads the object at `path` as serde would deserialize it into a struct of this shape. */
export function readStruct(payload: Payload, shape: Shape, path = '', struct = 'Payload'): void {
  const object = path === '' ? payload.value : pathValue(payload.value, path);
  if (typeof object !== 'object' || object === null || Array.isArray(object)) {
    throw payloadError(
      `invalid type: ${unexpectedValueText(object)}, expected struct ${struct} ${at(payload, path)}`,
    );
  }
  const fields = object as Json;
  for (const [key, value] of Object.entries(fields)) {
    const spec = shape[key];
    // serde ignores fields the struct does not have.
    if (spec === undefined) continue;
    const child = path === '' ? key : `${path}.${key}`;
    const optional = typeof spec === 'string' ? spec.endsWith('?') : spec.optional === true;
    if (value === null && optional) continue;
    if (typeof spec === 'string') readScalar(payload, child, value, spec.replace('?', '') as Scalar);
    else if (spec.list) readList(payload, child, value, spec);
    else readStruct(payload, spec.fields, child, spec.struct);
  }
  for (const [key, spec] of Object.entries(shape)) {
    const optional = typeof spec === 'string' ? spec.endsWith('?') : spec.optional === true;
    if (!optional && !(key in fields)) throw payloadError(`missing field \`${key}\` ${at(payload, path)}`);
  }
}

function readList(
  payload: Payload,
  path: string,
  value: unknown,
  spec: { struct: string; fields: Shape },
): void {
  readScalar(payload, path, value, 'array');
  (value as unknown[]).forEach((_, i) => {
    readStruct(payload, spec.fields, `${path}[${i}]`, spec.struct);
  });
}

/** The value at `limits.memory` or `variables[2]`. */
function pathValue(root: Json, path: string): unknown {
  return path.split(/\.|(?=\[)/).reduce<unknown>((value, part) => {
    const index = /^\[(\d+)\]$/.exec(part);
    return index ? (value as unknown[] | undefined)?.[Number(index[1])] : (value as Json | undefined)?.[part];
  }, root);
}
