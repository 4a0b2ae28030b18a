import { randomBytes } from 'node:crypto';
import type { ActionContext, ServerContext } from '../contract.js';
import { Dci6Client, whereValue } from './client.js';
import { dcimanager6Errors as errors } from './errors.js';
import { carriesMarkOf, commentWithMark, commentWithoutMark, holderOf, serverLabel } from './mark.js';
import { isOperationRunning } from './operation-status.js';
import type {
  DciServer,
  DciSwitchConnection,
  DciTemplate,
  DciUser,
  ServerEditBody,
  SetOwnerBody,
  SetPortBody,
  UserCreateBody,
} from './routes.js';
import type { Dci6Settings } from './settings.js';

/**
 * Server-level building blocks shared by activation, termination, suspension and the custom
 * actions. Each reads the server state first and changes only what differs, so re-running one
 * after a lost answer does not repeat its effect.
 */
export type Dci6Context = ActionContext<Dci6Settings>;

/** Switch ports the module may toggle: never the IPMI (BMC) connection. */
export function dataPorts(server: DciServer): DciSwitchConnection[] {
  return server.switch_connection.filter((port) => !port.is_ipmi_connection);
}

/** Sets every data port to `status`; returns the ids it changed. */
export async function setDataPorts(
  client: Dci6Client,
  server: DciServer,
  status: 'up' | 'down',
): Promise<number[]> {
  const changed: number[] = [];
  for (const port of dataPorts(server)) {
    if (port.admin_status === status) continue;
    const body: SetPortBody = { admin_status: status };
    await client.call('setPort', { params: { portId: port.id }, body });
    changed.push(port.id);
  }
  return changed;
}

export function isPoweredOn(server: DciServer): boolean {
  return server.power_status === 'on';
}

export async function powerOnIfOff(client: Dci6Client, server: DciServer): Promise<boolean> {
  if (isPoweredOn(server)) return false;
  await client.call('powerOn', { params: { id: server.id } });
  return true;
}

export async function abortIfRunning(client: Dci6Client, server: DciServer): Promise<boolean> {
  if (!isOperationRunning(server.operation)) return false;
  await client.call('abortOperation', { params: { id: server.id } });
  return true;
}

/** After an abort, waits (durably) until the server has no running operation. */
export async function waitUntilIdle(
  ctx: Dci6Context,
  client: Dci6Client,
  serverId: number,
  name: string,
): Promise<void> {
  await ctx.wait(
    name,
    async () => {
      const server = await client.getServer(serverId);
      return isOperationRunning(server.operation) ? undefined : true;
    },
    {
      every: 10_000,
      timeout: 10 * 60_000,
      message: `waiting for the aborted operation on DCImanager server ${serverId} to stop`,
    },
  );
}

export function hasAdminRole(user: DciUser): boolean {
  const roles = Array.isArray(user.roles) ? user.roles : [user.roles];
  return roles.some((role) => typeof role === 'string' && role.includes('@admin'));
}

/**
 * The DCImanager user for an email, created as `@user` when missing. An administrator account is
 * refused: making it a server owner would hand the panel's admin rights to a client order.
 */
export async function findOrCreateUser(
  client: Dci6Client,
  email: string,
  password: string | null,
  fullName: string,
  purpose: string,
): Promise<DciUser> {
  const existing = await client.findUserByEmail(email);
  if (existing) {
    if (hasAdminRole(existing)) {
      throw errors.error(
        'dcimanager6.user_is_admin',
        `${client.where}: the user ${email} is an administrator; ${purpose} is not allowed for administrator accounts. Use an email that is not a DCImanager administrator`,
      );
    }
    return existing;
  }
  const body: UserCreateBody = {
    email,
    // DCImanager takes passwords of 8 characters or more (spec §3); a shorter one is not used.
    password:
      password && password.length >= 8
        ? password
        : randomBytes(12).toString('base64url').slice(0, 16).toLowerCase(),
    role: '@user',
    ...(fullName ? { full_name: fullName } : {}),
  };
  client.addSecret(body.password);
  await client.call('userCreate', { body });
  const created = await client.findUserByEmail(email);
  if (!created)
    throw errors.error(
      'dcimanager6.user_missing_after_create',
      `${client.where} accepted the new user ${email} but does not list it`,
    );
  return created;
}

export async function setOwner(client: Dci6Client, serverId: number, owner: number | null): Promise<void> {
  const body: SetOwnerBody = { owner };
  await client.call('setOwner', { params: { id: serverId }, body });
}

/** A template id from its name (or an id given directly), optionally of one type (`os`, `diag`). */
export async function resolveTemplate(
  client: Dci6Client,
  nameOrId: string,
  type: string,
): Promise<DciTemplate> {
  const query = /^\d+$/.test(nameOrId) ? `id EQ ${nameOrId}` : `name EQ ${whereValue(nameOrId)}`;
  const found = await client.list<DciTemplate>('osTemplateList', { where: query });
  const match = found.list.find((template) => template.type === undefined || template.type === type);
  if (!match)
    throw errors.error(
      'dcimanager6.template_not_found',
      `${client.where} has no ${type} template "${nameOrId}": check the template name in the product settings`,
    );
  return match;
}

/** Main IPv4 and additional addresses, as WHMCS shows them (Dedicated IP / Assigned IPs). */
export function serviceIps(server: DciServer): { dedicatedIp: string | null; assignedIps: string[] } {
  const lasting = server.ip.filter((ip) => !ip.is_temporary);
  const main = lasting.find((ip) => ip.family === 'ipv4') ?? lasting[0];
  return {
    dedicatedIp: main?.name ?? null,
    assignedIps: lasting.filter((ip) => ip !== main).map((ip) => ip.name),
  };
}

/**
 * Reads the service's server and checks, right before a change, that it still carries this
 * service's mark: staff may have released it or handed it to someone else since the engine looked.
 */
export async function ownedServer(ctx: Dci6Context, client: Dci6Client): Promise<DciServer> {
  const id = serverIdOf(ctx);
  const server = await client.getServer(id);
  if (!carriesMarkOf(server, ctx.service.id)) {
    throw errors.error(
      'dcimanager6.not_ours',
      `${serverLabel(server)} on ${client.where} does not carry the mark of service ${ctx.service.id} (it is ${holderOf(server)}); nothing was changed. Check the server in DCImanager; if it is this service's, adopt it: \`provisio service adopt ${ctx.service.id}\``,
    );
  }
  return server;
}

export function serverIdOf(ctx: Dci6Context): number {
  const id = ctx.remote.get('serverId');
  if (!id)
    throw errors.error(
      'dcimanager6.no_server',
      `service ${ctx.service.id} has no DCImanager server yet: activate it first`,
    );
  return Number(id);
}

/** Runs `fn` with a client on the pooled session of this DCImanager (spec §14). */
export async function withClient<T>(ctx: ServerContext, fn: (client: Dci6Client) => Promise<T>): Promise<T> {
  return fn(new Dci6Client(ctx));
}

/** Writes this service's mark on the server (spec §13) unless a lost answer already did. */
export async function writeMark(client: Dci6Client, server: DciServer, serviceId: number): Promise<void> {
  const serverId = server.id;
  if (carriesMarkOf(server, serviceId)) return;
  const body: ServerEditBody = { comment: commentWithMark(server.comment, serviceId) };
  await client.call('serverEdit', { params: { id: serverId }, body });
  const after = await client.getServer(serverId);
  if (!carriesMarkOf(after, serviceId))
    throw errors.error(
      'dcimanager6.mark_not_written',
      `${client.where} accepted the comment of ${serverLabel(after)} but does not show the mark of service ${serviceId}`,
    );
}

/** Takes this service's mark off the server (the end of termination), keeping staff notes. */
export async function removeMark(client: Dci6Client, serverId: number, serviceId: number): Promise<void> {
  const server = await client.getServer(serverId);
  if (!carriesMarkOf(server, serviceId)) return;
  const body: ServerEditBody = { comment: commentWithoutMark(server.comment, serviceId) };
  await client.call('serverEdit', { params: { id: serverId }, body });
}
