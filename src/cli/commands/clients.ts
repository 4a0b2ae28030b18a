import type { Command } from 'commander';
import { CliError } from '../connection.js';
import { collect, parseAssignments, positiveInteger, withConnection } from '../context.js';
import { print } from '../output.js';
import { addDeleteCommand } from './servers.js';
import { addListCommand, addShowCommand, call, printRecord } from './shared.js';

const CLIENT_COLUMNS = ['id', 'email', 'firstName', 'lastName', 'company', 'externalId'];

/** `--custom-field "Pass Key=abc"` pairs, kept as text (custom fields are text). */
export function customFieldsOf(pairs: readonly string[]): Record<string, string> {
  return Object.fromEntries(
    Object.entries(parseAssignments(pairs)).map(([key, value]) => [key, String(value)]),
  );
}

function clientBody(options: Record<string, unknown>) {
  const body: Record<string, unknown> = {};
  for (const key of ['email', 'firstName', 'lastName', 'company', 'externalId'])
    if (options[key] !== undefined) body[key] = options[key];
  if ((options.customField as string[]).length)
    body.customFields = customFieldsOf(options.customField as string[]);
  return body;
}

export function registerClientCommands(program: Command): void {
  const client = program.command('client').description("clients (the billing system's customers)");
  const fields = (command: Command) =>
    command
      .option('--first-name <name>')
      .option('--last-name <name>')
      .option('--company <company>')
      .option(
        '--custom-field <name=value>',
        'custom field (repeatable; secret-named ones are stored sealed)',
        collect,
        [],
      );
  fields(
    client
      .command('add')
      .requiredOption('--email <email>')
      .option('--external-id <id>', "the billing system's id"),
  ).action((options, command: Command) =>
    withConnection(command, async (connection, output) => {
      printRecord(output, await call(connection, 'POST', '/v1/clients', clientBody(options)));
    }),
  );
  addListCommand(client, 'clients', { path: '/v1/clients', columns: CLIENT_COLUMNS });
  addShowCommand(client, 'client', (id) => `/v1/clients/${id}`);
  fields(client.command('update <id>').option('--email <email>')).action(
    (id: string, options, command: Command) =>
      withConnection(command, async (connection, output) => {
        const body = clientBody(options);
        if (Object.keys(body).length === 0)
          throw new CliError('nothing to change: give --email, --first-name, --custom-field, …', 2);
        printRecord(output, await call(connection, 'PATCH', `/v1/clients/${positiveInteger(id)}`, body));
      }),
  );
  client
    .command('reveal <id> <field>')
    .description('show a secret custom field (a StoreGrid "Pass Key") in clear; written to the audit trail')
    .action((id: string, field: string, _options: unknown, command: Command) =>
      withConnection(command, async (connection, output) => {
        const path = `/v1/clients/${positiveInteger(id)}/custom-fields/${encodeURIComponent(field)}/reveal`;
        const revealed = await call<{ name: string; value: string }>(connection, 'POST', path);
        print(output, revealed, () => revealed.value);
      }),
    );
  client
    .command('customer-token <id>')
    .description("a token for the client's own area: it sees only this client's services")
    .option('--name <name>', 'who uses it', 'customer area')
    .action((id: string, options: { name: string }, command: Command) =>
      withConnection(command, async (connection, output) => {
        const clientId = positiveInteger(id);
        const created = await call<{ token: string; record: { id: number } }>(
          connection,
          'POST',
          '/v1/tokens',
          {
            name: options.name,
            scope: 'customer',
            clientId,
          },
        );
        print(
          output,
          created,
          () => `${created.token}\n(shown once; token ${created.record.id}, customer of client ${clientId})`,
        );
      }),
    );
  addDeleteCommand(client, 'client', (id) => `/v1/clients/${id}`);
}
