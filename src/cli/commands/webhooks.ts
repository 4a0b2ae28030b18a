import { type Command, InvalidArgumentError } from 'commander';
import { CliError } from '../connection.js';
import { collect, positiveInteger, withConnection } from '../context.js';
import { expectOk, print, renderRecord, renderTable } from '../output.js';

const WEBHOOK_COLUMNS = ['id', 'url', 'eventTypes', 'enabled', 'description', 'createdAt'];
const DELIVERY_COLUMNS = [
  'id',
  'eventId',
  'eventType',
  'status',
  'attempts',
  'responseStatus',
  'lastError',
  'replayOf',
  'createdAt',
  'deliveredAt',
];
const AUDIT_COLUMNS = ['id', 'at', 'actor', 'action', 'targetType', 'targetId', 'details'];

/** The signing secret from an environment variable keeps it out of the shell history and `ps`. */
function secretFrom(options: { secret?: string; secretEnv?: string }): string | undefined {
  if (options.secretEnv) {
    const value = process.env[options.secretEnv];
    if (!value) throw new CliError(`the environment variable ${options.secretEnv} is empty`, 2);
    return value;
  }
  return options.secret;
}

/** `service:12` → { targetType: 'service', targetId: '12' }; `service` alone → every service. */
function parseTarget(text: string): { targetType: string; targetId?: string } {
  const match = /^([a-z_]+)(?::(\S+))?$/.exec(text);
  if (!match)
    throw new InvalidArgumentError(`"${text}" is not type:id (e.g. service:12, server:3, webhook:1)`);
  return { targetType: match[1]!, ...(match[2] ? { targetId: match[2] } : {}) };
}

/** For option values: commander reports InvalidArgumentError as a usage mistake (exit 2), no stack. */
function integerOption(value: string): number {
  try {
    return positiveInteger(value);
  } catch (error) {
    throw new InvalidArgumentError((error as Error).message);
  }
}

function query(values: Record<string, string | number | undefined>): string {
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(values)) if (value !== undefined) params.set(key, String(value));
  return params.size ? `?${params}` : '';
}

export function registerWebhookCommands(program: Command): void {
  const webhook = program
    .command('webhook')
    .description('webhooks: events POSTed to your URL, signed (Provisio-Signature), retried, logged');
  webhook
    .command('add')
    .requiredOption(
      '--endpoint <url>',
      'http:// or https:// receiver, without credentials (--url names the engine)',
    )
    .option('--event <type>', 'event type to send, or "*" for all (repeatable, at least one)', collect, [])
    .option('--secret-env <variable>', 'read the signing secret from this environment variable')
    .option('--secret <secret>', 'signing secret, at least 16 characters (prefer --secret-env)')
    .option('--description <text>')
    .option('--disabled', 'add it paused')
    .action((options, command: Command) =>
      withConnection(command, async (connection, output) => {
        const secret = secretFrom(options);
        if (!secret) throw new CliError('webhook add needs --secret-env VAR (or --secret)', 2);
        if (options.event.length === 0)
          throw new CliError('webhook add needs --event <type> (or --event "*")', 2);
        const record = expectOk<Record<string, unknown>>(
          await connection.request('POST', '/v1/webhooks', {
            url: options.endpoint,
            eventTypes: options.event,
            secret,
            ...(options.description ? { description: options.description } : {}),
            ...(options.disabled ? { enabled: false } : {}),
          }),
        );
        print(output, record, () => renderRecord(record));
      }),
    );
  webhook
    .command('update <id>')
    .option('--endpoint <url>', 'a new receiver URL')
    .option('--event <type>', 'replaces the event types (repeatable)', collect, [])
    .option('--secret-env <variable>', 'a new signing secret from this environment variable')
    .option('--secret <secret>', 'a new signing secret')
    .option('--description <text>')
    .option('--enable', 'resume deliveries')
    .option('--disable', 'pause: events that happen meanwhile are not sent to it')
    .action((id: string, options, command: Command) =>
      withConnection(command, async (connection, output) => {
        const secret = secretFrom(options);
        if (options.enable && options.disable)
          throw new CliError('--enable and --disable exclude each other', 2);
        const body = {
          ...(options.endpoint ? { url: options.endpoint } : {}),
          ...(options.event.length ? { eventTypes: options.event } : {}),
          ...(secret ? { secret } : {}),
          ...(options.description !== undefined ? { description: options.description } : {}),
          ...(options.enable ? { enabled: true } : options.disable ? { enabled: false } : {}),
        };
        if (Object.keys(body).length === 0)
          throw new CliError('nothing to change: give at least one option', 2);
        const record = expectOk<Record<string, unknown>>(
          await connection.request('PATCH', `/v1/webhooks/${positiveInteger(id)}`, body),
        );
        print(output, record, () => renderRecord(record));
      }),
    );
  webhook.command('list').action((_options: unknown, command: Command) =>
    withConnection(command, async (connection, output) => {
      const { items } = expectOk<{ items: Record<string, unknown>[] }>(
        await connection.request('GET', '/v1/webhooks'),
      );
      print(output, items, () => renderTable(items, WEBHOOK_COLUMNS));
    }),
  );
  webhook.command('show <id>').action((id: string, _options: unknown, command: Command) =>
    withConnection(command, async (connection, output) => {
      const record = expectOk<Record<string, unknown>>(
        await connection.request('GET', `/v1/webhooks/${positiveInteger(id)}`),
      );
      print(output, record, () => renderRecord(record));
    }),
  );
  webhook.command('delete <id>').action((id: string, _options: unknown, command: Command) =>
    withConnection(command, async (connection, output) => {
      const answer = expectOk<Record<string, unknown>>(
        await connection.request('DELETE', `/v1/webhooks/${positiveInteger(id)}`),
      );
      print(output, answer, () => `webhook ${id} deleted with its delivery log`);
    }),
  );
  webhook
    .command('deliveries <id>')
    .description('the delivery log, newest first')
    .option('--status <status>', 'pending | delivered | failed')
    .option('--event <id>', 'one event', integerOption)
    .option('--before <id>', 'older than this delivery (paging)', integerOption)
    .option('--limit <n>', 'at most', integerOption)
    .action((id: string, options, command: Command) =>
      withConnection(command, async (connection, output) => {
        const path = `/v1/webhooks/${positiveInteger(id)}/deliveries${query({
          status: options.status,
          eventId: options.event,
          beforeId: options.before,
          limit: options.limit,
        })}`;
        const { items } = expectOk<{ items: Record<string, unknown>[] }>(
          await connection.request('GET', path),
        );
        print(output, items, () => renderTable(items, DELIVERY_COLUMNS));
      }),
    );
  webhook
    .command('replay <id>')
    .description('send events again: one delivery, or every failed one')
    .option('--delivery <id>', 'the delivery to send again', integerOption)
    .option('--failed', 'every failed delivery no later delivery made good')
    .action((id: string, options: { delivery?: number; failed?: boolean }, command: Command) =>
      withConnection(command, async (connection, output) => {
        if (!options.delivery === !options.failed) throw new CliError('give --delivery <id> or --failed', 2);
        const webhookId = positiveInteger(id);
        if (options.delivery) {
          const replay = expectOk<Record<string, unknown>>(
            await connection.request(
              'POST',
              `/v1/webhooks/${webhookId}/deliveries/${options.delivery}/replay`,
            ),
          );
          print(output, replay, () => `delivery ${replay.id} queued: event ${replay.eventId} is sent again`);
          return;
        }
        const { items } = expectOk<{ items: Record<string, unknown>[] }>(
          await connection.request('POST', `/v1/webhooks/${webhookId}/replay-failed`),
        );
        print(
          output,
          items,
          () => `${items.length} failed deliver${items.length === 1 ? 'y' : 'ies'} queued again`,
        );
      }),
    );

  program
    .command('audit')
    .description('the audit trail, newest first: who changed what through the API')
    .option('--target <type:id>', 'one record (service:12) or one kind (service)', parseTarget)
    .option('--actor <name>', 'token name, or local for the CLI on the database')
    .option('--action <action>', 'e.g. "POST /v1/servers"')
    .option('--before <id>', 'older than this entry (paging)', integerOption)
    .option('--limit <n>', 'at most (default 100)', integerOption)
    .action((options, command: Command) =>
      withConnection(command, async (connection, output) => {
        const path = `/v1/audit${query({
          ...(options.target ?? {}),
          actor: options.actor,
          action: options.action,
          beforeId: options.before,
          limit: options.limit,
        })}`;
        const { items } = expectOk<{ items: Record<string, unknown>[] }>(
          await connection.request('GET', path),
        );
        print(output, items, () => renderTable(items, AUDIT_COLUMNS));
      }),
    );

  program
    .command('maintenance')
    .description('housekeeping')
    .command('prune')
    .description('delete what the retention settings let go, now (serve does it on an interval)')
    .action((_options: unknown, command: Command) =>
      withConnection(command, async (connection, output) => {
        const result = expectOk<{ operations: number; moduleLog: number; events: number }>(
          await connection.request('POST', '/v1/maintenance/prune'),
        );
        print(
          output,
          result,
          () =>
            `pruned ${result.operations} finished operations, ${result.moduleLog} module-log rows, ${result.events} delivered events`,
        );
      }),
    );
}
