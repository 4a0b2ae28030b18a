import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  type CalagopusEmulator,
  FIXTURE,
  startCalagopusEmulator,
} from '../../src/emulators/calagopus/index.js';
import { calagopusModule } from '../../src/modules/calagopus/index.js';
import { ownershipMark } from '../../src/modules/contract.js';
import { NODE_PRODUCT } from '../modules/calagopus.support.js';
import { type ApiHarness, startApiHarness } from './support.js';

/**
 * Reconcile through the HTTP API over real sockets: who may run and repair it (operator) and list
 * findings (read), the typed answers, paging, refusals that change nothing, the audit trail, the
 * OpenAPI document, `/metrics` and the dashboard's open findings per server.
 */
let h: ApiHarness;
let emulator: CalagopusEmulator;
let serverId: number;
const services: number[] = [];

beforeAll(async () => {
  emulator = await startCalagopusEmulator({});
  h = await startApiHarness({ modules: [calagopusModule] });
  const server = await h.call('POST', '/v1/servers', {
    body: {
      name: 'panel',
      module: 'calagopus',
      hostname: '127.0.0.1',
      port: emulator.port,
      secure: false,
      secret: FIXTURE.apiKey,
    },
  });
  serverId = server.body.id;
  const group = await h.call('POST', '/v1/server-groups', {
    body: { name: 'panels', fillType: 'least-full', serverIds: [serverId] },
  });
  const product = await h.call('POST', '/v1/products', {
    body: { name: 'Minecraft', module: 'calagopus', serverGroupId: group.body.id, settings: NODE_PRODUCT },
  });
  const client = await h.call('POST', '/v1/clients', {
    body: { email: 'p@example.com', firstName: 'Pat', lastName: 'Player' },
  });
  for (let i = 0; i < 3; i++) {
    const service = await h.call('POST', '/v1/services', {
      body: { clientId: client.body.id, productId: product.body.id },
    });
    const created = await h.call('POST', `/v1/services/${service.body.id}/create?wait=10`);
    expect(created.body.operation?.status, created.body.operation?.errorMessage).toBe('succeeded');
    services.push(service.body.id);
  }
  // Two servers deleted by hand in the panel: two `missing` findings.
  emulator.drift('delete', { external_id: ownershipMark(services[0]!) });
  emulator.drift('delete', { external_id: ownershipMark(services[1]!) });
});

afterAll(async () => {
  await h?.close();
  await emulator?.close();
});

describe('reconcile API', () => {
  it('lets an operator run it, not a read token, and answers the findings it stored', async () => {
    const refused = await h.call('POST', `/v1/servers/${serverId}/reconcile`, { token: h.tokens.read });
    expect(refused.status).toBe(403);
    expect(refused.body.error.code).toBe('auth.insufficient_scope');
    expect((await h.call('GET', '/v1/reconcile/findings', { token: h.tokens.read })).body.items).toEqual([]);

    const run = await h.call('POST', `/v1/servers/${serverId}/reconcile`, { token: h.tokens.operator });
    expect(run.status).toBe(200);
    expect(run.body.servers).toHaveLength(1);
    const [server] = run.body.servers;
    expect(server).toMatchObject({
      serverId,
      status: 'succeeded',
      findingsNew: 2,
      findingsOpen: 2,
      error: null,
    });
    expect(server.findings.map((f: { kind: string; serviceId: number }) => [f.kind, f.serviceId])).toEqual([
      ['missing', services[0]],
      ['missing', services[1]],
    ]);
    expect(server.findings[0]).toMatchObject({
      remoteKind: 'server',
      remoteKey: ownershipMark(services[0]!),
      proposedAction: 'recreate',
      repairs: ['recreate', 'ignore'],
      status: 'open',
      repairOperationId: null,
      closedAt: null,
    });
    const all = await h.call('POST', '/v1/reconcile', { token: h.tokens.operator, body: {} });
    expect(all.body.servers.map((s: { findingsNew: number }) => s.findingsNew)).toEqual([0]);
  });

  it('refuses an unknown server, and a body field it does not know', async () => {
    const unknown = await h.call('POST', '/v1/servers/9999/reconcile');
    expect(unknown.status).toBe(404);
    expect(unknown.body.error.code).toBe('reconcile.no_server');
    const typo = await h.call('POST', '/v1/reconcile', { body: { server: serverId } });
    expect(typo.status).toBe(422);
    expect(typo.body.error.code).toBe('request.invalid');
  });

  it('lists findings with filters, a page at a time', async () => {
    const first = await h.call('GET', `/v1/reconcile/findings?serverId=${serverId}&kind=missing&limit=1`, {
      token: h.tokens.read,
    });
    expect(first.status).toBe(200);
    expect(first.body.items).toHaveLength(1);
    expect(first.body.nextAfterId).toBe(first.body.items[0].id);
    const second = await h.call(
      'GET',
      `/v1/reconcile/findings?serverId=${serverId}&kind=missing&limit=1&afterId=${first.body.nextAfterId}`,
      { token: h.tokens.read },
    );
    expect(second.body.items[0].serviceId).toBe(services[1]);
    const none = await h.call('GET', '/v1/reconcile/findings?kind=orphan', { token: h.tokens.read });
    expect(none.body).toEqual({ items: [], nextAfterId: null });
    const bad = await h.call('GET', '/v1/reconcile/findings?kind=gone', { token: h.tokens.read });
    expect(bad.status).toBe(422);
  });

  it('refuses a repair that does not fit, and queues nothing', async () => {
    const [finding] = (await h.call('GET', '/v1/reconcile/findings?kind=missing')).body.items;
    const refused = await h.call('POST', `/v1/reconcile/findings/${finding.id}/repair`, {
      token: h.tokens.operator,
      body: { action: 'adopt' },
    });
    expect(refused.status).toBe(422);
    expect(refused.body.error.code).toBe('reconcile.repair_invalid');
    expect(refused.body.error.message).toContain('choose recreate or ignore');
    const byRead = await h.call('POST', `/v1/reconcile/findings/${finding.id}/repair`, {
      token: h.tokens.read,
    });
    expect(byRead.status).toBe(403);
    const ops = await h.call('GET', `/v1/operations?serviceId=${finding.serviceId}`);
    expect(ops.body.items.map((o: { action: string }) => o.action)).toEqual(['create']);
  });

  it('repairs one finding as a durable operation, audited; the next reconcile closes it', async () => {
    const [finding] = (await h.call('GET', '/v1/reconcile/findings?kind=missing')).body.items;
    const repaired = await h.call('POST', `/v1/reconcile/findings/${finding.id}/repair`, {
      token: h.tokens.operator,
      body: {},
    });
    expect(repaired.status).toBe(200);
    expect(repaired.body.action).toBe('recreate');
    expect(repaired.body.operation).toMatchObject({
      action: 'repair:recreate',
      serviceId: finding.serviceId,
    });
    expect(repaired.body.finding).toMatchObject({
      status: 'open',
      repairAction: 'recreate',
      repairOperationId: repaired.body.operation.id,
    });
    // Asked twice: the same operation, not a second create.
    const again = await h.call('POST', `/v1/reconcile/findings/${finding.id}/repair`, { body: {} });
    expect(again.body.operation.id).toBe(repaired.body.operation.id);
    const done = await h.engine.operations.waitFor(repaired.body.operation.id, { timeoutMs: 30_000 });
    expect(done.status).toBe('succeeded');

    const audit = await h.call('GET', '/v1/audit?action=reconcile.repair');
    expect(audit.body.items[0]).toMatchObject({
      actor: 'admin',
      targetType: 'reconcile_finding',
      targetId: String(finding.id),
    });
    const run = await h.call('POST', `/v1/servers/${serverId}/reconcile`);
    expect(run.body.servers[0]).toMatchObject({ findingsClosed: 1, findingsOpen: 1 });
  });

  it('repairs in bulk and reports each finding, the unknown ones too', async () => {
    const [open] = (await h.call('GET', '/v1/reconcile/findings?status=open')).body.items;
    const bulk = await h.call('POST', '/v1/reconcile/findings/repair', {
      token: h.tokens.operator,
      body: { ids: [open.id, 999_999], action: 'ignore' },
    });
    expect(bulk.status).toBe(200);
    expect(bulk.body.items).toEqual([
      { findingId: open.id, action: 'ignore', operationId: null },
      {
        findingId: 999_999,
        action: 'ignore',
        operationId: null,
        error: { code: 'reconcile_finding.not_found', message: expect.stringContaining('999999') },
      },
    ]);
    const ignored = await h.call('GET', `/v1/reconcile/findings/${open.id}`, { token: h.tokens.read });
    expect(ignored.body).toMatchObject({ status: 'ignored', repairAction: 'ignore' });
    // Still there, still ignored, after another pass.
    await h.call('POST', '/v1/reconcile', { body: { serverId } });
    expect((await h.call('GET', `/v1/reconcile/findings/${open.id}`)).body.status).toBe('ignored');
  });

  it('shows open findings per server in /metrics and on the dashboard', async () => {
    emulator.drift('suspend', { external_id: ownershipMark(services[2]!) });
    emulator.drift('status', { external_id: ownershipMark(services[2]!), status: null });
    await h.call('POST', '/v1/reconcile', { body: {} });
    const metrics = await (await fetch(`${h.url}/metrics`)).text();
    expect(metrics).toContain(`provisio_reconcile_open_findings{server="${serverId}",kind="state-drift"} 1`);
    expect(metrics).not.toContain('kind="missing"');
    const dashboard = await h.call('GET', '/v1/dashboard', { token: h.tokens.read });
    expect(dashboard.body.openFindings).toEqual([
      { serverId, name: 'panel', open: 1, byKind: { 'state-drift': 1 } },
    ]);
  });

  it('describes every reconcile route in the OpenAPI document, with its scope', async () => {
    const doc = (await h.call('GET', '/openapi.json')).body;
    for (const [path, method] of [
      ['/v1/servers/{id}/reconcile', 'post'],
      ['/v1/reconcile', 'post'],
      ['/v1/reconcile/findings', 'get'],
      ['/v1/reconcile/findings/{id}', 'get'],
      ['/v1/reconcile/findings/{id}/repair', 'post'],
      ['/v1/reconcile/findings/repair', 'post'],
    ] as const) {
      expect(doc.paths[path]?.[method], `${method} ${path}`).toBeDefined();
    }
    const finding =
      doc.paths['/v1/reconcile/findings'].get.responses['200'].content['application/json'].schema;
    const kind = JSON.stringify(finding.properties.items.items.properties.kind);
    for (const name of ['missing', 'state-drift', 'package-drift', 'orphan', 'foreign'])
      expect(kind).toContain(`"${name}"`);
    expect(doc.paths['/v1/reconcile'].post.description).toContain('operator');
  });
});
