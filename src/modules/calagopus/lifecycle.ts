import { type ActionContext, type RemoteState, serviceIdOfMark } from '../contract.js';
import { CalagopusClient } from './client.js';
import { calagopusErrors } from './errors.js';
import {
  findServer,
  foreignServerError,
  rememberLookup,
  rememberServer,
  remoteStateOf,
  requireOurServer,
  takeLookup,
} from './locate.js';
import { clientMark, describeExternalId, describeServer, serverMark } from './ownership.js';
import { changePackageBody, parseEggVariables } from './payload.js';
import type { CalagopusSettings } from './settings.js';

/**
 * The actions on an existing server (§7.6). Each one checks the mark right before its change:
 * staff may have touched the panel since the engine's lookup.
 */
type Ctx = ActionContext<CalagopusSettings>;

export async function setSuspended(ctx: Ctx, suspended: boolean): Promise<void> {
  const panel = CalagopusClient.forAction(ctx);
  const server = await requireOurServer(panel, ctx);
  // Already in the target state: done (a PATCH would only make the panel sync Wings again).
  if (server.is_suspended === suspended) return;
  await panel.updateServer(server.uuid, { suspended });
}

export async function terminate(ctx: Ctx): Promise<void> {
  const panel = CalagopusClient.forAction(ctx);
  const found = await findServer(panel, ctx);
  // Already gone is the target state.
  if (!found) return;
  if (found.owner === 'foreign') throw foreignServerError(panel, ctx, found.server);
  const deleteBackups = ctx.server.settings.deleteBackupsOnTerminate !== false;
  try {
    await panel.deleteServer(found.server.uuid, deleteBackups);
  } catch (error) {
    if (!calagopusErrors.is(error, 'calagopus.not_found')) throw error;
  }
}

export async function changePackage(ctx: Ctx): Promise<void> {
  const panel = CalagopusClient.forAction(ctx);
  const server = await requireOurServer(panel, ctx);
  await panel.updateServer(server.uuid, changePackageBody(ctx.settings));
  const { variables } = parseEggVariables(ctx.settings.variables);
  if (variables.length > 0) await panel.putVariables(server.uuid, variables);
}

/**
 * The panel password of the account that owns the server. Only an account provisio created for
 * this client is changed; an existing account the client brought (matched by email) keeps the
 * password its owner chose.
 */
export async function changePassword(ctx: Ctx): Promise<void> {
  const panel = CalagopusClient.forAction(ctx);
  const server = await requireOurServer(panel, ctx);
  const account = await panel.userByExternalId(clientMark(ctx.client.id));
  if (!account || account.uuid !== server.owner?.uuid) {
    throw calagopusErrors.error(
      'calagopus.owner_foreign',
      `${panel.panelName}: ${describeServer(server)} is owned by a panel account provisio did not create for client #${ctx.client.id} (it carries no external id ${clientMark(ctx.client.id)}); its password is the customer's own and was not changed. The customer can reset it from the panel's login page.`,
    );
  }
  await panel.updateUser(account.uuid, { password: ctx.service.password ?? '' });
}

export async function lookup(ctx: Ctx): Promise<RemoteState | null> {
  const found = await findServer(CalagopusClient.forAction(ctx), ctx);
  if (ctx.action === 'create' || ctx.action === 'adopt') rememberLookup(ctx, found);
  return found ? remoteStateOf(found) : null;
}

/**
 * Writes this service's mark on the foreign server found under its name (the panel accepts
 * `external_id` in `PATCH /servers/{id}`, §5.5), after an operator confirmed. A server that carries
 * another service's mark is refused.
 */
export async function adopt(ctx: Ctx): Promise<RemoteState> {
  const panel = CalagopusClient.forAction(ctx);
  const looked = takeLookup(ctx);
  const found = looked === undefined ? await findServer(panel, ctx) : (looked ?? undefined);
  if (!found) {
    throw calagopusErrors.error(
      'calagopus.nothing_to_adopt',
      `${panel.panelName} has no server under service #${ctx.service.id}'s name (saved UUID, external id ${serverMark(ctx.service.id)} or an earlier module's external id): nothing to adopt.`,
    );
  }
  const { server } = found;
  if (found.owner === 'foreign') {
    const otherService = serviceIdOfMark(server.external_id);
    if (otherService !== null) {
      throw calagopusErrors.error(
        'calagopus.server_marked_elsewhere',
        `${panel.panelName}: ${describeServer(server)} carries ${describeExternalId(server)}, the mark of service #${otherService}; it is not adopted for service #${ctx.service.id}. Settle which service owns it first.`,
      );
    }
    await panel.updateServer(server.uuid, { external_id: serverMark(ctx.service.id) });
    server.external_id = serverMark(ctx.service.id);
  }
  await rememberServer(ctx, server);
  return remoteStateOf({ server, owner: 'ours' });
}
