import { defineModule, type Loader, type ServerContext, type TestConnectionResult } from '../contract.js';
import { dci6CustomActions, offeredOsTemplates, switchPorts } from './actions.js';
import { activate } from './activation.js';
import type { Dci6Client } from './client.js';
import { dcimanager6Errors as errors } from './errors.js';
import { adoptServer, lookupServer } from './lookup.js';
import { changePassword } from './password.js';
import { listRemoteServers, packageDrift, remoteKeyOf, usageOfServers } from './reconcile.js';
import type { DciLocation, DciPool, DciUser } from './routes.js';
import { withClient } from './server-ops.js';
import { endAllSessions } from './sessions.js';
import { type Dci6Settings, dci6ConfigOptions, dci6SettingsSchema } from './settings.js';
import { terminate } from './termination.js';
import { adminView, clientView, loginUrl } from './views.js';

/**
 * DCImanager 6 dedicated servers, modelled on ISPsystem's WHMCS module `whmcs_isp_dci6`
 * (product docs) over the HTTP API of docs/specs/dcimanager6.md. Activation ends in an OS install
 * that can take an hour: it waits with `ctx.wait`, so no worker is held meanwhile. A server is a
 * service's when it carries that service's mark (a line of the server comment, §13).
 */

const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

/** The configured login must be exactly one `@admin` user (vendor VM6 module's check). */
async function checkAdmin(client: Dci6Client, email: string): Promise<DciUser> {
  const found = await client.list<DciUser>('userList', {
    where: `(email EQ '${email.replace(/'/g, "''")}')`,
  });
  if (found.list.length === 0)
    throw errors.error(
      'dcimanager6.admin_not_found',
      `${client.where}: User not found (${email}) in the user list`,
    );
  const roles = found.list.length === 1 ? found.list[0]?.roles : undefined;
  const list = Array.isArray(roles) ? roles : [roles];
  if (!list.includes('@admin'))
    throw errors.error(
      'dcimanager6.not_admin',
      `${client.where}: No admin permissions for ${email}; the module needs a user with the @admin role`,
    );
  return found.list[0] as DciUser;
}

async function testConnection(ctx: ServerContext): Promise<TestConnectionResult> {
  const { username, secret } = ctx.server;
  if (!username || !EMAIL.test(username))
    throw errors.error(
      'dcimanager6.username_not_email',
      'the username of a DCImanager 6 server must be the admin email address',
    );
  if (!secret) throw errors.error('dcimanager6.password_empty', 'the DCImanager 6 admin password is empty');
  return withClient(ctx, async (client) => {
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
  route: 'configurationList' | 'ipPoolList' | 'locationList',
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
  errors,
  testConnection,
  create: activate,
  suspend: (ctx) => switchPorts(ctx, 'down'),
  unsuspend: (ctx) => switchPorts(ctx, 'up'),
  terminate,
  changePassword,
  lookup: lookupServer,
  adopt: adoptServer,
  loginUrl,
  listRemote: listRemoteServers,
  remoteKeyOf,
  packageDrift,
  usage: usageOfServers,
  clientArea: clientView,
  adminFields: adminView,
  actions: dci6CustomActions,
  close: endAllSessions,
  loaders: {
    configurations: listLoader<{ configuration: string; free_server_count?: number }>(
      'configurationList',
      (entry) => ({
        value: entry.configuration,
        label: `${entry.configuration} (${entry.free_server_count ?? 0} free)`,
      }),
    ),
    osTemplates: (ctx) =>
      withClient(ctx, async (client) =>
        (await offeredOsTemplates(client)).map((template) => ({
          value: template.name,
          label: template.name,
        })),
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
