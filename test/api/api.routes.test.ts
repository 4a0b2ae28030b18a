import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ApiHarness, startApiHarness } from './support.js';

let h: ApiHarness;
let ids: Awaited<ReturnType<ApiHarness['setUp']>>;

beforeAll(async () => {
  h = await startApiHarness();
  ids = await h.setUp();
});
afterAll(async () => h.close());

async function newService(extra: Record<string, unknown> = {}) {
  const answer = await h.call('POST', '/v1/services', {
    body: { clientId: ids.clientId, productId: ids.productId, domain: 'example.com', ...extra },
  });
  expect(answer.status).toBe(201);
  return answer.body.id as number;
}

async function activeService(): Promise<number> {
  const id = await newService();
  const created = await h.call('POST', `/v1/services/${id}/create?wait=10`);
  expect([created.status, created.body.operation.status]).toEqual([200, 'succeeded']);
  return id;
}

describe('records', () => {
  it('adds, lists, shows and changes clients; refuses a duplicate external id', async () => {
    const added = await h.call('POST', '/v1/clients', {
      body: { email: 'grace@example.com', externalId: 'whmcs-7', customFields: { 'Pass Key': 'pk-1' } },
    });
    expect(added.status).toBe(201);
    expect((await h.call('GET', `/v1/clients/${added.body.id}`)).body.email).toBe('grace@example.com');
    const changed = await h.call('PATCH', `/v1/clients/${added.body.id}`, { body: { company: 'Navy' } });
    expect(changed.body.company).toBe('Navy');
    const list = await h.call('GET', `/v1/clients?limit=1&afterId=${added.body.id - 1}`);
    expect(list.body.items.map((c: { id: number }) => c.id)).toEqual([added.body.id]);
    const dup = await h.call('POST', '/v1/clients', {
      body: { email: 'x@example.com', externalId: 'whmcs-7' },
    });
    expect([dup.status, dup.body.error.code]).toEqual([409, 'client.exists']);
    const missing = await h.call('GET', '/v1/clients/999999');
    expect([missing.status, missing.body.error.code]).toEqual([404, 'client.not_found']);
  });

  it('never returns a server secret, and returns every field error at once', async () => {
    const server = await h.call('GET', `/v1/servers/${ids.serverId}`);
    expect(server.body.hasSecret).toBe(true);
    expect(JSON.stringify(server.body)).not.toContain('server-api-key-123');
    expect(JSON.stringify((await h.call('GET', '/v1/servers')).body)).not.toContain('server-api-key-123');
    const bad = await h.call('POST', '/v1/servers', {
      body: { name: '', module: 'fixture', hostname: 'http://x/y', port: 70000 },
    });
    expect([bad.status, bad.body.error.code]).toEqual([422, 'request.invalid']);
    expect(bad.body.error.details.map((d: { field: string }) => d.field)).toContain('port');
    const engineBad = await h.call('POST', '/v1/servers', {
      body: { name: 'n', module: 'fixture', hostname: 'http://x/y', port: 80 },
    });
    expect([engineBad.status, engineBad.body.error.code]).toEqual([422, 'input.invalid']);
    expect(engineBad.body.error.details.map((d: { field: string }) => d.field).sort()).toEqual([
      'hostname',
      'secret',
    ]);
    const unknownModule = await h.call('POST', '/v1/servers', {
      body: { name: 'n', module: 'nope', hostname: 'h', port: 80 },
    });
    expect([unknownModule.status, unknownModule.body.error.code]).toEqual([422, 'module.not_found']);
    const patched = await h.call('PATCH', `/v1/servers/${ids.serverId}`, { body: { maxAccounts: 50 } });
    expect(patched.body.maxAccounts).toBe(50);
  });

  it('tests a connection: ok, and a refusing backend as ok: false', async () => {
    const ok = await h.call('POST', `/v1/servers/${ids.serverId}/test`);
    expect(ok.body).toMatchObject({ ok: true, summary: expect.stringContaining('fixture backend') });
    const dead = await h.call('POST', '/v1/servers', {
      body: { name: 'dead', module: 'fixture', hostname: '127.0.0.1', port: 1, secure: false, secret: 's' },
    });
    const failed = await h.call('POST', `/v1/servers/${dead.body.id}/test`);
    expect(failed.status).toBe(200);
    expect(failed.body).toMatchObject({ ok: false, error: { kind: 'unavailable' } });
    expect((await h.call('POST', '/v1/servers/999999/test')).status).toBe(404);
  });

  it('manages server groups and members', async () => {
    const group = await h.call('POST', '/v1/server-groups', {
      body: { name: 'rr', fillType: 'round-robin' },
    });
    expect(group.status).toBe(201);
    const member = await h.call('POST', `/v1/server-groups/${group.body.id}/members`, {
      body: { serverId: ids.serverId, priority: 2 },
    });
    expect(member.body.members).toEqual([{ serverId: ids.serverId, priority: 2 }]);
    expect((await h.call('GET', '/v1/server-groups')).body.items.length).toBeGreaterThanOrEqual(2);
    expect((await h.call('GET', `/v1/server-groups/${group.body.id}`)).body.fillType).toBe('round-robin');
    const badFill = await h.call('POST', '/v1/server-groups', { body: { name: 'x', fillType: 'random' } });
    expect(badFill.status).toBe(422);
    const badMember = await h.call('POST', '/v1/server-groups', {
      body: { name: 'x', fillType: 'least-full', serverIds: [999999] },
    });
    expect([badMember.status, badMember.body.error.details[0].field]).toEqual([422, 'serverIds']);
  });

  it('deletes what nothing uses, and refuses with 409 what services or products still use', async () => {
    const server = await h.call('POST', '/v1/servers', {
      body: { name: 'spare', module: 'fixture', hostname: '127.0.0.1', port: 1, secret: 'k' },
    });
    const group = await h.call('POST', '/v1/server-groups', {
      body: { name: 'spares', fillType: 'least-full', serverIds: [server.body.id] },
    });
    const product = await h.call('POST', '/v1/products', {
      body: { name: 'unsold', module: 'fixture', serverGroupId: group.body.id },
    });
    const client = await h.call('POST', '/v1/clients', { body: { email: 'leaving@example.com' } });

    const inUse = await h.call('DELETE', `/v1/server-groups/${group.body.id}`);
    expect([inUse.status, inUse.body.error.code]).toEqual([409, 'server_group.in_use']);
    const removed = await h.call('DELETE', `/v1/server-groups/${group.body.id}/members/${server.body.id}`);
    expect([removed.status, removed.body.members]).toEqual([200, []]);
    expect(
      (await h.call('DELETE', `/v1/server-groups/${group.body.id}/members/${server.body.id}`)).status,
    ).toBe(404);
    for (const path of [
      `/v1/products/${product.body.id}`,
      `/v1/server-groups/${group.body.id}`,
      `/v1/servers/${server.body.id}`,
      `/v1/clients/${client.body.id}`,
    ]) {
      const answer = await h.call('DELETE', path);
      expect([path, answer.status, answer.body.deleted]).toEqual([path, 200, true]);
      expect((await h.call('GET', path)).status).toBe(404);
    }
    // The shared fixture server, product and client have services: they stay.
    const service = await h.call('POST', '/v1/services', {
      body: { clientId: ids.clientId, productId: ids.productId, serverId: ids.serverId },
    });
    expect(service.status).toBe(201);
    for (const [path, code] of [
      [`/v1/servers/${ids.serverId}`, 'server.in_use'],
      [`/v1/products/${ids.productId}`, 'product.in_use'],
      [`/v1/clients/${ids.clientId}`, 'client.in_use'],
    ] as const) {
      const answer = await h.call('DELETE', path);
      expect([path, answer.status, answer.body.error?.code]).toEqual([path, 409, code]);
    }
    expect((await h.call('DELETE', `/v1/servers/${ids.serverId}`, { token: h.tokens.operator })).status).toBe(
      403,
    );
  });

  it('validates product settings with every field error, and keeps secret settings write-only', async () => {
    const bad = await h.call('POST', '/v1/products', {
      body: {
        name: 'p',
        module: 'fixture',
        serverGroupId: ids.groupId,
        settings: { steps: 99, waitForReady: 'maybe', unknownSetting: 1 },
      },
    });
    expect([bad.status, bad.body.error.code]).toEqual([422, 'settings.invalid']);
    expect(bad.body.error.details.length).toBeGreaterThanOrEqual(2);
    const product = await h.call('GET', `/v1/products/${ids.productId}`);
    expect(product.body.secretSettingNames).toContain('apiToken');
    expect(JSON.stringify(product.body)).not.toContain('product-secret-token');
    const patched = await h.call('PATCH', `/v1/products/${ids.productId}`, {
      body: { settings: { plan: 'platinum' } },
    });
    expect(patched.body.settings.plan).toBe('platinum');
    expect(patched.body.secretSettingNames).toContain('apiToken');
    expect((await h.call('GET', '/v1/products')).body.items.length).toBeGreaterThanOrEqual(1);
    const loader = await h.call('POST', '/v1/products/choices', {
      body: { module: 'fixture', field: 'plan', serverId: ids.serverId },
    });
    expect([loader.status, loader.body.error.code]).toEqual([422, 'loader.not_found']);
  });
});

describe('services and actions', () => {
  it('creates, suspends with a reason, unsuspends, changes package and password, terminates', async () => {
    const id = await activeService();
    const suspended = await h.call('POST', `/v1/services/${id}/suspend?wait=10`, {
      body: { reason: 'overdue' },
    });
    expect(suspended.body.operation.status).toBe('succeeded');
    expect((await h.call('GET', `/v1/services/${id}`)).body).toMatchObject({
      status: 'suspended',
      suspendReason: 'overdue',
    });
    expect((await h.call('POST', `/v1/services/${id}/unsuspend?wait=10`)).body.operation.status).toBe(
      'succeeded',
    );
    const other = await h.call('POST', '/v1/products', {
      body: { name: 'other', module: 'fixture', serverGroupId: ids.groupId, settings: { plan: 'silver' } },
    });
    expect(
      (
        await h.call('POST', `/v1/services/${id}/change-package?wait=10`, {
          body: { productId: other.body.id },
        })
      ).body.operation.status,
    ).toBe('succeeded');
    expect((await h.call('GET', `/v1/services/${id}`)).body.productId).toBe(other.body.id);
    const password = await h.call('POST', `/v1/services/${id}/change-password?wait=10`, {
      body: { password: 'N3w-Secret-Pass' },
    });
    expect(password.body.operation).toMatchObject({ status: 'succeeded', hasSecretArgs: true });
    expect(JSON.stringify(password.body)).not.toContain('N3w-Secret-Pass');
    const shown = await h.call('GET', `/v1/operations/${password.body.operation.id}`);
    expect(JSON.stringify(shown.body)).not.toContain('N3w-Secret-Pass');
    expect((await h.call('POST', `/v1/services/${id}/actions/reboot?wait=10`)).body.operation).toMatchObject({
      action: 'custom:reboot',
      status: 'succeeded',
    });
    expect((await h.call('POST', `/v1/services/${id}/terminate?wait=10`)).body.operation.status).toBe(
      'succeeded',
    );
    expect((await h.call('GET', `/v1/services/${id}`)).body.status).toBe('terminated');
  });

  it('refuses a transition the lifecycle forbids, an unknown custom action and a missing password, queueing nothing', async () => {
    const id = await newService();
    const suspend = await h.call('POST', `/v1/services/${id}/suspend`);
    expect([suspend.status, suspend.body.error.code]).toEqual([409, 'lifecycle.transition_forbidden']);
    const active = await activeService();
    const unknown = await h.call('POST', `/v1/services/${active}/actions/explode`);
    expect([unknown.status, unknown.body.error.code]).toEqual([422, 'action.unsupported']);
    const noPassword = await h.call('POST', `/v1/services/${active}/change-password`, { body: {} });
    expect([noPassword.status, noPassword.body.error.code]).toEqual([422, 'request.invalid']);
    const ops = await h.call('GET', `/v1/operations?serviceId=${active}`);
    expect(ops.body.items.map((o: { action: string }) => o.action)).toEqual(['create']);
    expect((await h.call('GET', `/v1/operations?serviceId=${id}`)).body.items).toEqual([]);
  });

  it('is idempotent by Idempotency-Key: same body, same operation; another body, 409', async () => {
    const id = await newService();
    const headers = { 'idempotency-key': `create-${id}` };
    const first = await h.call('POST', `/v1/services/${id}/create`, { headers });
    expect(first.status).toBe(202);
    expect(first.body.created).toBe(true);
    const again = await h.call('POST', `/v1/services/${id}/create`, { headers });
    expect([again.body.operation.id, again.body.created]).toEqual([first.body.operation.id, false]);
    const other = await h.call('POST', `/v1/services/${id}/suspend`, { headers, body: { reason: 'x' } });
    expect([other.status, other.body.error.code]).toEqual([409, 'idempotency.key_reused']);
    const badKey = await h.call('POST', `/v1/services/${id}/create`, {
      headers: { 'idempotency-key': 'has space' },
    });
    expect(badKey.status).toBe(422);
  });

  it('answers 202 without wait and 200 when the operation ended within the wait; wait is bounded', async () => {
    const id = await newService();
    h.backend.state.behave(`fx-${id}`, 'lookup', { kind: 'hang' });
    const started = await h.call('POST', `/v1/services/${id}/create?wait=1`);
    expect([started.status, started.body.finished]).toEqual([202, false]);
    const tooLong = await h.call('POST', `/v1/services/${id}/create?wait=999999`);
    expect(tooLong.status).toBe(422);
  });

  it('shows a service, lists by filter, renders views and the welcome message', async () => {
    const id = await activeService();
    expect(
      (await h.call('GET', `/v1/services?status=active&clientId=${ids.clientId}`)).body.items.some(
        (s: { id: number }) => s.id === id,
      ),
    ).toBe(true);
    expect((await h.call('GET', '/v1/services?status=bogus')).status).toBe(422);
    const view = await h.call('POST', `/v1/services/${id}/view`, { body: { kind: 'client' } });
    expect(view.body.fields).toContainEqual({ label: 'Name', value: `fx-${id}` });
    expect((await h.call('GET', `/v1/services/${id}/welcome-message`)).body).toEqual({ message: null });
    await h.call('PATCH', `/v1/products/${ids.productId}`, {
      body: { welcomeTemplate: 'Hello {{client.firstName}}, {{service.domain}} is ready' },
    });
    expect((await h.call('GET', `/v1/services/${id}/welcome-message`)).body.message).toBe(
      'Hello Ada, example.com is ready',
    );
    await h.call('PATCH', `/v1/products/${ids.productId}`, { body: { welcomeTemplate: null } });
  });

  it('cancels a pending service', async () => {
    const id = await newService();
    expect((await h.call('POST', `/v1/services/${id}/cancel`)).body.status).toBe('cancelled');
    expect((await h.call('POST', `/v1/services/${id}/cancel`)).body.error.code).toBe(
      'lifecycle.transition_forbidden',
    );
  });
});

describe('orders', () => {
  const order = (orderId: string, extra: Record<string, unknown> = {}) => ({
    orderId,
    client: { email: 'buyer@example.com', externalId: `buyer-${orderId}`, firstName: 'Bo' },
    services: [
      { productId: ids.productId, domain: 'shop.example' },
      { productId: ids.productId, domain: 'blog.example' },
    ],
    ...extra,
  });

  it('accepts an order in one call, publishes order.accepted, and replays the same order id', async () => {
    const accepted = await h.call('POST', '/v1/orders?wait=10', { body: order('A-1') });
    expect(accepted.status).toBe(201);
    expect(accepted.body.clientCreated).toBe(true);
    expect(accepted.body.services.map((s: { operation: { status: string } }) => s.operation.status)).toEqual([
      'succeeded',
      'succeeded',
    ]);
    expect(accepted.body.services.map((s: { service: { status: string } }) => s.service.status)).toEqual([
      'active',
      'active',
    ]);
    const events = await h.engine.events.list({ type: 'order.accepted' });
    expect(events.map((e) => e.payload)).toContainEqual({
      orderId: 'A-1',
      clientId: accepted.body.client.id,
      serviceIds: accepted.body.services.map((s: { service: { id: number } }) => s.service.id),
    });
    const replay = await h.call('POST', '/v1/orders', { body: order('A-1') });
    expect([replay.status, replay.body.created]).toEqual([200, false]);
    expect(replay.body.services.map((s: { service: { id: number } }) => s.service.id)).toEqual(
      accepted.body.services.map((s: { service: { id: number } }) => s.service.id),
    );
    const changed = await h.call('POST', '/v1/orders', {
      body: order('A-1', { services: [{ productId: ids.productId }] }),
    });
    expect([changed.status, changed.body.error.code]).toEqual([409, 'idempotency.key_reused']);
  });

  it('reuses an existing client found by external id, or by clientId', async () => {
    const first = await h.call('POST', '/v1/orders', { body: order('B-1') });
    const second = await h.call('POST', '/v1/orders', {
      body: { ...order('B-2'), client: { email: 'buyer@example.com', externalId: 'buyer-B-1' } },
    });
    expect([second.body.client.id, second.body.clientCreated]).toEqual([first.body.client.id, false]);
    const third = await h.call('POST', '/v1/orders', {
      body: { orderId: 'B-3', clientId: ids.clientId, services: [{ productId: ids.productId }] },
    });
    expect(third.body.client.id).toBe(ids.clientId);
  });

  it('rejects an order without a client, or with an unknown product, writing nothing', async () => {
    const before = await h.engine.services.list({});
    const noClient = await h.call('POST', '/v1/orders', {
      body: { orderId: 'C-1', services: [{ productId: ids.productId }] },
    });
    expect([noClient.status, noClient.body.error.code]).toEqual([422, 'order.client_missing']);
    const noProduct = await h.call('POST', '/v1/orders', {
      body: { ...order('C-2'), services: [{ productId: ids.productId }, { productId: 999999 }] },
    });
    expect([noProduct.status, noProduct.body.error.code]).toEqual([404, 'product.not_found']);
    expect((await h.engine.services.list({})).length).toBe(before.length);
  });
});

describe('operations, module log and usage', () => {
  it('lists with filters, shows progress and journal, retries a failure, resolves and cancels', async () => {
    const id = await newService();
    h.backend.state.behave(`fx-${id}`, 'create', { kind: 'fail', message: 'disk full on node 3' });
    const failed = await h.call('POST', `/v1/services/${id}/create?wait=10`);
    expect(failed.body.operation).toMatchObject({ status: 'failed', errorKind: 'remote' });
    const opId = failed.body.operation.id;
    expect(
      (await h.call('GET', '/v1/operations?unresolved=true')).body.items.map((o: { id: number }) => o.id),
    ).toContain(opId);
    expect(
      (
        await h.call('GET', `/v1/operations?status=failed&action=create&serverId=${ids.serverId}`)
      ).body.items.map((o: { id: number }) => o.id),
    ).toContain(opId);
    const detail = await h.call('GET', `/v1/operations/${opId}`);
    expect(detail.body.operation.journal).toBeDefined();
    expect(detail.body.moduleLog.length).toBeGreaterThan(0);
    expect(JSON.stringify(detail.body)).not.toContain('server-api-key-123');
    h.backend.state.behaviours.clear();
    const retried = await h.call('POST', `/v1/operations/${opId}/retry`);
    expect(retried.body.status).toBe('queued');
    await h.engine.operations.waitFor(opId, { timeoutMs: 10_000 });
    expect((await h.call('GET', `/v1/operations/${opId}`)).body.operation.status).toBe('succeeded');
    const notFailed = await h.call('POST', `/v1/operations/${opId}/retry`);
    expect([notFailed.status, notFailed.body.error.code]).toEqual([409, 'operation.not_failed']);

    h.backend.state.behave(`fx-${id}`, 'suspend', { kind: 'fail', message: 'nope' });
    const suspendFail = await h.call('POST', `/v1/services/${id}/suspend?wait=10`);
    const resolved = await h.call('POST', `/v1/operations/${suspendFail.body.operation.id}/resolve`, {
      body: { markSucceeded: true, note: 'done by hand' },
    });
    expect(resolved.body).toMatchObject({
      status: 'succeeded',
      resolution: 'marked succeeded: done by hand',
    });
    expect((await h.call('GET', `/v1/services/${id}`)).body.status).toBe('suspended');
    h.backend.state.behaviours.clear();

    const cancelled = await h.call('POST', `/v1/operations/${opId}/cancel`);
    expect([cancelled.status, cancelled.body.error.code]).toEqual([409, 'operation.not_cancellable']);
    expect((await h.call('GET', '/v1/operations/999999')).body.error.code).toBe('operation.not_found');
  });

  it('queries the module log by operation, server, outcome and text, always redacted', async () => {
    const log = await h.call('GET', `/v1/module-log?serverId=${ids.serverId}&limit=500`);
    expect(log.body.items.length).toBeGreaterThan(3);
    expect(JSON.stringify(log.body)).not.toContain('server-api-key-123');
    expect(JSON.stringify(log.body)).not.toContain('product-secret-token');
    const errors = await h.call('GET', '/v1/module-log?outcome=error');
    expect(errors.body.items.every((r: { outcome: string }) => r.outcome === 'error')).toBe(true);
    const search = await h.call('GET', '/v1/module-log?search=disk%20full');
    expect(search.body.items.length).toBeGreaterThan(0);
  });

  it('syncs usage and reads it per service and per server', async () => {
    const id = await activeService();
    const synced = await h.call('POST', '/v1/usage/sync', { body: { serverId: ids.serverId } });
    expect(synced.body.servers[0]).toMatchObject({ serverId: ids.serverId });
    expect(synced.body.servers[0].updated).toBeGreaterThan(0);
    expect((await h.call('GET', `/v1/services/${id}/usage`)).body.usage).toMatchObject({
      diskUsedMb: 10,
      diskLimitMb: 100,
    });
    const perServer = await h.call('GET', `/v1/servers/${ids.serverId}/usage`);
    expect(perServer.body.services.map((s: { serviceId: number }) => s.serviceId)).toContain(id);
    expect((await h.call('POST', '/v1/usage/sync', { body: { serverId: 999999 } })).body.error.code).toBe(
      'usage.no_server',
    );
  });

  it('counts operations and remote calls in /metrics', async () => {
    const text = (await h.call('GET', '/metrics', { token: null })).body as string;
    expect(text).toMatch(
      /provisio_operations_finished_total\{status="succeeded",action="create",module="fixture"\} \d+/,
    );
    expect(text).toMatch(
      /provisio_remote_call_duration_seconds_count\{module="fixture",server="\d+",outcome="ok"\} \d+/,
    );
    expect(text).toMatch(/provisio_operations\{status="succeeded",action="create",module="fixture"\} \d+/);
    expect(text).toContain('provisio_http_request_duration_seconds');
  });
});

describe('request errors', () => {
  it('answers malformed JSON 400, a wrong media type 415, an unknown route 404, unknown fields 422', async () => {
    const malformed = await h.call('POST', '/v1/clients', {
      rawBody: '{"email":',
      headers: { 'content-type': 'application/json' },
    });
    expect([malformed.status, malformed.body.error.code]).toEqual([400, 'request.malformed']);
    const media = await h.call('POST', '/v1/clients', {
      rawBody: 'email=x',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
    });
    expect([media.status, media.body.error.code]).toEqual([415, 'request.unsupported_media_type']);
    const route = await h.call('GET', '/v1/nothing');
    expect([route.status, route.body.error.code]).toEqual([404, 'route.not_found']);
    const extra = await h.call('POST', '/v1/clients', { body: { email: 'a@example.com', emial: 'typo' } });
    expect(extra.body.error.details).toEqual([{ field: 'emial', message: 'emial is not a known field' }]);
    const badId = await h.call('GET', '/v1/clients/abc');
    expect([badId.status, badId.body.error.code]).toEqual([422, 'request.invalid']);
    const big = await h.call('POST', '/v1/clients', {
      body: { email: 'a@example.com', company: 'x'.repeat(2_000_000) },
    });
    expect([big.status, big.body.error.code]).toEqual([413, 'request.too_large']);
  });
});
