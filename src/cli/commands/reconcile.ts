import { type Command, Option } from 'commander';
import { FINDING_KINDS, FINDING_STATUSES } from '../../core/findings.js';
import { REPAIR_ACTIONS } from '../../engine/reconcile-classify.js';
import { positiveInteger, withConnection } from '../context.js';
import { print, renderTable } from '../output.js';
import { call, queryOf } from './shared.js';

interface FindingRow {
  id: number;
  serverId: number;
  kind: string;
  remoteKind: string;
  remoteKey: string;
  serviceId: number | null;
  proposedAction: string;
  repairs: string[];
  status: string;
  repairOperationId: number | null;
}

interface ServerRun {
  serverId: number;
  serverName: string;
  status: string;
  objectsSeen: number;
  servicesSeen: number;
  requests: number;
  findingsOpen: number;
  findingsNew: number;
  findingsClosed: number;
  error: string | null;
  findings: FindingRow[];
}

const FINDING_COLUMNS = [
  'id',
  'serverId',
  'kind',
  'object',
  'serviceId',
  'status',
  'proposedAction',
  'repairs',
];

/** A finding as one table row: the object as `kind key`, the repairs joined. */
function findingRow(finding: FindingRow): Record<string, unknown> {
  return {
    ...finding,
    object: `${finding.remoteKind} ${finding.remoteKey}`,
    repairs: finding.repairs.join(','),
  };
}

export function registerReconcileCommands(program: Command): void {
  const reconcile = program
    .command('reconcile')
    .description(
      'compare backends with billing and store the differences (findings); repairs nothing on its own',
    )
    .option('--server <id>', 'only this server', positiveInteger)
    .action((options: { server?: number }, command: Command) =>
      withConnection(command, async (connection, output) => {
        const { servers } = await call<{ servers: ServerRun[] }>(
          connection,
          'POST',
          '/v1/reconcile',
          options.server ? { serverId: options.server } : {},
        );
        print(output, servers, () => {
          const summary = renderTable(servers, [
            'serverId',
            'serverName',
            'status',
            'objectsSeen',
            'servicesSeen',
            'requests',
            'findingsNew',
            'findingsClosed',
            'findingsOpen',
            'error',
          ]);
          const findings = servers.flatMap((s) => s.findings).filter((f) => f.status === 'open');
          return findings.length
            ? `${summary}\n\nopen findings:\n${renderTable(findings.map(findingRow), FINDING_COLUMNS)}`
            : `${summary}\n\nno open findings`;
        });
        if (servers.some((s) => s.error)) process.exitCode = 1;
      }),
    );

  reconcile
    .command('findings')
    .description('list findings (default: unclosed ones), oldest first')
    .option('--server <id>', 'only this server', positiveInteger)
    .option('--service <id>', 'only this service', positiveInteger)
    .addOption(new Option('--kind <kind>', 'only this kind').choices(FINDING_KINDS))
    .addOption(new Option('--status <status>', 'only this status').choices(FINDING_STATUSES))
    .option('--all', 'also findings a later reconcile no longer saw')
    .option('--limit <n>', 'at most this many', positiveInteger)
    .option('--after <id>', 'the page after this finding id', positiveInteger)
    .action((options: Record<string, unknown>, command: Command) =>
      withConnection(command, async (connection, output) => {
        const query = queryOf(options, {
          server: 'serverId',
          service: 'serviceId',
          kind: 'kind',
          status: 'status',
          all: 'includeClosed',
          limit: 'limit',
          after: 'afterId',
        });
        const page = await call<{ items: FindingRow[]; nextAfterId: number | null }>(
          connection,
          'GET',
          `/v1/reconcile/findings${query}`,
        );
        print(output, page, () => {
          const table = renderTable(page.items.map(findingRow), FINDING_COLUMNS);
          return page.nextAfterId === null ? table : `${table}\n(more: --after ${page.nextAfterId})`;
        });
      }),
    );

  reconcile
    .command('repair [ids...]')
    .description(
      'repair findings, each as a durable operation on its service (ignore queues nothing); without ids, every open finding matching --server and --kind',
    )
    .addOption(
      new Option('--action <action>', "the repair (default: each finding's proposed one)").choices(
        REPAIR_ACTIONS,
      ),
    )
    .option('--server <id>', 'without ids: open findings of this server', positiveInteger)
    .addOption(new Option('--kind <kind>', 'without ids: open findings of this kind').choices(FINDING_KINDS))
    .action((ids: string[], options: { action?: string; server?: number; kind?: string }, command: Command) =>
      withConnection(command, async (connection, output) => {
        const findingIds = ids.map(positiveInteger);
        const { items } = await call<{
          items: {
            findingId: number;
            action: string;
            operationId: number | null;
            error?: { message: string };
          }[];
        }>(connection, 'POST', '/v1/reconcile/findings/repair', {
          ...(findingIds.length ? { ids: findingIds } : {}),
          ...(options.server ? { serverId: options.server } : {}),
          ...(options.kind ? { kind: options.kind } : {}),
          action: options.action ?? 'proposed',
        });
        print(output, items, () =>
          renderTable(
            items.map((item) => ({ ...item, error: item.error?.message ?? '' })),
            ['findingId', 'action', 'operationId', 'error'],
          ),
        );
        // The table cuts long texts: each refusal is written out whole.
        for (const item of items)
          if (item.error) process.stderr.write(`finding ${item.findingId}: ${item.error.message}\n`);
        if (items.some((item) => item.error)) process.exitCode = 1;
      }),
    );
}
