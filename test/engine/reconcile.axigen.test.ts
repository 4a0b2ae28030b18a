import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type AxigenRig, startAxigenRig } from '../modules/axigen.support.js';
import {
  control,
  placeServiceInStore,
  reconcileServer,
  repairAll,
  setStatusInStore,
  summarise,
} from '../support/reconcile.js';

/**
 * Reconcile over the Axigen emulator's CLI (issue 16): every domain, and the mailboxes of domains
 * provisio does not own, compared with the Domain and Account services placed on the server.
 * A hand-suspended mailbox shows as a mailbox without services; a domain whose limits changed
 * shows as package drift; a disabled domain's mark cannot be read (Q4), so it is taken for its
 * claimant's, never for a foreign one.
 */
let rig: AxigenRig;
let serverId: number;
const svc: Record<string, number> = {};
let imported: number;

const seed = (entity: string, body: Record<string, unknown>) =>
  control(rig.emulator.controlUrl!.replace(/\/__emulator$/, ''), `seed/${entity}`, body);

beforeAll(async () => {
  rig = await startAxigenRig();
  serverId = rig.serverIds[0]!;
  for (const key of ['steady', 'reenabled', 'deleted', 'relimited', 'ended'])
    svc[key] = await rig.newDomainService(`${key}.test`);
  for (const key of ['mailbox', 'handSuspended']) svc[key] = await rig.newAccountService(key.toLowerCase());
  for (const id of Object.values(svc)) {
    const done = await rig.engine.run(id, 'create');
    expect(done.status, done.errorMessage ?? '').toBe('succeeded');
  }
  expect((await rig.engine.run(svc.reenabled!, 'suspend')).status).toBe('succeeded');
});

afterAll(async () => {
  await rig?.close();
});

describe('reconcile with Axigen', () => {
  it('finds nothing on a clean server, with domains and mailboxes of others beside ours', async () => {
    const run = await reconcileServer(rig.engine, serverId);
    expect(summarise(run.findings)).toEqual([]);
    expect(run.servicesSeen).toBe(7);
    // The fixtures' own domains and mailboxes were listed too.
    expect(run.objectsSeen).toBeGreaterThan(10);
  });

  it('finds every kind of drift, and only those', async () => {
    await seed('staffChange', { domain: 'example.com', account: 'handsuspended', limits: { services: [] } });
    await seed('staffChange', { domain: 'reenabled.test', enabled: true });
    await seed('staffChange', { domain: 'deleted.test', delete: true });
    await seed('staffChange', { domain: 'relimited.test', adminLimits: { maxAccounts: 7 } });
    await setStatusInStore(rig.engine, svc.ended!, 'terminated');
    // A domain made in the WebAdmin, registered from WHMCS by its name.
    // (made with this product's limits: adopting it leaves no package drift behind).
    await seed('domain', {
      name: 'legacy.test',
      accounts: ['boss'],
      groupware: true,
      adminLimits: { maxAccounts: 50 },
      accountDefaultQuotas: { totalMessageSize: 1024 * 1024 },
    });
    const { clientId, productId } = await rig.engine.services.get(svc.steady!);
    imported = await placeServiceInStore(rig.engine, {
      clientId,
      productId,
      serverId,
      status: 'active',
      domain: 'legacy.test',
    });

    const run = await reconcileServer(rig.engine, serverId);
    expect(summarise(run.findings)).toEqual(
      [
        `state-drift account handsuspended@example.com #${svc.handSuspended} → unsuspend`,
        `state-drift domain reenabled.test #${svc.reenabled} → re-suspend`,
        `missing domain deleted.test #${svc.deleted} → recreate`,
        `package-drift domain relimited.test #${svc.relimited} → reapply-package`,
        `orphan domain ended.test #${svc.ended} → release`,
        `foreign domain legacy.test #${imported} → adopt`,
      ].sort(),
    );
    expect(run.findings.find((f) => f.kind === 'package-drift')?.details.differences).toEqual([
      { field: 'maxAccounts', expected: '50', actual: '7' },
    ]);
  });

  it('repairs each finding as an operation, and a second reconcile finds nothing', async () => {
    const findings = await rig.engine.reconcile.findings({ serverId });
    const actions = await repairAll(rig.engine, findings);
    expect(actions).toEqual([
      'adopt',
      'repair:re-suspend',
      'repair:reapply-package',
      'repair:recreate',
      'repair:release',
      'repair:unsuspend',
    ]);
    const run = await reconcileServer(rig.engine, serverId);
    expect(summarise(run.findings)).toEqual([]);
    expect(run.findingsClosed).toBe(6);
    // The re-suspended domain is disabled again: its mark cannot be read, and it is still not foreign.
    expect((await rig.engine.services.get(svc.reenabled!)).status).toBe('suspended');
  });
});
