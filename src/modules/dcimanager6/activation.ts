import { type Dci6Client, whereValue } from './client.js';
import { dcimanager6Errors as errors } from './errors.js';
import { carriesMarkOf, holderOf, markedServiceId, serverLabel } from './mark.js';
import { isServerFree, operationMessage, operationPhase, operationProgress } from './operation-status.js';
import { type ActivationPlan, planActivation } from './plan.js';
import type { AddIpBody, DciServer, OsInstallBody } from './routes.js';
import {
  abortIfRunning,
  type Dci6Context,
  findOrCreateUser,
  ownedServer,
  powerOnIfOff,
  resolveTemplate,
  serviceIps,
  setDataPorts,
  setOwner,
  waitUntilIdle,
  withClient,
  writeMark,
} from './server-ops.js';

/**
 * Activation (product docs "Service activation", docs/specs/dcimanager6.md §6.1). Every remote
 * change is its own journaled step, so a replay after a crash, a transient error or a wait check
 * skips what is done; each step also reads the server first, so a step whose answer was lost does
 * not repeat itself. A server is this service's only when it carries the service's mark (§13),
 * written before the owner is set: an owner alone (the client's email) proves nothing, since two
 * services of one client share their DCImanager user.
 */

/** How often the OS install is checked, in engine time. The vendor's VM6 module polls every 12 s. */
export const INSTALL_CHECK_EVERY_MS = 60_000;

const SEARCH_PAGE = 50;
/** Servers picked by an activation in this process but not marked yet, so two orders never pick one. */
const reservations = new Map<string, { serviceId: number; at: number }>();
const RESERVATION_MS = 10 * 60_000;
let pickQueue: Promise<unknown> = Promise.resolve();

function reservationKey(client: Dci6Client, serverId: number): string {
  return `${client.baseUrl}#${serverId}`;
}

function reservedByOther(client: Dci6Client, serverId: number, serviceId: number): boolean {
  const held = reservations.get(reservationKey(client, serverId));
  return held !== undefined && held.serviceId !== serviceId && Date.now() - held.at < RESERVATION_MS;
}

/** Free for this service: no owner, no other service's mark, diagnostics done, last operation fine. */
function freeFor(server: DciServer, serviceId: number): boolean {
  const marked = markedServiceId(server);
  return isServerFree(server) && (marked === null || marked === serviceId);
}

function inUse(ctx: Dci6Context, client: Dci6Client, server: DciServer) {
  return errors.error(
    'dcimanager6.server_in_use',
    `The selected server is already in use: ${serverLabel(server)} on ${client.where} is ${holderOf(server)}, and it does not carry the mark of service ${ctx.service.id}. Nothing was changed. Pin another server (\`provisio service update ${ctx.service.id} --custom-field "DCImgr server ID=<id>"\`) or clear the field to take a free server.`,
  );
}

async function readPinned(ctx: Dci6Context, client: Dci6Client, id: number): Promise<DciServer> {
  try {
    return await client.getServer(id);
  } catch (error) {
    if (errors.is(error, 'dcimanager6.not_found'))
      throw errors.error(
        'dcimanager6.pinned_server_missing',
        `${client.where} has no server ${id} (the DCImgr server ID of service ${ctx.service.id}): correct or clear the field (\`provisio service update ${ctx.service.id} --custom-field "DCImgr server ID="\`)`,
      );
    throw error;
  }
}

/**
 * The pinned server, taken only when nobody holds it (vendor guide, "Service activation" step 1:
 * "If the server with this id already has an owner, service processing stops with the error 'The
 * selected server is already in use'") or when it carries this service's own mark (its earlier,
 * lost attempt).
 */
async function pickPinned(ctx: Dci6Context, client: Dci6Client, id: number): Promise<number> {
  const server = await readPinned(ctx, client, id);
  if (carriesMarkOf(server, ctx.service.id)) return id;
  if (server.owner_email || markedServiceId(server) !== null) throw inUse(ctx, client, server);
  return id;
}

async function searchFreeServer(ctx: Dci6Context, client: Dci6Client, plan: ActivationPlan): Promise<number> {
  const clauses = ['(owner_email IS null)', `(configuration EQ ${whereValue(plan.configuration)})`];
  if (plan.locationId !== undefined) clauses.push(`(location_id EQ ${plan.locationId})`);
  const where = clauses.join(' AND ');
  for (let offset = 0; ; offset += SEARCH_PAGE) {
    const page = await client.list<DciServer>('serverList', {
      where,
      orderby: 'id asc',
      limit: `${offset},${SEARCH_PAGE}`,
    });
    const free = page.list.find(
      (server) => freeFor(server, ctx.service.id) && !reservedByOther(client, server.id, ctx.service.id),
    );
    if (free) return free.id;
    if (page.list.length < SEARCH_PAGE || offset + SEARCH_PAGE >= page.size) break;
  }
  const where2 = plan.locationId !== undefined ? ` in location ${plan.locationId}` : '';
  throw errors.error(
    'dcimanager6.no_free_server',
    `no free server with configuration ${plan.configuration}${where2} on ${client.where}: add servers, finish their diagnostics, or release one`,
  );
}

/** Step 1: the pinned server, the server a previous attempt already marked, or a free one. */
async function pickServer(ctx: Dci6Context, client: Dci6Client, plan: ActivationPlan): Promise<number> {
  if (plan.pinnedServerId !== undefined) {
    const id = await pickPinned(ctx, client, plan.pinnedServerId);
    await ctx.remote.set('serverId', String(id));
    return id;
  }
  const earlier = ctx.remote.get('serverId');
  if (earlier) {
    const server = await client.getServer(Number(earlier));
    if (carriesMarkOf(server, ctx.service.id) || freeFor(server, ctx.service.id)) return server.id;
  }
  // Serialised in this process so two concurrent activations never pick the same server.
  const picked = pickQueue.then(async () => {
    const id = await searchFreeServer(ctx, client, plan);
    reservations.set(reservationKey(client, id), { serviceId: ctx.service.id, at: Date.now() });
    return id;
  });
  pickQueue = picked.catch(() => undefined);
  const id = await picked;
  await ctx.remote.set('serverId', String(id));
  return id;
}

/** Step 2: the mark, written while nobody holds the server (a lost answer already did: skipped). */
async function markServer(
  ctx: Dci6Context,
  client: Dci6Client,
  serverId: number,
  pinned: boolean,
): Promise<void> {
  const server = await client.getServer(serverId);
  if (!carriesMarkOf(server, ctx.service.id)) {
    if (server.owner_email || markedServiceId(server) !== null) {
      if (pinned) throw inUse(ctx, client, server);
      throw errors.error(
        'dcimanager6.server_taken',
        `${serverLabel(server)} on ${client.where} was taken (it is ${holderOf(server)}) before service ${ctx.service.id} could mark it: retry the activation to pick another free server`,
      );
    }
    await writeMark(client, server, ctx.service.id);
  }
  reservations.delete(reservationKey(client, serverId));
}

/** Step 4: make the user the owner, unless a lost answer already did; only over our own mark. */
async function claimServer(
  ctx: Dci6Context,
  client: Dci6Client,
  serverId: number,
  userId: number,
): Promise<void> {
  const server = await client.getServer(serverId);
  const ownedByUs = (server.owner_email ?? '').toLowerCase() === ctx.client.email.toLowerCase();
  if (carriesMarkOf(server, ctx.service.id) && ownedByUs) return;
  if (!carriesMarkOf(server, ctx.service.id) || server.owner_email) {
    throw errors.error(
      'dcimanager6.server_taken',
      `${serverLabel(server)} on ${client.where} changed hands (it is ${holderOf(server)}) before service ${ctx.service.id} could take it; nothing more was changed. Check the server in DCImanager, then retry the activation`,
    );
  }
  await setOwner(client, serverId, userId);
}

/** Step 8: top the server up to the ordered addresses; counts what is there, so a re-run adds nothing twice. */
async function assignIps(
  client: Dci6Client,
  server: DciServer,
  plan: ActivationPlan,
  keepExisting: boolean,
): Promise<void> {
  const serverId = server.id;
  const lasting = server.ip.filter((ip) => !ip.is_temporary);
  if (!(keepExisting && lasting.length > 0)) {
    const needV4 = plan.ipv4Count - lasting.filter((ip) => ip.family === 'ipv4').length;
    const needV6 = plan.ipv6Count - lasting.filter((ip) => ip.family === 'ipv6').length;
    const body: AddIpBody = {};
    if (needV4 > 0 && plan.ipv4Pool !== undefined)
      Object.assign(body, { ipv4_pool: [plan.ipv4Pool], ipv4_number: needV4 });
    if (needV6 > 0 && plan.ipv6Pool !== undefined) {
      Object.assign(body, { ipv6_pool: [plan.ipv6Pool], ipv6_number: needV6 });
      if (plan.ipv6Prefix !== undefined) body.ipv6_prefix = plan.ipv6Prefix;
    }
    if (Object.keys(body).length > 0) await client.call('addIp', { params: { id: serverId }, body });
  }
  if (plan.temporaryIpv4 && plan.ipv4Pool !== undefined && !server.ip.some((ip) => ip.is_temporary)) {
    const body: AddIpBody = { ipv4_pool: [plan.ipv4Pool], ipv4_number: 1, temporary: true };
    await client.call('addIp', { params: { id: serverId }, body });
  }
}

function sshKeyOf(ctx: Dci6Context): string | undefined {
  for (const [key, value] of Object.entries(ctx.service.customFields)) {
    if (key.toLowerCase().replace(/[^a-z]/g, '') === 'sshkey' && value.trim() !== '') return value.trim();
  }
  return undefined;
}

/**
 * Starts an OS install and returns its operation id. The operation id seen before the request is
 * saved first: if the answer is lost, the re-run adopts the operation the request started
 * instead of starting a second install.
 */
export async function startOsInstall(
  ctx: Dci6Context,
  client: Dci6Client,
  templateId: number,
  round: string,
): Promise<number> {
  const before = await ownedServer(ctx, client);
  const serverId = before.id;
  const baseline = ctx.remote.get('installBaseline');
  const [baselineRound, baselineOp] = (baseline ?? '').split(':');
  if (baselineRound === round && before.operation && String(before.operation.id) !== baselineOp)
    return before.operation.id;
  await ctx.remote.set('installBaseline', `${round}:${before.operation?.id ?? 0}`);
  const sshKey = sshKeyOf(ctx);
  const body: OsInstallBody = {
    template: templateId,
    ...(ctx.service.password ? { password: ctx.service.password } : {}),
    ...(sshKey ? { ssh_keys: [sshKey] } : {}),
    ...(ctx.settings.recipe ? { recipe: ctx.settings.recipe } : {}),
    ...(ctx.service.domain ? { domain: ctx.service.domain } : {}),
  };
  await client.call('osInstall', { params: { id: serverId }, body });
  const after = await client.getServer(serverId);
  if (!after.operation || after.operation.id === before.operation?.id)
    throw errors.error(
      'dcimanager6.install_not_started',
      `${client.where} accepted the OS install on server ${serverId} but started no operation`,
    );
  return after.operation.id;
}

export type InstallOutcome = { phase: 'ok' } | { phase: 'failed'; message: string };

/** One durable-wait check of an operation: undefined while it runs. */
export async function checkOperation(
  ctx: Dci6Context,
  client: Dci6Client,
  serverId: number,
  operationId: number,
  what: string,
): Promise<InstallOutcome | undefined> {
  const server = await client.getServer(serverId);
  const operation = server.operation;
  if (!operation || operation.id !== operationId) {
    return {
      phase: 'failed',
      message: `the ${what} operation ${operationId} was replaced by another operation on the server`,
    };
  }
  const phase = operationPhase(operation.status);
  if (phase === 'ok') return { phase: 'ok' };
  if (phase === 'failed') return { phase: 'failed', message: operationMessage(operation) };
  if (phase === 'canceled')
    return { phase: 'failed', message: `the ${what} operation was cancelled in DCImanager` };
  await ctx.progress(`${what} on DCImanager server ${serverId}: ${operationProgress(operation)}`);
  return undefined;
}

export async function recordServiceIps(
  ctx: Dci6Context,
  client: Dci6Client,
  serverId: number,
): Promise<void> {
  const ips = serviceIps(await client.getServer(serverId));
  await ctx.updateService({ dedicatedIp: ips.dedicatedIp, assignedIps: ips.assignedIps });
}

/** Install rounds: a failed install moves to the next round so a retry starts a fresh install. */
export function installRound(ctx: Dci6Context): string {
  return ctx.remote.get('installRound') ?? '1';
}

export async function activate(ctx: Dci6Context): Promise<void> {
  const plan = planActivation(ctx.settings, ctx.configOptions, ctx.service.customFields);
  // Users are matched by email: an unverified one could take over another person's account.
  if (ctx.settings.requireVerifiedEmail && !ctx.client.emailVerified)
    throw errors.error(
      'dcimanager6.email_not_verified',
      `User email is not verified: ${ctx.client.email} must confirm the email address before the server is activated`,
    );
  await withClient(ctx, async (client) => {
    const serverId = await ctx.step('find-free-server', () => pickServer(ctx, client, plan));
    const userId = await ctx.step('find-or-create-user', async () => {
      const name = [ctx.client.firstName, ctx.client.lastName].filter(Boolean).join(' ');
      return (await findOrCreateUser(client, ctx.client.email, ctx.service.password, name, 'owning a server'))
        .id;
    });
    await ctx.step('mark-server', () => markServer(ctx, client, serverId, plan.pinnedServerId !== undefined));
    await ctx.step('set-owner', () => claimServer(ctx, client, serverId, userId));
    await ctx.updateService({ username: ctx.client.email });
    await ctx.step('enable-ports', async () => setDataPorts(client, await ownedServer(ctx, client), 'up'));
    await ctx.step('power-on', async () => powerOnIfOff(client, await ownedServer(ctx, client)));
    const aborted = await ctx.step('abort-operation', async () =>
      abortIfRunning(client, await ownedServer(ctx, client)),
    );
    if (aborted) await waitUntilIdle(ctx, client, serverId, 'aborted-operation-stopped');
    if (!ctx.settings.doNotManageIps) {
      await ctx.step('remove-ips', async () => {
        const server = await ownedServer(ctx, client);
        for (const ip of server.ip) await client.call('deleteIp', { params: { ipId: ip.id } });
        return server.ip.length;
      });
    }
    await ctx.step('assign-ips', async () =>
      assignIps(client, await ownedServer(ctx, client), plan, ctx.settings.doNotManageIps),
    );
    const round = installRound(ctx);
    const operationId = await ctx.step(`start-os-install-${round}`, async () =>
      startOsInstall(ctx, client, (await resolveTemplate(client, plan.osTemplate, 'os')).id, round),
    );
    if (ctx.settings.dontWaitOsInstall) {
      await recordServiceIps(ctx, client, serverId);
      await ctx.remote.set('activated', '1');
      return;
    }
    const outcome = await ctx.wait(
      `os-install-${round}`,
      () => checkOperation(ctx, client, serverId, operationId, 'OS install'),
      {
        every: INSTALL_CHECK_EVERY_MS,
        timeout: ctx.settings.osInstallTimeoutMinutes * 60_000,
        message: `OS install on DCImanager server ${serverId} did not finish within ${ctx.settings.osInstallTimeoutMinutes} minutes (OS Installation timeout)`,
      },
    );
    if (outcome.phase === 'failed') {
      await ctx.remote.set('installRound', String(Number(round) + 1));
      throw errors.error(
        'dcimanager6.install_failed',
        `OS install on DCImanager server ${serverId} failed: ${outcome.message}. The server stays assigned to this service; retry the activation to install again, or terminate the service to release it`,
      );
    }
    if (ctx.settings.removeTemporaryIpAfterInstall) {
      await ctx.step(`remove-temporary-ips-${round}`, async () => {
        const server = await ownedServer(ctx, client);
        for (const ip of server.ip.filter((entry) => entry.is_temporary))
          await client.call('deleteIp', { params: { ipId: ip.id } });
      });
    }
    await recordServiceIps(ctx, client, serverId);
    await ctx.remote.set('activated', '1');
  });
}
