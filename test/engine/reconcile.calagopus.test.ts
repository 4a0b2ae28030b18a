import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  type CalagopusEmulator,
  FIXTURE,
  startCalagopusEmulator,
} from '../../src/emulators/calagopus/index.js';
import { ownershipMark } from '../../src/modules/contract.js';
import { NODE_PRODUCT, type PanelWorld, panelWorld } from '../modules/calagopus.support.js';
import {
  control,
  placeServiceInStore,
  reconcileServer,
  repairAll,
  setStatusInStore,
  summarise,
} from '../support/reconcile.js';

/**
 * Reconcile over the Calagopus emulator (issue 16): the engine lists every panel server over the
 * admin API, compares them with the services placed there, and reports each kind of drift the
 * panel can show; repairs run as ordinary operations; a second reconcile finds nothing.
 *
 * A panel server's name for provisio is its external id, which is also its mark; a foreign
 * server under a service's name is one an earlier module made (its external id, saved on an
 * imported service).
 */
let emulator: CalagopusEmulator;
let world: PanelWorld;
let productId: number;
const svc = {
  steady: 0,
  handSuspended: 0,
  handUnsuspended: 0,
  deleted: 0,
  resized: 0,
  terminatedInBilling: 0,
  imported: 0,
};

const drift = (kind: string, body: Record<string, unknown>) => control(emulator.url, `drift/${kind}`, body);
const mark = (serviceId: number) => ownershipMark(serviceId);

async function createService(): Promise<number> {
  const { serviceId } = await world.service(productId);
  const done = await world.harness.engine.run(serviceId, 'create');
  expect(done.status, done.errorMessage ?? '').toBe('succeeded');
  // The install the panel runs after a create has finished.
  await drift('status', { external_id: mark(serviceId), status: null });
  return serviceId;
}

beforeAll(async () => {
  emulator = await startCalagopusEmulator({});
  world = await panelWorld(emulator);
  productId = await world.product(NODE_PRODUCT);
  for (const name of [
    'steady',
    'handSuspended',
    'handUnsuspended',
    'deleted',
    'resized',
    'terminatedInBilling',
  ] as const)
    svc[name] = await createService();
  expect((await world.harness.engine.run(svc.handUnsuspended, 'suspend')).status).toBe('succeeded');
  // Objects of others whose names collide with no service: never a finding.
  await control(emulator.url, 'seed/server', {
    name: 'made by hand',
    node_uuid: FIXTURE.nodeUs1,
    owner_uuid: FIXTURE.adminUser,
    external_id: 'staff-1',
  });
  await control(emulator.url, 'seed/server', {
    name: 'no external id',
    node_uuid: FIXTURE.nodeUs1,
    owner_uuid: FIXTURE.adminUser,
  });
});

afterAll(async () => {
  await world?.harness.close();
  await emulator?.close();
});

describe('reconcile with the Calagopus panel', () => {
  it('finds nothing on a clean panel, with servers of others beside ours', async () => {
    const run = await reconcileServer(world.harness.engine, world.serverId);
    expect(summarise(run.findings)).toEqual([]);
    expect(run.objectsSeen).toBe(8);
    expect(run.servicesSeen).toBe(6);
  });

  it('finds every kind of drift, and only those', async () => {
    const { engine } = world.harness;
    await drift('suspend', { external_id: mark(svc.handSuspended) });
    await drift('unsuspend', { external_id: mark(svc.handUnsuspended) });
    await drift('delete', { external_id: mark(svc.deleted) });
    await drift('limits', {
      external_id: mark(svc.resized),
      limits: { memory: 4096 },
      feature_limits: { backups: 10 },
    });
    // Billing terminated it; the panel kept the server (a terminate resolved by hand).
    await setStatusInStore(engine, svc.terminatedInBilling, 'terminated');
    // A server an earlier module made for a customer, registered from WHMCS with its external id
    // (made with this product's limits: adopting it leaves no package drift behind).
    const { servers } = (await (await fetch(`${emulator.url}/__emulator/snapshot`)).json()) as {
      servers: { external_id: string | null; limits: unknown; feature_limits: unknown; image: string }[];
    };
    const steady = servers.find((s) => s.external_id === mark(svc.steady))!;
    await control(emulator.url, 'seed/server', {
      name: 'whmcs made it',
      node_uuid: FIXTURE.nodeUs1,
      owner_uuid: FIXTURE.adminUser,
      external_id: 'whmcs-77',
      limits: steady.limits,
      feature_limits: steady.feature_limits,
      image: steady.image,
    });
    const client = await engine.clients.create({
      email: 'imported@example.com',
      firstName: 'I',
      lastName: 'M',
    });
    svc.imported = await placeServiceInStore(engine, {
      clientId: client.id,
      productId,
      serverId: world.serverId,
      status: 'active',
      remoteIds: { 'External ID': 'whmcs-77' },
    });
    // Our mark, naming a service this engine does not have (another install, a restored backup).
    await control(emulator.url, 'seed/server', {
      name: 'other install',
      node_uuid: FIXTURE.nodeUs1,
      owner_uuid: FIXTURE.adminUser,
      external_id: 'provisio-service-999999',
    });

    emulator.clearRequests();
    const run = await reconcileServer(engine, world.serverId);
    expect(summarise(run.findings)).toEqual(
      [
        `state-drift server ${mark(svc.handSuspended)} #${svc.handSuspended} → unsuspend`,
        `state-drift server ${mark(svc.handUnsuspended)} #${svc.handUnsuspended} → re-suspend`,
        `missing server ${mark(svc.deleted)} #${svc.deleted} → recreate`,
        `package-drift server ${mark(svc.resized)} #${svc.resized} → reapply-package`,
        `orphan server ${mark(svc.terminatedInBilling)} #${svc.terminatedInBilling} → release`,
        `foreign server whmcs-77 #${svc.imported} → adopt`,
        'orphan server provisio-service-999999 → ignore',
      ].sort(),
    );
    // One pass over the listing, no lookup per service.
    expect(emulator.requests().map((r) => `${r.method} ${r.path}${r.query}`)).toEqual([
      'GET /api/admin/servers?page=1&per_page=100',
    ]);
    expect(run.findingsNew).toBe(7);
    const resized = run.findings.find((f) => f.kind === 'package-drift');
    expect(resized?.details.differences).toEqual([
      { field: 'memory', expected: '1024', actual: '4096' },
      { field: 'backupLimit', expected: '2', actual: '10' },
    ]);
    expect(run.findings.find((f) => f.remoteKey === 'provisio-service-999999')?.details).toMatchObject({
      markedServiceId: 999999,
      serviceStatus: null,
      releasable: false,
    });
  });

  it('a second pass updates the same findings instead of opening new ones', async () => {
    const before = await world.harness.engine.reconcile.findings({ serverId: world.serverId });
    const run = await reconcileServer(world.harness.engine, world.serverId);
    expect(run.findingsNew).toBe(0);
    expect(run.findingsClosed).toBe(0);
    expect(run.findings.map((f) => f.id)).toEqual(before.map((f) => f.id));
    expect(run.findings.every((f) => f.runId === run.runId)).toBe(true);
  });

  it('refuses a repair that does not fit the finding, and changes nothing', async () => {
    const { engine } = world.harness;
    const [missing] = await engine.reconcile.findings({ serverId: world.serverId, kind: 'missing' });
    await expect(engine.reconcile.repair(missing!.id, 'adopt')).rejects.toMatchObject({
      code: 'reconcile.repair_invalid',
    });
    expect((await engine.reconcile.finding(missing!.id)).repairOperationId).toBeNull();
    expect(await engine.operations.list({ serviceId: missing!.serviceId! })).toHaveLength(1);
  });

  it('repairs each finding as an operation, and a second reconcile finds nothing', async () => {
    const { engine } = world.harness;
    const findings = await engine.reconcile.findings({ serverId: world.serverId });
    const actions = await repairAll(engine, findings);
    expect(actions).toEqual([
      'adopt',
      'repair:re-suspend',
      'repair:reapply-package',
      'repair:recreate',
      'repair:release',
      'repair:unsuspend',
    ]);
    // The repair operations are the engine's ordinary ones: journaled, logged, audited.
    const audit = await engine.audit.list({ action: 'reconcile.repair' });
    expect(audit).toHaveLength(7);
    expect(audit.every((entry) => entry.actor === 'test-operator')).toBe(true);
    // The recreated server finished installing.
    await drift('status', { external_id: mark(svc.deleted), status: null });

    const run = await reconcileServer(engine, world.serverId);
    expect(summarise(run.findings)).toEqual(['orphan server provisio-service-999999 → ignore (ignored)']);
    expect(run.findingsOpen).toBe(0);
    expect(run.findingsClosed).toBe(6);
    const closed = await engine.reconcile.findings({
      serverId: world.serverId,
      status: 'repaired',
      includeClosed: true,
    });
    expect(closed).toHaveLength(6);
    expect(closed.every((f) => f.closedAt !== null && f.repairOperationId !== null)).toBe(true);
    // Billing's statuses are untouched by repairs.
    expect((await engine.services.get(svc.handUnsuspended)).status).toBe('suspended');
    expect((await engine.services.get(svc.terminatedInBilling)).status).toBe('terminated');
    expect((await engine.services.get(svc.imported)).remoteIds['External ID']).toBe(mark(svc.imported));
  });
});
