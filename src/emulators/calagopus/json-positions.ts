/**
 * A JSON reader that remembers where each value ends, so the emulator can answer serde_json's
 * `… at line L column C` the way the panel's `Payload` extractor does (docs/specs/calagopus.md
 * §2.2). serde_json reports the position just after the value it was reading: the closing quote of
 * a string, the closing brace of an object that lacks a field.
 *
 * Paths: `limits.memory`, `deployment.location_uuids[0]`; the whole body is ``.
 */
export interface PositionedJson {
  value: unknown;
  /** Exclusive end offset of every value, by path. */
  ends: Map<string, number>;
}

export class JsonSyntaxError extends Error {
  constructor(
    readonly offset: number,
    detail: string,
  ) {
    super(detail);
  }
}

const WHITESPACE = /[ \t\n\r]/;

export function parsePositioned(text: string): PositionedJson {
  const ends = new Map<string, number>();
  let at = 0;
  const skip = () => {
    while (at < text.length && WHITESPACE.test(text[at] as string)) at++;
  };
  const fail = (detail: string): never => {
    throw new JsonSyntaxError(at, detail);
  };
  const child = (path: string, key: string) => (path === '' ? key : `${path}.${key}`);

  function readValue(path: string): unknown {
    skip();
    const start = text[at];
    let value: unknown;
    if (start === '{') value = readObject(path);
    else if (start === '[') value = readArray(path);
    else if (start === '"') value = readString();
    else value = readLiteral();
    ends.set(path, at);
    return value;
  }

  function readObject(path: string): Record<string, unknown> {
    const object: Record<string, unknown> = {};
    at++;
    skip();
    if (text[at] === '}') {
      at++;
      return object;
    }
    for (;;) {
      skip();
      if (text[at] !== '"') fail('key must be a string');
      const key = readString();
      skip();
      if (text[at] !== ':') fail('expected `:`');
      at++;
      object[key] = readValue(child(path, key));
      skip();
      if (text[at] === ',') {
        at++;
        continue;
      }
      if (text[at] === '}') {
        at++;
        return object;
      }
      fail('expected `,` or `}`');
    }
  }

  function readArray(path: string): unknown[] {
    const array: unknown[] = [];
    at++;
    skip();
    if (text[at] === ']') {
      at++;
      return array;
    }
    for (;;) {
      array.push(readValue(`${path}[${array.length}]`));
      skip();
      if (text[at] === ',') {
        at++;
        continue;
      }
      if (text[at] === ']') {
        at++;
        return array;
      }
      fail('expected `,` or `]`');
    }
  }

  function readString(): string {
    const start = at;
    at++;
    while (at < text.length && text[at] !== '"') at += text[at] === '\\' ? 2 : 1;
    if (at >= text.length) fail('EOF while parsing a string');
    at++;
    return JSON.parse(text.slice(start, at)) as string;
  }

  function readLiteral(): unknown {
    const match = /^(?:true|false|null|-?\d+(?:\.\d+)?(?:[eE][+-]?\d+)?)/.exec(text.slice(at));
    if (!match) fail('expected value');
    at += (match as RegExpExecArray)[0].length;
    return JSON.parse((match as RegExpExecArray)[0]);
  }

  const value = readValue('');
  skip();
  if (at < text.length) fail('trailing characters');
  return { value, ends };
}

/** serde_json's 1-based line and column of an offset. */
export function lineColumn(text: string, offset: number): { line: number; column: number } {
  const before = text.slice(0, offset);
  const line = before.split('\n').length;
  return { line, column: offset - (before.lastIndexOf('\n') + 1) };
}
