import { readFileSync } from 'node:fs';
import type { Command } from 'commander';
import { CliError } from '../connection.js';
import { collect, parseAssignments, positiveInteger, withConnection } from '../context.js';
import { print, renderTable } from '../output.js';
import { addDeleteCommand } from './servers.js';
import { addListCommand, addShowCommand, call, namesById, printRecord, readJsonFile } from './shared.js';

const PRODUCT_COLUMNS = ['id', 'name', 'module', 'productType', 'serverGroupId', 'group'];

interface FieldDescription {
  name: string;
  label: string;
  type: string;
  required: boolean;
  secret: boolean;
  default?: unknown;
  options?: { value: string }[];
  loader?: string;
}

interface ModuleDescription {
  id: string;
  displayName: string;
  server: {
    credential: string;
    defaultPort: { plain: number; secure: number };
    settings: FieldDescription[];
  };
  productTypes: { id: string | null; displayName: string; settings: FieldDescription[] }[];
  actions: {
    name: string;
    label: string;
    destructive: boolean;
    arguments: { name: string; type: string; required?: boolean }[];
  }[];
  lifecycle: string[];
}

function settingsOf(options: { setting: string[]; settingsFile?: string }) {
  return {
    ...(options.settingsFile ? readJsonFile(options.settingsFile, 'settings') : {}),
    ...parseAssignments(options.setting),
  };
}

function fieldLine(field: FieldDescription): string {
  const facts = [
    field.type,
    field.required ? 'required' : '',
    field.secret ? 'secret' : '',
    field.default !== undefined && field.default !== '' ? `default ${String(field.default)}` : '',
    field.options ? `one of ${field.options.map((o) => o.value).join('|')}` : '',
    field.loader ? `choices: provisio product choices --field ${field.name}` : '',
  ].filter(Boolean);
  return `    ${field.name.padEnd(28)} ${field.label} (${facts.join(', ')})`;
}

function describe(module: ModuleDescription): string {
  const lines = [
    `${module.id}: ${module.displayName}`,
    `  server: ${module.server.credential}, ports ${module.server.defaultPort.plain} plain / ${module.server.defaultPort.secure} TLS`,
    ...module.server.settings.map(fieldLine),
    `  actions: ${module.lifecycle.join(', ')}`,
  ];
  for (const type of module.productTypes) {
    lines.push(
      `  product${type.id ? ` type ${type.id} (${type.displayName})` : ''} settings:`,
      ...type.settings.map(fieldLine),
    );
  }
  for (const action of module.actions) {
    const args = action.arguments.map((a) => `${a.name}${a.required ? '' : '?'}:${a.type}`).join(' ');
    lines.push(
      `  custom action ${action.name}: ${action.label}${action.destructive ? ' (destructive)' : ''}${args ? ` — ${args}` : ''}`,
    );
  }
  return lines.join('\n');
}

export function registerCatalogueCommands(program: Command): void {
  const module = program
    .command('module')
    .description('installed modules: their settings, product types and actions');
  module.command('list').action((_options: unknown, command: Command) =>
    withConnection(command, async (connection, output) => {
      const { items } = await call<{ items: ModuleDescription[] }>(connection, 'GET', '/v1/modules');
      const rows = items.map((m) => ({
        id: m.id,
        name: m.displayName,
        productTypes: m.productTypes.map((t) => t.id ?? '-').join(', '),
        actions: m.actions.map((a) => a.name).join(', '),
      }));
      print(output, items, () => renderTable(rows, ['id', 'name', 'productTypes', 'actions']));
    }),
  );
  module.command('show <id>').action((id: string, _options: unknown, command: Command) =>
    withConnection(command, async (connection, output) => {
      const found = await call<ModuleDescription>(connection, 'GET', `/v1/modules/${encodeURIComponent(id)}`);
      print(output, found, () => describe(found));
    }),
  );

  const product = program
    .command('product')
    .description('products: what is sold, with its module settings and server group');
  product
    .command('add')
    .requiredOption('--name <name>')
    .requiredOption('--module <module>')
    .option('--type <productType>', 'product type, for modules that sell several (provisio module show ID)')
    .option('--group <id>', 'server group', positiveInteger)
    .option('--setting <key=value>', 'module setting (repeatable)', collect, [])
    .option('--settings-file <file.json>', 'module settings as a JSON object (flags override it)')
    .option('--welcome-template-file <file>', 'welcome message template (Handlebars merge fields)')
    .action((options, command: Command) =>
      withConnection(command, async (connection, output) => {
        const body = {
          name: options.name,
          module: options.module,
          settings: settingsOf(options),
          ...(options.type ? { productType: options.type } : {}),
          ...(options.group ? { serverGroupId: options.group } : {}),
          ...(options.welcomeTemplateFile
            ? { welcomeTemplate: readFileSync(options.welcomeTemplateFile, 'utf8') }
            : {}),
        };
        printRecord(output, await call(connection, 'POST', '/v1/products', body));
      }),
    );
  addListCommand(product, 'products', {
    path: '/v1/products',
    columns: PRODUCT_COLUMNS,
    filters: [['module', 'module', 'only this module']],
    decorate: async (rows, connection) => {
      const groups = await namesById(connection, '/v1/server-groups');
      return rows.map((row) => ({ ...row, group: groups.get(row.serverGroupId as number) ?? '' }));
    },
  });
  addShowCommand(product, 'product', (id) => `/v1/products/${id}`);
  product
    .command('update <id>')
    .description(
      'change a product (settings are checked against the module; services keep theirs until change-package)',
    )
    .option('--name <name>')
    .option('--group <id>', 'server group', positiveInteger)
    .option('--no-group', 'no server group (no new services can be placed)')
    .option('--setting <key=value>', 'module setting (repeatable; the others keep their values)', collect, [])
    .option('--settings-file <file.json>', 'module settings as a JSON object')
    .option('--welcome-template-file <file>', 'welcome message template')
    .action((id: string, options, command: Command) =>
      withConnection(command, async (connection, output) => {
        const path = `/v1/products/${positiveInteger(id)}`;
        const body: Record<string, unknown> = {};
        if (options.name) body.name = options.name;
        if (command.getOptionValueSource('group') === 'cli')
          body.serverGroupId = options.group === false ? null : options.group;
        if (options.setting.length || options.settingsFile) {
          const current = await call<{ settings: Record<string, unknown> }>(connection, 'GET', path);
          body.settings = { ...current.settings, ...settingsOf(options) };
        }
        if (options.welcomeTemplateFile)
          body.welcomeTemplate = readFileSync(options.welcomeTemplateFile, 'utf8');
        if (Object.keys(body).length === 0)
          throw new CliError('nothing to change: give --name, --group, --setting, …', 2);
        printRecord(output, await call(connection, 'PATCH', path, body));
      }),
    );
  product
    .command('choices')
    .description("a dropdown's choices, asked from a server (settings fields with a loader)")
    .requiredOption('--module <module>')
    .requiredOption('--field <name>', 'the settings field')
    .requiredOption('--server <id>', 'the server to ask', positiveInteger)
    .option('--type <productType>')
    .option('--setting <key=value>', 'values of other fields the loader reads', collect, [])
    .action((options, command: Command) =>
      withConnection(command, async (connection, output) => {
        const body = {
          module: options.module,
          field: options.field,
          serverId: options.server,
          ...(options.type ? { productType: options.type } : {}),
          ...(options.setting.length ? { values: parseAssignments(options.setting) } : {}),
        };
        const { choices } = await call<{ choices: { value: string; label: string }[] }>(
          connection,
          'POST',
          '/v1/products/choices',
          body,
        );
        print(output, choices, () => renderTable(choices, ['value', 'label']));
      }),
    );
  addDeleteCommand(product, 'product', (id) => `/v1/products/${id}`);
}
