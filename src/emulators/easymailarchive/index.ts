import { createServer, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import { readBody, sendJson } from '../http-kit.js';
import type { EmulatorDefinition, EmulatorStartOptions, RunningEmulator } from '../types.js';
import { type ApiConfig, ResellerApi } from './api.js';
import { handleControl } from './control.js';
import { type FaultAction, FaultList, type FaultRule } from './faults.js';
import { DEMO_RESELLER, fixtureTenants } from './fixtures.js';
import { type ConflictAnswer, DEFAULT_CONFLICT_ANSWER, DEFAULT_ENVELOPE, type Envelope } from './guesses.js';
import { type EmulatedTenant, type Reseller, TenantStore } from './state.js';

/**
 * Easy Mail Archive reseller API emulator: a real HTTP server (node:http) with in-memory tenants,
 * both documented response styles, global slug uniqueness across resellers, fault injection,
 * latency and a request log. Control routes live under `/__emulator/` (see control.ts); tests
 * call the same things as methods on the handle.
 */
export interface RequestLogEntry {
  method: string;
  path: string;
  query: string;
  /** Answered status; null when the connection was dropped or left hanging. */
  status: number | null;
  fault?: FaultAction;
  /** Reseller id of the key used, when it was valid. */
  reseller?: string;
}

export interface EmulatorConfig extends ApiConfig {
  latencyMs: number;
}

export interface SeedOptions {
  reseller?: string;
  /** Slug prefix of seeded tenants (`<prefix>1`, `<prefix>2`, …). */
  prefix?: string;
  /** Usage figures of tenant i (0-based): users, storage bytes, messages. */
  usage?: (index: number) => [number, number, number];
}

export interface EasyMailArchiveEmulator extends RunningEmulator {
  /** The demo reseller's API key and base domain ("our" account in tests). */
  readonly apiKey: string;
  readonly baseDomain: string;
  config(): EmulatorConfig;
  configure(change: Partial<EmulatorConfig>): void;
  tenants(reseller?: string): EmulatedTenant[];
  tenant(slug: string): EmulatedTenant | undefined;
  putTenant(tenant: Partial<EmulatedTenant> & { slug: string }): EmulatedTenant;
  seedTenants(count: number, options?: SeedOptions): EmulatedTenant[];
  addReseller(reseller: Reseller): void;
  injectFault(rule: FaultRule): void;
  clearFaults(): void;
  requests(filter?: { method?: string; path?: string }): RequestLogEntry[];
  clearRequests(): void;
  /** Fixtures back, faults, log and configuration reset. */
  reset(): void;
}

function initialConfig(options: EmulatorStartOptions): EmulatorConfig {
  const set = options.options ?? {};
  return {
    envelope: (set.envelope as Envelope) === 'bare' ? 'bare' : DEFAULT_ENVELOPE,
    conflictAnswer: (set.conflict as ConflictAnswer) === '409' ? '409' : DEFAULT_CONFLICT_ANSWER,
    latencyMs: options.latencyMs ?? 0,
  };
}

async function readJsonBody(req: IncomingMessage): Promise<unknown> {
  const text = await readBody(req);
  if (text.trim() === '') return undefined;
  try {
    return JSON.parse(text);
  } catch {
    return 'invalid';
  }
}

const send = sendJson;

export async function startEasyMailArchiveEmulator(
  options: EmulatorStartOptions = {},
): Promise<EasyMailArchiveEmulator> {
  let config = initialConfig(options);
  const demo: Reseller = {
    ...DEMO_RESELLER,
    ...(options.options?.apiKey ? { apiKey: options.options.apiKey } : {}),
    ...(options.options?.baseDomain ? { baseDomain: options.options.baseDomain } : {}),
  };
  const store = new TenantStore();
  const faults = new FaultList();
  let log: RequestLogEntry[] = [];
  const api = new ResellerApi(store, () => config);

  const loadFixtures = () => {
    store.clear();
    store.addReseller(demo);
    if (options.fixtures !== false) for (const tenant of fixtureTenants()) store.put(tenant);
  };
  loadFixtures();

  const server = createServer(async (req, res) => {
    const url = new URL(req.url ?? '/', 'http://emulator');
    const body = await readJsonBody(req);
    if (url.pathname.startsWith('/__emulator/')) {
      const reply = handleControl(handle, req.method ?? 'GET', url, body);
      return send(res, reply.status, reply.body);
    }
    const entry: RequestLogEntry = {
      method: req.method ?? 'GET',
      path: url.pathname,
      query: url.search,
      status: null,
    };
    const reseller = api.authenticate(req.headers);
    if (reseller) entry.reseller = reseller.id;
    log.push(entry);
    if (config.latencyMs > 0) await new Promise((resolve) => setTimeout(resolve, config.latencyMs));
    const fault = faults.take(entry.method, entry.path);
    if (fault) entry.fault = fault.action;
    if (fault?.action === 'hang') return;
    if (fault?.action === 'drop-before') return void req.socket.destroy();
    if (fault?.action === 'error') {
      entry.status = fault.status ?? 500;
      return send(res, entry.status, fault.body ?? { message: 'Server Error' }, fault.headers);
    }
    const reply = api.handle({
      method: entry.method,
      path: url.pathname,
      query: url.searchParams,
      headers: req.headers,
      body,
    });
    if (fault?.action === 'drop-after') return void req.socket.destroy();
    entry.status = reply.status;
    send(res, reply.status, reply.body, reply.headers);
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, options.host ?? '127.0.0.1', () => resolve());
  });
  const port = (server.address() as AddressInfo).port;
  const url = `http://${options.host ?? '127.0.0.1'}:${port}`;

  const handle: EasyMailArchiveEmulator = {
    url,
    port,
    apiKey: demo.apiKey,
    baseDomain: demo.baseDomain,
    describe: () => [
      `Easy Mail Archive reseller API emulator on ${url}`,
      `  reseller API key: ${demo.apiKey} (server Password field); base domain: ${demo.baseDomain}`,
      `  style: ${config.envelope}, slug conflict answer: ${config.conflictAnswer}`,
      `  try: curl -H 'Authorization: Bearer ${demo.apiKey}' ${url}/api/reseller/tenants`,
      `  control: ${url}/__emulator/state, /__emulator/config, /__emulator/faults, /__emulator/requests`,
    ],
    close: async () => {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
    config: () => ({ ...config }),
    configure: (change) => {
      config = { ...config, ...change };
    },
    tenants: (reseller) => (reseller ? store.listOwned(reseller) : store.all()),
    tenant: (slug) => store.get(slug),
    putTenant: (partial) => {
      const tenant: EmulatedTenant = {
        name: partial.slug,
        status: 'active',
        reseller: demo.id,
        usersCount: 0,
        storageBytes: 0,
        messagesCount: 0,
        createdAt: new Date().toISOString(),
        ...partial,
      };
      store.put(tenant);
      return tenant;
    },
    seedTenants: (count, seed = {}) => {
      const created: EmulatedTenant[] = [];
      for (let i = 0; i < count; i++) {
        const [users, bytes, messages] = seed.usage?.(i) ?? [1 + (i % 50), (i + 1) * 1_048_576, i * 10];
        created.push(
          handle.putTenant({
            slug: `${seed.prefix ?? 'seeded-'}${i + 1}`,
            reseller: seed.reseller ?? demo.id,
            usersCount: users,
            storageBytes: bytes,
            messagesCount: messages,
          }),
        );
      }
      return created;
    },
    addReseller: (reseller) => store.addReseller(reseller),
    injectFault: (rule) => faults.add(rule),
    clearFaults: () => faults.clear(),
    requests: (filter = {}) =>
      log.filter(
        (e) => (!filter.method || e.method === filter.method) && (!filter.path || e.path === filter.path),
      ),
    clearRequests: () => {
      log = [];
    },
    reset: () => {
      loadFixtures();
      faults.clear();
      log = [];
      config = initialConfig(options);
    },
  };
  return handle;
}

export const emulator: EmulatorDefinition = {
  id: 'easymailarchive',
  description: 'Easy Mail Archive reseller API (tenants, slugs, usage) over HTTP',
  defaultPort: 8087,
  start: (options) => startEasyMailArchiveEmulator(options),
};
