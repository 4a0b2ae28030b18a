import type { ControlReply } from '../kit/control.js';
import { serveHttpEmulator, WireControls } from '../kit/http-emulator.js';
import { makeCertificate } from '../kit/tls.js';
import type { ControlledEmulator, EmulatorDefinition, EmulatorStartOptions } from '../types.js';
import { type ApiConfig, ResellerApi } from './api.js';
import { DEMO_RESELLER, fixtureResellers, fixtureTenants } from './fixtures.js';
import {
  type BareListPaging,
  type ConflictAnswer,
  DEFAULT_BARE_LIST_PAGING,
  DEFAULT_CONFLICT_ANSWER,
  DEFAULT_ENVELOPE,
  DEFAULT_PER_PAGE_RULE,
  type Envelope,
  type PerPageRule,
} from './guesses.js';
import { SEED_ENTITIES, TenantSeeder } from './seed.js';
import { answerWire } from './server.js';
import { type EmulatedTenant, type Reseller, TenantStore } from './state.js';

/**
 * Easy Mail Archive reseller API emulator: a real HTTP(S) server with in-memory tenants of
 * several resellers, both documented response styles, global slug uniqueness across resellers,
 * and the kit's request log, faults, latency and control routes (`/__emulator/`). One extra
 * control route, `POST /__emulator/config`, switches the guesses that have two readings
 * (`envelope`, `conflictAnswer`, `perPage`, `bareListPaging`; see guesses.ts).
 */
export interface SeedTenantsOptions {
  reseller?: string;
  /** Slug prefix of seeded tenants (`<prefix>1`, `<prefix>2`, …). */
  prefix?: string;
  /** Usage figures of tenant i (0-based): users, storage bytes, messages. */
  usage?: (index: number) => [number, number, number];
}

export interface EasyMailArchiveEmulator extends ControlledEmulator {
  /** The demo reseller's API key and base domain ("our" account in tests). */
  readonly apiKey: string;
  readonly baseDomain: string;
  config(): ApiConfig;
  configure(change: Partial<ApiConfig>): void;
  tenants(reseller?: string): EmulatedTenant[];
  tenant(slug: string): EmulatedTenant | undefined;
  /** Many tenants at once, for the usage test and the bench (each one as `seed('tenant')`). */
  seedTenants(count: number, options?: SeedTenantsOptions): EmulatedTenant[];
}

function initialConfig(options: EmulatorStartOptions): ApiConfig {
  const set = options.options ?? {};
  return {
    envelope: (set.envelope as Envelope) === 'bare' ? 'bare' : DEFAULT_ENVELOPE,
    conflictAnswer: (set.conflict as ConflictAnswer) === '409' ? '409' : DEFAULT_CONFLICT_ANSWER,
    perPage: (set.perPage as PerPageRule) === 'honoured' ? 'honoured' : DEFAULT_PER_PAGE_RULE,
    bareListPaging: (set.bareListPaging as BareListPaging) === 'all' ? 'all' : DEFAULT_BARE_LIST_PAGING,
  };
}

/** `POST /__emulator/config`: only the documented readings of each guess are accepted. */
function configChange(body: Record<string, unknown>): Partial<ApiConfig> | string {
  const change: Partial<ApiConfig> = {};
  const choices = {
    envelope: ['enveloped', 'bare'],
    conflictAnswer: ['422', '409'],
    perPage: ['ignored', 'honoured'],
    bareListPaging: ['paged', 'all'],
  } as const;
  for (const [key, allowed] of Object.entries(choices) as [keyof ApiConfig, readonly string[]][]) {
    const value = body[key];
    if (value === undefined) continue;
    if (typeof value !== 'string' || !allowed.includes(value))
      return `${key} must be ${allowed.join(' or ')}`;
    (change as Record<string, string>)[key] = value;
  }
  return change;
}

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
  const seeder = new TenantSeeder(store, () => demo.id);
  const api = new ResellerApi(store, () => config);
  const controls = new WireControls({
    ...(options.latencyMs === undefined ? {} : { latencyMs: options.latencyMs }),
    ...(options.seed === undefined ? {} : { seed: options.seed }),
  });
  const certificate = options.tls ? await makeCertificate('api.easymailarchive.test') : null;

  const load = (fixtures: boolean) => {
    store.clear();
    for (const reseller of fixtureResellers(demo)) store.addReseller(reseller);
    if (fixtures) for (const tenant of fixtureTenants(demo)) store.put(tenant);
  };
  load(options.fixtures !== false);

  const extraControl = (method: string, path: string, body: Record<string, unknown>) => {
    if (`${method} ${path}` !== 'POST /config') return undefined;
    const change = configChange(body);
    if (typeof change === 'string') return { status: 422, body: { error: change } } satisfies ControlReply;
    config = { ...config, ...change };
    return { status: 200, body: config };
  };

  const served = await serveHttpEmulator({
    ...(options.host === undefined ? {} : { host: options.host }),
    ...(options.port === undefined ? {} : { port: options.port }),
    certificate,
    controls,
    control: () => handle,
    extraControl,
    handle: (request) => answerWire(api, request),
    faultBody: () => ({ message: 'Server Error' }),
  });

  const handle: EasyMailArchiveEmulator = {
    id: 'easymailarchive',
    url: served.url,
    port: served.port,
    fingerprint256: certificate?.fingerprint256,
    apiKey: demo.apiKey,
    baseDomain: demo.baseDomain,
    describe: () => [
      `Easy Mail Archive reseller API emulator on ${served.url}`,
      `  reseller API key: ${demo.apiKey} (server Password field); base domain: ${demo.baseDomain}`,
      ...(certificate ? [`  TLS certificate SHA-256 fingerprint: ${certificate.fingerprint256}`] : []),
      `  style: ${config.envelope}, slug conflict answer: ${config.conflictAnswer}, per_page ${config.perPage}`,
      `  try: curl -H 'Authorization: Bearer ${demo.apiKey}' -H 'Accept: application/json' ${served.url}/api/reseller/tenants`,
      `  control: ${served.url}/__emulator (requests, faults, reset, snapshot, seed/<${SEED_ENTITIES.join('|')}>, latency, config)`,
    ],
    close: () => served.close(),
    ...controls.members(),
    reset: (resetOptions = {}) => {
      load(resetOptions.fixtures !== false);
      controls.clear();
      config = initialConfig(options);
    },
    snapshot: () => ({
      config,
      resellers: store.allResellers().map(({ apiKey: _key, ...reseller }) => reseller),
      tenants: store.all().map((tenant) => ({ ...tenant })),
    }),
    seedEntities: SEED_ENTITIES,
    seed: (entity, input) => seeder.seed(entity, input),
    config: () => ({ ...config }),
    configure: (change) => {
      config = { ...config, ...change };
    },
    tenants: (reseller) => (reseller ? store.listOwned(reseller) : store.all()),
    tenant: (slug) => store.get(slug),
    seedTenants: (count, seed = {}) => {
      const created: EmulatedTenant[] = [];
      for (let i = 0; i < count; i++) {
        const [users, bytes, messages] = seed.usage?.(i) ?? [1 + (i % 50), (i + 1) * 1_048_576, i * 10];
        created.push(
          seeder.tenant({
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
  };
  return handle;
}

export const emulator: EmulatorDefinition = {
  id: 'easymailarchive',
  description: 'Easy Mail Archive reseller API (tenants, slugs, usage) over HTTP or HTTPS',
  defaultPort: 8087,
  start: (options) => startEasyMailArchiveEmulator(options),
};
