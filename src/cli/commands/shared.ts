import { readFileSync } from 'node:fs';
import { createInterface } from 'node:readline/promises';
import type { Command } from 'commander';
import { CliError, type Connection } from '../connection.js';
import { positiveInteger, withConnection } from '../context.js';
import { expectOk, type OutputOptions, print, renderRecord, renderTable } from '../output.js';

/** What the commands of every noun share: reading records, lists, secrets and confirmations. */

export async function call<T = Record<string, unknown>>(
  connection: Connection,
  method: string,
  path: string,
  body?: unknown,
): Promise<T> {
  return expectOk<T>(await connection.request(method, path, body));
}

/** A query string from option values (`{client: 'clientId'}` maps `--client 3` to `clientId=3`). */
export function queryOf(options: Record<string, unknown>, names: Readonly<Record<string, string>>): string {
  const query = new URLSearchParams();
  for (const [flag, param] of Object.entries(names))
    if (options[flag] !== undefined && options[flag] !== false) query.set(param, String(options[flag]));
  return query.size ? `?${query}` : '';
}

/** `<noun> show <id>`. */
export function addShowCommand(parent: Command, what: string, path: (id: number) => string): void {
  parent
    .command('show <id>')
    .description(`show one ${what}`)
    .action((id: string, _options: unknown, command: Command) =>
      withConnection(command, async (connection, output) => {
        const record = await call(connection, 'GET', path(positiveInteger(id)));
        print(output, record, () => renderRecord(record));
      }),
    );
}

/** `<noun> list`, with optional filters mapped to query parameters and rows given names. */
export function addListCommand(
  parent: Command,
  what: string,
  options: {
    path: string;
    columns: readonly string[];
    filters?: readonly [flag: string, param: string, description: string, parse?: (v: string) => unknown][];
    /** Adds columns from other records (names beside ids). */
    decorate?: (
      rows: Record<string, unknown>[],
      connection: Connection,
    ) => Promise<Record<string, unknown>[]>;
  },
): Command {
  const command = parent.command('list').description(`list ${what}`);
  for (const [flag, , description, parse] of options.filters ?? [])
    parse
      ? command.option(`--${flag} <value>`, description, parse)
      : command.option(`--${flag} <value>`, description);
  command.option('--limit <n>', 'at most this many', positiveInteger);
  command.action((flags: Record<string, unknown>, cmd: Command) =>
    withConnection(cmd, async (connection, output) => {
      const names = Object.fromEntries([
        ...(options.filters ?? []).map(([flag, param]) => [camel(flag), param]),
        ['limit', 'limit'],
      ]);
      const { items } = await call<{ items: Record<string, unknown>[] }>(
        connection,
        'GET',
        `${options.path}${queryOf(flags, names)}`,
      );
      const rows = options.decorate ? await options.decorate(items, connection) : items;
      print(output, items, () => renderTable(rows, options.columns));
    }),
  );
  return command;
}

const camel = (flag: string) => flag.replace(/-([a-z])/g, (_, c: string) => c.toUpperCase());

/** Records by id with a name field, for showing names beside ids. */
export async function namesById(
  connection: Connection,
  path: string,
  field = 'name',
): Promise<Map<number, string>> {
  const { items } = await call<{ items: Record<string, unknown>[] }>(connection, 'GET', path);
  return new Map(items.map((item) => [item.id as number, String(item[field])]));
}

export function readJsonFile(path: string, what = 'JSON'): Record<string, unknown> {
  try {
    const value = JSON.parse(readFileSync(path, 'utf8')) as unknown;
    if (typeof value !== 'object' || value === null || Array.isArray(value))
      throw new Error('it must hold a JSON object');
    return value as Record<string, unknown>;
  } catch (error) {
    throw new CliError(`cannot read ${what} from ${path}: ${(error as Error).message}`, 2);
  }
}

/** A secret from an environment variable keeps it out of the shell history and `ps`. */
export function secretFrom(
  options: { secret?: string; secretEnv?: string },
  what = 'secret',
): string | undefined {
  if (options.secretEnv) {
    const value = process.env[options.secretEnv];
    if (!value) throw new CliError(`the environment variable ${options.secretEnv} (the ${what}) is empty`, 2);
    return value;
  }
  return options.secret;
}

/**
 * Asks before something that cannot be undone; `--yes` answers for scripts. Without a terminal
 * and without `--yes` the answer is no, said clearly (exit 2).
 */
export async function confirm(question: string, yes: boolean | undefined): Promise<void> {
  if (yes) return;
  if (!process.stdin.isTTY) throw new CliError(`${question} — refused: confirm with --yes`, 2);
  const prompt = createInterface({ input: process.stdin, output: process.stderr });
  const answer = await prompt.question(`${question} [y/N] `);
  prompt.close();
  if (!/^y(es)?$/i.test(answer.trim())) throw new CliError('cancelled: nothing was done', 2);
}

export function printRecord(output: OutputOptions, record: Record<string, unknown>): void {
  print(output, record, () => renderRecord(record));
}
