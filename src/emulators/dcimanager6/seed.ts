import { randomUUID } from 'node:crypto';
import { SeedError } from '../kit/control.js';
import type { Dci6State, EmuServer, EmuUser, ForcedOutcome, OperationKind } from './state.js';

/**
 * Seed entities: objects as staff or another tool made them, through the control routes
 * (`POST /__emulator/seed/<entity>`), with or without the demo fixtures. `server-edit` is staff
 * changing an existing server by hand (power, owner, comment, ports): every kind of drift
 * reconcile must find.
 */
export const SEED_ENTITIES = [
  'server',
  'server-edit',
  'user',
  'ip-pool',
  'ip',
  'os-template',
  'location',
  'switch-port',
  'operation',
] as const;

type Input = Record<string, unknown>;

function text(input: Input, key: string, required = false): string | undefined {
  const value = input[key];
  if (value === undefined || value === null) {
    if (required) throw new SeedError(`${key} is required`);
    return undefined;
  }
  if (typeof value !== 'string' || value === '') throw new SeedError(`${key} must be non-empty text`);
  return value;
}

function whole(input: Input, key: string, required = false): number | undefined {
  const value = input[key];
  if (value === undefined) {
    if (required) throw new SeedError(`${key} is required`);
    return undefined;
  }
  if (!Number.isInteger(value) || (value as number) < 0) throw new SeedError(`${key} must be a whole number`);
  return value as number;
}

function flag(input: Input, key: string): boolean | undefined {
  const value = input[key];
  if (value !== undefined && typeof value !== 'boolean') throw new SeedError(`${key} must be true or false`);
  return value as boolean | undefined;
}

function oneOf<T extends string>(input: Input, key: string, values: readonly T[]): T | undefined {
  const value = input[key];
  if (value === undefined) return undefined;
  if (!values.includes(value as T)) throw new SeedError(`${key} must be one of ${values.join(', ')}`);
  return value as T;
}

function serverOf(state: Dci6State, input: Input, key = 'serverId'): EmuServer {
  const id = whole(input, key, true) as number;
  const server = state.servers.get(id);
  if (!server) throw new SeedError(`no server ${id}`);
  return server;
}

/** The user of an email, made as a plain `@user` when staff name one that does not exist yet. */
function ownerUser(state: Dci6State, email: string): EmuUser {
  return state.userByEmail(email) ?? state.addUser({ email, password: randomUUID() });
}

function seedServer(state: Dci6State, input: Input): unknown {
  const id = whole(input, 'id');
  if (id !== undefined && state.servers.has(id)) throw new SeedError(`server ${id} exists`);
  const owner = text(input, 'owner_email');
  const template = text(input, 'os_template');
  const found = template ? [...state.templates.values()].find((entry) => entry.name === template) : undefined;
  if (template && !found) throw new SeedError(`no template ${template}`);
  const server = state.addServer({
    ...(id !== undefined ? { id } : {}),
    configuration: text(input, 'configuration', true) as string,
    location_id: whole(input, 'location_id') ?? 1,
    ...(text(input, 'domain') ? { domain: text(input, 'domain') as string } : {}),
    owner: owner ? ownerUser(state, owner).id : null,
    comment: text(input, 'comment') ?? '',
    is_new: flag(input, 'is_new') ?? false,
    maintenance_mode: flag(input, 'maintenance_mode') ?? false,
    power_status: oneOf(input, 'power_status', ['on', 'off'] as const) ?? 'off',
    ports: whole(input, 'ports') ?? 2,
    os_template: found ? { id: found.id, name: found.name } : null,
  });
  const ports = oneOf(input, 'port_status', ['up', 'down'] as const);
  if (ports)
    for (const port of server.switch_connection) if (!port.is_ipmi_connection) port.admin_status = ports;
  return state.wireServer(server);
}

function editServer(state: Dci6State, input: Input): unknown {
  const server = serverOf(state, input, 'id');
  const power = oneOf(input, 'power_status', ['on', 'off'] as const);
  if (power) server.power_status = power;
  if (input.owner_email === null || input.release === true) server.owner = null;
  else if (input.owner_email !== undefined)
    server.owner = ownerUser(state, text(input, 'owner_email') as string).id;
  if (input.release === true) server.comment = '';
  if (input.comment !== undefined) {
    if (typeof input.comment !== 'string') throw new SeedError('comment must be text');
    server.comment = input.comment;
  }
  const ports = oneOf(input, 'port_status', ['up', 'down'] as const);
  if (ports)
    for (const port of server.switch_connection)
      if (!port.is_ipmi_connection) {
        port.admin_status = ports;
        port.oper_status = ports;
      }
  return state.wireServer(server);
}

function seedPool(state: Dci6State, input: Input): unknown {
  const id = state.useId('pool', whole(input, 'id'));
  if (state.pools.has(id)) throw new SeedError(`pool ${id} exists`);
  const v4 = input.ipv4 as Input | undefined;
  const v6 = input.ipv6 as Input | undefined;
  if (!v4 && !v6) throw new SeedError('ipv4 or ipv6 is required');
  state.pools.set(id, {
    id,
    name: text(input, 'name', true) as string,
    ...(v4
      ? {
          ipv4: {
            prefix: text(v4, 'prefix', true) as string,
            first: whole(v4, 'first', true) as number,
            last: whole(v4, 'last', true) as number,
            gateway: text(v4, 'gateway', true) as string,
            network: text(v4, 'network', true) as string,
          },
        }
      : {}),
    ...(v6 ? { ipv6: { base: text(v6, 'base', true) as string } } : {}),
  });
  return { id };
}

function seedIp(state: Dci6State, input: Input): unknown {
  const server = serverOf(state, input);
  const pool = state.pools.get(whole(input, 'poolId', true) as number);
  if (!pool) throw new SeedError(`no pool ${String(input.poolId)}`);
  const family = oneOf(input, 'family', ['ipv4', 'ipv6'] as const) ?? 'ipv4';
  const ip = state.allocate(pool, family, server.id);
  if (!ip) throw new SeedError(`pool ${pool.name} has no free ${family} address`);
  return ip;
}

function seedOperation(state: Dci6State, input: Input): unknown {
  const server = serverOf(state, input);
  const kind = (oneOf(input, 'kind', ['os_install', 'diag'] as const) ?? 'os_install') as OperationKind;
  const outcome = (oneOf(input, 'outcome', ['ok', 'failed', 'hang'] as const) ?? 'ok') as ForcedOutcome;
  state.forced[kind].unshift({ outcome });
  const operation = state.startOperation(server, kind, { seeded: true });
  const duration = whole(input, 'durationMs');
  if (duration !== undefined) operation.durationMs = duration;
  return { id: operation.id, serverId: server.id, kind };
}

export function seedEntity(state: Dci6State, entity: string, input: Input): unknown {
  switch (entity) {
    case 'server':
      return seedServer(state, input);
    case 'server-edit':
      return editServer(state, input);
    case 'user': {
      const email = text(input, 'email', true) as string;
      if (state.userByEmail(email)) throw new SeedError(`user ${email} exists`);
      const roles = input.roles ?? ['@user'];
      if (!Array.isArray(roles) || !roles.every((role) => role === '@user' || role === '@admin'))
        throw new SeedError('roles must be a list of @user / @admin');
      return state.wireUser(
        state.addUser({ email, password: text(input, 'password') ?? randomUUID(), roles: roles as string[] }),
      );
    }
    case 'ip-pool':
      return seedPool(state, input);
    case 'ip':
      return seedIp(state, input);
    case 'os-template': {
      const id = state.useId('template', whole(input, 'id'));
      if (state.templates.has(id)) throw new SeedError(`template ${id} exists`);
      const template = {
        id,
        name: text(input, 'name', true) as string,
        type: oneOf(input, 'type', ['os', 'diag', 'recovery'] as const) ?? 'os',
      };
      state.templates.set(id, template);
      return template;
    }
    case 'location': {
      const id = state.useId('location', whole(input, 'id'));
      if (state.locations.has(id)) throw new SeedError(`location ${id} exists`);
      const location = { id, name: text(input, 'name', true) as string };
      state.locations.set(id, location);
      return location;
    }
    case 'switch-port': {
      const server = serverOf(state, input);
      const status = oneOf(input, 'admin_status', ['up', 'down'] as const) ?? 'down';
      const port = {
        id: state.nextId('port'),
        switch: whole(input, 'switch') ?? 18,
        description:
          text(input, 'description') ?? `GigabitEthernet1/0/${server.switch_connection.length + 1}`,
        admin_status: status,
        oper_status: status,
        is_ipmi_connection: flag(input, 'is_ipmi_connection') ?? false,
      };
      server.switch_connection.push(port);
      return port;
    }
    case 'operation':
      return seedOperation(state, input);
    default:
      throw new SeedError(`unknown entity ${entity}: one of ${SEED_ENTITIES.join(', ')}`);
  }
}
