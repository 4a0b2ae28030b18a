import { type Answer, CliError } from './connection.js';

export interface OutputOptions {
  json: boolean;
}

/** An error answer of the API, in the catalogue's terms (code, message, every field error). */
export function failure(answer: Answer): CliError {
  const error = (answer.body as { error?: { code: string; message: string; details?: unknown } })?.error;
  if (!error)
    return new CliError(
      `unexpected answer ${answer.status}: ${typeof answer.body === 'string' ? answer.body : JSON.stringify(answer.body)}`,
    );
  const lines = [`error ${error.code}: ${error.message}`];
  if (Array.isArray(error.details))
    for (const d of error.details as { field?: string; message?: string }[])
      if (d?.message && !error.message.includes(d.message)) lines.push(`  - ${d.message}`);
  return new CliError(lines.join('\n'));
}

/** The body of a 2xx answer; anything else becomes a CliError. */
export function expectOk<T>(answer: Answer): T {
  if (answer.status >= 200 && answer.status < 300) return answer.body as T;
  throw failure(answer);
}

function cell(value: unknown): string {
  if (value === null || value === undefined) return '';
  if (typeof value === 'number' && value > 1_000_000_000_000)
    return new Date(value).toISOString().replace('T', ' ').slice(0, 19);
  if (typeof value === 'object') return JSON.stringify(value);
  return String(value).replace(/\s+/g, ' ');
}

/** A plain text table: header, a rule, rows; wide cells are cut to keep a line readable. */
export function renderTable(rows: readonly object[], columns: readonly string[]): string {
  const texts = rows.map((row) =>
    columns.map((c) => {
      const text = cell((row as Record<string, unknown>)[c]);
      return text.length > 60 ? `${text.slice(0, 59)}…` : text;
    }),
  );
  const widths = columns.map((c, i) => Math.max(c.length, ...texts.map((t) => t[i]!.length)));
  const line = (values: readonly string[]) =>
    values
      .map((v, i) => v.padEnd(widths[i]!))
      .join('  ')
      .trimEnd();
  return [line(columns), line(widths.map((w) => '-'.repeat(w))), ...texts.map(line)].join('\n');
}

/** A record as `key: value` lines. */
export function renderRecord(record: Record<string, unknown>): string {
  const width = Math.max(...Object.keys(record).map((k) => k.length));
  return Object.entries(record)
    .map(([key, value]) => `${key.padEnd(width)}  ${cell(value)}`)
    .join('\n');
}

export function print(options: OutputOptions, value: unknown, human: () => string): void {
  process.stdout.write(`${options.json ? JSON.stringify(value, null, 2) : human()}\n`);
}
