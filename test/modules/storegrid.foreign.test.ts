import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AccountType } from '../../src/emulators/storegrid/index.js';
import { handleTriggerEvent } from '../../src/engine/event-triggers.js';
import { storegridModule } from '../../src/modules/storegrid/index.js';
import type { OperationRecord } from '../../src/store/repositories/operations.js';
import { waitUntil } from '../support/wait-until.js';
import { moduleContext, type StoreGridRig, serverContext, startStoreGridRig } from './storegrid.support.js';

/**
 * The world is not empty: the console already holds resellers and customers that staff, the
 * vendor's WHMCS module or another tool made, under the very names services will ask for. Every
 * lifecycle action, the package and password changes, usage and the sign-up triggered by
 * `client.created` run through the engine; not one of those accounts may change.
 */
let rig: StoreGridRig;
const HOUSE = 'house-reseller';

/** Accounts provisio did not create, seeded as staff made them: [type, name, seed fields]. */
const FOREIGN: Array<[AccountType, string, Record<string, unknown>]> = [
  ['reseller', HOUSE, { notes: 'made by staff', storageAllottedBytes: 10 * 1024 ** 4 }],
  ['reseller', 'legacy-reseller', { notes: 'vendor WHMCS module' }],
  ['customer', 'acme-backup', { resellerName: HOUSE, notes: 'signed up by phone' }],
  ['reseller', 'big-reseller', { notes: 'VIP, do not touch', mcal: 40 }],
  ['reseller', 'cross-type', {}],
  ['customer', 'other-service', { resellerName: HOUSE, notes: 'provisio-service-999' }],
  // The vendor's module numbered its accounts like provisio's default names: sg1, sg2, …
  ...Array.from({ length: 30 }, (_, i): [AccountType, string, Record<string, unknown>] => [
    'customer',
    `sg${i + 1}`,
    { resellerName: 'legacy-reseller', storageAllottedBytes: 1024 ** 3 },
  ]),
];

const before = new Map<string, string>();
const refusals: string[] = [];

function key(type: AccountType, name: string): string {
  return `${type} ${name}`;
}

/**
 * The account's own record as the console keeps it. Figures derived from what lies beneath (a
 * reseller's used space grows when a customer is added under it) are not the account itself.
 */
function recordOf(type: AccountType, name: string): string {
  const account = rig.emulator.account(type, name);
  if (!account) return 'gone';
  const { storageUsedBytes, mcalUsed, machines, clientsMayBackUp, ...record } = account;
  return JSON.stringify(record);
}

async function seed(type: AccountType, name: string, fields: Record<string, unknown>): Promise<void> {
  rig.emulator.seed(type, { name, email: `${name}@staff.example`, ...fields });
  if (type === 'customer') rig.emulator.seed('machine', { customer: name, usedBytes: 123_456_789 });
  before.set(key(type, name), recordOf(type, name));
}

/** Foreign accounts that differ from how they were seeded (or are gone). */
function touched(): string[] {
  return [...before].flatMap(([id, seen]) => {
    const [type, name] = id.split(' ') as [AccountType, string];
    return recordOf(type, name) === seen ? [] : [id];
  });
}

async function refused(
  serviceId: number,
  action: string,
  opts: Parameters<StoreGridRig['engine']['run']>[2] = {},
) {
  const operation = await rig.engine.run(serviceId, action, opts);
  expect(operation.status, `${action} on service ${serviceId}`).toBe('failed');
  refusals.push(operation.errorMessage ?? '');
  return operation;
}

/** A service whose account provisio made, then staff deleted and re-made by hand under its name. */
async function replacedByHand(username: string, suspend: boolean): Promise<number> {
  const serviceId = await rig.newService(houseCustomers, { username });
  expect((await rig.engine.run(serviceId, 'create')).status).toBe('succeeded');
  if (suspend) expect((await rig.engine.run(serviceId, 'suspend')).status).toBe('succeeded');
  rig.emulator.byHand('delete', { type: 'customer', name: username });
  await seed('customer', username, { resellerName: HOUSE, notes: 'recreated by staff' });
  return serviceId;
}

/** The operator's deliberate, confirmed adopt (`provisio service adopt N --yes`). */
function adopt(serviceId: number) {
  return rig.engine.run(serviceId, 'adopt', { args: { confirm: true } });
}

/** Customers under the operator's own reseller, as most products here sell them. */
let houseCustomers: number;
let biggerProduct: number;
let replacedActive: number;

beforeAll(async () => {
  rig = await startStoreGridRig({ emulator: { fixtures: false } });
  for (const [type, name, fields] of FOREIGN) await seed(type, name, fields);
  houseCustomers = await rig.newProduct({
    action: 'customer',
    resellerName: HOUSE,
    storageAllottedBytes: 1024 ** 3,
  });
  biggerProduct = await rig.newProduct({
    action: 'customer',
    resellerName: HOUSE,
    storageAllottedBytes: 2 * 1024 ** 3,
    autoMcal: false,
    mcalCount: 3,
  });
});
afterAll(async () => {
  await rig.close();
});

describe('storegrid among accounts provisio did not create', () => {
  it('refuses to sign up over a customer or reseller of the same name, naming it and how to adopt', async () => {
    const resellers = await rig.newProduct({ action: 'reseller', storageAllottedBytes: 1024 ** 4 });
    for (const [product, username, type] of [
      [houseCustomers, 'acme-backup', 'customer'],
      [resellers, 'big-reseller', 'reseller'],
    ] as const) {
      const serviceId = await rig.newService(product, { username });
      const operation = await refused(serviceId, 'create');
      expect(operation.errorCode).toBe('ownership.foreign');
      expect(operation.errorMessage).toContain(`${type} ${username}`);
      expect(operation.errorMessage).toMatch(new RegExp(`provisio service adopt ${serviceId}`));
    }
  });

  it('refuses a name the console has as the other account type', async () => {
    const serviceId = await rig.newService(houseCustomers, { username: 'cross-type' });
    const operation = await refused(serviceId, 'create');
    expect(operation.errorCode).toBe('storegrid.name_taken');
    expect(operation.errorMessage).toContain('cross-type');
  });

  it('refuses an account that carries another service’s mark', async () => {
    const serviceId = await rig.newService(houseCustomers, { username: 'other-service' });
    const operation = await refused(serviceId, 'create');
    expect(operation.errorCode).toBe('ownership.foreign');
    expect(operation.errorMessage).toMatch(/customer other-service/);
    expect(operation.errorMessage).toMatch(/service 999/);
    const adopted = await adopt(serviceId);
    expect([adopted.status, adopted.errorCode]).toEqual(['failed', 'storegrid.marked_by_other_service']);
    expect(adopted.errorMessage).toMatch(/belongs to that service/);
  });

  it('refuses the sign-up that client.created triggers, when the default name is taken', async () => {
    const hooked = await rig.newProduct({
      action: 'customer',
      resellerName: HOUSE,
      storageAllottedBytes: 1024 ** 3,
      signupOn: 'client-created',
    });
    const clientId = await rig.newClient({ email: 'hooked@example.com' });
    const [event] = (await rig.engine.events.list({ type: 'client.created' })).filter(
      (e) => e.payload.clientId === clientId,
    );
    await handleTriggerEvent(rig.engine, event!);
    const trigger = `trigger:client.created:${clientId}:${hooked}`;
    let operation: OperationRecord | undefined;
    await waitUntil(async () => {
      operation = (await rig.engine.operations.list({ module: 'storegrid' })).find(
        (op) => op.idempotencyKey === trigger,
      );
      return operation?.status === 'failed' || operation?.status === 'succeeded';
    });
    expect(operation!.status).toBe('failed');
    refusals.push(operation!.errorMessage ?? '');
    expect(operation!.errorCode).toBe('ownership.foreign');
    expect(operation!.errorMessage).toContain(`customer sg${operation!.serviceId}`);
  });

  it('refuses unsuspend, package and password changes and terminate on an account re-made by hand', async () => {
    const serviceId = await replacedByHand('remade-suspended', true);
    for (const [action, opts] of [
      ['unsuspend', {}],
      ['change-package', { args: { productId: biggerProduct } }],
      ['change-password', { secretArgs: { password: 'New pass 1' } }],
      ['terminate', {}],
    ] as const) {
      const operation = await refused(serviceId, action, opts);
      expect(operation.errorCode, action).toBe('ownership.foreign');
      expect(operation.errorMessage, action).toContain('customer remade-suspended');
    }
  });

  it('refuses suspend on an account re-made by hand, and reports no usage from it', async () => {
    replacedActive = await replacedByHand('remade-active', false);
    const operation = await refused(replacedActive, 'suspend');
    expect(operation.errorCode).toBe('ownership.foreign');
    await rig.engine.usage.sync({ serverId: rig.serverId });
    expect((await rig.engine.services.get(replacedActive)).usage).toEqual({});
  });

  it('checks the mark itself right before a change, whatever the engine saw before', async () => {
    for (const action of ['suspend', 'unsuspend', 'terminate', 'changePassword', 'changePackage'] as const) {
      const ctx = await moduleContext(rig, replacedActive, action);
      rig.emulator.clearRequests();
      await expect(storegridModule[action]!(ctx), action).rejects.toMatchObject({
        code: 'ownership.foreign',
      });
      expect(rig.calls(), action).toEqual(['GET /sgwebapi/GetAccountDetails']);
    }
  });

  it('lists every foreign account for reconcile without claiming it', async () => {
    const listed = [];
    for await (const page of storegridModule.listRemote!(await serverContext(rig))) listed.push(...page);
    for (const [type, name] of FOREIGN) {
      const object = listed.find((o) => o.kind === type && o.key === name);
      expect(object, `${type} ${name}`).toBeDefined();
      expect(object!.markedServiceId).toBe(name === 'other-service' ? 999 : null);
    }
  });

  it('touched no foreign account', () => {
    const changed = touched();
    console.log(`foreign objects touched: ${changed.length}`);
    expect(changed).toEqual([]);
    expect(refusals).toHaveLength(10);
  });

  it('adopts one account only when confirmed, and then every action works on it', async () => {
    await expect(
      rig.engine.operations.enqueue({ serviceId: replacedActive, action: 'adopt' }),
    ).rejects.toMatchObject({ code: 'action.args_invalid' });
    expect(touched()).toEqual([]);

    const adopted = await adopt(replacedActive);
    expect(adopted.status, adopted.errorMessage ?? '').toBe('succeeded');
    expect(rig.emulator.account('customer', 'remade-active')?.notes).toBe(
      `recreated by staff\nprovisio-service-${replacedActive}`,
    );
    for (const [action, opts] of [
      ['suspend', {}],
      ['unsuspend', {}],
      ['change-password', { secretArgs: { password: 'New pass 2' } }],
      ['change-package', { args: { productId: biggerProduct } }],
    ] as const) {
      expect((await rig.engine.run(replacedActive, action, opts)).status, action).toBe('succeeded');
    }
    expect(rig.emulator.account('customer', 'remade-active')).toMatchObject({
      active: true,
      storageAllottedBytes: 2 * 1024 ** 3,
      mcal: 3,
    });
    before.delete(key('customer', 'remade-active'));
    expect(touched()).toEqual([]);
  });
});
