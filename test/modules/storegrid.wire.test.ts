import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { storegridModule } from '../../src/modules/storegrid/index.js';
import { type StoreGridRig, serverContext, startStoreGridRig } from './storegrid.support.js';

/**
 * Golden wire test: the literal method, path, query and body of every web-console request of
 * every action, in order, as the emulator received them on its socket (FOSSBilling's server-manager
 * tests record remote calls the same way). The contract is the assumption of
 * docs/specs/storegrid.md §4; a change to a path, a parameter name, a unit or an encoding in the
 * module's adapter fails here, whatever the emulator accepts.
 *
 * Every action starts with the engine's lookup (the ownership rule) and the module's own read
 * right before its change: two GetAccountDetails, then the change.
 */
let rig: StoreGridRig;

const DETAILS = 'GET /sgwebapi/GetAccountDetails';
/** The engine's lookup and the module's check, before every action. */
const looked = (query: string) => [`${DETAILS}?${query}`, `${DETAILS}?${query}`];
const CLIENT = 'Email=grace%40example.com&Company=Backups%20%26%20Co';

beforeAll(async () => {
  rig = await startStoreGridRig();
});
beforeEach(() => rig.emulator.clearRequests());
afterAll(async () => {
  await rig.close();
});

async function run(
  serviceId: number,
  action: string,
  opts: Parameters<StoreGridRig['engine']['run']>[2] = {},
) {
  rig.emulator.clearRequests();
  const operation = await rig.engine.run(serviceId, action, opts);
  expect(operation.status, `${action}: ${operation.errorMessage}`).toBe('succeeded');
  return rig.wire();
}

describe('storegrid on the wire', () => {
  it('test connection', async () => {
    await rig.engine.servers.testConnection(rig.serverId);
    expect(rig.wire()).toEqual(['GET /sgwebapi/ServerInfo']);
  });

  it('reseller: signup with fixed MCALs and a throttle window, suspend, unsuspend, password, terminate', async () => {
    const product = await rig.newProduct({
      action: 'reseller',
      storageAllottedBytes: 100 * 1024 ** 3,
      autoMcal: false,
      mcalCount: 10,
      sendMail: true,
      bandwidthThrottling: 'new',
      throttleEnabled: true,
      throttleSchedule: 'window',
      throttleFrom: '0130',
      throttleTill: '1740',
      restrictedRateBytes: 2048,
    });
    const id = await rig.newService(product, { username: 'gold-reseller', password: 'Sign up 1&2' });
    const account = 'AccountType=Reseller&Name=gold-reseller';
    expect(await run(id, 'create')).toEqual([
      ...looked(account),
      `POST /sgwebapi/SignupReseller Name=gold-reseller&${CLIENT}&Password=Sign%20up%201%262` +
        '&ActivationStatus=1&AutoAuthorization=0&StorageAllotted=107374182400&StorageLocation=' +
        '&IsAutoMCAL=0&AllotMCAL=10&BandwidthThrottling=New&EnableThrottle=1&ThrottleSettings=SpecifiedTime' +
        `&ThrottleFrom=0130&ThrottleTill=1740&RestrictedRate=2048&SendMail=1&Notes=provisio-service-${id}`,
    ]);
    expect(await run(id, 'suspend')).toEqual([
      ...looked(account),
      `POST /sgwebapi/DeactivateAccount ${account}`,
    ]);
    expect(await run(id, 'unsuspend')).toEqual([
      ...looked(account),
      `POST /sgwebapi/ActivateAccount ${account}`,
    ]);
    expect(await run(id, 'change-password', { secretArgs: { password: 'New pass 9' } })).toEqual([
      ...looked(account),
      `POST /sgwebapi/ChangePassword ${account}&Password=New%20pass%209`,
    ]);
    expect(await run(id, 'terminate')).toEqual([
      ...looked(account),
      `POST /sgwebapi/DeactivateAccount ${account}`,
    ]);
  });

  it('customer: signup with the report list and pass key, unsuspend checks the reseller, quota change', async () => {
    const product = await rig.newProduct({
      action: 'customer',
      resellerName: 'demo-reseller',
      storageAllottedBytes: 5 * 1024 ** 3,
      consolidatedReport: true,
      consolidatedReportEmails: 'a@example.com, b@example.org',
      retrievePassKey: true,
    });
    const bigger = await rig.newProduct({
      action: 'customer',
      resellerName: 'demo-reseller',
      storageAllottedBytes: 10 * 1024 ** 3,
      autoAuthorization: true,
      autoMcal: false,
      mcalCount: 4,
    });
    const id = await rig.newService(product, { username: 'gold-customer', password: 'pw' });
    const account = 'AccountType=Customer&Name=gold-customer';
    expect(await run(id, 'create')).toEqual([
      ...looked(account),
      `POST /sgwebapi/SignupCustomer Name=gold-customer&${CLIENT}&Password=pw&ResellerName=demo-reseller` +
        '&ActivationStatus=1&AutoAuthorization=0&StorageAllotted=5368709120&StorageLocation=&IsAutoMCAL=1' +
        '&BandwidthThrottling=Global&SendMail=0&EnableConsolidatedReport=1' +
        `&ConsolidatedReportEmail=a%40example.com%2Cb%40example.org&Notes=provisio-service-${id}`,
      'GET /sgwebapi/GetCustomerPassKey?Name=gold-customer',
    ]);
    await run(id, 'suspend');
    expect(await run(id, 'unsuspend')).toEqual([
      ...looked(account),
      `POST /sgwebapi/ActivateAccount ${account}`,
      `${DETAILS}?AccountType=Reseller&Name=demo-reseller`,
    ]);
    expect(await run(id, 'change-package', { args: { productId: bigger } })).toEqual([
      ...looked(account),
      `POST /sgwebapi/EditAccount ${account}&StorageAllotted=10737418240&AutoAuthorization=1` +
        '&IsAutoMCAL=0&AllotMCAL=4&BandwidthThrottling=Global',
    ]);
  });

  it('usage: one paged listing of the account type the active services use', async () => {
    rig.emulator.clearRequests();
    await rig.engine.usage.sync({ serverId: rig.serverId });
    expect(rig.wire()).toEqual(['GET /sgwebapi/ListAccounts?AccountType=Customer&Page=1&PageSize=100']);
  });

  it('adopt: the engine looks, the module reads, appends the mark to the notes, reads again', async () => {
    const product = await rig.newProduct({
      action: 'customer',
      resellerName: 'demo-reseller',
      storageAllottedBytes: 1024 ** 3,
    });
    const id = await rig.newService(product, { username: 'demo-customer' });
    rig.emulator.byHand('edit', { type: 'customer', name: 'demo-customer', notes: 'VIP & co' });
    const account = 'AccountType=Customer&Name=demo-customer';
    expect(await run(id, 'adopt', { args: { confirm: true } })).toEqual([
      ...looked(account),
      `POST /sgwebapi/EditAccount ${account}&Notes=VIP%20%26%20co%0Aprovisio-service-${id}`,
      `${DETAILS}?${account}`,
    ]);
  });

  it('listRemote: resellers then customers, page by page', async () => {
    for (let i = 0; i < 150; i++)
      rig.emulator.seed('customer', { name: `bulk-${i}`, resellerName: 'demo-reseller' });
    rig.emulator.clearRequests();
    const pages = [];
    for await (const page of storegridModule.listRemote!(await serverContext(rig))) pages.push(page.length);
    expect(rig.wire()).toEqual([
      'GET /sgwebapi/ListAccounts?AccountType=Reseller&Page=1&PageSize=100',
      'GET /sgwebapi/ListAccounts?AccountType=Customer&Page=1&PageSize=100',
      'GET /sgwebapi/ListAccounts?AccountType=Customer&Page=2&PageSize=100',
    ]);
    const { resellers, customers } = rig.emulator.snapshot();
    expect(pages).toEqual([resellers.length, 100, customers.length - 100]);
  });
});
