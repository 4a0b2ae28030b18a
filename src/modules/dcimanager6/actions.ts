import type { CustomAction } from '../contract.js';
import { checkOperation, recordServiceIps, startOsInstall } from './activation.js';
import type { Dci6Client } from './client.js';
import { dcimanager6Errors as errors } from './errors.js';
import type { DciTemplate, RouteName } from './routes.js';
import {
  abortIfRunning,
  type Dci6Context,
  dataPorts,
  ownedServer,
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
      throw errors.error(
        'dcimanager6.no_switch_ports',
        `DCImanager server ${server.id} has no switch ports in its settings, so it cannot be ${status === 'down' ? 'suspended' : 'unsuspended'}: connect its switch ports in DCImanager first`,
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

/** The OS templates the backend offers (what the `os` argument's loader lists). */
export async function offeredOsTemplates(client: Dci6Client): Promise<DciTemplate[]> {
  const found = await client.list<DciTemplate>('osTemplateList', { limit: '0,1000' });
  return found.list.filter((template) => template.type === undefined || template.type === 'os');
}

/** The template the reinstall asked for, by name (or id); refused when the backend does not offer it. */
async function requestedTemplate(ctx: Dci6Context, client: Dci6Client): Promise<DciTemplate> {
  const asked = typeof ctx.args.os === 'string' ? ctx.args.os.trim() : '';
  if (!asked)
    throw errors.error(
      'dcimanager6.order_invalid',
      `reinstall-os needs the argument os: the name of an OS template, e.g. {"args":{"os":"Debian 12"}}`,
    );
  const offered = await offeredOsTemplates(client);
  const match = offered.find((template) => template.name === asked || String(template.id) === asked);
  if (!match)
    throw errors.error(
      'dcimanager6.os_not_offered',
      `${client.where} offers no OS template "${asked}"; nothing was changed. It offers: ${offered.map((t) => t.name).join(', ') || 'none'}`,
    );
  return match;
}

/**
 * Reinstall with the OS the caller named (issue 11: the argument used to be ignored and the
 * product default installed). The name is checked against the backend's templates before anything
 * running on the server is aborted.
 */
const reinstallOs: CustomAction<Dci6Settings> = {
  label: 'Reinstall OS',
  description:
    'Wipes the server and installs the chosen OS template; the root password is the service password.',
  destructive: true,
  arguments: [
    {
      name: 'os',
      label: 'Operating system',
      type: 'choice',
      required: true,
      loader: 'osTemplates',
      description: 'An OS template DCImanager offers.',
    },
  ],
  async run(ctx) {
    await withClient(ctx, async (client) => {
      const template = await ctx.step('resolve-os', async () => {
        const { id, name } = await requestedTemplate(ctx, client);
        return { id, name };
      });
      const server = await ownedServer(ctx, client);
      const round = `reinstall-${ctx.operationId}`;
      const aborted = await ctx.step('abort-operation', async () =>
        abortIfRunning(client, await ownedServer(ctx, client)),
      );
      if (aborted) await waitUntilIdle(ctx, client, server.id, 'aborted-operation-stopped');
      const operationId = await ctx.step('start-os-install', () =>
        startOsInstall(ctx, client, template.id, round),
      );
      const outcome = await ctx.wait(
        'os-install',
        () => checkOperation(ctx, client, server.id, operationId, 'OS reinstall'),
        {
          every: 60_000,
          timeout: ctx.settings.osInstallTimeoutMinutes * 60_000,
          message: `OS reinstall (${template.name}) on DCImanager server ${server.id} did not finish within ${ctx.settings.osInstallTimeoutMinutes} minutes`,
        },
      );
      if (outcome.phase === 'failed')
        throw errors.error(
          'dcimanager6.install_failed',
          `OS reinstall (${template.name}) on DCImanager server ${server.id} failed: ${outcome.message}`,
        );
      await recordServiceIps(ctx, client, server.id);
    });
  },
};

export const dci6CustomActions: Readonly<Record<string, CustomAction<Dci6Settings>>> = {
  'power-on': powerAction('Power on', 'powerOn'),
  'power-off': { ...powerAction('Power off', 'powerOff'), destructive: true },
  reboot: { ...powerAction('Reboot', 'powerReset'), destructive: true },
  'reinstall-os': reinstallOs,
};
