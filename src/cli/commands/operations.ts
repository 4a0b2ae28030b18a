import type { Command } from 'commander';
import { positiveInteger, withConnection } from '../context.js';
import { expectOk, print, renderRecord, renderTable } from '../output.js';
import { type OperationView, watchOperation } from '../progress.js';
import { describeEnd } from './services.js';

const OPERATION_COLUMNS = [
  'id',
  'serviceId',
  'serverId',
  'module',
  'action',
  'status',
  'attempts',
  'progressMessage',
  'errorCode',
  'errorMessage',
  'createdAt',
];
const LOG_COLUMNS = [
  'id',
  'createdAt',
  'operationId',
  'serverId',
  'module',
  'action',
  'outcome',
  'durationMs',
  'request',
];

function queryOf(options: Record<string, unknown>, names: Readonly<Record<string, string>>): string {
  const query = new URLSearchParams();
  for (const [flag, param] of Object.entries(names))
    if (options[flag] !== undefined && options[flag] !== false) query.set(param, String(options[flag]));
  return query.size ? `?${query}` : '';
}

export function registerOperationCommands(program: Command): void {
  const ops = program
    .command('ops')
    .description('operations: the durable queue and the record of every action');
  ops
    .command('list')
    .option('--status <status>', 'queued | running | waiting | succeeded | failed | cancelled')
    .option('--service <id>', 'service id', positiveInteger)
    .option('--server <id>', 'server id', positiveInteger)
    .option('--action <action>', 'create, suspend, …')
    .option('--module <module>')
    .option('--failed', 'the failed-actions queue (failed, not resolved)')
    .option('--limit <n>', 'at most', positiveInteger)
    .action((options, command: Command) =>
      withConnection(command, async (connection, output) => {
        const query = queryOf(options, {
          status: 'status',
          service: 'serviceId',
          server: 'serverId',
          action: 'action',
          module: 'module',
          failed: 'unresolved',
          limit: 'limit',
        });
        const { items } = expectOk<{ items: Record<string, unknown>[] }>(
          await connection.request('GET', `/v1/operations${query}`),
        );
        print(output, items, () => renderTable(items, OPERATION_COLUMNS));
      }),
    );
  ops.command('show <id>').action((id: string, _options: unknown, command: Command) =>
    withConnection(command, async (connection, output) => {
      const detail = expectOk<{ operation: Record<string, unknown>; moduleLog: Record<string, unknown>[] }>(
        await connection.request('GET', `/v1/operations/${positiveInteger(id)}`),
      );
      print(output, detail, () => {
        const { journal, args, ...operation } = detail.operation;
        const parts = [renderRecord({ ...operation, args, journal })];
        if (detail.moduleLog.length)
          parts.push(
            '',
            'module log:',
            renderTable(
              detail.moduleLog,
              LOG_COLUMNS.filter((c) => c !== 'operationId'),
            ),
          );
        return parts.join('\n');
      });
    }),
  );
  ops
    .command('watch <id>')
    .description('follow an operation with a live progress bar until it ends')
    .action((id: string, _options: unknown, command: Command) =>
      withConnection(command, async (connection, output) => {
        connection.startRunner();
        const final = await watchOperation(connection, positiveInteger(id), { quiet: output.json });
        print(output, final, () => describeEnd(final));
        if (final.status !== 'succeeded') process.exitCode = 1;
      }),
    );
  for (const verb of ['retry', 'cancel'] as const) {
    ops.command(`${verb} <id>`).action((id: string, _options: unknown, command: Command) =>
      withConnection(command, async (connection, output) => {
        const operation = expectOk<OperationView>(
          await connection.request('POST', `/v1/operations/${positiveInteger(id)}/${verb}`),
        );
        print(output, operation, () => `operation ${operation.id} is ${operation.status}`);
      }),
    );
  }
  ops
    .command('resolve <id>')
    .description('take a failure off the failed-actions queue')
    .option('--mark-succeeded', 'apply its effect as if it had worked (you fixed it by hand)')
    .option('--note <note>')
    .action((id: string, options: { markSucceeded?: boolean; note?: string }, command: Command) =>
      withConnection(command, async (connection, output) => {
        const body = {
          ...(options.markSucceeded ? { markSucceeded: true } : {}),
          ...(options.note ? { note: options.note } : {}),
        };
        const operation = expectOk<OperationView & { resolution: string }>(
          await connection.request('POST', `/v1/operations/${positiveInteger(id)}/resolve`, body),
        );
        print(output, operation, () => `operation ${operation.id} resolved: ${operation.resolution}`);
      }),
    );

  program
    .command('log')
    .description('the module log: every remote call, redacted')
    .option('--operation <id>', 'operation id', positiveInteger)
    .option('--server <id>', 'server id', positiveInteger)
    .option('--module <module>')
    .option('--action <action>')
    .option('--outcome <outcome>', 'ok | error')
    .option('--search <text>', 'in requests and responses')
    .option('--limit <n>', 'at most', positiveInteger)
    .action((options, command: Command) =>
      withConnection(command, async (connection, output) => {
        const query = queryOf(options, {
          operation: 'operationId',
          server: 'serverId',
          module: 'module',
          action: 'action',
          outcome: 'outcome',
          search: 'search',
          limit: 'limit',
        });
        const { items } = expectOk<{ items: Record<string, unknown>[] }>(
          await connection.request('GET', `/v1/module-log${query}`),
        );
        print(output, items, () => renderTable(items, LOG_COLUMNS));
      }),
    );
}
