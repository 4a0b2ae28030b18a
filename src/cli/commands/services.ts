import { randomUUID } from 'node:crypto';
import type { Command } from 'commander';
import type { Connection } from '../connection.js';
import { CliError } from '../connection.js';
import { collect, parseAssignments, positiveInteger, withConnection } from '../context.js';
import { expectOk, type OutputOptions, print, renderTable } from '../output.js';
import { type OperationView, watchOperation } from '../progress.js';
import { customFieldsOf } from './clients.js';
import {
  addListCommand,
  addShowCommand,
  call,
  confirm,
  namesById,
  printRecord,
  readJsonFile,
  secretFrom,
} from './shared.js';

const SERVICE_COLUMNS = ['id', 'client', 'product', 'server', 'status', 'domain', 'username'];

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

function passwordOf(
  options: { password?: string; passwordEnv?: string },
  required: boolean,
): string | undefined {
  const password = secretFrom({ secret: options.password, secretEnv: options.passwordEnv }, 'password');
  if (!password && required)
    throw new CliError('give the new password with --password-env VARIABLE (or --password)', 2);
  return password;
}

const withWait = (command: Command) =>
  command
    .option('--no-wait', 'enqueue only; do not follow the operation')
    .option('--idempotency-key <key>', 'same key, same request: the same operation');

const withPassword = (command: Command, what: string) =>
  command
    .option('--password-env <variable>', `read ${what} from this environment variable`)
    .option('--password <password>', `${what} (visible in \`ps\`; prefer --password-env)`);

const serviceFieldOptions = (command: Command) =>
  command
    .option('--domain <domain>')
    .option('--username <username>')
    .option(
      '--config-option <name=value>',
      'configurable option, e.g. os=debian-12 (repeatable)',
      collect,
      [],
    )
    .option(
      '--custom-field <name=value>',
      'custom field, e.g. "DCImgr server ID=102" (repeatable)',
      collect,
      [],
    );

function serviceFields(options: Record<string, unknown>) {
  return {
    ...(options.domain !== undefined ? { domain: options.domain } : {}),
    ...(options.username !== undefined ? { username: options.username } : {}),
    ...((options.configOption as string[]).length
      ? { configOptions: customFieldsOf(options.configOption as string[]) }
      : {}),
    ...((options.customField as string[]).length
      ? { customFields: customFieldsOf(options.customField as string[]) }
      : {}),
  };
}

/** Whether the module declares this custom action destructive (asked of the engine, never guessed). */
async function isDestructive(connection: Connection, serviceId: number, name: string): Promise<boolean> {
  const service = await call<{ productId: number }>(connection, 'GET', `/v1/services/${serviceId}`);
  const product = await call<{ module: string }>(connection, 'GET', `/v1/products/${service.productId}`);
  const module = await call<{ actions: { name: string; destructive: boolean }[] }>(
    connection,
    'GET',
    `/v1/modules/${product.module}`,
  );
  return module.actions.find((action) => action.name === name)?.destructive ?? false;
}

export function registerServiceCommands(program: Command): void {
  const service = program.command('service').description('services and their lifecycle actions');

  withPassword(
    withWait(
      serviceFieldOptions(
        service
          .command('create')
          .description('add a service and provision it (one order: a refused create writes nothing)')
          .requiredOption('--client <id>', 'client id', positiveInteger)
          .requiredOption('--product <id>', 'product id', positiveInteger)
          .option(
            '--server <id>',
            'a server of the product group (default: placement chooses)',
            positiveInteger,
          ),
      ),
    ),
    'the service password (default: generated; reveal it once with provisio service reveal-password)',
  ).action((options, command: Command) =>
    withConnection(command, async (connection, output) => {
      const password = passwordOf(options, false);
      const order = {
        orderId: options.idempotencyKey ?? `cli-${randomUUID()}`,
        clientId: options.client,
        services: [
          {
            productId: options.product,
            ...serviceFields(options),
            ...(options.server ? { serverId: options.server } : {}),
            ...(password ? { password } : {}),
          },
        ],
      };
      const accepted = await call<{ services: { service: { id: number }; operation: OperationView }[] }>(
        connection,
        'POST',
        '/v1/orders',
        order,
      );
      const [{ service: record, operation }] = accepted.services as [
        { service: { id: number }; operation: OperationView },
      ];
      if (!output.json) process.stderr.write(`service ${record.id} added\n`);
      await followOperation(connection, output, operation, options);
    }),
  );

  for (const [action, description] of [
    ['suspend', 'suspend a service'],
    ['unsuspend', 'unsuspend a service'],
    ['terminate', 'remove a service from its backend (asks first; --yes for scripts)'],
  ] as const) {
    const command = withWait(service.command(`${action} <id>`).description(description));
    if (action === 'suspend') command.option('--reason <reason>', 'why (kept on the service)');
    if (action === 'terminate') command.option('--yes', 'do not ask');
    command.action((id: string, options, cmd: Command) =>
      withConnection(cmd, async (connection, output) => {
        const serviceId = positiveInteger(id);
        if (action === 'terminate')
          await confirm(`terminate service ${serviceId}: its backend object is removed`, options.yes);
        await runAction(
          connection,
          output,
          serviceId,
          action,
          options.reason ? { reason: options.reason } : {},
          options,
        );
      }),
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
  withPassword(withWait(service.command('change-password <id>')), 'the new password').action(
    (id: string, options, command: Command) =>
      withConnection(command, (connection, output) =>
        runAction(
          connection,
          output,
          positiveInteger(id),
          'change-password',
          { password: passwordOf(options, true) },
          options,
        ),
      ),
  );
  withWait(
    service
      .command('adopt <id>')
      .description(
        "take over the backend object under the service's name that provisio did not create (audited)",
      )
      .option('--yes', 'confirm without asking'),
  ).action((id: string, options, command: Command) =>
    withConnection(command, async (connection, output) => {
      const serviceId = positiveInteger(id);
      await confirm(
        `adopt the backend object of service ${serviceId}: provisio will write its mark and manage it`,
        options.yes,
      );
      await runAction(connection, output, serviceId, 'adopt', { confirm: true }, options);
    }),
  );
  withWait(
    service
      .command('action <id> <name>')
      .description("run one of the module's custom actions (provisio module show ID lists them)")
      .option('--arg <name=value>', 'an argument of the action (repeatable)', collect, [])
      .option('--yes', 'do not ask before a destructive action'),
  ).action((id: string, name: string, options, command: Command) =>
    withConnection(command, async (connection, output) => {
      const serviceId = positiveInteger(id);
      if (!options.yes && (await isDestructive(connection, serviceId, name)))
        await confirm(`run ${name} on service ${serviceId}: it destroys data`, options.yes);
      await runAction(
        connection,
        output,
        serviceId,
        `actions/${encodeURIComponent(name)}`,
        { args: parseAssignments(options.arg) },
        options,
      );
    }),
  );

  addShowCommand(service, 'service', (id) => `/v1/services/${id}`);
  addListCommand(service, 'services', {
    path: '/v1/services',
    columns: SERVICE_COLUMNS,
    filters: [
      ['client', 'clientId', 'client id', positiveInteger],
      ['product', 'productId', 'product id', positiveInteger],
      ['server', 'serverId', 'server id', positiveInteger],
      ['status', 'status', 'pending | active | suspended | terminated | cancelled'],
      ['search', 'search', 'part of the domain or username, or the id'],
    ],
    decorate: async (rows, connection) => {
      const [products, servers] = await Promise.all([
        namesById(connection, '/v1/products'),
        namesById(connection, '/v1/servers'),
      ]);
      return rows.map((row) => ({
        ...row,
        client: row.clientId,
        product: `${row.productId} ${products.get(row.productId as number) ?? ''}`.trim(),
        server: row.serverId ? `${row.serverId} ${servers.get(row.serverId as number) ?? ''}`.trim() : '',
      }));
    },
  });
  serviceFieldOptions(
    service
      .command('update <id>')
      .description('correct a service (refused while an operation runs; audited)'),
  ).action((id: string, options, command: Command) =>
    withConnection(command, async (connection, output) => {
      const body = serviceFields(options);
      if (Object.keys(body).length === 0)
        throw new CliError('nothing to change: give --domain, --username, --custom-field, …', 2);
      printRecord(output, await call(connection, 'PATCH', `/v1/services/${positiveInteger(id)}`, body));
    }),
  );
  service
    .command('view <id>')
    .description(
      "the module's view of the service, read live from the backend (client area; --admin for staff)",
    )
    .option('--admin', 'the admin view')
    .action((id: string, options: { admin?: boolean }, command: Command) =>
      withConnection(command, async (connection, output) => {
        const view = await call<{ fields: { label: string; value: string; href?: string }[] }>(
          connection,
          'POST',
          `/v1/services/${positiveInteger(id)}/view`,
          { kind: options.admin ? 'admin' : 'client' },
        );
        print(output, view, () =>
          view.fields.map((f) => `${f.label}: ${f.value}${f.href ? ` <${f.href}>` : ''}`).join('\n'),
        );
      }),
    );
  service
    .command('cancel <id>')
    .description('cancel a pending service (an order withdrawn before provisioning)')
    .action((id: string, _options: unknown, command: Command) =>
      withConnection(command, async (connection, output) => {
        printRecord(output, await call(connection, 'POST', `/v1/services/${positiveInteger(id)}/cancel`));
      }),
    );
  service
    .command('welcome-message <id>')
    .description("the product's welcome message for the service (it carries the password: audited)")
    .action((id: string, _options: unknown, command: Command) =>
      withConnection(command, async (connection, output) => {
        const { message } = await call<{ message: string | null }>(
          connection,
          'POST',
          `/v1/services/${positiveInteger(id)}/welcome-message`,
        );
        print(output, { message }, () => message ?? '(the product has no welcome template)');
      }),
    );
  service
    .command('login-link <id>')
    .description('a single sign-on link into the backend (creates a backend credential; audited)')
    .action((id: string, _options: unknown, command: Command) =>
      withConnection(command, async (connection, output) => {
        const link = await call<{ url: string }>(
          connection,
          'POST',
          `/v1/services/${positiveInteger(id)}/login-link`,
        );
        print(output, link, () => link.url);
      }),
    );
  service
    .command('reveal-password <id>')
    .description('show the service password once (audited)')
    .action((id: string, _options: unknown, command: Command) =>
      withConnection(command, async (connection, output) => {
        const revealed = await call<{ password: string }>(
          connection,
          'POST',
          `/v1/services/${positiveInteger(id)}/password/reveal`,
        );
        print(output, revealed, () => revealed.password);
      }),
    );

  const order = program
    .command('order')
    .description('orders: a client and its services, provisioned in one transaction');
  order
    .command('place <file.json>')
    .description(
      'place an order written as JSON ({orderId, clientId | client, services: [...]}, as POST /v1/orders takes)',
    )
    .option('--no-wait', 'return once accepted; do not follow the operations')
    .action((file: string, options: { wait: boolean }, command: Command) =>
      withConnection(command, async (connection, output) => {
        const accepted = await call<{
          created: boolean;
          services: { service: { id: number }; operation: OperationView }[];
        }>(connection, 'POST', '/v1/orders', readJsonFile(file, 'the order'));
        if (!options.wait) {
          const rows = accepted.services.map((s) => ({
            service: s.service.id,
            operation: s.operation.id,
            status: s.operation.status,
          }));
          return print(output, accepted, () => renderTable(rows, ['service', 'operation', 'status']));
        }
        connection.startRunner();
        const finals: OperationView[] = [];
        for (const { operation } of accepted.services)
          finals.push(await watchOperation(connection, operation.id, { quiet: output.json }));
        print(output, finals, () => finals.map(describeEnd).join('\n'));
        if (finals.some((f) => f.status !== 'succeeded')) process.exitCode = 1;
      }),
    );
}
