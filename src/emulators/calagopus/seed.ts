import { randomBytes } from 'node:crypto';
import { SeedError } from '../kit/control.js';
import { presentServer } from './present.js';
import {
  ADMIN_PERMISSIONS,
  type AllocationRules,
  allocationHolder,
  type EggVariable,
  freeAllocations,
  newUuid,
  nextCreated,
  type PanelServer,
  type PanelState,
  type PanelUser,
  type ServerStatus,
} from './state.js';
import type { Json } from './validation.js';

/**
 * Seed entities: objects staff or another tool made on the panel (`POST /__emulator/seed/<entity>`),
 * every entity the panel has, usable with `fixtures: false`. Fields are the panel's own names.
 * Drift (`POST /__emulator/drift/<kind>`): what staff do by hand to a server that exists.
 */
export const SEED_ENTITIES = [
  'user',
  'api-key',
  'location',
  'node',
  'allocation',
  'nest',
  'egg',
  'backup-configuration',
  'server',
] as const;

export const DRIFT_KINDS = [
  'suspend',
  'unsuspend',
  'delete',
  'limits',
  'duplicate',
  'status',
  'external-id',
] as const;
export type DriftKind = (typeof DRIFT_KINDS)[number];

const ALNUM = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';

/** `c7sp_` + 43 alphanumerics, as the panel makes them (§1.2). */
export function newApiKeyText(): string {
  return `c7sp_${[...randomBytes(43)].map((b) => ALNUM[b % ALNUM.length]).join('')}`;
}

function text(input: Json, key: string, fallback?: string): string {
  const value = input[key] ?? fallback;
  if (typeof value !== 'string' || value === '') throw new SeedError(`${key} is required (text)`);
  return value;
}

function optionalText(input: Json, key: string): string | null {
  const value = input[key];
  if (value === undefined || value === null) return null;
  if (typeof value !== 'string') throw new SeedError(`${key} must be text or null`);
  return value;
}

function number(input: Json, key: string, fallback: number): number {
  const value = input[key] ?? fallback;
  if (typeof value !== 'number') throw new SeedError(`${key} must be a number`);
  return value;
}

function bool(input: Json, key: string, fallback: boolean): boolean {
  const value = input[key] ?? fallback;
  if (typeof value !== 'boolean') throw new SeedError(`${key} must be true or false`);
  return value;
}

function uuidFor(input: Json, taken: { has(key: string): boolean }): string {
  const uuid = optionalText(input, 'uuid') ?? newUuid();
  if (taken.has(uuid)) throw new SeedError(`uuid ${uuid} is taken`);
  return uuid;
}

function existing<T>(map: Map<string, T>, input: Json, key: string, what: string): T {
  const uuid = text(input, key);
  const found = map.get(uuid);
  if (!found) throw new SeedError(`no ${what} ${uuid}`);
  return found;
}

export function seedUser(state: PanelState, input: Json): PanelUser {
  const username = text(input, 'username');
  const email = text(input, 'email');
  const externalId = optionalText(input, 'external_id');
  for (const user of state.users.values()) {
    if (user.username.toLowerCase() === username.toLowerCase())
      throw new SeedError(`username ${username} is taken`);
    if (user.email.toLowerCase() === email.toLowerCase()) throw new SeedError(`email ${email} is taken`);
    if (externalId !== null && user.external_id === externalId)
      throw new SeedError(`external id ${externalId} is taken`);
  }
  const user: PanelUser = {
    uuid: uuidFor(input, state.users),
    external_id: externalId,
    username,
    email,
    name_first: text(input, 'name_first', 'Panel'),
    name_last: text(input, 'name_last', 'User'),
    admin: bool(input, 'admin', false),
    frozen: bool(input, 'frozen', false),
    suspended: bool(input, 'suspended', false),
    totp_enabled: bool(input, 'totp_enabled', false),
    require_two_factor: bool(input, 'require_two_factor', false),
    language: text(input, 'language', 'en'),
    password: optionalText(input, 'password'),
    role_permissions: Array.isArray(input.role_permissions) ? input.role_permissions.map(String) : [],
    created: nextCreated(),
  };
  state.users.set(user.uuid, user);
  return user;
}

/** An API key; without `user_uuid` its owner is a new admin account. */
export function seedApiKey(state: PanelState, input: Json): { key: string; user_uuid: string } {
  const owner = input.user_uuid
    ? existing(state.users, input, 'user_uuid', 'user')
    : seedUser(state, {
        username: `key${state.users.size}`,
        email: `key${state.users.size}@panel.example`,
        admin: true,
        ...(typeof input.user === 'object' && input.user !== null ? (input.user as Json) : {}),
      });
  const key = optionalText(input, 'key') ?? newApiKeyText();
  if (!/^c7sp_[A-Za-z0-9]{43}$/.test(key))
    throw new SeedError('key must be c7sp_ followed by 43 letters or digits');
  state.apiKeys.push({
    key,
    user_uuid: owner.uuid,
    admin_permissions: Array.isArray(input.admin_permissions)
      ? input.admin_permissions.map(String)
      : [...ADMIN_PERMISSIONS],
    allowed_ips: Array.isArray(input.allowed_ips) ? input.allowed_ips.map(String) : [],
    expires: typeof input.expires === 'number' ? input.expires : null,
  });
  return { key, user_uuid: owner.uuid };
}

function seedLocation(state: PanelState, input: Json) {
  const location = {
    uuid: uuidFor(input, state.locations),
    name: text(input, 'name'),
    description: optionalText(input, 'description'),
    flag: optionalText(input, 'flag'),
    created: nextCreated(),
  };
  state.locations.set(location.uuid, location);
  return location;
}

function seedNode(state: PanelState, input: Json) {
  existing(state.locations, input, 'location_uuid', 'location');
  const name = text(input, 'name');
  const node = {
    uuid: uuidFor(input, state.nodes),
    location_uuid: text(input, 'location_uuid'),
    name,
    memory: number(input, 'memory', 65536),
    disk: number(input, 'disk', 1048576),
    deployment_enabled: bool(input, 'deployment_enabled', true),
    maintenance_enabled: bool(input, 'maintenance_enabled', false),
    fqdn: text(input, 'fqdn', `${name}.panel.example`),
    created: nextCreated(),
  };
  state.nodes.set(node.uuid, node);
  return node;
}

function seedAllocation(state: PanelState, input: Json) {
  existing(state.nodes, input, 'node_uuid', 'node');
  const ip = text(input, 'ip');
  const port = number(input, 'port', 0);
  const nodeUuid = text(input, 'node_uuid');
  if ([...state.allocations.values()].some((a) => a.node_uuid === nodeUuid && a.ip === ip && a.port === port))
    throw new SeedError(`allocation ${ip}:${port} exists on that node`);
  const allocation = {
    uuid: uuidFor(input, state.allocations),
    node_uuid: nodeUuid,
    ip,
    ip_alias: optionalText(input, 'ip_alias'),
    port,
    created: nextCreated(),
  };
  state.allocations.set(allocation.uuid, allocation);
  return allocation;
}

function seedNest(state: PanelState, input: Json) {
  const nest = {
    uuid: uuidFor(input, state.nests),
    name: text(input, 'name'),
    description: optionalText(input, 'description'),
    author: text(input, 'author', 'support@panel.example'),
    created: nextCreated(),
  };
  state.nests.set(nest.uuid, nest);
  return nest;
}

function seedEgg(state: PanelState, input: Json) {
  existing(state.nests, input, 'nest_uuid', 'nest');
  const egg = {
    uuid: uuidFor(input, state.eggs),
    nest_uuid: text(input, 'nest_uuid'),
    name: text(input, 'name'),
    description: optionalText(input, 'description'),
    author: text(input, 'author', 'support@panel.example'),
    startup_commands: (input.startup_commands as Record<string, string> | undefined) ?? {
      Default: text(input, 'startup', './start.sh'),
    },
    docker_images: (input.docker_images as Record<string, string> | undefined) ?? {
      Default: 'ghcr.io/example/runtime:latest',
    },
    variables: ((input.variables as EggVariable[] | undefined) ?? []).map((v) => ({
      env_variable: String(v.env_variable),
      name: String(v.name ?? v.env_variable),
      default_value: v.default_value ?? null,
      rules: (v.rules ?? []).map(String),
    })),
    deployment_rules: (input.deployment_rules as AllocationRules | null | undefined) ?? null,
    created: nextCreated(),
  };
  state.eggs.set(egg.uuid, egg);
  return egg;
}

function seedBackupConfiguration(state: PanelState, input: Json) {
  const configuration = { uuid: uuidFor(input, state.backupConfigurations), name: text(input, 'name') };
  state.backupConfigurations.set(configuration.uuid, configuration);
  return configuration;
}

/**
 * A server as staff (or another billing system, or an old module) made it: any external id or
 * none, on a node's first free allocation unless one is named or `allocation_uuid` is null.
 */
export function seedServer(state: PanelState, input: Json): PanelServer {
  const node = existing(state.nodes, input, 'node_uuid', 'node');
  const owner = existing(state.users, input, 'owner_uuid', 'user');
  const egg = input.egg_uuid ? existing(state.eggs, input, 'egg_uuid', 'egg') : [...state.eggs.values()][0];
  if (!egg) throw new SeedError('egg_uuid is required (the panel has no egg)');
  let allocation: string | null;
  if (input.allocation_uuid === null) allocation = null;
  else if (typeof input.allocation_uuid === 'string') {
    existing(state.allocations, input, 'allocation_uuid', 'allocation');
    if (allocationHolder(state, input.allocation_uuid)) throw new SeedError('that allocation is taken');
    allocation = input.allocation_uuid;
  } else allocation = freeAllocations(state, node.uuid)[0]?.uuid ?? null;
  const limits = (input.limits as Json | undefined) ?? {};
  const features = (input.feature_limits as Json | undefined) ?? {};
  const uuid = uuidFor(input, state.servers);
  if ([...state.servers.values()].some((s) => s.uuid_short === uuid.slice(0, 8)))
    throw new SeedError(`a server with short id ${uuid.slice(0, 8)} exists`);
  const created = nextCreated();
  const server: PanelServer = {
    uuid,
    uuid_short: uuid.slice(0, 8),
    external_id: optionalText(input, 'external_id'),
    node_uuid: node.uuid,
    owner_uuid: owner.uuid,
    egg_uuid: egg.uuid,
    backup_configuration_uuid: optionalText(input, 'backup_configuration_uuid'),
    allocations: allocation
      ? [{ uuid: newUuid(), allocation_uuid: allocation, is_primary: true, created }]
      : [],
    status: (input.status as ServerStatus | undefined) ?? null,
    is_suspended: bool(input, 'suspended', false),
    name: text(input, 'name'),
    description: optionalText(input, 'description'),
    limits: {
      cpu: number(limits, 'cpu', 100),
      memory: number(limits, 'memory', 1024),
      memory_overhead: number(limits, 'memory_overhead', 0),
      swap: number(limits, 'swap', 0),
      disk: number(limits, 'disk', 10240),
      io_weight: (limits.io_weight as number | null | undefined) ?? null,
    },
    pinned_cpus: [],
    feature_limits: {
      allocations: number(features, 'allocations', 1),
      databases: number(features, 'databases', 0),
      backups: number(features, 'backups', 0),
      schedules: number(features, 'schedules', 0),
    },
    startup: text(input, 'startup', Object.values(egg.startup_commands)[0] ?? './start.sh'),
    image: text(input, 'image', Object.values(egg.docker_images)[0] ?? 'ghcr.io/example/runtime:latest'),
    timezone: null,
    hugepages_passthrough_enabled: bool(input, 'hugepages_passthrough_enabled', false),
    kvm_passthrough_enabled: bool(input, 'kvm_passthrough_enabled', false),
    variables: new Map(),
    backups: number(input, 'backups', 0),
    created,
  };
  state.servers.set(server.uuid, server);
  return server;
}

export function seedEntity(state: PanelState, entity: string, input: Json): unknown {
  switch (entity) {
    case 'user':
      return seedUser(state, input);
    case 'api-key':
      return seedApiKey(state, input);
    case 'location':
      return seedLocation(state, input);
    case 'node':
      return seedNode(state, input);
    case 'allocation':
      return seedAllocation(state, input);
    case 'nest':
      return seedNest(state, input);
    case 'egg':
      return seedEgg(state, input);
    case 'backup-configuration':
      return seedBackupConfiguration(state, input);
    case 'server':
      return presentServer(state, seedServer(state, input));
    default:
      throw new SeedError(`no seed entity "${entity}": one of ${SEED_ENTITIES.join(', ')}`);
  }
}

/** The server a drift names, by `uuid` or `external_id`. */
function driftTarget(state: PanelState, input: Json): PanelServer {
  const servers = [...state.servers.values()];
  const found =
    typeof input.uuid === 'string'
      ? state.servers.get(input.uuid)
      : servers.find((s) => s.external_id === input.external_id);
  if (!found) throw new SeedError('no server with that uuid or external_id');
  return found;
}

/** A change made by hand in the panel, for reconcile tests: `suspend`, `delete`, `limits`, … */
export function applyDrift(state: PanelState, kind: string, input: Json): unknown {
  const server = driftTarget(state, input);
  switch (kind) {
    case 'suspend':
    case 'unsuspend':
      server.is_suspended = kind === 'suspend';
      return presentServer(state, server);
    case 'delete':
      state.servers.delete(server.uuid);
      return { deleted: server.uuid };
    case 'limits':
      Object.assign(server.limits, (input.limits as Json | undefined) ?? {});
      Object.assign(server.feature_limits, (input.feature_limits as Json | undefined) ?? {});
      return presentServer(state, server);
    case 'status':
      server.status = (input.status as ServerStatus | undefined) ?? null;
      return presentServer(state, server);
    case 'external-id':
      server.external_id = optionalText(input, 'new_external_id');
      return presentServer(state, server);
    case 'duplicate': {
      // What an old module did on a retried create: a second server, here with no external id.
      const copy = seedServer(state, {
        name: server.name,
        node_uuid: server.node_uuid,
        owner_uuid: server.owner_uuid,
        egg_uuid: server.egg_uuid,
        external_id: input.new_external_id ?? null,
        limits: { ...server.limits },
        feature_limits: { ...server.feature_limits },
        image: server.image,
        startup: server.startup,
      });
      return presentServer(state, copy);
    }
    default:
      throw new SeedError(`no drift "${kind}": one of ${DRIFT_KINDS.join(', ')}`);
  }
}
