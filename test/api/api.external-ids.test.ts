import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ApiHarness, startApiHarness } from './support.js';

/**
 * Billing's own ids (`externalId`) on servers, products and services, and services registered as
 * they already are on their backend: what the WHMCS bridge builds on.
 */
let h: ApiHarness;
let ids: Awaited<ReturnType<ApiHarness['setUp']>>;

beforeAll(async () => {
  h = await startApiHarness();
  ids = await h.setUp();
});
afterAll(() => h?.close());

describe('external ids', () => {
  it('a server, product and client are found by their external id, and one id is one record', async () => {
    const backend = new URL(h.backend.url);
    const server = {
      externalId: 'whmcs-7',
      name: 'WHMCS server 7',
      module: 'fixture',
      hostname: backend.hostname,
      port: Number(backend.port),
      secure: false,
      secret: 'server-api-key-123',
    };
    const created = await h.call('POST', '/v1/servers', { body: server });
    expect(created.status).toBe(201);
    expect(created.body.externalId).toBe('whmcs-7');
    const again = await h.call('POST', '/v1/servers', { body: { ...server, name: 'other name' } });
    expect(again.status).toBe(409);
    expect(again.body.error.code).toBe('server.exists');
    const found = await h.call('GET', '/v1/servers?externalId=whmcs-7');
    expect(found.body.items.map((s: { id: number }) => s.id)).toEqual([created.body.id]);
    expect((await h.call('GET', '/v1/servers?externalId=whmcs-8')).body.items).toEqual([]);
    expect((await h.call('GET', '/v1/servers')).body.items.length).toBe(2);

    const product = {
      externalId: 'whmcs-3',
      name: 'WHMCS product 3',
      module: 'fixture',
      settings: { plan: 'gold' },
    };
    const p = await h.call('POST', '/v1/products', { body: product });
    expect(p.status).toBe(201);
    expect((await h.call('POST', '/v1/products', { body: { ...product, name: 'x' } })).body.error.code).toBe(
      'product.exists',
    );
    expect((await h.call('GET', '/v1/products?externalId=whmcs-3')).body.items).toHaveLength(1);

    await h.call('POST', '/v1/clients', { body: { email: 'b@example.com', externalId: 'whmcs-11' } });
    const client = await h.call('GET', '/v1/clients?externalId=whmcs-11');
    expect(client.body.items.map((c: { email: string }) => c.email)).toEqual(['b@example.com']);
  });

  it('a service is registered as active on its server without remote work, audited, once per external id', async () => {
    const before = h.backend.state.requests.length;
    const body = {
      externalId: 'whmcs-41',
      clientId: ids.clientId,
      productId: ids.productId,
      serverId: ids.serverId,
      status: 'active',
      domain: 'existing.example.com',
    };
    const registered = await h.call('POST', '/v1/services', { body });
    expect(registered.status).toBe(201);
    expect(registered.body).toMatchObject({
      status: 'active',
      externalId: 'whmcs-41',
      serverId: ids.serverId,
    });
    expect(h.backend.state.requests.length).toBe(before);
    const trail = await h.engine.audit.list({ action: 'service.registered' });
    expect(trail.map((e) => e.targetId)).toEqual([String(registered.body.id)]);
    const twice = await h.call('POST', '/v1/services', { body });
    expect(twice.status).toBe(409);
    expect(twice.body.error.code).toBe('service.exists');
    const found = await h.call('GET', '/v1/services?externalId=whmcs-41');
    expect(found.body.items.map((s: { id: number }) => s.id)).toEqual([registered.body.id]);
  });

  it('refuses a registered status without a server, and a status that is not pending, active or suspended', async () => {
    const noServer = await h.call('POST', '/v1/services', {
      body: { clientId: ids.clientId, productId: ids.productId, status: 'suspended' },
    });
    expect(noServer.status).toBe(422);
    expect(noServer.body.error.message).toMatch(/give its serverId/);
    const terminated = await h.call('POST', '/v1/services', {
      body: {
        clientId: ids.clientId,
        productId: ids.productId,
        serverId: ids.serverId,
        status: 'terminated',
      },
    });
    expect(terminated.status).toBe(422);
    expect((await h.call('GET', `/v1/services?clientId=${ids.clientId}`)).body.items).toHaveLength(1);
  });
});
