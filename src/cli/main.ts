#!/usr/bin/env node
import { createRequire } from 'node:module';
import { Command, Option } from 'commander';
import { registerAdminCommands } from './commands/admin.js';
import { registerCatalogueCommands } from './commands/catalogue.js';
import { registerClientCommands } from './commands/clients.js';
import { registerMaintenanceCommands } from './commands/maintenance.js';
import { registerOperationCommands } from './commands/operations.js';
import { registerReconcileCommands } from './commands/reconcile.js';
import { registerServerCommands } from './commands/servers.js';
import { registerServiceCommands } from './commands/services.js';
import { registerUsageCommands } from './commands/usage.js';
import { registerWebhookCommands } from './commands/webhooks.js';
import { registerWhmcsCommands } from './commands/whmcs.js';

const { version } = createRequire(import.meta.url)('../../package.json') as { version: string };

const program = new Command('provisio')
  .description('provisio: durable provisioning engine for hosting providers')
  .version(version, '-V, --version', 'print the version')
  .addOption(new Option('--url <url>', 'a remote engine; without it, the local database').env('PROVISIO_URL'))
  .addOption(new Option('--token <token>', 'API token for --url').env('PROVISIO_TOKEN'))
  .option('--json', 'machine-readable output')
  .option('--config <file>', 'config file (PROVISIO_CONFIG)')
  .option('--db <path>', 'SQLite database file (PROVISIO_SQLITE_PATH)')
  .showHelpAfterError()
  .exitOverride((error) => {
    process.exit(error.exitCode === 1 && error.code !== 'commander.help' ? 2 : error.exitCode);
  });

registerAdminCommands(program);
registerServerCommands(program);
registerCatalogueCommands(program);
registerClientCommands(program);
registerServiceCommands(program);
registerOperationCommands(program);
registerUsageCommands(program);
registerReconcileCommands(program);
registerWebhookCommands(program);
registerMaintenanceCommands(program);
registerWhmcsCommands(program);

await program.parseAsync(process.argv);
