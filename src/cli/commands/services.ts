import { randomUUID } from 'node:crypto';
import type { Command } from 'commander';
import type { Connection } from '../connection.js';
import { CliError } from '../connection.js';
import { positiveInteger, withConnection } from '../context.js';
import { expectOk, type OutputOptions, print, renderRecord, renderTable } from '../output.js';
import { type OperationView, watchOperation } from '../progress.js';

const SERVICE_COLUMNS = ['id', 'clientId', 'productId', 'serverId', 'status', 'domain', 'username'];

/** Enqueues, then (unless --no-wait) follows the operation with a progress bar. */
async function runAction(
  connection: Connection,
  output: OutputOptions,
  serviceId: number,
  path: string,
  body: unknown,
  options: { wait: boolean; idempotencyKey?: string },
) {
  const headers = options.idempotencyKey ? { 'idempotency-key': options.idempotencyKey } : undefined;
  const { operation } = expectOk<{ operation: OperationView }>(
    await connection.request('POST', `/v1/services/${serviceId}/${path}`, body, headers),
  );
  await followOperation(connection, output, operation, options);
}

/** Unless --no-wait, follows an enqueued operation with a progress bar to its end. */
async function followOperation(
  connection: Connection,
  output: OutputOptions,
  operation: OperationView,
  options: { wait: boolean },
) {
  if (!options.wait)
    return print(
      output,
      operation,
      () => `operation ${operation.id} ${operation.status} (follow it: provisio ops watch ${operation.id})`,
    );
  connection.startRunner();
  const final = await watchOperation(connection, operation.id, { quiet: output.json });
  print(output, final, () => describeEnd(final));
  if (final.status !== 'succeeded') process.exitCode = 1;
}

export function describeEnd(operation: OperationView): string {
  if (operation.status === 'succeeded') return `operation ${operation.id} (${operation.action}) succeeded`;
  return `operation ${operation.id} (${operation.action}) ${operation.status}${operation.errorCode ? `: ${operation.errorCode}: ${operation.errorMessage}` : ''}`;
}

function readPassword(options: { password?: string; passwordEnv?: string }): string {
  if (options.passwordEnv) {
    const value = process.env[options.passwordEnv];
    if (!value) throw new CliError(`the environment variable ${options.passwordEnv} is empty`, 2);
    return value;
  }
  if (!options.password)
    throw new CliError('give the new password with --password-env VARIABLE (or --password)', 2);
  return options.password;
}

export function registerServiceCommands(program: Command): void {
  const service = program.command('service').description('services and their lifecycle actions');
  const withWait = (command: Command) =>
    command
      .option('--no-wait', 'enqueue only; do not follow the operation')
      .option('--idempotency-key <key>', 'same key, same request: the same operation');

  withWait(
    service
      .command('create')
      .description('add a service and provision it')
      .requiredOption('--client <id>', 'client id', positiveInteger)
      .requiredOption('--product <id>', 'product id', positiveInteger)
      .option('--domain <domain>')
      .option('--username <username>'),
  ).action((options, command: Command) =>
    withConnection(command, async (connection, output) => {
      // An order: the service and its create operation are written in one transaction, so a
      // refused create (no server has room, a bad field) leaves no pending service behind.
      const order = {
        orderId: options.idempotencyKey ?? `cli-${randomUUID()}`,
        clientId: options.client,
        services: [
          {
            productId: options.product,
            ...(options.domain ? { domain: options.domain } : {}),
            ...(options.username ? { username: options.username } : {}),
          },
        ],
      };
      const accepted = expectOk<{ services: { service: { id: number }; operation: OperationView }[] }>(
        await connection.request('POST', '/v1/orders', order),
      );
      const [{ service: record, operation }] = accepted.services as [
        { service: { id: number }; operation: OperationView },
      ];
      if (!output.json) process.stderr.write(`service ${record.id} added\n`);
      await followOperation(connection, output, operation, options);
    }),
  );
  for (const action of ['suspend', 'unsuspend', 'terminate'] as const) {
    const command = withWait(service.command(`${action} <id>`).description(`${action} a service`));
    if (action === 'suspend') command.option('--reason <reason>', 'why (kept on the service)');
    command.action((id: string, options, cmd: Command) =>
      withConnection(cmd, (connection, output) =>
        runAction(
          connection,
          output,
          positiveInteger(id),
          action,
          options.reason ? { reason: options.reason } : {},
          options,
        ),
      ),
    );
  }
  withWait(
    service
      .command('change-package <id>')
      .requiredOption('--product <id>', 'the new product', positiveInteger),
  ).action((id: string, options, command: Command) =>
    withConnection(command, (connection, output) =>
      runAction(
        connection,
        output,
        positiveInteger(id),
        'change-package',
        { productId: options.product },
        options,
      ),
    ),
  );
  withWait(
    service
      .command('change-password <id>')
      .option('--password-env <variable>', 'read the new password from this environment variable')
      .option('--password <password>', 'the new password (visible in `ps`; prefer --password-env)'),
  ).action((id: string, options, command: Command) =>
    withConnection(command, (connection, output) =>
      runAction(
        connection,
        output,
        positiveInteger(id),
        'change-password',
        { password: readPassword(options) },
        options,
      ),
    ),
  );
  service.command('show <id>').action((id: string, _options: unknown, command: Command) =>
    withConnection(command, async (connection, output) => {
      const record = expectOk<Record<string, unknown>>(
        await connection.request('GET', `/v1/services/${positiveInteger(id)}`),
      );
      print(output, record, () => renderRecord(record));
    }),
  );
  service
    .command('list')
    .option('--client <id>', 'client id', positiveInteger)
    .option('--product <id>', 'product id', positiveInteger)
    .option('--server <id>', 'server id', positiveInteger)
    .option('--status <status>', 'pending | active | suspended | terminated | cancelled')
    .option('--limit <n>', 'at most', positiveInteger)
    .action((options, command: Command) =>
      withConnection(command, async (connection, output) => {
        const query = new URLSearchParams();
        for (const [flag, param] of [
          ['client', 'clientId'],
          ['product', 'productId'],
          ['server', 'serverId'],
          ['status', 'status'],
          ['limit', 'limit'],
        ] as const) {
          if (options[flag] !== undefined) query.set(param, String(options[flag]));
        }
        const { items } = expectOk<{ items: Record<string, unknown>[] }>(
          await connection.request('GET', `/v1/services?${query}`),
        );
        print(output, items, () => renderTable(items, SERVICE_COLUMNS));
      }),
    );
}
