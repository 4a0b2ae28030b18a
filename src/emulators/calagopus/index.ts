import { randomBytes } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import type { EmulatorDefinition, EmulatorStartOptions, RunningEmulator } from '../types.js';
import { defaultFaults, type Faults } from './faults.js';
import { FIXTURE, loadFixtures } from './fixtures.js';
import { presentServer } from './present.js';
import { type LoggedRequest, type PanelRuntime, startPanelServer } from './server.js';
import {
  ADMIN_PERMISSIONS,
  type AllocationRules,
  emptyState,
  newUuid,
  nextCreated,
  type PanelServer,
  type PanelState,
  type PanelUser,
  type ServerStatus,
} from './state.js';
import type { Json } from './validation.js';

/**
 * Calagopus panel emulator: the admin API of specs/calagopus.md over node:http, with in-memory
 * state, fixtures, a request log, fault injection, a latency knob, control routes under
 * `/__emulator/` and the same controls as methods on the handle.
 */
export { FIXTURE } from './fixtures.js';
export type { LoggedRequest } from './server.js';

export interface CalagopusEmulator extends RunningEmulator {
  readonly state: PanelState;
  readonly faults: Faults;
  /** Every /api request in arrival order. */
  readonly requests: LoggedRequest[];
  /** `METHOD /path` of each logged request, for ordered-call assertions. */
  calls(): string[];
  clearRequests(): void;
  reset(options?: { fixtures?: boolean }): void;
  createApiKey(options?: {
    permissions?: readonly string[];
    allowedIps?: string[];
    user?: Partial<PanelUser>;
  }): string;
  addUser(user: Partial<PanelUser> & Pick<PanelUser, 'username' | 'email'>): PanelUser;
  setServerStatus(uuid: string, status: ServerStatus): void;
  setBackups(uuid: string, count: number): void;
  setEggDeploymentRules(eggUuid: string, rules: AllocationRules | null): void;
  setLatency(ms: number): void;
  servers(): PanelServer[];
}

const ALNUM = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';

function newKeyText(): string {
  const bytes = randomBytes(43);
  return `c7sp_${[...bytes].map((b) => ALNUM[b % ALNUM.length]).join('')}`;
}

function makeUser(
  state: PanelState,
  fields: Partial<PanelUser> & Pick<PanelUser, 'username' | 'email'>,
): PanelUser {
  const user: PanelUser = {
    uuid: newUuid(),
    external_id: null,
    name_first: 'Panel',
    name_last: 'User',
    admin: false,
    frozen: false,
    suspended: false,
    totp_enabled: false,
    require_two_factor: false,
    language: 'en',
    has_password: true,
    role_permissions: [],
    created: nextCreated(),
    ...fields,
  };
  state.users.set(user.uuid, user);
  return user;
}

export async function startCalagopusEmulator(options: EmulatorStartOptions = {}): Promise<CalagopusEmulator> {
  const state = emptyState();
  const faults = defaultFaults(options.latencyMs ?? 0);
  if (options.options?.ratelimit === 'off') faults.rateLimit = null;
  const startRateLimit = faults.rateLimit;
  const log: LoggedRequest[] = [];
  if (options.fixtures !== false) loadFixtures(state);

  const handle = {
    state,
    faults,
    requests: log,
    calls: () => log.map((r) => `${r.method} ${r.path}`),
    clearRequests: () => {
      log.length = 0;
    },
    reset(resetOptions: { fixtures?: boolean } = {}) {
      Object.assign(state, emptyState());
      Object.assign(faults, defaultFaults(faults.latencyMs), { rateLimit: startRateLimit });
      log.length = 0;
      if (resetOptions.fixtures !== false) loadFixtures(state);
    },
    createApiKey(
      keyOptions: { permissions?: readonly string[]; allowedIps?: string[]; user?: Partial<PanelUser> } = {},
    ) {
      const owner = keyOptions.user
        ? makeUser(state, {
            username: `key${state.users.size}`,
            email: `key${state.users.size}@panel.example`,
            admin: true,
            ...keyOptions.user,
          })
        : (state.users.get(FIXTURE.adminUser) as PanelUser);
      const key = newKeyText();
      state.apiKeys.push({
        key,
        user_uuid: owner.uuid,
        admin_permissions: [...(keyOptions.permissions ?? ADMIN_PERMISSIONS)],
        allowed_ips: keyOptions.allowedIps ?? [],
        expires: null,
      });
      return key;
    },
    addUser: (fields: Partial<PanelUser> & Pick<PanelUser, 'username' | 'email'>) => makeUser(state, fields),
    setServerStatus(uuid: string, status: ServerStatus) {
      const server = state.servers.get(uuid);
      if (!server) throw new Error(`no server ${uuid}`);
      server.status = status;
    },
    setBackups(uuid: string, count: number) {
      const server = state.servers.get(uuid);
      if (!server) throw new Error(`no server ${uuid}`);
      server.backups = count;
    },
    setEggDeploymentRules(eggUuid: string, rules: AllocationRules | null) {
      const egg = state.eggs.get(eggUuid);
      if (!egg) throw new Error(`no egg ${eggUuid}`);
      egg.deployment_rules = rules;
    },
    setLatency(ms: number) {
      faults.latencyMs = ms;
    },
    servers: () => [...state.servers.values()],
  };

  const runtime: PanelRuntime = {
    state,
    faults,
    log,
    control: (method, path, body) => control(handle, method, path, body),
  };
  const { server, sockets } = startPanelServer(runtime);
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, options.host ?? '127.0.0.1', () => resolve());
  });
  const port = (server.address() as AddressInfo).port;
  const url = `http://${options.host ?? '127.0.0.1'}:${port}`;
  return {
    ...handle,
    url,
    port,
    describe: () => [
      `Calagopus panel emulator at ${url} (admin API under /api/admin)`,
      `Admin API key (server password): ${FIXTURE.apiKey}`,
      `Nest ${FIXTURE.nestMinecraft}, egg ${FIXTURE.eggPaper}`,
      `Node eu-node-1 ${FIXTURE.nodeEu1}; locations eu-west ${FIXTURE.locationEu}, us-east ${FIXTURE.locationUs}`,
      `Control: GET ${url}/__emulator/requests, POST ${url}/__emulator/faults, POST ${url}/__emulator/reset`,
    ],
    async close() {
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

type Handle = Omit<CalagopusEmulator, keyof RunningEmulator>;

/** `/__emulator/...` control routes: the handle's methods over HTTP. */
function control(
  handle: Handle,
  method: string,
  path: string,
  body: Json,
): { status: number; body: unknown } | undefined {
  const serverStatus = /^\/__emulator\/servers\/([^/]+)\/status$/.exec(path);
  if (method === 'GET' && path === '/__emulator/requests')
    return { status: 200, body: { requests: handle.requests } };
  if (method === 'DELETE' && path === '/__emulator/requests') {
    handle.clearRequests();
    return { status: 200, body: {} };
  }
  if (method === 'POST' && path === '/__emulator/reset') {
    handle.reset({ fixtures: body.fixtures !== false });
    return { status: 200, body: {} };
  }
  if (method === 'GET' && path === '/__emulator/state') {
    return {
      status: 200,
      body: {
        users: [...handle.state.users.values()],
        servers: handle.servers().map((s) => presentServer(handle.state, s)),
        deletedBackups: handle.state.deletedBackups,
      },
    };
  }
  if (method === 'GET' && path === '/__emulator/faults') return { status: 200, body: handle.faults };
  if (method === 'POST' && path === '/__emulator/faults') {
    Object.assign(handle.faults, body);
    return { status: 200, body: handle.faults };
  }
  if (method === 'POST' && path === '/__emulator/api-keys') {
    const key = handle.createApiKey({
      permissions: body.permissions as string[] | undefined,
      allowedIps: body.allowed_ips as string[] | undefined,
    });
    return { status: 200, body: { key } };
  }
  if (method === 'POST' && path === '/__emulator/users') {
    const user = handle.addUser(body as unknown as PanelUser);
    return { status: 200, body: { user } };
  }
  if (method === 'POST' && serverStatus) {
    handle.setServerStatus(
      decodeURIComponent(serverStatus[1] as string),
      (body.status as ServerStatus) ?? null,
    );
    return { status: 200, body: {} };
  }
  return undefined;
}

export const emulator: EmulatorDefinition = {
  id: 'calagopus',
  description: 'Calagopus game-server panel admin API (users, locations, nodes, eggs, servers, deploy)',
  defaultPort: 8000,
  start: (options) => startCalagopusEmulator(options),
};
