import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Database } from '../../src/store/schema.js';
import { type ApiHarness, startApiHarness } from './support.js';

/**
 * Random bodies, parameters and headers against every write route. Whatever arrives: no 5xx, no
 * crash, and a rejected request writes nothing (row counts and last update times unchanged).
 * The runner is not started, so nothing changes the database but the requests themselves.
 */
let h: ApiHarness;
let ids: Awaited<ReturnType<ApiHarness['setUp']>>;
let serviceId: number;

const TABLES: readonly (keyof Database)[] = [
  'clients',
  'servers',
  'server_groups',
  'server_group_members',
  'products',
  'services',
  'operations',
  'module_log',
  'events',
  'api_tokens',
];
const UPDATED: readonly ('clients' | 'servers' | 'products' | 'services' | 'operations')[] = [
  'clients',
  'servers',
  'products',
  'services',
  'operations',
];

async function snapshot(): Promise<string> {
  const { db } = h.engine.store;
  const parts: string[] = [];
  for (const table of TABLES) {
    const row = await db
      .selectFrom(table)
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .executeTakeFirst();
    parts.push(`${table}=${row?.n}`);
  }
  for (const table of UPDATED) {
    const row = await db
      .selectFrom(table)
      .select((eb) => eb.fn.max('updated_at').as('at'))
      .executeTakeFirst();
    parts.push(`${table}.updated=${row?.at}`);
  }
  return parts.join(' ');
}

const FIELDS = [
  'email',
  'externalId',
  'firstName',
  'lastName',
  'company',
  'emailVerified',
  'customFields',
  'name',
  'module',
  'hostname',
  'ip',
  'port',
  'secure',
  'username',
  'secret',
  'maxAccounts',
  'maxConcurrency',
  'enabled',
  'tlsVerify',
  'tlsFingerprint',
  'settings',
  'fillType',
  'serverIds',
  'serverId',
  'priority',
  'productType',
  'serverGroupId',
  'configOptions',
  'welcomeTemplate',
  'field',
  'values',
  'clientId',
  'productId',
  'domain',
  'password',
  'reason',
  'args',
  'markSucceeded',
  'note',
  'orderId',
  'client',
  'services',
  'scope',
];

const plausible = (): fc.Arbitrary<unknown> =>
  fc.oneof(
    fc.constantFrom(
      'fixture',
      'nope',
      'a@example.com',
      'not-an-email',
      'least-full',
      'round-robin',
      'example.com',
      'http://x/y',
      'admin',
      'read',
      '',
      'a\nb',
      'plan',
      'steps',
      'x'.repeat(300),
    ),
    fc.constantFrom(0, 1, 2, 3, -1, 65535, 70000, 2 ** 31, 1.5),
    fc.boolean(),
    fc.constant(null),
    fc.string(),
    fc.integer(),
    fc.dictionary(
      fc.constantFrom('plan', 'steps', 'waitForReady', 'apiToken', 'x', 'Pass Key'),
      fc.oneof(fc.string(), fc.integer(), fc.boolean(), fc.constant(null)),
      { maxKeys: 4 },
    ),
    fc.array(fc.oneof(fc.integer({ min: -2, max: 5 }), fc.string()), { maxLength: 3 }),
    fc.jsonValue({ maxDepth: 2 }),
  );

const objectBody = fc.dictionary(fc.constantFrom(...FIELDS), plausible(), { maxKeys: 6 });
/** A valid body with some fields replaced by random values, dropped, or joined by a stray one. */
const mutated = (template: Template) =>
  fc
    .tuple(
      fc.array(
        fc.tuple(
          fc.oneof(
            { weight: 8, arbitrary: fc.constant('keep') },
            { weight: 1, arbitrary: fc.constantFrom('replace', 'drop') },
          ),
          plausible(),
        ),
        { minLength: 8, maxLength: 8 },
      ),
      fc.option(fc.tuple(fc.constantFrom(...FIELDS), plausible()), { freq: 4 }),
    )
    .map(([changes, extra]) => {
      const out: Record<string, unknown> = {};
      Object.entries(template()).forEach(([key, value], index) => {
        const [change, random] = changes[index % changes.length]!;
        if (change === 'keep') out[key] = value;
        else if (change === 'replace') out[key] = random;
      });
      if (extra) out[extra[0]] = extra[1];
      return { json: out as unknown };
    });

const bodyFor = (template: Template | undefined) =>
  fc.oneof(
    {
      weight: template ? 6 : 0,
      arbitrary: template ? mutated(template) : fc.constant({ json: {} as unknown }),
    },
    { weight: 3, arbitrary: objectBody.map((value) => ({ json: value as unknown })) },
    { weight: 2, arbitrary: fc.jsonValue({ maxDepth: 3 }).map((value) => ({ json: value as unknown })) },
    { weight: 1, arbitrary: fc.string({ maxLength: 40 }).map((raw) => ({ raw })) },
    { weight: 1, arbitrary: fc.constant({ json: {} as unknown }) },
  );
const idParam = fc.oneof(
  { weight: 4, arbitrary: fc.constantFrom('1', '2', '3', '4') },
  { weight: 1, arbitrary: fc.integer({ min: -5, max: 100_000 }).map(String) },
  { weight: 1, arbitrary: fc.string({ maxLength: 8 }).map(encodeURIComponent) },
);
const query = fc.option(
  fc.oneof(
    fc.integer({ min: -2, max: 5000 }).map((n) => `wait=${n}`),
    fc.string({ maxLength: 8 }).map((s) => `wait=${encodeURIComponent(s)}`),
  ),
  { nil: undefined },
);
const idempotencyKey = fc.option(
  fc.oneof(
    fc.string({ minLength: 1, maxLength: 20 }).filter((k) => /^[\x20-\x7e]*$/.test(k)),
    fc.constantFrom('k1', 'k2'),
  ),
  { nil: undefined },
);

type Template = () => Record<string, unknown>;
const ROUTES: readonly { method: string; path: (id: string) => string; template?: Template }[] = [
  {
    method: 'POST',
    path: () => '/v1/clients',
    template: () => ({ email: 'a@example.com', firstName: 'A', externalId: 'e1' }),
  },
  {
    method: 'PATCH',
    path: (id) => `/v1/clients/${id}`,
    template: () => ({ company: 'C', email: 'b@example.com' }),
  },
  {
    method: 'POST',
    path: () => '/v1/servers',
    template: () => ({
      name: 's',
      module: 'fixture',
      hostname: 'h.example',
      port: 80,
      secret: 'k',
      maxAccounts: 5,
    }),
  },
  { method: 'PATCH', path: (id) => `/v1/servers/${id}`, template: () => ({ port: 81, maxConcurrency: 2 }) },
  {
    method: 'POST',
    path: () => '/v1/server-groups',
    template: () => ({ name: 'g', fillType: 'least-full', serverIds: [ids.serverId] }),
  },
  {
    method: 'POST',
    path: (id) => `/v1/server-groups/${id}/members`,
    template: () => ({ serverId: ids.serverId, priority: 1 }),
  },
  {
    method: 'POST',
    path: () => '/v1/products',
    template: () => ({
      name: 'p',
      module: 'fixture',
      serverGroupId: ids.groupId,
      settings: { plan: 'x', steps: 1 },
    }),
  },
  {
    method: 'PATCH',
    path: (id) => `/v1/products/${id}`,
    template: () => ({ name: 'p2', settings: { steps: 2 } }),
  },
  {
    method: 'POST',
    path: () => '/v1/products/choices',
    template: () => ({ module: 'fixture', field: 'plan', serverId: ids.serverId }),
  },
  {
    method: 'POST',
    path: () => '/v1/services',
    template: () => ({ clientId: ids.clientId, productId: ids.productId, domain: 'd.example' }),
  },
  ...[
    'create',
    'suspend',
    'unsuspend',
    'terminate',
    'change-package',
    'change-password',
    'cancel',
    'actions/reboot',
  ].map((action) => ({
    method: 'POST',
    path: (id: string) => `/v1/services/${id}/${action}`,
    template: () =>
      action === 'change-package'
        ? { productId: ids.productId }
        : action === 'change-password'
          ? { password: 'pw' }
          : action === 'suspend'
            ? { reason: 'r' }
            : {},
  })),
  {
    method: 'POST',
    path: () => '/v1/orders',
    template: () => ({
      orderId: 'o1',
      client: { email: 'o@example.com', externalId: 'x9' },
      services: [{ productId: ids.productId, domain: 'o.example' }],
    }),
  },
  { method: 'POST', path: (id) => `/v1/operations/${id}/retry` },
  { method: 'POST', path: (id) => `/v1/operations/${id}/resolve` },
  { method: 'POST', path: (id) => `/v1/operations/${id}/cancel` },
  { method: 'POST', path: () => '/v1/usage/sync' },
  { method: 'POST', path: () => '/v1/tokens' },
  // Tokens 1-3 are the harness's own: revoking them would turn every later request into a 401.
  { method: 'DELETE', path: (id) => `/v1/tokens/${/^\d+$/.test(id) ? Number(id) + 3 : id}` },
];

beforeAll(async () => {
  h = await startApiHarness({ start: false, maxWaitSeconds: 0 });
  ids = await h.setUp();
  serviceId = (
    await h.call('POST', '/v1/services', { body: { clientId: ids.clientId, productId: ids.productId } })
  ).body.id;
});
afterAll(async () => h.close());

describe('random requests to the write routes', () => {
  it('never answer 5xx and never write when they are rejected (2,000 requests)', async () => {
    let rejected = 0;
    let accepted = 0;
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom(...ROUTES).chain((route) => fc.tuple(fc.constant(route), bodyFor(route.template))),
        idParam,
        query,
        idempotencyKey,
        async ([route, payload], id, wait, key) => {
          const before = await snapshot();
          const path = `${route.path(id)}${wait ? `?${wait}` : ''}`;
          const headers: Record<string, string> = {
            ...(key ? { 'idempotency-key': key } : {}),
            ...('raw' in payload ? { 'content-type': 'application/json' } : {}),
          };
          const answer = await h.call(route.method, path, {
            headers,
            ...('raw' in payload
              ? { rawBody: payload.raw }
              : route.method === 'DELETE'
                ? {}
                : { body: payload.json }),
          });
          expect(
            answer.status,
            `${route.method} ${path} ${JSON.stringify(payload)} → ${JSON.stringify(answer.body)}`,
          ).toBeLessThan(500);
          if (answer.status >= 400) {
            rejected++;
            expect(typeof answer.body.error?.code, JSON.stringify(answer.body)).toBe('string');
            expect(
              await snapshot(),
              `${route.method} ${path} ${JSON.stringify(payload)} was rejected but wrote`,
            ).toBe(before);
          } else accepted++;
        },
      ),
      { numRuns: 2000 },
    );
    expect(rejected).toBeGreaterThan(1000);
    expect(accepted).toBeGreaterThan(0);
    expect((await h.call('GET', `/v1/services/${serviceId}`)).status).toBe(200);
    expect(accepted).toBeGreaterThan(30);
  }, 180_000);
});
