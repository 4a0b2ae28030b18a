import { readFileSync } from 'node:fs';
import type { Command } from 'commander';
import { CliError } from '../connection.js';
import { collect, parseAssignments, positiveInteger, withConnection } from '../context.js';
import { expectOk, print, renderRecord, renderTable } from '../output.js';

const SERVER_COLUMNS = [
  'id',
  'name',
  'module',
  'hostname',
  'port',
  'secure',
  'enabled',
  'maxAccounts',
  'hasSecret',
];

function readJsonFile(path: string): Record<string, unknown> {
  try {
    const value = JSON.parse(readFileSync(path, 'utf8')) as unknown;
    if (typeof value !== 'object' || value === null || Array.isArray(value))
      throw new Error('it must hold a JSON object');
    return value as Record<string, unknown>;
  } catch (error) {
    throw new CliError(`cannot read settings from ${path}: ${(error as Error).message}`, 2);
  }
}

/** A secret from an environment variable keeps it out of the shell history and `ps`. */
function secretFrom(options: { secret?: string; secretEnv?: string }): string | undefined {
  if (options.secretEnv) {
    const value = process.env[options.secretEnv];
    if (!value) throw new CliError(`the environment variable ${options.secretEnv} is empty`, 2);
    return value;
  }
  return options.secret;
}

export function registerRecordCommands(program: Command): void {
  const server = program.command('server').description('backend servers');
  server
    .command('add')
    .requiredOption('--name <name>')
    .requiredOption('--module <module>')
    .requiredOption('--hostname <hostname>')
    .requiredOption('--port <port>', 'port', positiveInteger)
    .option('--no-secure', 'plain connection (default: TLS)')
    .option('--username <username>')
    .option('--secret <secret>', 'password or API key (prefer --secret-env)')
    .option('--secret-env <variable>', 'read the secret from this environment variable')
    .option('--max-accounts <n>', 'placement limit', (v) => Number(v))
    .option('--no-tls-verify', 'accept any certificate (prefer --tls-fingerprint)')
    .option('--tls-fingerprint <sha256>', 'pin the certificate')
    .option('--setting <key=value>', 'module server setting (repeatable)', collect, [])
    .action((options, command: Command) =>
      withConnection(command, async (connection, output) => {
        const secret = secretFrom(options);
        const body = {
          name: options.name,
          module: options.module,
          hostname: options.hostname,
          port: options.port,
          secure: options.secure,
          tlsVerify: options.tlsVerify,
          ...(options.username ? { username: options.username } : {}),
          ...(secret ? { secret } : {}),
          ...(options.maxAccounts !== undefined ? { maxAccounts: options.maxAccounts } : {}),
          ...(options.tlsFingerprint ? { tlsFingerprint: options.tlsFingerprint } : {}),
          ...(options.setting.length ? { settings: parseAssignments(options.setting) } : {}),
        };
        const record = expectOk<Record<string, unknown>>(
          await connection.request('POST', '/v1/servers', body),
        );
        print(output, record, () => renderRecord(record));
      }),
    );
  server.command('list').action((_options: unknown, command: Command) =>
    withConnection(command, async (connection, output) => {
      const { items } = expectOk<{ items: Record<string, unknown>[] }>(
        await connection.request('GET', '/v1/servers'),
      );
      print(output, items, () => renderTable(items, SERVER_COLUMNS));
    }),
  );
  server
    .command('test <id>')
    .description('test the connection to a server')
    .action((id: string, _options: unknown, command: Command) =>
      withConnection(command, async (connection, output) => {
        const result = expectOk<{ ok: boolean; summary: string; error?: { code: string } }>(
          await connection.request('POST', `/v1/servers/${positiveInteger(id)}/test`),
        );
        print(output, result, () =>
          result.ok ? `ok: ${result.summary}` : `failed (${result.error?.code}): ${result.summary}`,
        );
        if (!result.ok) process.exitCode = 1;
      }),
    );

  const group = program.command('group').description('server groups');
  group
    .command('add')
    .requiredOption('--name <name>')
    .option('--fill-type <type>', 'least-full | fill-until-full | round-robin', 'least-full')
    .option('--server <id>', 'member server, in priority order (repeatable)', collect, [])
    .action((options: { name: string; fillType: string; server: string[] }, command: Command) =>
      withConnection(command, async (connection, output) => {
        const body = {
          name: options.name,
          fillType: options.fillType,
          serverIds: options.server.map(positiveInteger),
        };
        const record = expectOk<Record<string, unknown>>(
          await connection.request('POST', '/v1/server-groups', body),
        );
        print(output, record, () => renderRecord(record));
      }),
    );

  const product = program.command('product').description('products');
  product
    .command('add')
    .requiredOption('--name <name>')
    .requiredOption('--module <module>')
    .option('--type <productType>', 'product type, for modules that sell several')
    .option('--group <id>', 'server group', positiveInteger)
    .option('--setting <key=value>', 'module setting (repeatable)', collect, [])
    .option('--settings-file <file.json>', 'module settings as a JSON object (flags override it)')
    .action((options, command: Command) =>
      withConnection(command, async (connection, output) => {
        const settings = {
          ...(options.settingsFile ? readJsonFile(options.settingsFile) : {}),
          ...parseAssignments(options.setting),
        };
        const body = {
          name: options.name,
          module: options.module,
          settings,
          ...(options.type ? { productType: options.type } : {}),
          ...(options.group ? { serverGroupId: options.group } : {}),
        };
        const record = expectOk<Record<string, unknown>>(
          await connection.request('POST', '/v1/products', body),
        );
        print(output, record, () => renderRecord(record));
      }),
    );

  const client = program.command('client').description('clients');
  client
    .command('add')
    .requiredOption('--email <email>')
    .option('--first-name <name>')
    .option('--last-name <name>')
    .option('--company <company>')
    .option('--external-id <id>', "the billing system's id")
    .action((options, command: Command) =>
      withConnection(command, async (connection, output) => {
        const body = {
          email: options.email,
          ...(options.firstName ? { firstName: options.firstName } : {}),
          ...(options.lastName ? { lastName: options.lastName } : {}),
          ...(options.company ? { company: options.company } : {}),
          ...(options.externalId ? { externalId: options.externalId } : {}),
        };
        const record = expectOk<Record<string, unknown>>(
          await connection.request('POST', '/v1/clients', body),
        );
        print(output, record, () => renderRecord(record));
      }),
    );

  addDeleteCommand(server, 'server', (id) => `/v1/servers/${id}`);
  addDeleteCommand(group, 'server group', (id) => `/v1/server-groups/${id}`);
  addDeleteCommand(product, 'product', (id) => `/v1/products/${id}`);
  addDeleteCommand(client, 'client', (id) => `/v1/clients/${id}`);
  group
    .command('remove-server <groupId> <serverId>')
    .description('take a server out of a group (services already on it stay there)')
    .action((groupId: string, serverId: string, _options: unknown, command: Command) =>
      withConnection(command, async (connection, output) => {
        const record = expectOk<Record<string, unknown>>(
          await connection.request(
            'DELETE',
            `/v1/server-groups/${positiveInteger(groupId)}/members/${positiveInteger(serverId)}`,
          ),
        );
        print(output, record, () => renderRecord(record));
      }),
    );
}

/** `<noun> delete <id>`: the API refuses (409) what services or products still use. */
function addDeleteCommand(parent: Command, what: string, path: (id: number) => string): void {
  parent
    .command('delete <id>')
    .description(`delete a ${what} that nothing uses`)
    .action((id: string, _options: unknown, command: Command) =>
      withConnection(command, async (connection, output) => {
        const result = expectOk<{ deleted: true; id: number }>(
          await connection.request('DELETE', path(positiveInteger(id))),
        );
        print(output, result, () => `${what} ${result.id} deleted`);
      }),
    );
}
