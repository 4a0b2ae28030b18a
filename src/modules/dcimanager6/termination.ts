import { checkOperation } from './activation.js';
import type { Dci6Client } from './client.js';
import { dcimanager6Errors as errors } from './errors.js';
import { carriesMarkOf, holderOf, serverLabel } from './mark.js';
import type { DiagnosticsBody } from './routes.js';
import {
  abortIfRunning,
  type Dci6Context,
  dataPorts,
  findOrCreateUser,
  isPoweredOn,
  ownedServer,
  powerOnIfOff,
  removeMark,
  resolveTemplate,
  setDataPorts,
  setOwner,
  waitUntilIdle,
  withClient,
} from './server-ops.js';

/**
 * Termination (product docs "Service deletion", docs/specs/dcimanager6.md §6.4), eight steps in
 * the documented order, then the mark comes off (§13). Every step checks the server still carries
 * this service's mark: a server that a finished termination already released (and that may be
 * someone else's now) is never touched again, and one that staff gave away by hand is refused.
 */

/** DCImanager gives diagnostics at most 60 minutes (spec §6.4, S10). */
export const DIAGNOSTICS_LIMIT_MS = 60 * 60_000;
const DIAGNOSTICS_CHECK_EVERY_MS = 60_000;

interface StartedDiagnostics {
  operationId: number;
  startedAt: number;
}

/**
 * Starts diagnostics with disk clearing, at most once per termination: the operation id seen
 * before the request is saved first, so a re-run after a lost answer or a crash adopts the
 * diagnostics the request started instead of clearing the disks a second time (issue 17).
 */
async function startDiagnostics(ctx: Dci6Context, client: Dci6Client): Promise<StartedDiagnostics> {
  const before = await ownedServer(ctx, client);
  const serverId = before.id;
  const baseline = ctx.remote.get('diagnosticsBaseline');
  if (baseline !== undefined && before.operation && String(before.operation.id) !== baseline)
    return {
      operationId: before.operation.id,
      startedAt: Number(ctx.remote.get('diagnosticsStartedAt') ?? ctx.now()),
    };
  const template = await resolveTemplate(client, ctx.settings.diagTemplate || 'Diag6', 'diag');
  await ctx.remote.set('diagnosticsBaseline', String(before.operation?.id ?? 0));
  await ctx.remote.set('diagnosticsStartedAt', String(ctx.now()));
  const body: DiagnosticsBody = {
    template: template.id,
    clean_disks: !ctx.settings.disableDiskClearing,
    ...(ctx.settings.diagIpPool ? { ip_pool: [Number(ctx.settings.diagIpPool)] } : {}),
  };
  await client.call('diagnostics', { params: { id: serverId }, body });
  const after = await client.getServer(serverId);
  if (!after.operation || after.operation.id === before.operation?.id)
    throw errors.error(
      'dcimanager6.diagnostics_not_started',
      `${client.where} accepted diagnostics on server ${serverId} but started no operation`,
    );
  return { operationId: after.operation.id, startedAt: Number(ctx.remote.get('diagnosticsStartedAt')) };
}

type DiagnosticsOutcome = 'ok' | 'failed' | 'timed-out';

async function waitForDiagnostics(
  ctx: Dci6Context,
  client: Dci6Client,
  serverId: number,
  diag: StartedDiagnostics,
): Promise<DiagnosticsOutcome> {
  return ctx.wait<DiagnosticsOutcome>(
    'diagnostics',
    async () => {
      const result = await checkOperation(ctx, client, serverId, diag.operationId, 'diagnostics');
      if (result) return result.phase;
      return ctx.now() - diag.startedAt >= DIAGNOSTICS_LIMIT_MS ? 'timed-out' : undefined;
    },
    // The wait's own limit is a backstop; the 60-minute limit above decides first.
    { every: DIAGNOSTICS_CHECK_EVERY_MS, timeout: DIAGNOSTICS_LIMIT_MS + 10 * DIAGNOSTICS_CHECK_EVERY_MS },
  );
}

/** Forgets what this termination kept, once its last step is done. */
async function forgetServer(ctx: Dci6Context): Promise<void> {
  for (const key of ['activated', 'terminating', 'diagnosticsBaseline', 'diagnosticsStartedAt', 'serverId'])
    await ctx.remote.delete(key);
  await ctx.updateService({ dedicatedIp: null, assignedIps: [] });
}

export async function terminate(ctx: Dci6Context): Promise<void> {
  const recorded = ctx.remote.get('serverId');
  if (!recorded) return;
  const serverId = Number(recorded);
  await withClient(ctx, async (client) => {
    await ctx.step('check-mark', async () => {
      const server = await client.getServer(serverId);
      if (carriesMarkOf(server, ctx.service.id)) return;
      throw errors.error(
        'dcimanager6.not_ours',
        `${serverLabel(server)} on ${client.where} does not carry the mark of service ${ctx.service.id} (it is ${holderOf(server)}): it was released or given away by hand, so termination touches nothing. Check it in DCImanager; if it is this service's, adopt it first (\`provisio service adopt ${ctx.service.id}\`)`,
      );
    });
    // Until the last step, a lookup after a lost answer must not read the changed owner as "gone".
    await ctx.remote.set('terminating', '1');
    await ctx.step('1-enable-ports', async () => setDataPorts(client, await ownedServer(ctx, client), 'up'));
    await ctx.step('2-power-on', async () => powerOnIfOff(client, await ownedServer(ctx, client)));
    const aborted = await ctx.step('3-abort-operation', async () =>
      abortIfRunning(client, await ownedServer(ctx, client)),
    );
    if (aborted) await waitUntilIdle(ctx, client, serverId, 'terminate-aborted-operation-stopped');
    await ctx.step('4-delete-ips', async () => {
      const server = await ownedServer(ctx, client);
      for (const ip of server.ip) await client.call('deleteIp', { params: { ipId: ip.id } });
      return server.ip.length;
    });
    await ctx.updateService({ dedicatedIp: null, assignedIps: [] });
    await ctx.step('5-change-owner', async () => {
      await ownedServer(ctx, client);
      const releaseEmail = ctx.settings.ownerAfterTerminate;
      if (!releaseEmail) return setOwner(client, serverId, null);
      const user = await findOrCreateUser(client, releaseEmail, null, '', 'owning a released server');
      return setOwner(client, serverId, user.id);
    });
    const diag = await ctx.step('6-start-diagnostics', () => startDiagnostics(ctx, client));
    const outcome = await waitForDiagnostics(ctx, client, serverId, diag);
    if (outcome === 'failed')
      await ctx.warn(
        `diagnostics after termination failed on server ${serverId}: check the server in DCImanager`,
      );
    if (outcome === 'timed-out') {
      if (ctx.settings.shutdownAfterTerminate) {
        await ctx.step('6-abort-diagnostics', async () =>
          abortIfRunning(client, await ownedServer(ctx, client)),
        );
      } else {
        await ctx.warn(`diagnostics on server ${serverId} still running after 60 minutes; left running`);
      }
    }
    if (ctx.settings.shutdownAfterTerminate) {
      await ctx.step('7-shutdown', async () => {
        const server = await ownedServer(ctx, client);
        if (isPoweredOn(server)) await client.call('powerOff', { params: { id: serverId } });
      });
    }
    if (ctx.settings.disablePortsAfterTerminate) {
      await ctx.step('8-disable-ports', async () => {
        const server = await ownedServer(ctx, client);
        return dataPorts(server).length > 0 ? setDataPorts(client, server, 'down') : [];
      });
    }
    await ctx.step('9-remove-mark', () => removeMark(client, serverId, ctx.service.id));
    await forgetServer(ctx);
  });
}
