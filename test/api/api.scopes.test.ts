import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BUILTIN_MODULES } from '../../src/modules/registry.js';
import { type ApiHarness, startApiHarness } from './support.js';

/** Every row of every table, as text: a GET must leave it exactly as it was. */
async function wholeDatabase(h: ApiHarness): Promise<string> {
  const { db } = h.engine.store;
  const tables = (await db.introspection.getTables())
    .map((t) => t.name)
    .filter((n) => !n.startsWith('kysely_'));
  const parts: string[] = [];
  for (const table of tables.sort()) {
    const rows = await db
      .selectFrom(table as 'clients')
      .selectAll()
      .execute();
    parts.push(`${table}:${JSON.stringify(rows)}`);
  }
  return parts.join('\n');
}

describe('scopes and reads', () => {
  let h: ApiHarness;
  let ids: Awaited<ReturnType<ApiHarness['setUp']>>;
  let serviceId: number;
  let otherServiceId: number;
  let otherClientId: number;
  let operationId: number;
  let customerToken: string;

  beforeAll(async () => {
    h = await startApiHarness();
    ids = await h.setUp();
    const order = async (orderId: string, clientId: number) =>
      (
        await h.call('POST', '/v1/orders?wait=10', {
          body: { orderId, clientId, services: [{ productId: ids.productId, domain: `${orderId}.example` }] },
        })
      ).body.services[0];
    const mine = await order('mine', ids.clientId);
    serviceId = mine.service.id;
    operationId = mine.operation.id;
    otherClientId = (await h.call('POST', '/v1/clients', { body: { email: 'bob@example.com' } })).body.id;
    otherServiceId = (await order('theirs', otherClientId)).service.id;
    await h.engine.operations.waitFor(operationId, { timeoutMs: 30_000 });
    const token = await h.call('POST', '/v1/tokens', {
      body: { name: 'ada', scope: 'customer', clientId: ids.clientId },
    });
    expect(token.status).toBe(201);
    customerToken = token.body.token;
  });
  afterAll(async () => h.close());

  it('no GET route changes the database or calls a backend, for any token (walks the OpenAPI document)', async () => {
    const document = (await h.call('GET', '/openapi.json')).body as {
      paths: Record<string, Record<string, unknown>>;
    };
    const gets = Object.entries(document.paths)
      .filter(([, methods]) => 'get' in methods)
      .map(([path]) => path);
    expect(gets.length).toBeGreaterThan(15);
    const idFor = (path: string) =>
      path.includes('/operations/')
        ? operationId
        : path.includes('/servers/')
          ? ids.serverId
          : path.includes('/server-groups/')
            ? ids.groupId
            : path.includes('/products/')
              ? ids.productId
              : path.includes('/clients/')
                ? ids.clientId
                : serviceId;
    const before = await wholeDatabase(h);
    const backendBefore = h.backend.state.requests.length;
    let answered = 0;
    for (const template of gets) {
      const path = template.replace(/\{id\}/g, String(idFor(template))).replace(/\{[a-zA-Z]+\}/g, '1');
      for (const token of [h.tokens.read, h.tokens.admin, customerToken]) {
        const answer = await h.call('GET', path, { token });
        expect(answer.status, `GET ${path}`).toBeLessThan(500);
        if (answer.status === 200) answered++;
      }
    }
    expect(answered).toBeGreaterThan(gets.length);
    expect(h.backend.state.requests.length, 'a GET called the backend').toBe(backendBefore);
    expect(await wholeDatabase(h), 'a GET changed the database').toBe(before);
  });

  it('a read token may not act, reveal, mint a login or see a secret', async () => {
    const read = { token: h.tokens.read };
    for (const [method, path] of [
      ['POST', `/v1/services/${serviceId}/suspend`],
      ['POST', `/v1/services/${serviceId}/login-link`],
      ['POST', `/v1/services/${serviceId}/password/reveal`],
      ['POST', `/v1/services/${serviceId}/welcome-message`],
      ['POST', `/v1/clients/${ids.clientId}/custom-fields/Pass%20Key/reveal`],
      ['PATCH', `/v1/services/${serviceId}`],
    ] as const) {
      const answer = await h.call(method, path, { ...read, body: {} });
      expect([path, answer.status, answer.body.error.code]).toEqual([path, 403, 'auth.insufficient_scope']);
    }
  });

  it('a customer token sees its own client only', async () => {
    const as = { token: customerToken };
    const session = await h.call('GET', '/v1/session', as);
    expect(session.body).toMatchObject({ scope: 'customer', clientId: ids.clientId });
    expect((await h.call('GET', `/v1/services/${serviceId}`, as)).status).toBe(200);
    const list = await h.call('GET', '/v1/services', as);
    expect(list.body.items.map((s: { id: number }) => s.id)).toEqual([serviceId]);
    expect((await h.call('GET', `/v1/services/${serviceId}/usage`, as)).status).toBe(200);
    expect(
      (await h.call('POST', `/v1/services/${serviceId}/view`, { ...as, body: { kind: 'client' } })).status,
    ).toBe(200);
    expect((await h.call('GET', `/v1/operations?serviceId=${serviceId}`, as)).status).toBe(200);
    expect((await h.call('GET', `/v1/operations/${operationId}`, as)).status).toBe(200);
    expect((await h.call('GET', `/v1/clients/${ids.clientId}`, as)).status).toBe(200);

    const refusals: [string, string, unknown, number, string][] = [
      ['GET', `/v1/services/${otherServiceId}`, undefined, 403, 'auth.client_mismatch'],
      ['GET', `/v1/services?clientId=${otherClientId}`, undefined, 403, 'auth.client_mismatch'],
      ['GET', `/v1/clients/${otherClientId}`, undefined, 403, 'auth.client_mismatch'],
      ['GET', `/v1/services/${otherServiceId}/usage`, undefined, 403, 'auth.client_mismatch'],
      ['POST', `/v1/services/${otherServiceId}/view`, { kind: 'client' }, 403, 'auth.client_mismatch'],
      ['POST', `/v1/services/${serviceId}/view`, { kind: 'admin' }, 403, 'auth.insufficient_scope'],
      ['GET', '/v1/operations', undefined, 403, 'auth.insufficient_scope'],
      ['GET', `/v1/operations?serviceId=${otherServiceId}`, undefined, 403, 'auth.client_mismatch'],
      ['GET', '/v1/servers', undefined, 403, 'auth.insufficient_scope'],
      ['GET', '/v1/clients', undefined, 403, 'auth.insufficient_scope'],
      ['POST', `/v1/services/${serviceId}/suspend`, {}, 403, 'auth.insufficient_scope'],
    ];
    for (const [method, path, body, status, code] of refusals) {
      const answer = await h.call(method, path, { ...as, ...(body === undefined ? {} : { body }) });
      expect([method, path, answer.status, answer.body.error?.code]).toEqual([method, path, status, code]);
    }
  });

  it('customer tokens belong to a client; other tokens do not', async () => {
    const noClient = await h.call('POST', '/v1/tokens', { body: { name: 'x', scope: 'customer' } });
    expect([noClient.status, noClient.body.error.code]).toEqual([422, 'input.invalid']);
    const readWithClient = await h.call('POST', '/v1/tokens', {
      body: { name: 'x', scope: 'read', clientId: ids.clientId },
    });
    expect(readWithClient.status).toBe(422);
    const unknownClient = await h.call('POST', '/v1/tokens', {
      body: { name: 'x', scope: 'customer', clientId: 999_999 },
    });
    expect([unknownClient.status, unknownClient.body.error.code]).toEqual([404, 'client.not_found']);
  });
});

describe('module discovery', () => {
  let h: ApiHarness;
  beforeAll(async () => {
    h = await startApiHarness({ modules: BUILTIN_MODULES });
  });
  afterAll(async () => h.close());

  it('describes every module, and the OpenAPI document names every product-settings field of every module', async () => {
    const modules = (await h.call('GET', '/v1/modules', { token: h.tokens.read })).body.items as {
      id: string;
      productTypes: { id: string | null; settings: { name: string }[] }[];
    }[];
    expect(modules.map((m) => m.id).sort()).toEqual(['fixture', ...BUILTIN_MODULES.map((m) => m.id)].sort());
    const document = (await h.call('GET', '/openapi.json')).body as {
      components: { schemas: Record<string, { properties: Record<string, unknown> }> };
    };
    let fields = 0;
    for (const module of BUILTIN_MODULES) {
      const types = module.productTypes?.length
        ? module.productTypes
        : [{ id: null, settings: module.settings! }];
      for (const type of types) {
        const schema =
          document.components.schemas[`ProductSettings_${module.id}${type.id ? `_${type.id}` : ''}`];
        for (const field of type.settings.fields) {
          expect(schema?.properties, `${module.id} ${type.id ?? ''} ${field.name}`).toHaveProperty(
            field.name,
          );
          fields++;
        }
      }
    }
    expect(fields).toBeGreaterThan(80);
    const one = await h.call('GET', '/v1/modules/dcimanager6', { token: h.tokens.read });
    expect(
      one.body.actions.find((a: { name: string }) => a.name === 'reinstall-os').arguments[0],
    ).toMatchObject({
      name: 'os',
      type: 'choice',
      required: true,
    });
    expect((await h.call('GET', '/v1/modules/nope', { token: h.tokens.read })).status).toBe(422);
  });
});
