import { legacyModuleError } from '../../core/errors.js';
import { defineModule, type Loader, type ServerContext, type TestConnectionResult } from '../contract.js';
import { adminView, clientView, dci6CustomActions, lookupServer, switchPorts } from './actions.js';
import { activate } from './activation.js';
import type { Dci6Client } from './client.js';
import type { DciLocation, DciPool, DciTemplate, DciUser } from './routes.js';
import { withClient } from './server-ops.js';
import { type Dci6Settings, dci6ConfigOptions, dci6SettingsSchema } from './settings.js';
import { terminate } from './termination.js';

/**
 * DCImanager 6 dedicated servers, modelled on ISPsystem's WHMCS module `whmcs_isp_dci6`
 * (product docs) over the HTTP API of `specs/dcimanager6.md`. Activation ends in an OS install
 * that can take an hour: it waits with `ctx.wait`, so no worker is held meanwhile.
 */

const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

/** The configured login must be exactly one `@admin` user (vendor VM6 module's check). */
async function checkAdmin(client: Dci6Client, email: string): Promise<DciUser> {
  const found = await client.list<DciUser>('userList', {
    where: `(email EQ '${email.replace(/'/g, "''")}')`,
  });
  if (found.list.length === 0) {
    throw legacyModuleError('auth', `${client.where}: User not found (${email}) in the user list`, {
      code: 'dcimanager6.admin_not_found',
    });
  }
  const roles = found.list.length === 1 ? found.list[0]?.roles : undefined;
  const list = Array.isArray(roles) ? roles : [roles];
  if (!list.includes('@admin')) {
    throw legacyModuleError(
      'auth',
      `${client.where}: No admin permissions for ${email}; the module needs a user with the @admin role`,
      {
        code: 'dcimanager6.not_admin',
      },
    );
  }
  return found.list[0] as DciUser;
}

async function testConnection(ctx: ServerContext): Promise<TestConnectionResult> {
  const { username, secret } = ctx.server;
  if (!username || !EMAIL.test(username)) {
    throw legacyModuleError(
      'invalid-input',
      'the username of a DCImanager 6 server must be the admin email address',
      { code: 'dcimanager6.username_not_email' },
    );
  }
  if (!secret)
    throw legacyModuleError('invalid-input', 'the DCImanager 6 admin password is empty', {
      code: 'dcimanager6.password_empty',
    });
  return withClient(ctx, async (client) => {
    await client.login();
    await checkAdmin(client, username);
    const servers = await client.list('serverList', { limit: '0,1' });
    const configurations = await client.list<{ configuration: string; free_server_count?: number }>(
      'configurationList',
    );
    const free = configurations.list.reduce((sum, entry) => sum + (entry.free_server_count ?? 0), 0);
    return {
      summary: `${client.where}: ${servers.size} servers, ${free} free in ${configurations.list.length} configurations`,
      details: { servers: String(servers.size), freeServers: String(free), admin: username },
    };
  });
}

function listLoader<T>(
  route: 'configurationList' | 'osTemplateList' | 'ipPoolList' | 'locationList',
  pick: (item: T) => { value: string; label: string } | undefined,
): Loader {
  return (ctx) =>
    withClient(ctx, async (client) => {
      const found = await client.list<T>(route, { limit: '0,1000' });
      return found.list.map(pick).filter((choice) => choice !== undefined);
    });
}

export const dcimanager6Module = defineModule<Dci6Settings>({
  id: 'dcimanager6',
  displayName: 'DCImanager 6',
  server: { credential: 'password', defaultPort: { plain: 80, secure: 443 }, secureByDefault: true },
  settings: dci6SettingsSchema,
  configOptions: dci6ConfigOptions,
  testConnection,
  create: activate,
  suspend: (ctx) => switchPorts(ctx, 'down'),
  unsuspend: (ctx) => switchPorts(ctx, 'up'),
  terminate,
  lookup: lookupServer,
  clientArea: clientView,
  adminFields: adminView,
  actions: dci6CustomActions,
  loaders: {
    configurations: listLoader<{ configuration: string; free_server_count?: number }>(
      'configurationList',
      (entry) => ({
        value: entry.configuration,
        label: `${entry.configuration} (${entry.free_server_count ?? 0} free)`,
      }),
    ),
    osTemplates: listLoader<DciTemplate>('osTemplateList', (template) =>
      template.type === undefined || template.type === 'os'
        ? { value: template.name, label: template.name }
        : undefined,
    ),
    ipPools: listLoader<DciPool>('ipPoolList', (pool) => ({
      value: String(pool.id),
      label: `${pool.name} (#${pool.id})`,
    })),
    locations: listLoader<DciLocation>('locationList', (location) => ({
      value: String(location.id),
      label: `${location.name} (#${location.id})`,
    })),
  },
});
