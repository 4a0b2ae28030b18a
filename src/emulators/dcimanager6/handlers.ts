import { randomUUID } from 'node:crypto';
import { GUESSES } from './guesses.js';
import type { HandlerName } from './routes.js';
import type { Dci6State, EmuServer, EmuUser } from './state.js';
import { queryList } from './where.js';

/**
 * One handler per route of the emulator's table. A handler reads the parsed request and the
 * calling user, changes the state and answers a status and a JSON body; errors use the
 * `{"error":{code,msg,value}}` envelope (docs/specs/dcimanager6.md §4.3). Request bodies are read
 * field by field with their types checked here: nothing is trusted from the caller's side.
 */
export interface Sessions {
  /** Token value → its id (auth v4 answers both) and user. */
  tokens: Map<string, { id: number; userId: number }>;
  keys: Map<string, { userId: number; expiresAt: number }>;
  nextTokenId: number;
}

export interface HandlerRequest {
  state: Dci6State;
  sessions: Sessions;
  params: Record<string, string>;
  query: URLSearchParams;
  body: Record<string, unknown>;
  user: EmuUser | undefined;
}

export interface HandlerReply {
  status: number;
  body: unknown;
}

export function apiError(status: number, code: number, msg: string): HandlerReply {
  return { status, body: { error: { code, msg, value: {} } } };
}

const ok = (body: unknown = {}, status = 200): HandlerReply => ({ status, body });
const mutated = (body: unknown = {}): HandlerReply => ({ status: GUESSES.mutationReplyStatus, body });
const notFound = (what: string): HandlerReply =>
  apiError(404, GUESSES.codes.instanceNotFound, `Instance not found: ${what}`);
const invalid = (msg: string): HandlerReply => apiError(400, GUESSES.codes.invalidValue, msg);

type Handler = (req: HandlerRequest) => HandlerReply;

function withServer(fn: (server: EmuServer, req: HandlerRequest) => HandlerReply): Handler {
  return (req) => {
    const server = req.state.servers.get(Number(req.params.id));
    return server ? fn(server, req) : notFound(`server ${req.params.id}`);
  };
}

function busy(state: Dci6State, server: EmuServer): HandlerReply | undefined {
  if (GUESSES.rejectWhileRunning && state.runningOperation(server)) {
    return apiError(
      GUESSES.httpStatus.operationRunning,
      GUESSES.codes.operationRunning,
      `server ${server.id} has a running operation`,
    );
  }
  return undefined;
}

/** Auth v4 takes a user id or an email wherever a user is named (auth_v4_api.yaml `UserId`). */
function userByRef(state: Dci6State, ref: string): EmuUser | undefined {
  return /^\d+$/.test(ref) ? state.users.get(Number(ref)) : state.userByEmail(ref);
}

/** Auth v4 refuses passwords shorter than 8 characters (`minLength: 8`, §3). */
function passwordProblem(password: unknown): string | undefined {
  if (typeof password !== 'string') return 'password: required';
  return password.length < 8 ? 'password: must be at least 8 characters' : undefined;
}

function newToken(sessions: Sessions, userId: number): { id: number; token: string } {
  const token = `${userId}-${randomUUID()}`;
  const id = ++sessions.nextTokenId;
  sessions.tokens.set(token, { id, userId });
  return { id, token };
}

function numberList(value: unknown): number[] | undefined {
  if (!Array.isArray(value) || !value.every((entry) => Number.isInteger(entry))) return undefined;
  return value as number[];
}

function addAddresses(state: Dci6State, server: EmuServer, body: Record<string, unknown>): HandlerReply {
  const orders: { family: 'ipv4' | 'ipv6'; pools: number[]; count: number }[] = [];
  for (const family of ['ipv4', 'ipv6'] as const) {
    if (body[`${family}_pool`] === undefined) continue;
    const pools = numberList(body[`${family}_pool`]);
    const count = body[`${family}_number`] ?? 1;
    if (!pools?.length) return invalid(`${family}_pool: a list of pool ids`);
    if (!Number.isInteger(count) || (count as number) < 1) return invalid(`${family}_number: at least 1`);
    orders.push({ family, pools, count: count as number });
  }
  if (orders.length === 0) return invalid('ipv4_pool or ipv6_pool: required');
  const prefix = body.ipv6_prefix;
  if (
    prefix !== undefined &&
    (!Number.isInteger(prefix) || (prefix as number) < 1 || (prefix as number) > 128)
  )
    return invalid('ipv6_prefix: out of range');
  if (body.temporary !== undefined && typeof body.temporary !== 'boolean')
    return invalid('temporary: boolean');
  const added: string[] = [];
  for (const order of orders) {
    const pool = order.pools.map((id) => state.pools.get(id)).find((candidate) => candidate?.[order.family]);
    if (!pool)
      return invalid(
        `${order.family}_pool: no pool with ${order.family} ranges among ${order.pools.join(',')}`,
      );
    for (let n = 0; n < order.count; n++) {
      const ip = state.allocate(
        pool,
        order.family,
        server.id,
        order.family === 'ipv6' ? (prefix as number | undefined) : undefined,
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
  return mutated({ id: server.id, ip: added });
}

function startOperation(
  state: Dci6State,
  server: EmuServer,
  kind: 'os_install' | 'diag',
  body: Record<string, unknown>,
): HandlerReply {
  const template = state.templates.get(Number(body.template));
  const wanted = kind === 'os_install' ? 'os' : 'diag';
  if (!Number.isInteger(body.template) || template?.type !== wanted)
    return invalid(
      `template: no ${wanted === 'os' ? 'OS' : 'diagnostics'} template ${String(body.template)}`,
    );
  const refused = busy(state, server);
  if (refused) return refused;
  const operation = state.startOperation(server, kind, { ...body });
  if (kind === 'diag') {
    // With billing integration the server gets an address from the diagnostic pool meanwhile (S10).
    const pool = numberList(body.ip_pool)
      ?.map((id) => state.pools.get(id))
      .find((candidate) => candidate?.ipv4);
    if (pool) operation.lentIpId = state.allocate(pool, 'ipv4', server.id)?.id;
  }
  return mutated({ id: server.id, operation: operation.id });
}

export const HANDLERS: Record<HandlerName, Handler> = {
  login({ state, sessions, body }) {
    const user = typeof body.email === 'string' ? state.userByEmail(body.email) : undefined;
    if (!user || user.password !== body.password)
      return apiError(
        GUESSES.httpStatus.badCredentials,
        GUESSES.codes.badCredentials,
        'Invalid email or password',
      );
    return ok(newToken(sessions, user.id), 201);
  },
  logout({ sessions, params }) {
    // auth v4: "Token id or value".
    for (const [token, entry] of sessions.tokens) {
      if (token === params.token || String(entry.id) === params.token) {
        sessions.tokens.delete(token);
        return ok();
      }
    }
    return notFound(`token ${params.token}`);
  },
  userKey({ state, sessions, params }) {
    const user = userByRef(state, params.user ?? '');
    if (!user) return notFound(`user ${params.user}`);
    const key = `${user.id}-${randomUUID()}`;
    sessions.keys.set(key, { userId: user.id, expiresAt: state.now() + GUESSES.keyLifetimeMs });
    return ok({ id: user.id, key }, 201);
  },
  exchangeKey({ state, sessions, body }) {
    const key = String(body.key ?? '');
    const entry = sessions.keys.get(key);
    sessions.keys.delete(key);
    if (!entry || entry.expiresAt < state.now())
      return apiError(
        GUESSES.httpStatus.unauthorized,
        GUESSES.codes.badCredentials,
        'Invalid or expired key',
      );
    return ok(newToken(sessions, entry.userId), 201);
  },
  userPassword({ state, params, body, user: caller }) {
    const user = userByRef(state, params.user ?? '');
    if (!user) return notFound(`user ${params.user}`);
    // "A platform administrator is not allowed to change other administrators' passwords" (§8).
    if (user.roles.includes('@admin') && user.id !== caller?.id)
      return apiError(GUESSES.httpStatus.forbidden, GUESSES.codes.forbidden, 'Access denied');
    const problem = passwordProblem(body.password);
    if (problem) return invalid(problem);
    user.password = body.password as string;
    return ok();
  },

  serverList: ({ state, query }) => ok(queryList(state.wireServers(), query)),
  serverGet: withServer((server, { state }) => ok(state.wireServer(server))),
  configurationList({ state, query }) {
    const counts = new Map<string, number>();
    for (const server of state.servers.values()) {
      counts.set(
        server.configuration,
        (counts.get(server.configuration) ?? 0) + (state.isFree(server) ? 1 : 0),
      );
    }
    const rows = [...counts].map(([configuration, free]) => ({ configuration, free_server_count: free }));
    return ok(queryList(rows, query));
  },
  userList: ({ state, query }) =>
    ok(
      queryList(
        [...state.users.values()].map((user) => state.wireUser(user)),
        query,
      ),
    ),
  userCreate({ state, body }) {
    if (typeof body.email !== 'string' || !/^[^\s@]+@[^\s@]+$/.test(body.email))
      return invalid('email: invalid value');
    const problem = passwordProblem(body.password);
    if (problem) return invalid(problem);
    if (state.userByEmail(body.email))
      return apiError(409, GUESSES.codes.invalidValue, `user ${body.email} already exists`);
    const role = body.role ?? '@user';
    if (role !== '@user' && role !== '@admin') return invalid(`role: unknown role ${String(role)}`);
    if (body.full_name !== undefined && typeof body.full_name !== 'string') return invalid('full_name: text');
    const user = state.addUser({
      email: body.email,
      password: body.password as string,
      roles: [role],
      full_name: (body.full_name as string | undefined) ?? '',
    });
    return ok({ id: user.id });
  },
  switchPorts({ state, params, query }) {
    const switchId = Number(params.switchId);
    const rows = [...state.servers.values()].flatMap((server) =>
      server.switch_connection
        .filter((port) => port.switch === switchId)
        .map((port) => ({ ...port, server: { id: server.id, name: server.domain } })),
    );
    return ok(queryList(rows, query));
  },
  ipPoolList: ({ state, query }) =>
    ok(
      queryList(
        [...state.pools.values()].map(({ id, name }) => ({ id, name, note: '' })),
        query,
      ),
    ),
  ipList: ({ state, query }) =>
    ok(
      queryList(
        [...state.ips.values()].map(({ serverId: _server, poolId, ...ip }) => ({ ...ip, ippool: poolId })),
        query,
      ),
    ),

  serverEdit: withServer((server, { body }) => {
    const unknown = Object.keys(body).filter((key) => key !== 'comment');
    if (unknown.length > 0) return invalid(`${unknown.join(', ')}: not editable here`);
    if (typeof body.comment !== 'string') return invalid('comment: text');
    if (body.comment.length > GUESSES.commentMaxLength)
      return invalid(`comment: at most ${GUESSES.commentMaxLength} characters`);
    server.comment = body.comment;
    return mutated({ id: server.id });
  }),
  setOwner: withServer((server, { state, body }) => {
    if (body.owner === null) {
      server.owner = null;
      return mutated({ id: server.id });
    }
    if (!Number.isInteger(body.owner)) return invalid('owner: a user id or null');
    if (!state.users.has(body.owner as number)) return notFound(`user ${String(body.owner)}`);
    server.owner = body.owner as number;
    return mutated({ id: server.id });
  }),
  setPort({ state, params, body }) {
    const portId = Number(params.portId);
    if (body.admin_status !== 'up' && body.admin_status !== 'down')
      return invalid('admin_status: must be up or down');
    for (const server of state.servers.values()) {
      const port = server.switch_connection.find((entry) => entry.id === portId);
      if (port) {
        port.admin_status = body.admin_status;
        port.oper_status = body.admin_status;
        return mutated({ id: portId });
      }
    }
    return notFound(`switch port ${portId}`);
  },
  powerOn: withServer((server) => {
    server.power_status = 'on';
    return mutated();
  }),
  powerReset: withServer((server) => {
    server.power_status = 'on';
    return mutated();
  }),
  powerOff: withServer((server) => {
    server.power_status = 'off';
    return mutated();
  }),
  abort: withServer((server, { state }) => {
    state.abort(server);
    return mutated();
  }),
  addIp: withServer((server, { state, body }) => addAddresses(state, server, body)),
  deleteIp({ state, params }) {
    const ip = state.ips.get(Number(params.ipId));
    if (!ip) return notFound(`ip ${params.ipId}`);
    state.ips.delete(ip.id);
    return mutated();
  },
  osInstall: withServer((server, { state, body }) => startOperation(state, server, 'os_install', body)),
  diagnostics: withServer((server, { state, body }) => startOperation(state, server, 'diag', body)),
  osTemplateList: ({ state, query }) => ok(queryList([...state.templates.values()], query)),
  locationList: ({ state, query }) => ok(queryList([...state.locations.values()], query)),
};
