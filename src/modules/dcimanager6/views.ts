import type { ViewField, ViewModel } from '../contract.js';
import { installRound } from './activation.js';
import { dcimanager6Errors as errors } from './errors.js';
import { markedServiceId } from './mark.js';
import { isOperationRunning, operationPhase, operationProgress } from './operation-status.js';
import type { DciServer } from './routes.js';
import {
  type Dci6Context,
  dataPorts,
  hasAdminRole,
  ownedServer,
  serverIdOf,
  withClient,
} from './server-ops.js';

/**
 * Client-area and admin views: reads only (GET requests on the pooled session), never a sign-in
 * key. The sign-in link is `loginUrl`, which the engine exposes as an audited operator action
 * (`POST /v1/services/{id}/login-link`), because a key is a credential (issue 11).
 */

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

export async function clientView(ctx: Dci6Context): Promise<ViewModel> {
  return withClient(ctx, async (client) => ({ fields: serverFields(await ownedServer(ctx, client)) }));
}

export async function adminView(ctx: Dci6Context): Promise<ViewModel> {
  return withClient(ctx, async (client) => {
    const server = await client.getServer(serverIdOf(ctx));
    const marked = markedServiceId(server);
    return {
      fields: [
        { label: 'DCImgr server ID', value: String(server.id) },
        { label: 'Configuration', value: server.configuration },
        { label: 'Owner', value: server.owner_email ?? 'none' },
        { label: 'Mark', value: marked === null ? 'none' : `service ${marked}` },
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

/**
 * A one-hour sign-in key for the client's DCImanager user (spec §3, §6.5): only for a server that
 * carries this service's mark, never for an administrator account.
 */
export async function loginUrl(ctx: Dci6Context): Promise<string> {
  return withClient(ctx, async (client) => {
    await ownedServer(ctx, client);
    const user = await client.findUserByEmail(ctx.client.email);
    if (!user)
      throw errors.error(
        'dcimanager6.user_missing',
        `${client.where} has no user ${ctx.client.email}: the client's DCImanager account was deleted; activate the service again or create the user in DCImanager`,
      );
    if (hasAdminRole(user))
      throw errors.error(
        'dcimanager6.user_is_admin',
        `${client.where}: ${user.email} is an administrator; sign in from the administrator interface instead`,
      );
    const answer = await client.call<{ key?: string }>('userKey', { params: { email: user.email } });
    if (!answer.key)
      throw errors.error(
        'dcimanager6.refused',
        `${client.where} answered the sign-in key request without a key`,
      );
    ctx.addSecret(answer.key);
    return `${client.baseUrl}/auth/key-v4/${encodeURIComponent(answer.key)}`;
  });
}
