import { legacyModuleError } from '../../core/errors.js';
import { checkOperation } from './activation.js';
import type { Dci6Client } from './client.js';
import type { DiagnosticsBody } from './routes.js';
import {
  abortIfRunning,
  type Dci6Context,
  dataPorts,
  findOrCreateUser,
  isPoweredOn,
  powerOnIfOff,
  resolveTemplate,
  setDataPorts,
  setOwner,
  waitUntilIdle,
  withClient,
} from './server-ops.js';

/**
 * Termination (product docs "Service deletion", spec §6.4), eight steps in the documented order.
 * The first step checks the server is still this client's: a server that a finished termination
 * already released (and that may belong to someone else now) is never touched again.
 */

/** DCImanager gives diagnostics at most 60 minutes (spec §6.4, S10). */
export const DIAGNOSTICS_LIMIT_MS = 60 * 60_000;
const DIAGNOSTICS_CHECK_EVERY_MS = 60_000;

async function startDiagnostics(
  ctx: Dci6Context,
  client: Dci6Client,
  serverId: number,
): Promise<{ operationId: number; startedAt: number }> {
  const before = await client.getServer(serverId);
  const template = await resolveTemplate(client, ctx.settings.diagTemplate || 'Diag6', 'diag');
  const body: DiagnosticsBody = {
    template: template.id,
    clean_disks: !ctx.settings.disableDiskClearing,
    ...(ctx.settings.diagIpPool ? { ip_pool: [Number(ctx.settings.diagIpPool)] } : {}),
  };
  await client.call('diagnostics', { params: { id: serverId }, body });
  const after = await client.getServer(serverId);
  if (!after.operation || after.operation.id === before.operation?.id) {
    throw legacyModuleError(
      'remote',
      `${client.where} accepted diagnostics on server ${serverId} but started no operation`,
      {
        code: 'dcimanager6.diagnostics_not_started',
      },
    );
  }
  return { operationId: after.operation.id, startedAt: ctx.now() };
}

type DiagnosticsOutcome = 'ok' | 'failed' | 'timed-out';

export async function terminate(ctx: Dci6Context): Promise<void> {
  const recorded = ctx.remote.get('serverId');
  if (!recorded) return;
  const serverId = Number(recorded);
  await withClient(ctx, async (client) => {
    const ours = await ctx.step('check-owner', async () => {
      const server = await client.getServer(serverId);
      return (server.owner_email ?? '').toLowerCase() === ctx.client.email.toLowerCase();
    });
    // Until the last step, a lookup after a lost answer must not read the changed owner as "gone".
    await ctx.remote.set('terminating', '1');
    if (!ours) {
      ctx.logger.info('server already released; nothing to terminate', { serverId });
      await ctx.updateService({ dedicatedIp: null, assignedIps: [] });
      await ctx.remote.delete('terminating');
      return;
    }
    await ctx.step('1-enable-ports', async () =>
      setDataPorts(client, await client.getServer(serverId), 'up'),
    );
    await ctx.step('2-power-on', async () => powerOnIfOff(client, await client.getServer(serverId)));
    const aborted = await ctx.step('3-abort-operation', async () =>
      abortIfRunning(client, await client.getServer(serverId)),
    );
    if (aborted) await waitUntilIdle(ctx, client, serverId, 'terminate-aborted-operation-stopped');
    await ctx.step('4-delete-ips', async () => {
      const server = await client.getServer(serverId);
      for (const ip of server.ip) await client.call('deleteIp', { params: { ipId: ip.id } });
      return server.ip.length;
    });
    await ctx.updateService({ dedicatedIp: null, assignedIps: [] });
    await ctx.step('5-change-owner', async () => {
      const releaseEmail = ctx.settings.ownerAfterTerminate;
      if (!releaseEmail) return setOwner(client, serverId, null);
      const user = await findOrCreateUser(client, releaseEmail, null, '', 'owning a released server');
      return setOwner(client, serverId, user.id);
    });
    const diag = await ctx.step('6-start-diagnostics', () => startDiagnostics(ctx, client, serverId));
    const outcome = await ctx.wait<DiagnosticsOutcome>(
      'diagnostics',
      async () => {
        const result = await checkOperation(ctx, client, serverId, diag.operationId, 'diagnostics');
        if (result) return result.phase;
        return ctx.now() - diag.startedAt >= DIAGNOSTICS_LIMIT_MS ? 'timed-out' : undefined;
      },
      // The wait's own limit is a backstop; the 60-minute limit above decides first.
      { every: DIAGNOSTICS_CHECK_EVERY_MS, timeout: DIAGNOSTICS_LIMIT_MS + 10 * DIAGNOSTICS_CHECK_EVERY_MS },
    );
    if (outcome === 'failed')
      ctx.logger.warn('diagnostics after termination failed; check the server in DCImanager', { serverId });
    if (outcome === 'timed-out') {
      if (ctx.settings.shutdownAfterTerminate) {
        await ctx.step('6-abort-diagnostics', async () =>
          abortIfRunning(client, await client.getServer(serverId)),
        );
      } else {
        ctx.logger.warn('diagnostics still running after 60 minutes; left running', { serverId });
      }
    }
    if (ctx.settings.shutdownAfterTerminate) {
      await ctx.step('7-shutdown', async () => {
        const server = await client.getServer(serverId);
        if (isPoweredOn(server)) await client.call('powerOff', { params: { id: serverId } });
      });
    }
    if (ctx.settings.disablePortsAfterTerminate) {
      await ctx.step('8-disable-ports', async () => {
        const server = await client.getServer(serverId);
        return dataPorts(server).length > 0 ? setDataPorts(client, server, 'down') : [];
      });
    }
    await ctx.remote.delete('activated');
    await ctx.remote.delete('terminating');
  });
}
