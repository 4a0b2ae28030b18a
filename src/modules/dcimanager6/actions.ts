import { legacyModuleError, ProvisioningError } from '../../core/errors.js';
import type { CustomAction, RemoteState, ViewField, ViewModel } from '../contract.js';
import { checkOperation, installRound, recordServiceIps, startOsInstall } from './activation.js';
import type { Dci6Client } from './client.js';
import { isOperationRunning, operationPhase, operationProgress } from './operation-status.js';
import { configOption } from './plan.js';
import type { DciServer, RouteName } from './routes.js';
import {
  abortIfRunning,
  type Dci6Context,
  dataPorts,
  hasAdminRole,
  ownedServer,
  serverIdOf,
  setDataPorts,
  waitUntilIdle,
  withClient,
} from './server-ops.js';
import type { Dci6Settings } from './settings.js';

/** Suspension switches the data ports off (the server keeps running, as BILLmanager's "Disable"). */
export async function switchPorts(ctx: Dci6Context, status: 'up' | 'down'): Promise<void> {
  await withClient(ctx, async (client) => {
    const server = await ownedServer(ctx, client);
    if (dataPorts(server).length === 0) {
      throw legacyModuleError(
        'unsupported',
        `DCImanager server ${server.id} has no switch ports in its settings, so it cannot be ${status === 'down' ? 'suspended' : 'unsuspended'}: connect its switch ports in DCImanager first`,
        { code: 'dcimanager6.no_switch_ports' },
      );
    }
    await ctx.step(`ports-${status}`, () => setDataPorts(client, server, status));
  });
}

function powerAction(label: string, route: RouteName): CustomAction<Dci6Settings> {
  return {
    label,
    async run(ctx) {
      await withClient(ctx, async (client) => {
        const server = await ownedServer(ctx, client);
        await ctx.step(route, () => client.call(route, { params: { id: server.id } }));
      });
    },
  };
}

const reinstallOs: CustomAction<Dci6Settings> = {
  label: 'Reinstall OS',
  async run(ctx) {
    const template = configOption(ctx.configOptions, 'os') ?? ctx.settings.osTemplate;
    if (!template)
      throw legacyModuleError('invalid-input', 'no OS template: set "Operation system" or the os option', {
        code: 'dcimanager6.no_template',
      });
    await withClient(ctx, async (client) => {
      const server = await ownedServer(ctx, client);
      const round = `reinstall-${ctx.operationId}`;
      const aborted = await ctx.step('abort-operation', () => abortIfRunning(client, server));
      if (aborted) await waitUntilIdle(ctx, client, server.id, 'aborted-operation-stopped');
      const operationId = await ctx.step('start-os-install', () =>
        startOsInstall(ctx, client, server.id, template, round),
      );
      const outcome = await ctx.wait(
        'os-install',
        () => checkOperation(ctx, client, server.id, operationId, 'OS reinstall'),
        {
          every: 60_000,
          timeout: ctx.settings.osInstallTimeoutMinutes * 60_000,
          message: `OS reinstall on DCImanager server ${server.id} did not finish within ${ctx.settings.osInstallTimeoutMinutes} minutes`,
        },
      );
      if (outcome.phase === 'failed') {
        throw legacyModuleError(
          'remote',
          `OS reinstall on DCImanager server ${server.id} failed: ${outcome.message}`,
          { code: 'dcimanager6.install_failed' },
        );
      }
      await recordServiceIps(ctx, client, server.id);
    });
  },
};

export const dci6CustomActions: Readonly<Record<string, CustomAction<Dci6Settings>>> = {
  'power-on': powerAction('Power on', 'powerOn'),
  'power-off': powerAction('Power off', 'powerOff'),
  reboot: powerAction('Reboot', 'powerReset'),
  'reinstall-os': reinstallOs,
};

/** Does the service's server exist and is it still this client's (engine lookup after a lost answer). */
export async function lookupServer(ctx: Dci6Context): Promise<RemoteState | null> {
  const id = ctx.remote.get('serverId');
  if (!id) return null;
  return withClient(ctx, async (client) => {
    let server: DciServer;
    try {
      server = await client.getServer(Number(id));
    } catch (error) {
      if (error instanceof ProvisioningError && error.kind === 'not-found') return null;
      throw error;
    }
    const remoteIds = { serverId: id };
    if (ctx.remote.get('terminating') === '1') return { status: 'pending', remoteIds };
    if ((server.owner_email ?? '').toLowerCase() !== ctx.client.email.toLowerCase()) return null;
    // Until the activation has run to its end, the service is not ready whatever the server shows.
    if (ctx.remote.get('activated') !== '1') return { status: 'pending', remoteIds };
    const ports = dataPorts(server);
    const suspended = ports.length > 0 && ports.every((port) => port.admin_status === 'down');
    return { status: suspended ? 'suspended' : 'active', remoteIds };
  });
}

function serverFields(server: DciServer): ViewField[] {
  const lasting = server.ip.filter((ip) => !ip.is_temporary);
  const fields: ViewField[] = [
    { label: 'IP addresses', value: lasting.map((ip) => ip.name).join(', ') || 'none' },
    { label: 'Operating system', value: server.os_template?.name ?? 'none' },
    { label: 'Power', value: server.power_status },
  ];
  if (server.operation && isOperationRunning(server.operation)) {
    fields.push({ label: 'Running operation', value: operationProgress(server.operation) });
  } else if (server.operation) {
    fields.push({ label: 'Last operation', value: operationPhase(server.operation.status) });
  }
  return fields;
}

/** A one-hour sign-in key for the client's DCImanager user; never for an administrator. */
async function clientLoginUrl(ctx: Dci6Context, client: Dci6Client): Promise<string | undefined> {
  const user = await client.findUserByEmail(ctx.client.email);
  if (!user || hasAdminRole(user)) return undefined;
  const answer = await client.call<{ key?: string }>('userKey', { params: { email: user.email } });
  if (!answer.key) return undefined;
  ctx.addSecret(answer.key);
  return `${client.baseUrl}/auth/key-v4/${encodeURIComponent(answer.key)}`;
}

export async function clientView(ctx: Dci6Context): Promise<ViewModel> {
  return withClient(ctx, async (client) => {
    const server = await client.getServer(serverIdOf(ctx));
    const loginUrl = await clientLoginUrl(ctx, client);
    return { fields: serverFields(server), ...(loginUrl ? { loginUrl } : {}) };
  });
}

export async function adminView(ctx: Dci6Context): Promise<ViewModel> {
  return withClient(ctx, async (client) => {
    const server = await client.getServer(serverIdOf(ctx));
    return {
      fields: [
        { label: 'DCImgr server ID', value: String(server.id) },
        { label: 'Configuration', value: server.configuration },
        { label: 'Owner', value: server.owner_email ?? 'none' },
        {
          label: 'Switch ports',
          value:
            dataPorts(server)
              .map((port) => `${port.description ?? port.id}: ${port.admin_status}`)
              .join(', ') || 'none',
        },
        { label: 'Install round', value: installRound(ctx) },
        ...serverFields(server),
      ],
    };
  });
}
