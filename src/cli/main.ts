#!/usr/bin/env node
import { Command, Option } from 'commander';
import { registerAdminCommands } from './commands/admin.js';
import { registerMaintenanceCommands } from './commands/maintenance.js';
import { registerOperationCommands } from './commands/operations.js';
import { registerRecordCommands } from './commands/records.js';
import { registerServiceCommands } from './commands/services.js';
import { registerUsageCommands } from './commands/usage.js';
import { registerWebhookCommands } from './commands/webhooks.js';

const program = new Command('provisio')
  .description('provisio: durable provisioning engine for hosting providers')
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
registerRecordCommands(program);
registerServiceCommands(program);
registerOperationCommands(program);
registerUsageCommands(program);
registerWebhookCommands(program);
registerMaintenanceCommands(program);

await program.parseAsync(process.argv);
