import type { RemoteState } from '../contract.js';
import type { Dci6Client } from './client.js';
import { dcimanager6Errors as errors } from './errors.js';
import { carriesMarkOf, holderOf, markedServiceId, serverLabel } from './mark.js';
import { pinnedServerId } from './plan.js';
import type { DciServer } from './routes.js';
import { type Dci6Context, dataPorts, withClient, writeMark } from './server-ops.js';

/**
 * What exists under the service's name, and whose it is (docs/specs/dcimanager6.md §13). The name
 * of a DCImanager service is its server: the one it recorded, or the one its "DCImgr server ID"
 * pins. Ours means the server carries this service's mark. Foreign means a server this service
 * could rightly claim but that lacks the mark: the recorded server gone to someone else, or a
 * pinned server the vendor's module gave this client (adoptable). A pinned server held by another
 * client or service is not reported: activation refuses it with the vendor's own sentence ("The
 * selected server is already in use"), and adopting it must never be suggested.
 */

function stateOf(ctx: Dci6Context, server: DciServer): RemoteState['status'] {
  if (ctx.remote.get('terminating') === '1' || ctx.remote.get('activated') !== '1') return 'pending';
  const ports = dataPorts(server);
  return ports.length > 0 && ports.every((port) => port.admin_status === 'down') ? 'suspended' : 'active';
}

function serverIdToLookAt(ctx: Dci6Context): { id: number; recorded: boolean } | undefined {
  const recorded = ctx.remote.get('serverId');
  if (recorded) return { id: Number(recorded), recorded: true };
  const pinned = pinnedServerId(ctx.service.customFields);
  return pinned && /^\d+$/.test(pinned) ? { id: Number(pinned), recorded: false } : undefined;
}

async function readServer(client: Dci6Client, id: number): Promise<DciServer | undefined> {
  try {
    return await client.getServer(id);
  } catch (error) {
    if (errors.is(error, 'dcimanager6.not_found')) return undefined;
    throw error;
  }
}

function ownedByClient(ctx: Dci6Context, server: DciServer): boolean {
  return (server.owner_email ?? '').toLowerCase() === ctx.client.email.toLowerCase();
}

export function judgeServer(ctx: Dci6Context, server: DciServer, recorded: boolean): RemoteState | null {
  const object = serverLabel(server);
  const remoteIds = { serverId: String(server.id) };
  if (carriesMarkOf(server, ctx.service.id))
    return { status: stateOf(ctx, server), owner: 'ours', object, remoteIds };
  // Our own termination took the mark off before its last step: the server is released.
  if (ctx.remote.get('terminating') === '1') return null;
  const held = server.owner_email !== null && server.owner_email !== undefined;
  if (!held && markedServiceId(server) === null) return null;
  // A recorded server counts once this service was active on it; before that, an activation that
  // lost its server to someone else simply picks again.
  const activeOnIt = recorded && ctx.remote.get('activated') === '1';
  const claimable = activeOnIt || (markedServiceId(server) === null && ownedByClient(ctx, server));
  if (!claimable) return null;
  return {
    status: stateOf(ctx, server),
    owner: 'foreign',
    object: `${object}, ${holderOf(server)}`,
    remoteIds,
  };
}

export async function lookupServer(ctx: Dci6Context): Promise<RemoteState | null> {
  const target = serverIdToLookAt(ctx);
  if (!target) return null;
  return withClient(ctx, async (client) => {
    const server = await readServer(client, target.id);
    return server ? judgeServer(ctx, server, target.recorded) : null;
  });
}

/**
 * Writes this service's mark on its server (the operator's audited `adopt`): a server the vendor's
 * WHMCS module gave this client. Refuses a server another service marked, and one owned by another
 * DCImanager user.
 */
export async function adoptServer(ctx: Dci6Context): Promise<RemoteState> {
  const target = serverIdToLookAt(ctx);
  if (!target)
    throw errors.error(
      'dcimanager6.no_server',
      `service ${ctx.service.id} names no DCImanager server: set its "DCImgr server ID" (\`provisio service update ${ctx.service.id} --custom-field "DCImgr server ID=<id>"\`) to adopt one`,
    );
  return withClient(ctx, async (client) => {
    const server = await client.getServer(target.id);
    const marked = markedServiceId(server);
    if (marked !== null && marked !== ctx.service.id)
      throw errors.error(
        'dcimanager6.marked_by_other',
        `${serverLabel(server)} on ${client.where} carries the mark of service ${marked}: it is that service's and is not adopted by service ${ctx.service.id}`,
      );
    if (!ownedByClient(ctx, server))
      throw errors.error(
        'dcimanager6.owned_by_other_client',
        `${serverLabel(server)} on ${client.where} is ${holderOf(server)}, not ${ctx.client.email}: it is not adopted by service ${ctx.service.id}`,
      );
    await writeMark(client, server, ctx.service.id);
    await ctx.remote.set('serverId', String(server.id));
    await ctx.remote.set('activated', '1');
    return { ...(judgeServer(ctx, await client.getServer(server.id), true) as RemoteState), owner: 'ours' };
  });
}
