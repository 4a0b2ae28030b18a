import { randomUUID } from 'node:crypto';
import type {
  AddIpBody,
  DiagnosticsBody,
  LoginBody,
  OsInstallBody,
  RouteName,
  SetOwnerBody,
  SetPortBody,
  UserCreateBody,
} from '../../modules/dcimanager6/routes.js';
import { GUESSES } from './guesses.js';
import type { Dci6State, EmuServer, EmuUser } from './state.js';
import { queryList } from './where.js';

/**
 * One handler per route of the module's route table. A handler gets the parsed request and the
 * calling user, changes the state and returns a status and a JSON body; errors use the
 * `{"error":{code,msg,value}}` envelope (spec §4.3).
 */
export interface HandlerRequest {
  params: Record<string, string>;
  query: URLSearchParams;
  body: Record<string, unknown>;
  user: EmuUser | undefined;
}

export interface HandlerResult {
  status: number;
  body: unknown;
}

export interface Sessions {
  tokens: Map<string, number>;
  keys: Map<string, { userId: number; expiresAt: number }>;
}

export function apiError(status: number, code: number, msg: string): HandlerResult {
  return { status, body: { error: { code, msg, value: {} } } };
}

const ok = (body: unknown = {}): HandlerResult => ({ status: 200, body });
const notFound = (what: string): HandlerResult =>
  apiError(404, GUESSES.codes.instanceNotFound, `Instance not found: ${what}`);
const invalid = (msg: string): HandlerResult => apiError(400, GUESSES.codes.invalidValue, msg);

type Handler = (state: Dci6State, sessions: Sessions, req: HandlerRequest) => HandlerResult;

function withServer(
  fn: (state: Dci6State, server: EmuServer, req: HandlerRequest) => HandlerResult,
): Handler {
  return (state, _sessions, req) => {
    const server = state.servers.get(Number(req.params.id));
    return server ? fn(state, server, req) : notFound(`server ${req.params.id}`);
  };
}

function busy(state: Dci6State, server: EmuServer): HandlerResult | undefined {
  if (GUESSES.rejectWhileRunning && state.runningOperation(server)) {
    return apiError(
      GUESSES.httpStatus.operationRunning,
      GUESSES.codes.operationRunning,
      `server ${server.id} has a running operation`,
    );
  }
  return undefined;
}

export const HANDLERS: Record<RouteName, Handler> = {
  login(state, sessions, req) {
    const body = req.body as Partial<LoginBody>;
    const user = state.userByEmail(String(body.email ?? ''));
    if (!user || user.password !== body.password) {
      return apiError(
        GUESSES.httpStatus.badCredentials,
        GUESSES.codes.badCredentials,
        'Invalid email or password',
      );
    }
    const token = `${user.id}-${randomUUID()}`;
    sessions.tokens.set(token, user.id);
    return ok({ id: String(user.id), token });
  },
  logout(_state, sessions, req) {
    sessions.tokens.delete(req.params.token ?? '');
    return ok();
  },
  userKey(state, sessions, req) {
    const ref = req.params.email ?? '';
    const user = /^\d+$/.test(ref) ? state.users.get(Number(ref)) : state.userByEmail(ref);
    if (!user) return notFound(`user ${ref}`);
    const key = `${user.id}-${randomUUID()}`;
    sessions.keys.set(key, { userId: user.id, expiresAt: state.now() + GUESSES.keyLifetimeMs });
    return ok({ id: String(user.id), key });
  },
  exchangeKey(state, sessions, req) {
    const key = String(req.body.key ?? '');
    const entry = sessions.keys.get(key);
    sessions.keys.delete(key);
    if (!entry || entry.expiresAt < state.now())
      return apiError(
        GUESSES.httpStatus.badCredentials,
        GUESSES.codes.badCredentials,
        'Invalid or expired key',
      );
    const token = `${entry.userId}-${randomUUID()}`;
    sessions.tokens.set(token, entry.userId);
    return ok({ token });
  },

  serverList: (state, _s, req) => ok(queryList(state.wireServers(), req.query)),
  serverGet: withServer((state, server) => ok(state.wireServer(server))),
  configurationList(state, _s, req) {
    const counts = new Map<string, number>();
    for (const server of state.servers.values()) {
      counts.set(
        server.configuration,
        (counts.get(server.configuration) ?? 0) + (state.isFree(server) ? 1 : 0),
      );
    }
    const rows = [...counts].map(([configuration, free]) => ({ configuration, free_server_count: free }));
    return ok(queryList(rows, req.query));
  },
  userList: (state, _s, req) =>
    ok(
      queryList(
        [...state.users.values()].map((user) => state.wireUser(user)),
        req.query,
      ),
    ),
  userCreate(state, _s, req) {
    const body = req.body as Partial<UserCreateBody>;
    if (!body.email || !/^[^\s@]+@[^\s@]+$/.test(body.email)) return invalid('email: invalid value');
    if (!body.password) return invalid('password: required');
    if (state.userByEmail(body.email))
      return apiError(409, GUESSES.codes.invalidValue, `user ${body.email} already exists`);
    const role = String(body.role ?? '@user');
    if (role !== '@user' && role !== '@admin') return invalid(`role: unknown role ${role}`);
    const user = state.addUser({
      email: body.email,
      password: body.password,
      roles: [role],
      full_name: body.full_name ?? '',
    });
    return ok({ id: user.id });
  },
  locationList: (state, _s, req) => ok(queryList([...state.locations.values()], req.query)),
  osTemplateList: (state, _s, req) => ok(queryList([...state.templates.values()], req.query)),
  ipPoolList: (state, _s, req) =>
    ok(
      queryList(
        [...state.pools.values()].map(({ id, name }) => ({ id, name })),
        req.query,
      ),
    ),

  setOwner: withServer((state, server, req) => {
    const { owner } = req.body as Partial<SetOwnerBody>;
    if (owner === null || owner === undefined) {
      server.owner = null;
      return ok({ id: server.id });
    }
    if (!state.users.has(Number(owner))) return notFound(`user ${owner}`);
    server.owner = Number(owner);
    return ok({ id: server.id });
  }),
  setPort(state, _s, req) {
    const portId = Number(req.params.portId);
    const { admin_status: status } = req.body as Partial<SetPortBody>;
    if (status !== 'up' && status !== 'down') return invalid('admin_status: must be up or down');
    for (const server of state.servers.values()) {
      const port = server.switch_connection.find((entry) => entry.id === portId);
      if (port) {
        port.admin_status = status;
        port.oper_status = status;
        return ok({ id: portId });
      }
    }
    return notFound(`switch port ${portId}`);
  },
  powerOn: withServer((_state, server) => {
    server.power_status = 'on';
    return ok();
  }),
  powerOff: withServer((_state, server) => {
    server.power_status = 'off';
    return ok();
  }),
  powerReset: withServer((_state, server) => {
    server.power_status = 'on';
    return ok();
  }),
  abortOperation: withServer((state, server) => {
    state.abort(server);
    return ok();
  }),
  addIp: withServer((state, server, req) => {
    const body = req.body as AddIpBody;
    const orders: { family: 'ipv4' | 'ipv6'; pools: number[]; count: number }[] = [];
    if (body.ipv4_pool?.length)
      orders.push({ family: 'ipv4', pools: body.ipv4_pool, count: body.ipv4_number ?? 1 });
    if (body.ipv6_pool?.length)
      orders.push({ family: 'ipv6', pools: body.ipv6_pool, count: body.ipv6_number ?? 1 });
    if (orders.length === 0) return invalid('ipv4_pool or ipv6_pool: required');
    if (body.ipv6_prefix !== undefined && (body.ipv6_prefix < 1 || body.ipv6_prefix > 128))
      return invalid('ipv6_prefix: out of range');
    const added: string[] = [];
    for (const order of orders) {
      for (let n = 0; n < order.count; n++) {
        const pool = order.pools
          .map((id) => state.pools.get(Number(id)))
          .find((candidate) => candidate?.[order.family]);
        if (!pool)
          return invalid(
            `${order.family}_pool: no pool with ${order.family} ranges among ${order.pools.join(',')}`,
          );
        const ip = state.allocate(
          pool,
          order.family,
          server.id,
          order.family === 'ipv6' ? body.ipv6_prefix : undefined,
          body.temporary === true,
        );
        if (!ip)
          return apiError(
            400,
            GUESSES.codes.poolExhausted,
            `pool ${pool.name} has no free ${order.family} address`,
          );
        added.push(ip.name);
      }
    }
    return ok({ id: server.id, ip: added });
  }),
  deleteIp(state, _s, req) {
    const ip = state.ips.get(Number(req.params.ipId));
    if (!ip) return notFound(`ip ${req.params.ipId}`);
    state.ips.delete(ip.id);
    return ok();
  },
  osInstall: withServer((state, server, req) => {
    const body = req.body as Partial<OsInstallBody>;
    const template = state.templates.get(Number(body.template));
    if (template?.type !== 'os') return invalid(`template: no OS template ${body.template}`);
    const refused = busy(state, server);
    if (refused) return refused;
    const operation = state.startOperation(server, 'os_install', { ...body });
    return ok({ id: server.id, operation: operation.id });
  }),
  diagnostics: withServer((state, server, req) => {
    const body = req.body as Partial<DiagnosticsBody>;
    const template = state.templates.get(Number(body.template));
    if (template?.type !== 'diag') return invalid(`template: no diagnostics template ${body.template}`);
    const refused = busy(state, server);
    if (refused) return refused;
    const operation = state.startOperation(server, 'diag', { ...body });
    // With billing integration the server gets an address from the diagnostic pool meanwhile (S10).
    const pool = body.ip_pool?.map((id) => state.pools.get(Number(id))).find((candidate) => candidate?.ipv4);
    if (pool) operation.lentIpId = state.allocate(pool, 'ipv4', server.id)?.id;
    return ok({ id: server.id, operation: operation.id });
  }),
};

/** Routes served without a token. */
export const PUBLIC_ROUTES: ReadonlySet<RouteName> = new Set(['login', 'exchangeKey']);
