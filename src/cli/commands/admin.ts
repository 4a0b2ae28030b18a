import type { Command } from 'commander';
import { EMULATOR_IDS, loadEmulator } from '../../emulators/registry.js';
import { CliError } from '../connection.js';
import {
  collect,
  configFrom,
  type GlobalOptions,
  parseAssignments,
  positiveInteger,
  reportError,
  withConnection,
} from '../context.js';
import { expectOk, print, renderRecord, renderTable } from '../output.js';
import { closeOnSignals } from '../signals.js';

const TOKEN_COLUMNS = ['id', 'name', 'prefix', 'scope', 'clientId', 'createdAt', 'lastUsedAt', 'revokedAt'];

export function registerAdminCommands(program: Command): void {
  program
    .command('serve')
    .description('run the engine and the HTTP API (creates and prints an admin token on first start)')
    .option('--host <host>', 'listen address (PROVISIO_HOST)')
    .option('--port <port>', 'listen port (PROVISIO_PORT)', (v) => Number(v))
    .action(async (options: { host?: string; port?: number }, command: Command) => {
      try {
        const base = configFrom(command.optsWithGlobals() as GlobalOptions);
        const config = {
          ...base,
          ...(options.host ? { host: options.host } : {}),
          ...(options.port !== undefined ? { port: options.port } : {}),
        };
        const { startApp } = await import('../../app.js');
        const app = await startApp(config);
        const log = (line: string) => process.stderr.write(`${line}\n`);
        log(
          `provisio listening on ${app.url} (API reference: ${app.url}/docs, database: ${config.databaseUrl ? 'PostgreSQL' : config.sqlitePath})`,
        );
        if (app.bootstrapToken) {
          process.stdout.write(
            `\nAdmin API token (shown once, store it now):\n\n  ${app.bootstrapToken}\n\n`,
          );
          process.stdout.write(
            `Try: curl -H "Authorization: Bearer ${app.bootstrapToken}" ${app.url}/v1/servers\n\n`,
          );
        }
        closeOnSignals(() => app.close(), log);
      } catch (error) {
        reportError(error);
      }
    });

  program
    .command('migrate')
    .description('create or upgrade the database schema')
    .action(async (_options: unknown, command: Command) => {
      try {
        const config = configFrom(command.optsWithGlobals() as GlobalOptions);
        const { migrateDatabase } = await import('../../app.js');
        const applied = await migrateDatabase(config);
        process.stdout.write(
          applied.length ? `applied: ${applied.join(', ')}\n` : 'the database schema is up to date\n',
        );
      } catch (error) {
        reportError(error);
      }
    });

  const token = program
    .command('token')
    .description('API tokens (stored hashed; scopes admin, operator, read, customer)');
  token
    .command('create')
    .requiredOption('--name <name>', 'who or what uses it')
    .option('--scope <scope>', 'admin | operator | read | customer', 'read')
    .option('--client <id>', 'customer tokens: the client whose services it may see', positiveInteger)
    .action((options: { name: string; scope: string; client?: number }, command: Command) =>
      withConnection(command, async (connection, output) => {
        const body = {
          name: options.name,
          scope: options.scope,
          ...(options.client ? { clientId: options.client } : {}),
        };
        const created = expectOk<{ token: string; record: Record<string, unknown> }>(
          await connection.request('POST', '/v1/tokens', body),
        );
        print(
          output,
          created,
          () => `${created.token}\n(shown once; token ${created.record.id}, scope ${created.record.scope})`,
        );
      }),
    );
  token.command('list').action((_options: unknown, command: Command) =>
    withConnection(command, async (connection, output) => {
      const { items } = expectOk<{ items: Record<string, unknown>[] }>(
        await connection.request('GET', '/v1/tokens'),
      );
      print(output, items, () => renderTable(items, TOKEN_COLUMNS));
    }),
  );
  token.command('revoke <id>').action((id: string, _options: unknown, command: Command) =>
    withConnection(command, async (connection, output) => {
      const record = expectOk<Record<string, unknown>>(
        await connection.request('DELETE', `/v1/tokens/${positiveInteger(id)}`),
      );
      print(output, record, () => renderRecord(record));
    }),
  );

  program
    .command('emulate <id>')
    .description(`start a backend emulator (${EMULATOR_IDS.join(', ')})`)
    .option('--host <host>', 'listen address', '127.0.0.1')
    .option('--port <port>', "port (default: the backend's usual port)", (v) => Number(v))
    .option('--tls', 'serve TLS with a self-signed certificate')
    .option('--latency <ms>', 'added to every request', (v) => Number(v))
    .option('--no-fixtures', 'start empty')
    .option('--set <key=value>', 'emulator-specific option (repeatable)', collect, [])
    .action(
      async (
        id: string,
        options: {
          host: string;
          port?: number;
          tls?: boolean;
          latency?: number;
          fixtures: boolean;
          set: string[];
        },
      ) => {
        try {
          const definition = await loadEmulator(id);
          if (!definition)
            throw new CliError(`no emulator "${id}": choose one of ${EMULATOR_IDS.join(', ')}`, 2);
          const running = await definition.start({
            host: options.host,
            port: options.port ?? definition.defaultPort,
            fixtures: options.fixtures,
            ...(options.tls ? { tls: true } : {}),
            ...(options.latency !== undefined ? { latencyMs: options.latency } : {}),
            options: Object.fromEntries(
              Object.entries(parseAssignments(options.set)).map(([k, v]) => [k, String(v)]),
            ),
          });
          process.stdout.write(
            `${definition.description}\nlistening on ${running.url}${running.controlUrl ? ` (control: ${running.controlUrl})` : ''}\n`,
          );
          for (const line of running.describe()) process.stdout.write(`${line}\n`);
          closeOnSignals(
            () => running.close(),
            (line) => process.stderr.write(`${line}\n`),
          );
        } catch (error) {
          reportError(error);
        }
      },
    );
}
