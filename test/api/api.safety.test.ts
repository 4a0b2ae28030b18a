import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ApiHarness, startApiHarness } from './support.js';

/** Row counts of the tables a refused request must not touch. */
async function counts(h: ApiHarness): Promise<Record<string, number>> {
  const out: Record<string, number> = {};
  for (const table of ['clients', 'servers', 'services', 'operations', 'products'] as const) {
    const row = await h.engine.store.db
      .selectFrom(table)
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .executeTakeFirst();
    out[table] = Number(row?.n ?? 0);
  }
  return out;
}

describe('defects found by a new user, as they were found', () => {
  let h: ApiHarness;
  let ids: Awaited<ReturnType<ApiHarness['setUp']>>;

  beforeAll(async () => {
    h = await startApiHarness();
    ids = await h.setUp();
  });
  afterAll(async () => h.close());

  it('4: a server PATCH is checked like a create: every field error, nothing stored', async () => {
    const before = (await h.call('GET', `/v1/servers/${ids.serverId}`)).body;
    const patch = await h.call('PATCH', `/v1/servers/${ids.serverId}`, {
      body: { name: '', settings: { maxSessions: 'lots', bogus: 1 }, tlsFingerprint: 'zz' },
    });
    expect(patch.status).toBe(422);
    expect(patch.body.error.code).toBe('input.invalid');
    const fields = (patch.body.error.details as { field: string }[]).map((d) => d.field).sort();
    expect(fields).toEqual(['name', 'settings.bogus', 'settings.maxSessions', 'tlsFingerprint']);
    const after = (await h.call('GET', `/v1/servers/${ids.serverId}`)).body;
    expect(after).toEqual(before);
  });

  it('5: an order refused at placement writes nothing (no pending service left behind)', async () => {
    await h.call('PATCH', `/v1/servers/${ids.serverId}`, { body: { enabled: false } });
    const before = await counts(h);
    const order = await h.call('POST', '/v1/orders', {
      body: { orderId: 'refused-1', clientId: ids.clientId, services: [{ productId: ids.productId }] },
    });
    expect([order.status, order.body.error?.code]).toEqual([409, 'placement.no_server']);
    expect(await counts(h)).toEqual(before);
    await h.call('PATCH', `/v1/servers/${ids.serverId}`, { body: { enabled: true } });
  });

  it('7: an explicit server must be enabled, in the product group and not full; an override is admin-only and audited', async () => {
    const other = await h.call('POST', '/v1/servers', {
      body: {
        name: 'outside-the-group',
        module: 'fixture',
        hostname: '127.0.0.1',
        port: 9,
        secure: false,
        secret: 'k',
        enabled: false,
      },
    });
    expect(other.status).toBe(201);
    const before = await counts(h);
    const body = { clientId: ids.clientId, productId: ids.productId, serverId: other.body.id };
    const refused = await h.call('POST', '/v1/services', { body });
    expect([refused.status, refused.body.error.code]).toEqual([409, 'placement.server_not_eligible']);
    expect(refused.body.error.message).toContain('not in the product');
    const viaOrder = await h.call('POST', '/v1/orders', {
      body: {
        orderId: 'explicit-1',
        clientId: ids.clientId,
        services: [{ productId: ids.productId, serverId: other.body.id }],
      },
    });
    expect(viaOrder.body.error.code).toBe('placement.server_not_eligible');
    const operatorOverride = await h.call('POST', '/v1/services', {
      token: h.tokens.operator,
      body: { ...body, placementOverride: true },
    });
    expect([operatorOverride.status, operatorOverride.body.error.code]).toEqual([
      403,
      'auth.insufficient_scope',
    ]);
    expect(await counts(h)).toEqual(before);

    const full = await h.call('PATCH', `/v1/servers/${ids.serverId}`, { body: { maxAccounts: 0 } });
    expect(full.status).toBe(200);
    const toFull = await h.call('POST', '/v1/services', {
      body: { clientId: ids.clientId, productId: ids.productId, serverId: ids.serverId },
    });
    expect(toFull.body.error.message).toContain('full');
    await h.call('PATCH', `/v1/servers/${ids.serverId}`, { body: { maxAccounts: null } });

    const adminOverride = await h.call('POST', '/v1/services', {
      body: { ...body, placementOverride: true },
    });
    expect(adminOverride.status).toBe(201);
    const trail = await h.engine.audit.list({ action: 'service.placement_override' });
    expect(trail.map((e) => [e.actor, e.targetId])).toEqual([['admin', String(adminOverride.body.id)]]);
  });

  it('9: path ids are canonical integers: 014, +14, 14.0, 14e0 and %2014 are refused', async () => {
    const token = await h.call('POST', '/v1/tokens', { body: { name: 'victim', scope: 'read' } });
    const id = token.body.record.id as number;
    for (const spelled of [`0${id}`, `+${id}`, `${id}.0`, `${id}e0`, `%20${id}`]) {
      const answer = await h.call('DELETE', `/v1/tokens/${spelled}`);
      expect([spelled, answer.status]).toEqual([spelled, 422]);
    }
    const list = (await h.call('GET', '/v1/tokens')).body.items as { id: number; revokedAt: number | null }[];
    expect(list.find((t) => t.id === id)?.revokedAt).toBeNull();
    expect((await h.call('DELETE', `/v1/tokens/${id}`)).status).toBe(200);
  });

  it('9: a text/plain body is refused with 415, as documented', async () => {
    const answer = await h.call('POST', '/v1/clients', {
      rawBody: '{"email":"a@example.com"}',
      headers: { 'content-type': 'text/plain' },
    });
    expect([answer.status, answer.body.error.code]).toEqual([415, 'request.unsupported_media_type']);
  });
});
