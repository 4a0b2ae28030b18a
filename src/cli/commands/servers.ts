import type { Command } from 'commander';
import { collect, parseAssignments, positiveInteger, withConnection } from '../context.js';
import { print } from '../output.js';
import { addListCommand, addShowCommand, call, namesById, printRecord, secretFrom } from './shared.js';

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
const GROUP_COLUMNS = ['id', 'name', 'fillType', 'servers'];

/** Options shared by `server add` and `server update`; only what is given is sent. */
function serverFields(command: Command): Command {
  return command
    .option('--hostname <hostname>')
    .option('--port <port>', "port (default: the module's plain or TLS port)", positiveInteger)
    .option('--secure', 'TLS (the default for most modules)')
    .option('--no-secure', 'plain connection')
    .option('--username <username>')
    .option('--max-accounts <n>', 'placement limit', (v) => Number(v))
    .option('--max-concurrency <n>', 'operations at once on this server', positiveInteger)
    .option('--tls-verify', 'verify the certificate (default)')
    .option('--no-tls-verify', 'accept any certificate (prefer --tls-fingerprint)')
    .option('--tls-fingerprint <sha256>', 'pin the certificate (SHA-256, as the emulators print it)')
    .option('--setting <key=value>', 'module server setting (repeatable)', collect, []);
}

function serverBody(options: Record<string, unknown>, given: (name: string) => boolean) {
  const body: Record<string, unknown> = {};
  for (const key of [
    'name',
    'hostname',
    'port',
    'username',
    'maxAccounts',
    'maxConcurrency',
    'tlsFingerprint',
  ])
    if (options[key] !== undefined) body[key] = options[key];
  if (given('secure')) body.secure = options.secure;
  if (given('tlsVerify')) body.tlsVerify = options.tlsVerify;
  const settings = options.setting as string[];
  if (settings.length) body.settings = parseAssignments(settings);
  const secret = secretFrom(options as { secret?: string; secretEnv?: string });
  if (secret) body.secret = secret;
  return body;
}

export function registerServerCommands(program: Command): void {
  const server = program
    .command('server')
    .description('backend servers (the module, host, port and credentials)');
  serverFields(
    server
      .command('add')
      .description('add a backend server')
      .requiredOption('--name <name>')
      .requiredOption('--module <module>', 'provisio module list shows them'),
  )
    .option('--secret <secret>', 'password or API key (prefer --secret-env)')
    .option('--secret-env <variable>', 'read the secret from this environment variable')
    .action((options, command: Command) =>
      withConnection(command, async (connection, output) => {
        const given = (name: string) => command.getOptionValueSource(name) === 'cli';
        const body = { ...serverBody(options, given), module: options.module };
        printRecord(output, await call(connection, 'POST', '/v1/servers', body));
      }),
    );
  addListCommand(server, 'servers', {
    path: '/v1/servers',
    columns: SERVER_COLUMNS,
    filters: [['module', 'module', 'only this module']],
  });
  addShowCommand(server, 'server', (id) => `/v1/servers/${id}`);
  serverFields(
    server
      .command('update <id>')
      .description('change a server (checked as when it was added)')
      .option('--name <name>'),
  ).action((id: string, options, command: Command) =>
    withConnection(command, async (connection, output) => {
      const given = (name: string) => command.getOptionValueSource(name) === 'cli';
      const record = await call(
        connection,
        'PATCH',
        `/v1/servers/${positiveInteger(id)}`,
        serverBody(options, given),
      );
      printRecord(output, record);
    }),
  );
  for (const [verb, enabled, what] of [
    ['enable', true, 'new services may be placed on it again'],
    ['disable', false, 'no new service is placed on it; existing services keep working'],
  ] as const) {
    server
      .command(`${verb} <id>`)
      .description(`${verb} a server: ${what}`)
      .action((id: string, _options: unknown, command: Command) =>
        withConnection(command, async (connection, output) => {
          printRecord(
            output,
            await call(connection, 'PATCH', `/v1/servers/${positiveInteger(id)}`, { enabled }),
          );
        }),
      );
  }
  server
    .command('rotate-secret <id>')
    .description("store a server's new password or API key (change it on the backend first)")
    .requiredOption('--secret-env <variable>', 'read the new secret from this environment variable')
    .action((id: string, options: { secretEnv: string }, command: Command) =>
      withConnection(command, async (connection, output) => {
        const secret = secretFrom(options);
        const record = await call(connection, 'PATCH', `/v1/servers/${positiveInteger(id)}`, { secret });
        print(output, record, () => `server ${id}: secret replaced (stored sealed; never shown)`);
      }),
    );
  server
    .command('test <id>')
    .description('test the connection to a server, with the diagnosis when it fails')
    .action((id: string, _options: unknown, command: Command) =>
      withConnection(command, async (connection, output) => {
        const result = await call<{ ok: boolean; summary: string; error?: { code: string } }>(
          connection,
          'POST',
          `/v1/servers/${positiveInteger(id)}/test`,
        );
        print(output, result, () =>
          result.ok ? `ok: ${result.summary}` : `failed (${result.error?.code}): ${result.summary}`,
        );
        if (!result.ok) process.exitCode = 1;
      }),
    );
  addDeleteCommand(server, 'server', (id) => `/v1/servers/${id}`);

  const group = program
    .command('group')
    .description('server groups: where new services of a product are placed');
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
        printRecord(output, await call(connection, 'POST', '/v1/server-groups', body));
      }),
    );
  addListCommand(group, 'server groups', {
    path: '/v1/server-groups',
    columns: GROUP_COLUMNS,
    decorate: async (rows, connection) => {
      const names = await namesById(connection, '/v1/servers');
      return rows.map((row) => ({
        ...row,
        servers: (row.members as { serverId: number }[])
          .map((m) => `${m.serverId} ${names.get(m.serverId) ?? '?'}`)
          .join(', '),
      }));
    },
  });
  addShowCommand(group, 'server group', (id) => `/v1/server-groups/${id}`);
  group
    .command('update <id>')
    .option('--name <name>')
    .option('--fill-type <type>', 'least-full | fill-until-full | round-robin')
    .action((id: string, options: { name?: string; fillType?: string }, command: Command) =>
      withConnection(command, async (connection, output) => {
        printRecord(
          output,
          await call(connection, 'PATCH', `/v1/server-groups/${positiveInteger(id)}`, options),
        );
      }),
    );
  group
    .command('add-server <groupId> <serverId>')
    .description('put a server into a group')
    .option('--priority <n>', 'lower first (fill-until-full, round-robin)', (v) => Number(v))
    .action((groupId: string, serverId: string, options: { priority?: number }, command: Command) =>
      withConnection(command, async (connection, output) => {
        const body = {
          serverId: positiveInteger(serverId),
          ...(options.priority !== undefined ? { priority: options.priority } : {}),
        };
        printRecord(
          output,
          await call(connection, 'POST', `/v1/server-groups/${positiveInteger(groupId)}/members`, body),
        );
      }),
    );
  group
    .command('remove-server <groupId> <serverId>')
    .description('take a server out of a group (services already on it stay there)')
    .action((groupId: string, serverId: string, _options: unknown, command: Command) =>
      withConnection(command, async (connection, output) => {
        const path = `/v1/server-groups/${positiveInteger(groupId)}/members/${positiveInteger(serverId)}`;
        printRecord(output, await call(connection, 'DELETE', path));
      }),
    );
  addDeleteCommand(group, 'server group', (id) => `/v1/server-groups/${id}`);
}

/** `<noun> delete <id>`: the API refuses (409) what services or products still use. */
export function addDeleteCommand(parent: Command, what: string, path: (id: number) => string): void {
  parent
    .command('delete <id>')
    .description(`delete a ${what} that nothing uses`)
    .action((id: string, _options: unknown, command: Command) =>
      withConnection(command, async (connection, output) => {
        const result = await call<{ deleted: true; id: number }>(
          connection,
          'DELETE',
          path(positiveInteger(id)),
        );
        print(output, result, () => `${what} ${result.id} deleted`);
      }),
    );
}
