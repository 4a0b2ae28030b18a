import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CUSTOMER, type StoreGridRig, startStoreGridRig } from '../modules/storegrid.support.js';
import {
  control,
  placeServiceInStore,
  reconcileServer,
  repairAll,
  setStatusInStore,
  summarise,
} from '../support/reconcile.js';

/**
 * Reconcile over the StoreGrid emulator (issue 16): every reseller and customer of the backup
 * server, compared with the services placed there. An account's name for provisio is the one
 * create derives (or the saved one), its mark a line of its notes.
 */
let rig: StoreGridRig;
let productId: number;
const svc: Record<string, number> = {};
let imported: number;

const byHand = (change: string, body: Record<string, unknown>) =>
  control(rig.emulator.url, `by-hand/${change}`, body);
const name = (key: string) => `sg${svc[key]}`;

beforeAll(async () => {
  rig = await startStoreGridRig();
  productId = await rig.newProduct({ ...CUSTOMER });
  for (const key of ['steady', 'deactivated', 'reactivated', 'deleted', 'reallotted', 'ended', 'twice']) {
    const id = await rig.newService(productId);
    const done = await rig.engine.run(id, 'create');
    expect(done.status, done.errorMessage ?? '').toBe('succeeded');
    svc[key] = id;
  }
  expect((await rig.engine.run(svc.reactivated!, 'suspend')).status).toBe('succeeded');
  // Accounts of others, none under a name a service claims: never a finding.
  for (let i = 0; i < 5; i++)
    await control(rig.emulator.url, 'seed/customer', {
      name: `staff-${i}`,
      resellerName: 'demo-reseller',
      notes: 'by hand',
    });
});

afterAll(async () => {
  await rig?.close();
});

describe('reconcile with StoreGrid', () => {
  it('finds nothing on a clean backup server, with accounts of others beside ours', async () => {
    const run = await reconcileServer(rig.engine, rig.serverId);
    expect(summarise(run.findings)).toEqual([]);
    expect(run.servicesSeen).toBe(7);
  });

  it('finds every kind of drift, and only those', async () => {
    await byHand('deactivate', { type: 'customer', name: name('deactivated') });
    await byHand('activate', { type: 'customer', name: name('reactivated') });
    await byHand('delete', { type: 'customer', name: name('deleted') });
    await byHand('edit', { type: 'customer', name: name('reallotted'), storageAllottedBytes: 7 * 1024 ** 3 });
    await setStatusInStore(rig.engine, svc.ended!, 'terminated');
    // What an old provisio version did on a retried signup: a second account with the same mark.
    await control(rig.emulator.url, 'seed/customer', {
      name: `${name('twice')}-old`,
      resellerName: 'demo-reseller',
      notes: `provisio:service:${svc.twice}`,
    });
    // An account made in the console, registered from WHMCS under its username.
    await control(rig.emulator.url, 'seed/customer', {
      name: 'acme.backup',
      resellerName: 'demo-reseller',
      notes: 'made by staff',
      storageAllottedBytes: CUSTOMER.storageAllottedBytes,
    });
    imported = await placeServiceInStore(rig.engine, {
      clientId: await rig.newClient({ email: 'acme@example.com' }),
      productId,
      serverId: rig.serverId,
      status: 'active',
      username: 'acme.backup',
    });

    rig.emulator.clearRequests();
    const run = await reconcileServer(rig.engine, rig.serverId);
    expect(summarise(run.findings)).toEqual(
      [
        `state-drift customer ${name('deactivated')} #${svc.deactivated} → unsuspend`,
        `state-drift customer ${name('reactivated')} #${svc.reactivated} → re-suspend`,
        `missing customer ${name('deleted')} #${svc.deleted} → recreate`,
        `package-drift customer ${name('reallotted')} #${svc.reallotted} → reapply-package`,
        `orphan customer ${name('ended')} #${svc.ended} → release`,
        `orphan customer ${name('twice')}-old #${svc.twice} → ignore`,
        `foreign customer acme.backup #${imported} → adopt`,
      ].sort(),
    );
    // One listing of resellers and one of customers, no lookup per service.
    expect(rig.calls()).toEqual(['GET /sgwebapi/ListAccounts', 'GET /sgwebapi/ListAccounts']);
    expect(run.findings.find((f) => f.kind === 'package-drift')?.details.differences).toEqual([
      { field: 'storageAllottedBytes', expected: String(5 * 1024 ** 3), actual: String(7 * 1024 ** 3) },
    ]);
  });

  it('repairs each finding as an operation, and a second reconcile finds nothing open', async () => {
    const findings = await rig.engine.reconcile.findings({ serverId: rig.serverId });
    const actions = await repairAll(rig.engine, findings);
    expect(actions).toEqual([
      'adopt',
      'repair:re-suspend',
      'repair:reapply-package',
      'repair:recreate',
      'repair:release',
      'repair:unsuspend',
    ]);
    const run = await reconcileServer(rig.engine, rig.serverId);
    // The old module's duplicate stays until someone deletes it: releasing it would terminate the
    // service's real account, so it can only be ignored.
    expect(summarise(run.findings)).toEqual([
      `orphan customer ${name('twice')}-old #${svc.twice} → ignore (ignored)`,
    ]);
    expect(run.findingsOpen).toBe(0);
    expect(run.findingsClosed).toBe(6);
  });
});
