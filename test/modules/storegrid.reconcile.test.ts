import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RemoteObject, ServiceRef } from '../../src/modules/contract.js';
import { storegridModule } from '../../src/modules/storegrid/index.js';
import type { StoreGridSettings } from '../../src/modules/storegrid/settings.js';
import { CUSTOMER, type StoreGridRig, serverContext, startStoreGridRig } from './storegrid.support.js';

/**
 * Reconcile's view of a backup server that has drifted from billing: accounts deactivated,
 * deleted and re-allotted by hand in the console, a customer an old provisio version signed up a
 * second time, and accounts that were never provisio's, more than one page of them.
 */
let rig: StoreGridRig;
let objects: RemoteObject[];
const services: Record<'plain' | 'reseller' | 'deactivated' | 'deleted' | 'reallotted' | 'twice', number> = {
  plain: 0,
  reseller: 0,
  deactivated: 0,
  deleted: 0,
  reallotted: 0,
  twice: 0,
};
let customerProduct: number;

async function refOf(serviceId: number): Promise<ServiceRef> {
  const service = await rig.engine.services.get(serviceId);
  return { ...service, serviceId, productType: null };
}

async function settingsOf(productId: number): Promise<StoreGridSettings> {
  return (await rig.engine.products.get(productId)).settings as unknown as StoreGridSettings;
}

function find(kind: string, key: string): RemoteObject | undefined {
  return objects.find((o) => o.kind === kind && o.key === key);
}

beforeAll(async () => {
  rig = await startStoreGridRig();
  customerProduct = await rig.newProduct({ ...CUSTOMER, bandwidthThrottling: 'new', throttleEnabled: false });
  const resellerProduct = await rig.newProduct({ action: 'reseller', storageAllottedBytes: 1024 ** 4 });
  for (const key of Object.keys(services) as (keyof typeof services)[]) {
    const id = await rig.newService(key === 'reseller' ? resellerProduct : customerProduct);
    expect((await rig.engine.run(id, 'create')).status).toBe('succeeded');
    services[key] = id;
  }
  const name = (key: keyof typeof services) => `sg${services[key]}`;
  rig.emulator.byHand('deactivate', { type: 'customer', name: name('deactivated') });
  rig.emulator.byHand('delete', { type: 'customer', name: name('deleted') });
  rig.emulator.byHand('edit', {
    type: 'customer',
    name: name('reallotted'),
    storageAllottedBytes: 7 * 1024 ** 3,
    mcal: 12,
    throttling: { mode: 'global' },
  });
  // What the provisio module before the common mark did on a retried signup under a new name.
  rig.emulator.seed('customer', {
    name: `${name('twice')}-old`,
    resellerName: 'demo-reseller',
    notes: `provisio:service:${services.twice}`,
  });
  for (let i = 0; i < 120; i++)
    rig.emulator.seed('customer', { name: `staff-${i}`, resellerName: 'demo-reseller', notes: 'by hand' });
  rig.emulator.clearRequests();
  objects = [];
  for await (const page of storegridModule.listRemote!(await serverContext(rig))) objects.push(...page);
});
afterAll(async () => {
  await rig.close();
});

describe('storegrid listRemote', () => {
  it('lists every reseller and customer, paging as the console pages', () => {
    const { resellers, customers } = rig.emulator.snapshot();
    expect(objects).toHaveLength(resellers.length + customers.length);
    expect(rig.calls()).toEqual([
      'GET /sgwebapi/ListAccounts',
      'GET /sgwebapi/ListAccounts',
      'GET /sgwebapi/ListAccounts',
    ]);
    expect(rig.wire()[2]).toBe('GET /sgwebapi/ListAccounts?AccountType=Customer&Page=2&PageSize=100');
  });

  it('names the service each of our accounts is marked for, and its state', () => {
    expect(find('customer', `sg${services.plain}`)).toMatchObject({
      markedServiceId: services.plain,
      state: 'active',
      label: `sg${services.plain} (reseller demo-reseller)`,
      remoteIds: { accountName: `sg${services.plain}`, accountType: 'customer' },
    });
    expect(find('reseller', `sg${services.reseller}`)).toMatchObject({ markedServiceId: services.reseller });
    expect(find('customer', `sg${services.deactivated}`)).toMatchObject({ state: 'suspended' });
    expect(find('customer', `sg${services.deleted}`)).toBeUndefined();
  });

  it('shows a duplicate signup by an old module as a second account marked for the same service', () => {
    const marked = objects.filter((o) => o.markedServiceId === services.twice).map((o) => o.key);
    expect(marked.sort()).toEqual([`sg${services.twice}`, `sg${services.twice}-old`]);
  });

  it('reports accounts provisio did not create as unmarked, built-in ones included', () => {
    expect(find('customer', 'staff-119')).toMatchObject({ markedServiceId: null });
    expect(find('reseller', 'demo-reseller')).toMatchObject({ markedServiceId: null });
    expect(find('reseller', 'Default Reseller')).toMatchObject({ markedServiceId: null });
  });
});

describe('storegrid remoteKeyOf', () => {
  it('claims the account create named, without asking the console', async () => {
    const settings = await settingsOf(customerProduct);
    rig.emulator.clearRequests();
    for (const id of Object.values(services)) {
      const key = storegridModule.remoteKeyOf!(await refOf(id), settings)!;
      expect(key.key).toBe(`sg${id}`);
    }
    const plain = storegridModule.remoteKeyOf!(await refOf(services.plain), settings)!;
    expect(find(plain.kind, plain.key)?.markedServiceId).toBe(services.plain);
    expect(
      storegridModule.remoteKeyOf!(
        { serviceId: 77, domain: null, username: 'acme.backup', remoteIds: {}, productType: null },
        settings,
      ),
    ).toEqual({ kind: 'customer', key: 'acme.backup' });
    expect(rig.calls()).toEqual([]);
  });
});

describe('storegrid packageDrift', () => {
  it('is empty for an account as its product made it', async () => {
    const settings = await settingsOf(customerProduct);
    expect(storegridModule.packageDrift!(settings, find('customer', `sg${services.plain}`)!)).toEqual([]);
    expect(storegridModule.packageDrift!(settings, find('customer', `sg${services.deactivated}`)!)).toEqual(
      [],
    );
  });

  it('names every limit changed by hand', async () => {
    const settings = await settingsOf(customerProduct);
    expect(storegridModule.packageDrift!(settings, find('customer', `sg${services.reallotted}`)!)).toEqual([
      { field: 'storageAllottedBytes', expected: String(5 * 1024 ** 3), actual: String(7 * 1024 ** 3) },
      { field: 'autoMcal', expected: 'true', actual: 'false' },
      { field: 'bandwidthThrottling', expected: 'new', actual: 'global' },
    ]);
  });

  it('names a wrong account type and a wrong reseller, and ignores what the console does not report', async () => {
    const settings = await settingsOf(customerProduct);
    const reseller = find('reseller', `sg${services.reseller}`)!;
    expect(storegridModule.packageDrift!(settings, reseller)).toContainEqual({
      field: 'action',
      expected: 'customer',
      actual: 'reseller',
    });
    const moved = {
      ...find('customer', `sg${services.plain}`)!,
      package: { resellerName: 'other-reseller' },
    };
    expect(storegridModule.packageDrift!(settings, moved)).toEqual([
      { field: 'resellerName', expected: 'demo-reseller', actual: 'other-reseller' },
    ]);
    const bare = { ...find('customer', `sg${services.plain}`)!, package: {} };
    expect(storegridModule.packageDrift!(settings, bare)).toEqual([]);
  });
});
