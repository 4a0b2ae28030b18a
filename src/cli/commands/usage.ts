import type { Command } from 'commander';
import { positiveInteger, withConnection } from '../context.js';
import { expectOk, print, renderRecord, renderTable } from '../output.js';
import { createBar } from '../progress.js';

interface ServerResult {
  serverId: number;
  serverName: string;
  services: number;
  updated: number;
  error?: string;
}

export function registerUsageCommands(program: Command): void {
  const usage = program.command('usage').description('usage figures');
  usage
    .command('show <serviceId>')
    .description('the usage figures last read for a service')
    .action((id: string, _options: unknown, command: Command) =>
      withConnection(command, async (connection, output) => {
        const figures = expectOk<Record<string, unknown>>(
          await connection.request('GET', `/v1/services/${positiveInteger(id)}/usage`),
        );
        print(output, figures, () => renderRecord(figures));
      }),
    );
  usage
    .command('sync')
    .description('read usage now, one server at a time, with a progress bar')
    .option('--server <id>', 'only this server', positiveInteger)
    .action((options: { server?: number }, command: Command) =>
      withConnection(command, async (connection, output) => {
        const servers = options.server
          ? [{ id: options.server }]
          : expectOk<{ items: { id: number; enabled: boolean }[] }>(
              await connection.request('GET', '/v1/servers'),
            ).items.filter((s) => s.enabled);
        const bar = output.json ? undefined : createBar('usage sync');
        const results: ServerResult[] = [];
        try {
          for (const [index, server] of servers.entries()) {
            const answer = await connection.request('POST', '/v1/usage/sync', { serverId: server.id });
            // Servers whose module reports no usage answer usage.no_server: nothing to read there.
            if (answer.status === 404 && !options.server) continue;
            results.push(...expectOk<{ servers: ServerResult[] }>(answer).servers);
            bar?.update((index + 1) / servers.length, `server ${server.id}`);
          }
        } finally {
          bar?.stop();
        }
        print(output, results, () =>
          renderTable(results, ['serverId', 'serverName', 'services', 'updated', 'error']),
        );
        if (results.some((r) => r.error)) process.exitCode = 1;
      }),
    );
}
