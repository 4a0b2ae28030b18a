import { chooseDeployment } from './deploy.js';
import { type Payload, readStruct, type Shape } from './payload.js';
import { paginate, presentServer } from './present.js';
import { ilike, type Route, type RouteContext, readPagination } from './router.js';
import { eggVariableError } from './rules.js';
import {
  type AllocationRules,
  allocationHolder,
  type Egg,
  newUuid,
  nextCreated,
  type PanelServer,
  type PanelState,
  type ServerLimits,
} from './state.js';
import {
  ApiError,
  checkLength,
  checkRange,
  isUuid,
  type Json,
  modelValidationError,
  routeValidationError,
} from './validation.js';

/**
 * Servers (docs/specs/calagopus.md §5): create on a node, deploy by location, read, list, patch,
 * variables, clear state, delete. Shapes are the panel's serde structs; processing order is
 * payload → route validation → permission → egg-variable rules → the model.
 */
const LIMITS: Shape = {
  cpu: 'int',
  memory: 'int',
  memory_overhead: 'int',
  swap: 'int',
  disk: 'int',
  io_weight: 'int?',
};
const FEATURE_LIMITS: Shape = { allocations: 'int', databases: 'int', backups: 'int', schedules: 'int' };
const VARIABLE: Shape = { env_variable: 'string', value: 'string' };

function createShape(deploy: boolean): Shape {
  return {
    ...(deploy ? {} : { node_uuid: 'uuid' as const }),
    owner_uuid: 'uuid',
    egg_uuid: 'uuid',
    backup_configuration_uuid: 'uuid?',
    allocation_uuid: 'uuid?',
    allocation_uuids: deploy ? 'uuid[]?' : 'uuid[]',
    start_on_completion: 'bool',
    skip_installer: 'bool',
    external_id: 'string?',
    name: 'string',
    description: 'string?',
    limits: { struct: 'AdminApiServerLimits', fields: LIMITS },
    pinned_cpus: 'array',
    startup: 'string',
    image: 'string',
    timezone: 'string?',
    hugepages_passthrough_enabled: 'bool',
    kvm_passthrough_enabled: 'bool',
    feature_limits: { struct: 'ApiServerFeatureLimits', fields: FEATURE_LIMITS },
    variables: { struct: 'PayloadVariable', fields: VARIABLE, list: true },
    ...(deploy
      ? {
          deployment: {
            struct: 'PayloadDeployment',
            fields: {
              location_uuids: 'uuid[]',
              allow_overallocation: 'bool',
              suspension_penalty: 'number?',
              randomness: 'number?',
              allocations: 'object?',
            },
          },
        }
      : {}),
  };
}

const PATCH_SHAPE: Shape = {
  owner_uuid: 'uuid?',
  egg_uuid: 'uuid?',
  backup_configuration_uuid: 'uuid?',
  suspended: 'bool?',
  external_id: 'string?',
  name: 'string?',
  description: 'string?',
  limits: { struct: 'AdminApiServerLimits', fields: LIMITS, optional: true },
  pinned_cpus: 'array?',
  startup: 'string?',
  image: 'string?',
  timezone: 'string?',
  hugepages_passthrough_enabled: 'bool?',
  kvm_passthrough_enabled: 'bool?',
  feature_limits: { struct: 'ApiServerFeatureLimits', fields: FEATURE_LIMITS, optional: true },
};

function serverFrom(ctx: RouteContext): PanelServer {
  ctx.requirePermission('servers.read');
  const id = ctx.params.server ?? '';
  if (id.length !== 36 && id.length !== 8) throw new ApiError(404, ['server not found']);
  // `by_identifier` parses the id; a malformed one of the right length is a database error (§5.4).
  if (id.length === 36 && !isUuid(id)) throw new ApiError(500, ['internal server error']);
  const server =
    id.length === 36
      ? ctx.state.servers.get(id)
      : [...ctx.state.servers.values()].find((s) => s.uuid_short === id);
  if (!server) throw new ApiError(404, ['server not found']);
  return server;
}

function limitsOf(value: Json): ServerLimits {
  return {
    cpu: value.cpu as number,
    memory: value.memory as number,
    memory_overhead: value.memory_overhead as number,
    swap: value.swap as number,
    disk: value.disk as number,
    io_weight: (value.io_weight as number | null | undefined) ?? null,
  };
}

function limitErrors(errors: string[], limits: ServerLimits): void {
  checkRange(errors, 'limits.cpu', limits.cpu, 0);
  checkRange(errors, 'limits.memory', limits.memory, 0);
  checkRange(errors, 'limits.memory_overhead', limits.memory_overhead, 0);
  checkRange(errors, 'limits.swap', limits.swap, -1);
  checkRange(errors, 'limits.disk', limits.disk, 0);
  if (limits.io_weight !== null) checkRange(errors, 'limits.io_weight', limits.io_weight, 0, 1000);
}

function featureLimitErrors(errors: string[], features: Json): void {
  for (const key of Object.keys(FEATURE_LIMITS))
    checkRange(errors, `feature_limits.${key}`, features[key], 0);
}

type Variable = { env_variable: string; value: string };

/** Supplied values for variables the egg has; the others are dropped silently (§5.2). */
function supplied(egg: Egg, variables: readonly Variable[]): Map<string, string> {
  const known = new Set(egg.variables.map((v) => v.env_variable));
  return new Map(variables.filter((v) => known.has(v.env_variable)).map((v) => [v.env_variable, v.value]));
}

function checkEggRules(egg: Egg, values: ReadonlyMap<string, string>): void {
  const problem = eggVariableError(
    egg,
    (env) => values.get(env) ?? egg.variables.find((v) => v.env_variable === env)?.default_value ?? '',
  );
  if (problem) throw new ApiError(400, [problem]);
}

interface CreateInput {
  body: Json;
  nodeUuid: string;
  primary: string | undefined;
  additional: string[];
  variables: Variable[];
}

function uniqueShortUuid(state: PanelState): string {
  for (;;) {
    const uuid = newUuid();
    const short = uuid.slice(0, 8);
    if (![...state.servers.values()].some((s) => s.uuid_short === short)) return uuid;
  }
}

/** `Server::create` (§5.2 steps 1–4), shared by create and deploy. */
function createServer(ctx: RouteContext, input: CreateInput): PanelServer {
  const { body } = input;
  const { state } = ctx;
  const modelErrors: string[] = [];
  checkLength(modelErrors, 'external_id', body.external_id, 1, 255);
  if (modelErrors.length) throw modelValidationError(modelErrors);
  if (!state.nodes.has(input.nodeUuid)) throw new ApiError(400, ['invalid relation `node` provided']);
  if (!state.users.has(body.owner_uuid as string))
    throw new ApiError(400, ['invalid relation `owner` provided']);
  const egg = state.eggs.get(body.egg_uuid as string);
  if (!egg) throw new ApiError(400, ['invalid relation `egg` provided']);
  const backup = (body.backup_configuration_uuid as string | undefined) ?? null;
  if (backup !== null && !state.backupConfigurations.has(backup)) {
    throw new ApiError(400, ['invalid relation `backup_configuration` provided']);
  }
  const wanted = [...(input.primary ? [input.primary] : []), ...input.additional];
  if (wanted.some((uuid) => allocationHolder(state, uuid))) {
    throw new ApiError(409, ['server with allocation(s) or external id already exists']);
  }
  // A node allocation that does not exist breaks a foreign key: a database error (guess 11).
  if (wanted.some((uuid) => !state.allocations.has(uuid))) throw new ApiError(500, ['internal server error']);
  const uuid = uniqueShortUuid(state);
  const created = nextCreated();
  const features = body.feature_limits as Json;
  const server: PanelServer = {
    uuid,
    uuid_short: uuid.slice(0, 8),
    external_id: (body.external_id as string | undefined) ?? null,
    node_uuid: input.nodeUuid,
    owner_uuid: body.owner_uuid as string,
    egg_uuid: egg.uuid,
    backup_configuration_uuid: backup,
    allocations: wanted.map((allocation_uuid, index) => ({
      uuid: newUuid(),
      allocation_uuid,
      is_primary: index === 0 && !!input.primary,
      created,
    })),
    status: body.skip_installer === true ? null : 'installing',
    is_suspended: false,
    name: body.name as string,
    description: (body.description as string | undefined) ?? null,
    limits: limitsOf(body.limits as Json),
    pinned_cpus: body.pinned_cpus as number[],
    feature_limits: {
      allocations: features.allocations as number,
      databases: features.databases as number,
      backups: features.backups as number,
      schedules: features.schedules as number,
    },
    startup: body.startup as string,
    image: body.image as string,
    timezone: (body.timezone as string | undefined) ?? null,
    hugepages_passthrough_enabled: body.hugepages_passthrough_enabled as boolean,
    kvm_passthrough_enabled: body.kvm_passthrough_enabled as boolean,
    variables: supplied(egg, input.variables),
    backups: 0,
    created,
  };
  state.servers.set(uuid, server);
  return server;
}

/** Create and deploy: serde shape, then route-level validation, then permission, then egg rules. */
function readCreateBody(ctx: RouteContext, deploy: boolean) {
  const payload: Payload = ctx.body();
  readStruct(payload, createShape(deploy));
  const body = payload.value;
  const limits = limitsOf(body.limits as Json);
  const variables = body.variables as Variable[];
  const errors: string[] = [];
  checkLength(errors, 'name', body.name, 3, 255);
  checkLength(errors, 'external_id', body.external_id, 0, 255);
  checkLength(errors, 'description', body.description, 0, 1024);
  limitErrors(errors, limits);
  (body.pinned_cpus as unknown[]).forEach((cpu, i) => {
    checkRange(errors, `pinned_cpus[${i}]`, cpu, 0);
  });
  checkLength(errors, 'startup', body.startup, 1, 8192);
  checkLength(errors, 'image', body.image, 2, 255);
  featureLimitErrors(errors, body.feature_limits as Json);
  variables.forEach((v, i) => {
    checkLength(errors, `variables[${i}].env_variable`, v.env_variable, 1, 255);
    checkLength(errors, `variables[${i}].value`, v.value, 0, 4096);
  });
  if (deploy) {
    const deployment = body.deployment as Json;
    checkRange(errors, 'deployment.suspension_penalty', deployment.suspension_penalty, 0, 1);
    checkRange(errors, 'deployment.randomness', deployment.randomness, 0, 1);
  }
  if (errors.length) throw routeValidationError(errors);
  ctx.requirePermission('servers.create');
  const egg = ctx.state.eggs.get(body.egg_uuid as string);
  if (egg) checkEggRules(egg, supplied(egg, variables));
  return { body, limits, variables, egg };
}

function deployRules(body: Json, egg: Egg | undefined): AllocationRules | null {
  const explicit = (body.deployment as Json).allocations as AllocationRules | undefined | null;
  return explicit ?? egg?.deployment_rules ?? null;
}

function numberOr(value: unknown, fallback: number): number {
  return typeof value === 'number' ? value : fallback;
}

export const serverRoutes: Route[] = [
  {
    method: 'GET',
    pattern: '/api/admin/servers',
    handle(ctx) {
      const page = readPagination(ctx.query);
      ctx.requirePermission('servers.read');
      const rows = [...ctx.state.servers.values()]
        .sort((a, b) => a.created.localeCompare(b.created))
        .filter((s) => !page.search || ilike(s.name, page.search));
      return {
        body: {
          servers: paginate(
            rows.map((s) => presentServer(ctx.state, s)),
            page.page,
            page.perPage,
          ),
        },
      };
    },
  },
  {
    method: 'GET',
    pattern: '/api/admin/servers/external/:external',
    handle(ctx) {
      ctx.requirePermission('servers.read');
      const server = [...ctx.state.servers.values()].find((s) => s.external_id === ctx.params.external);
      if (!server) throw new ApiError(404, ['server not found']);
      return { body: { server: presentServer(ctx.state, server) } };
    },
  },
  {
    method: 'GET',
    pattern: '/api/admin/servers/:server',
    handle(ctx) {
      return { body: { server: presentServer(ctx.state, serverFrom(ctx)) } };
    },
  },
  {
    method: 'POST',
    pattern: '/api/admin/servers',
    handle(ctx) {
      const { body, variables } = readCreateBody(ctx, false);
      const server = createServer(ctx, {
        body,
        nodeUuid: body.node_uuid as string,
        primary: body.allocation_uuid as string | undefined,
        additional: body.allocation_uuids as string[],
        variables,
      });
      return { body: { server: presentServer(ctx.state, server) } };
    },
  },
  {
    method: 'POST',
    pattern: '/api/admin/servers/deploy',
    handle(ctx) {
      const { body, limits, variables, egg } = readCreateBody(ctx, true);
      const deployment = body.deployment as Json;
      const choice = chooseDeployment(
        ctx.state,
        {
          locationUuids: deployment.location_uuids as string[],
          allowOverallocation: deployment.allow_overallocation as boolean,
          suspensionPenalty: numberOr(deployment.suspension_penalty, 0.5),
          randomness: numberOr(deployment.randomness, 0.5),
          memory: limits.memory,
          disk: limits.disk,
          rules: deployRules(body, egg),
          primarySupplied: typeof body.allocation_uuid === 'string',
          additionalSupplied: Array.isArray(body.allocation_uuids),
        },
        ctx.random,
      );
      const server = createServer(ctx, {
        body,
        nodeUuid: choice.node.uuid,
        primary: (body.allocation_uuid as string | undefined) ?? choice.primary,
        additional: (body.allocation_uuids as string[] | undefined) ?? choice.additional ?? [],
        variables,
      });
      return { body: { server: presentServer(ctx.state, server) } };
    },
  },
  {
    method: 'PATCH',
    pattern: '/api/admin/servers/:server',
    handle(ctx) {
      const server = serverFrom(ctx);
      const payload = ctx.body();
      readStruct(payload, PATCH_SHAPE);
      const body = payload.value;
      ctx.requirePermission('servers.update');
      const limits = body.limits ? limitsOf(body.limits as Json) : undefined;
      const errors: string[] = [];
      checkLength(errors, 'name', body.name, 1, 255);
      checkLength(errors, 'external_id', body.external_id, 1, 255);
      checkLength(errors, 'description', body.description, 1, 1024);
      checkLength(errors, 'startup', body.startup, 1, 8192);
      checkLength(errors, 'image', body.image, 2, 255);
      if (limits) limitErrors(errors, limits);
      if (body.feature_limits) featureLimitErrors(errors, body.feature_limits as Json);
      if (errors.length) throw modelValidationError(errors);
      if (typeof body.owner_uuid === 'string' && !ctx.state.users.has(body.owner_uuid))
        throw new ApiError(400, ['invalid relation `owner` provided']);
      if (typeof body.egg_uuid === 'string' && !ctx.state.eggs.has(body.egg_uuid))
        throw new ApiError(400, ['invalid relation `egg` provided']);
      applyPatch(server, body, limits);
      return { body: {} };
    },
  },
  {
    method: 'GET',
    pattern: '/api/admin/servers/:server/variables',
    handle(ctx) {
      const server = serverFrom(ctx);
      ctx.requirePermission('servers.variables');
      const egg = ctx.state.eggs.get(server.egg_uuid);
      const variables = (egg?.variables ?? []).map((v) => ({
        name: v.name,
        name_translations: {},
        description: null,
        description_translations: {},
        env_variable: v.env_variable,
        default_value: v.default_value,
        value: server.variables.get(v.env_variable) ?? v.default_value,
        is_editable: true,
        is_secret: false,
        rules: v.rules,
        created: server.created,
      }));
      return { body: { variables } };
    },
  },
  {
    method: 'PUT',
    pattern: '/api/admin/servers/:server/variables',
    handle(ctx) {
      const server = serverFrom(ctx);
      const payload = ctx.body();
      readStruct(payload, { variables: { struct: 'PayloadVariable', fields: VARIABLE, list: true } });
      const variables = payload.value.variables as Variable[];
      const errors: string[] = [];
      if (variables.length > 1024) errors.push('variables: length is greater than 1024');
      const seen = new Set<string>();
      for (const v of variables) {
        if (seen.has(v.env_variable))
          errors.push(`variables: duplicate environment variable: ${v.env_variable}`);
        seen.add(v.env_variable);
      }
      if (errors.length) throw routeValidationError(errors);
      ctx.requirePermission('servers.variables');
      const egg = ctx.state.eggs.get(server.egg_uuid);
      if (!egg) return { body: {} };
      const merged = new Map(server.variables);
      for (const [key, value] of supplied(egg, variables)) merged.set(key, value);
      checkEggRules(egg, merged);
      server.variables = merged;
      return { body: {} };
    },
  },
  {
    method: 'POST',
    pattern: '/api/admin/servers/:server/clear-state',
    handle(ctx) {
      const server = serverFrom(ctx);
      ctx.requirePermission('servers.update');
      server.status = null;
      return { body: {} };
    },
  },
  {
    method: 'DELETE',
    pattern: '/api/admin/servers/:server',
    handle(ctx) {
      const server = serverFrom(ctx);
      const payload = ctx.body();
      readStruct(payload, { force: 'bool?', delete_backups: 'bool?' });
      ctx.requirePermission('servers.delete');
      ctx.state.servers.delete(server.uuid);
      if (payload.value.delete_backups === true) ctx.state.deletedBackups += server.backups;
      return { body: {} };
    },
  },
];

function applyPatch(server: PanelServer, body: Json, limits: ServerLimits | undefined): void {
  if (typeof body.suspended === 'boolean') server.is_suspended = body.suspended;
  if (typeof body.owner_uuid === 'string') server.owner_uuid = body.owner_uuid;
  if (typeof body.egg_uuid === 'string') server.egg_uuid = body.egg_uuid;
  if (typeof body.name === 'string') server.name = body.name;
  if ('external_id' in body) server.external_id = (body.external_id as string | null) ?? null;
  if ('description' in body) server.description = (body.description as string | null) ?? null;
  if (limits) server.limits = limits;
  if (Array.isArray(body.pinned_cpus)) server.pinned_cpus = body.pinned_cpus as number[];
  if (typeof body.startup === 'string') server.startup = body.startup;
  if (typeof body.image === 'string') server.image = body.image;
  if (typeof body.hugepages_passthrough_enabled === 'boolean')
    server.hugepages_passthrough_enabled = body.hugepages_passthrough_enabled;
  if (typeof body.kvm_passthrough_enabled === 'boolean')
    server.kvm_passthrough_enabled = body.kvm_passthrough_enabled;
  if (body.feature_limits) {
    const f = body.feature_limits as Json;
    server.feature_limits = {
      allocations: f.allocations as number,
      databases: f.databases as number,
      backups: f.backups as number,
      schedules: f.schedules as number,
    };
  }
}
