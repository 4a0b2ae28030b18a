import type { ActionContext, RemoteState } from '../contract.js';
import type { CalagopusClient, PanelServer } from './client.js';
import { calagopusErrors } from './errors.js';
import { describeExternalId, describeServer, isOurServer, serverMark } from './ownership.js';

/**
 * Finding the panel server a service names, and whose it is. Reads only.
 *
 * Where to look, in order: the saved server UUID; this service's mark (`GET
 * /servers/external/provisio-service-<id>`, §5.4); and the external id an earlier module saved on
 * the service (the module before the ownership rule wrote the bare service id). A server that
 * carries the mark is ours; one found only by the other two is foreign.
 */
export const REMOTE_UUID = 'Server UUID';
export const REMOTE_SHORT_ID = 'Server ID';
export const REMOTE_EXTERNAL_ID = 'External ID';

export interface FoundServer {
  server: PanelServer;
  owner: 'ours' | 'foreign';
}

// biome-ignore lint/suspicious/noExplicitAny: the locating functions read only the service and remote ids.
type Ctx = ActionContext<any>;

/**
 * What `lookup` found in this run, for the create or adopt the engine runs right after it (the
 * engine looks before every action, §11): they need not ask the panel the same question twice.
 * Changes of an existing server never use it; they check the mark again right before the change.
 */
const lookedUp = new WeakMap<object, FoundServer | null>();

export function rememberLookup(ctx: Ctx, found: FoundServer | undefined): void {
  lookedUp.set(ctx, found ?? null);
}

/** The lookup of this same run, once; undefined when there was none. */
export function takeLookup(ctx: Ctx): FoundServer | null | undefined {
  const found = lookedUp.get(ctx);
  lookedUp.delete(ctx);
  return found;
}

export async function findServer(panel: CalagopusClient, ctx: Ctx): Promise<FoundServer | undefined> {
  const serviceId = ctx.service.id;
  const mark = serverMark(serviceId);
  let foreign: PanelServer | undefined;
  const saved = ctx.remote.get(REMOTE_UUID);
  if (saved) {
    const server = await panel.server(saved);
    if (server && isOurServer(server, serviceId)) return { server, owner: 'ours' };
    foreign = server;
  }
  const marked = await panel.serverByExternalId(mark);
  if (marked) return { server: marked, owner: 'ours' };
  const legacy = ctx.remote.get(REMOTE_EXTERNAL_ID);
  if (!foreign && legacy && legacy !== mark) foreign = await panel.serverByExternalId(legacy);
  return foreign ? { server: foreign, owner: 'foreign' } : undefined;
}

export function foreignServerError(panel: CalagopusClient, ctx: Ctx, server: PanelServer) {
  return calagopusErrors.error(
    'calagopus.server_foreign',
    `${panel.panelName} has ${describeServer(server)} under service #${ctx.service.id}'s name, but it carries ${describeExternalId(server)}, not this service's mark ${serverMark(ctx.service.id)}; nothing was changed. If it is this service's server, adopt it: provisio service adopt ${ctx.service.id} --yes`,
    { details: { uuid: server.uuid, externalId: server.external_id } },
  );
}

export function serverNotFound(panel: CalagopusClient, ctx: Ctx) {
  return calagopusErrors.error(
    'calagopus.server_not_found',
    `Server not found: ${panel.panelName} has no server with external id ${serverMark(ctx.service.id)} for service #${ctx.service.id}; it may have been deleted in the panel.`,
  );
}

/** Our server, checked right before a change: refused when foreign, not-found when absent. */
export async function requireOurServer(panel: CalagopusClient, ctx: Ctx): Promise<PanelServer> {
  const found = await findServer(panel, ctx);
  if (!found) throw serverNotFound(panel, ctx);
  if (found.owner === 'foreign') throw foreignServerError(panel, ctx, found.server);
  await rememberServer(ctx, found.server);
  return found.server;
}

export async function rememberServer(ctx: Ctx, server: PanelServer): Promise<void> {
  if (ctx.remote.get(REMOTE_UUID) !== server.uuid) await ctx.remote.set(REMOTE_UUID, server.uuid);
  if (ctx.remote.get(REMOTE_SHORT_ID) !== server.uuid_short)
    await ctx.remote.set(REMOTE_SHORT_ID, server.uuid_short);
}

export function remoteIdsOf(server: PanelServer): Record<string, string> {
  return {
    [REMOTE_UUID]: server.uuid,
    [REMOTE_SHORT_ID]: server.uuid_short,
    ...(server.external_id === null ? {} : { [REMOTE_EXTERNAL_ID]: server.external_id }),
  };
}

/** What `lookup` reports; remote ids only for our own server (nothing foreign is adopted silently). */
export function remoteStateOf(found: FoundServer): RemoteState {
  const { server, owner } = found;
  return {
    status: server.is_suspended ? 'suspended' : 'active',
    owner,
    object: describeServer(server),
    ...(owner === 'ours' ? { remoteIds: remoteIdsOf(server) } : {}),
  };
}
