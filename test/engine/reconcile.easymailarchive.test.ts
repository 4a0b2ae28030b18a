import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ArchiveRig, startArchiveRig } from '../modules/easymailarchive.support.js';
import { reconcileServer, repairAll, setStatusInStore, summarise } from '../support/reconcile.js';

/**
 * Reconcile over the Easy Mail Archive emulator (issue 16). Tenants carry no mark (spec §10): a
 * tenant is a service's when the service holds its claim, so an orphan is a claimed tenant of a
 * terminated service, and a foreign one is a tenant at the slug an imported service names without
 * a claim. Plans are visible in the S3 answer shape only, which this test uses throughout.
 */
let rig: ArchiveRig;
const svc: Record<string, number> = {};
let imported: number;

beforeAll(async () => {
  rig = await startArchiveRig({
    emulator: { fixtures: false },
    product: { plan: 'starter', deleteOnTerminate: true },
  });
  rig.emulator.configure({ envelope: 'bare' });
  for (const name of ['steady', 'hand-suspended', 'hand-unsuspended', 'deleted', 'plan-changed', 'ended']) {
    const serviceId = await rig.newService({ domain: `${name}.com` });
    const done = await rig.engine.run(serviceId, 'create');
    expect(done.status, done.errorMessage ?? '').toBe('succeeded');
    svc[name] = serviceId;
  }
  expect((await rig.engine.run(svc['hand-unsuspended']!, 'suspend')).status).toBe('succeeded');
  // Tenants of others, none under a name a service claims: never a finding.
  rig.emulator.seedTenants(20, { prefix: 'bulk-' });
  await rig.seedOverHttp('tenant', { slug: 'made-in-dashboard', plan: 'business' });
  await rig.seedOverHttp('tenant', { slug: 'invisible', reseller: 'other-reseller' });
});

afterAll(async () => {
  await rig?.close();
});

describe('reconcile with Easy Mail Archive', () => {
  it('finds nothing on a clean reseller, with tenants of others beside ours', async () => {
    const run = await reconcileServer(rig.engine, rig.serverId);
    expect(summarise(run.findings)).toEqual([]);
    expect(run.objectsSeen).toBe(27);
    expect(run.pages).toBe(2);
  });

  it('finds every kind of drift, and only those', async () => {
    await rig.seedOverHttp('status', { slug: 'hand-suspended', status: 'suspended' });
    await rig.seedOverHttp('status', { slug: 'hand-unsuspended', status: 'active' });
    await rig.seedOverHttp('deletion', { slug: 'deleted' });
    await rig.seedOverHttp('plan', { slug: 'plan-changed', plan: 'business' });
    // An old module's duplicate for one customer: unclaimed, so not a finding of any service.
    await rig.seedOverHttp('duplicate', { of: 'steady' });
    await setStatusInStore(rig.engine, svc.ended!, 'terminated');
    await rig.seedOverHttp('tenant', { slug: 'stranger', plan: 'starter' });
    imported = await rig.importService({ remoteIds: { slug: 'stranger' }, status: 'active' });

    rig.emulator.clearRequests();
    const run = await reconcileServer(rig.engine, rig.serverId);
    expect(summarise(run.findings)).toEqual(
      [
        `state-drift tenant hand-suspended #${svc['hand-suspended']} → unsuspend`,
        `state-drift tenant hand-unsuspended #${svc['hand-unsuspended']} → re-suspend`,
        `missing tenant deleted #${svc.deleted} → recreate`,
        `package-drift tenant plan-changed #${svc['plan-changed']} → reapply-package`,
        `orphan tenant ended #${svc.ended} → release`,
        `foreign tenant stranger #${imported} → adopt`,
      ].sort(),
    );
    // One paged listing (15 tenants a page), no lookup per service.
    expect(rig.calls()).toEqual(['GET /api/reseller/tenants 200', 'GET /api/reseller/tenants 200']);
    expect(run.findings.find((f) => f.kind === 'package-drift')?.details.differences).toEqual([
      { field: 'plan', expected: 'starter', actual: 'business' },
    ]);
  });

  it('runs each repair as an operation; one the API cannot make fails clearly and changes nothing', async () => {
    const { engine } = rig;
    const findings = await engine.reconcile.findings({ serverId: rig.serverId });
    const planChanged = findings.find((f) => f.kind === 'package-drift')!;
    const actions = await repairAll(
      engine,
      findings.filter((f) => f.id !== planChanged.id),
    );
    expect(actions).toEqual([
      'adopt',
      'repair:re-suspend',
      'repair:recreate',
      'repair:release',
      'repair:unsuspend',
    ]);
    // The API cannot change a tenant's plan (spec §11): the repair operation fails and says so.
    const { operation } = await engine.reconcile.repair(planChanged.id, 'reapply-package');
    const failed = await engine.operations.waitFor(operation!.id, { timeoutMs: 30_000 });
    expect(failed.status).toBe('failed');
    expect(failed.errorCode).toBe('easymailarchive.plan_change_unsupported');
    // Support moves the plan back by hand; the next reconcile sees no difference left.
    await rig.seedOverHttp('plan', { slug: 'plan-changed', plan: 'starter' });

    const run = await reconcileServer(engine, rig.serverId);
    expect(summarise(run.findings)).toEqual([]);
    expect(run.findingsClosed).toBe(6);
    expect((await engine.services.get(imported)).remoteIds.claimState).toBe('confirmed');
  });
});
