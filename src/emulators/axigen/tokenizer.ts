/**
 * The emulator's reading of a command line: words split on unescaped whitespace, the three value
 * styles of docs/specs/axigen.md §4 (backslash-escaped, 'single quoted' literal, "double quoted" with `\"` and
 * `\\`), and `( … )` lists whose items follow the same rules.
 */
export interface Token {
  text: string;
  /** Set when the token was a parenthesised list. */
  list?: string[];
}

export class TokenizeError extends Error {}

function readWord(line: string, start: number): { text: string; end: number } {
  let text = '';
  let i = start;
  while (i < line.length) {
    const ch = line[i] as string;
    if (ch === ' ' || ch === '\t' || ch === '(' || ch === ')') break;
    if (ch === '\\') {
      if (i + 1 >= line.length) throw new TokenizeError('dangling backslash');
      text += line[i + 1];
      i += 2;
    } else if (ch === "'") {
      const close = line.indexOf("'", i + 1);
      if (close < 0) throw new TokenizeError('unterminated single quote');
      text += line.slice(i + 1, close);
      i = close + 1;
    } else if (ch === '"') {
      i += 1;
      let closed = false;
      while (i < line.length) {
        const inner = line[i] as string;
        if (inner === '\\' && (line[i + 1] === '"' || line[i + 1] === '\\')) {
          text += line[i + 1];
          i += 2;
        } else if (inner === '"') {
          closed = true;
          i += 1;
          break;
        } else {
          text += inner;
          i += 1;
        }
      }
      if (!closed) throw new TokenizeError('unterminated double quote');
    } else {
      text += ch;
      i += 1;
    }
  }
  return { text, end: i };
}

export function tokenize(line: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  let list: string[] | null = null;
  while (i < line.length) {
    const ch = line[i] as string;
    if (ch === ' ' || ch === '\t') {
      i += 1;
    } else if (ch === '(') {
      if (list) throw new TokenizeError('nested list');
      list = [];
      i += 1;
    } else if (ch === ')') {
      if (!list) throw new TokenizeError('unbalanced parenthesis');
      tokens.push({ text: `(${list.join(' ')})`, list });
      list = null;
      i += 1;
    } else {
      const word = readWord(line, i);
      if (list) list.push(word.text);
      else tokens.push({ text: word.text });
      i = word.end;
    }
  }
  if (list) throw new TokenizeError('unterminated list');
  return tokens;
}
