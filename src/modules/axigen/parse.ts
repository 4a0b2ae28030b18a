/**
 * Readers for LIST tables and SHOW `key = value` lines (docs/specs/axigen.md §6), tolerant of the unknown parts:
 * tables are found by their dashed line (falling back to the 5-line header), SHOW values are the
 * first token after ` = ` with surrounding double quotes removed (annotations after it ignored).
 */
export interface Table {
  columns: string[];
  rows: string[][];
}

export function parseTable(data: readonly string[]): Table {
  let dashes = data.findIndex((line) => line.startsWith('------'));
  if (dashes < 0) dashes = 4;
  const columns = (data[dashes - 1] ?? '').trim().split(/\s+/).filter(Boolean);
  const rows: string[][] = [];
  for (let i = dashes + 1; i < data.length; i++) {
    const line = (data[i] as string).trim();
    if (line === '') break;
    rows.push(line.split(/\s+/));
  }
  return { columns, rows };
}

/** A column of a table row by header name, e.g. `used`; undefined when the server has no such column. */
export function column(table: Table, row: readonly string[], name: string): string | undefined {
  const index = table.columns.findIndex((header) => header.toLowerCase() === name.toLowerCase());
  return index < 0 ? undefined : row[index];
}

function unquote(raw: string): string {
  if (raw.startsWith('"')) {
    let value = '';
    for (let i = 1; i < raw.length; i++) {
      const ch = raw[i] as string;
      if (ch === '\\' && i + 1 < raw.length) {
        value += raw[i + 1];
        i += 1;
      } else if (ch === '"') {
        return value;
      } else {
        value += ch;
      }
    }
    return value;
  }
  if (raw.startsWith('(')) return raw.slice(0, raw.indexOf(')') + 1 || undefined);
  return raw.split(/\s+/)[0] ?? '';
}

export function parseShow(data: readonly string[]): Map<string, string> {
  const values = new Map<string, string>();
  for (const line of data) {
    const at = line.indexOf(' = ');
    if (at <= 0) continue;
    values.set(line.slice(0, at).trim().toLowerCase(), unquote(line.slice(at + 3).trim()));
  }
  return values;
}

/** `(imap pop3)` → ['imap', 'pop3']. */
export function parseList(value: string | undefined): string[] {
  if (!value) return [];
  return value
    .replace(/^\(|\)$/g, '')
    .trim()
    .split(/\s+/)
    .filter(Boolean);
}

/** Numbers as the CLI prints them; a trailing unit word is ignored (spec Q7: unit unknown). */
export function parseNumber(value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const match = /^(\d+(?:\.\d+)?)/.exec(value.trim());
  return match ? Number(match[1]) : undefined;
}
