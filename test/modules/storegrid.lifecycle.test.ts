import { createHash } from 'node:crypto';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { ProvisioningError } from '../../src/core/errors.js';
import { renderWelcomeMessage, welcomeData } from '../../src/engine/welcome-message.js';
import { CUSTOMER, RESELLER, type StoreGridRig, startStoreGridRig } from './storegrid.support.js';

/**
 * Every lifecycle action through the real engine against the emulator over real HTTP, with the
 * console calls in their exact order, and the failure paths: lost answers, dropped connections,
 * a busy console, accounts removed by hand.
 */
let rig: StoreGridRig;

const DETAILS = 'GET /sgwebapi/GetAccountDetails';
const SIGNUP_RESELLER = 'POST /sgwebapi/SignupReseller';
const SIGNUP_CUSTOMER = 'POST /sgwebapi/SignupCustomer';
const ACTIVATE = 'POST /sgwebapi/ActivateAccount';
const DEACTIVATE = 'POST /sgwebapi/DeactivateAccount';
const PASS_KEY = 'GET /sgwebapi/GetCustomerPassKey';
/** The engine's lookup (ownership rule), then the module's own read right before its change. */
const LOOKED = [DETAILS, DETAILS];

async function serviceFor(
  settings: Record<string, unknown>,
  extra: { welcomeTemplate?: string; username?: string } = {},
) {
  const clientId = (
    await rig.engine.clients.create({
      email: 'grace@example.com',
      firstName: 'Grace',
      lastName: 'Hopper <Navy>',
      company: 'Backups & Co',
      customFields: { 'Account manager': 'Alan' },
    })
  ).id;
  const productId = await rig.newProduct(
    settings,
    extra.welcomeTemplate ? { welcomeTemplate: extra.welcomeTemplate } : {},
  );
  const serviceId = await rig.newService(productId, {
    clientId,
    ...(extra.username ? { username: extra.username } : {}),
  });
  return { clientId, productId, serviceId };
}

async function run(serviceId: number, action: string) {
  rig.emulator.clearRequests();
  return rig.engine.run(serviceId, action);
}

beforeAll(async () => {
  rig = await startStoreGridRig();
});
afterEach(() => {
  rig.emulator.clearFaults();
  rig.emulator.clearRequests();
});
afterAll(async () => {
  await rig.close();
});

describe('storegrid through the engine: reseller', () => {
  it('signs up, deactivates, activates and terminates (deactivate, never delete) in order', async () => {
    const { engine, emulator } = rig;
    const { serviceId } = await serviceFor({ ...RESELLER, autoMcal: false, mcalCount: 10, sendMail: true });
    const name = `sg${serviceId}`;

    expect((await run(serviceId, 'create')).status).toBe('succeeded');
    expect(rig.calls()).toEqual([...LOOKED, SIGNUP_RESELLER]);
    expect(emulator.account('reseller', name)).toMatchObject({
      active: true,
      mcal: 10,
      sendMail: true,
      notes: `provisio-service-${serviceId}`,
      passwordSha256: expect.stringMatching(/^[0-9a-f]{64}$/),
    });
    expect(await engine.services.get(serviceId)).toMatchObject({
      status: 'active',
      username: name,
      remoteIds: { accountName: name, accountType: 'reseller' },
    });

    expect((await run(serviceId, 'suspend')).status).toBe('succeeded');
    expect(rig.calls()).toEqual([...LOOKED, DEACTIVATE]);
    expect(emulator.account('reseller', name)?.active).toBe(false);

    expect((await run(serviceId, 'unsuspend')).status).toBe('succeeded');
    expect(rig.calls()).toEqual([...LOOKED, ACTIVATE]);
    expect(emulator.account('reseller', name)?.active).toBe(true);

    expect((await run(serviceId, 'terminate')).status).toBe('succeeded');
    expect(rig.calls()).toEqual([...LOOKED, DEACTIVATE]);
    expect(emulator.account('reseller', name)).toMatchObject({ active: false });
    expect((await engine.services.get(serviceId)).status).toBe('terminated');
  });

  it('tests the connection', async () => {
    const result = await rig.engine.servers.testConnection(rig.serverId);
    expect(result.summary).toMatch(/^StoreGrid SP .*resellers, \d+ customers$/);
  });
});

describe('storegrid through the engine: customer', () => {
  it('signs up under the reseller, stores the pass key in the client field and renders it in the welcome message', async () => {
    const { engine, emulator } = rig;
    const template =
      'Dear {{client.fullName}} of {{client.company}}: your {{product.name}} account {{service.username}} is ready. ' +
      'Your Customer PassKey : {{client.customFields.[Pass Key]}}';
    const { clientId, productId, serviceId } = await serviceFor(
      {
        ...CUSTOMER,
        retrievePassKey: true,
        consolidatedReport: true,
        consolidatedReportEmails: 'a@example.com, b@example.org',
      },
      { welcomeTemplate: template },
    );
    const operation = await run(serviceId, 'create');
    expect(operation.status).toBe('succeeded');
    expect(rig.calls()).toEqual([...LOOKED, SIGNUP_CUSTOMER, PASS_KEY]);
    const name = `sg${serviceId}`;
    const customer = emulator.account('customer', name)!;
    expect(customer).toMatchObject({
      resellerName: 'demo-reseller',
      consolidatedReportEmails: ['a@example.com', 'b@example.org'],
    });
    const passKey = customer.passKey!;

    const stored = await engine.clients.get(clientId);
    expect(stored.customFields).toEqual({ 'Account manager': 'Alan', 'Pass Key': passKey });
    const raw = await engine.store.db
      .selectFrom('clients')
      .select('custom_fields')
      .where('id', '=', clientId)
      .executeTakeFirstOrThrow();
    expect(raw.custom_fields).not.toContain(passKey);
    expect(JSON.stringify(await engine.moduleLog.forOperation(operation.id))).not.toContain(passKey);

    const storedProduct = await engine.products.get(productId);
    const message = renderWelcomeMessage(
      storedProduct.welcomeTemplate!,
      welcomeData({ service: await engine.services.get(serviceId), client: stored, product: storedProduct }),
    );
    expect(message).toBe(
      `Dear Grace Hopper &lt;Navy&gt; of Backups &amp; Co: your ${storedProduct.name} account ${name} is ready. Your Customer PassKey : ${passKey}`,
    );
  });

  it('suspends and unsuspends a customer, and checks its reseller on activate', async () => {
    const { serviceId } = await serviceFor(CUSTOMER);
    await run(serviceId, 'create');
    expect((await run(serviceId, 'suspend')).status).toBe('succeeded');
    expect(rig.calls()).toEqual([...LOOKED, DEACTIVATE]);
    expect(rig.emulator.account('customer', `sg${serviceId}`)?.clientsMayBackUp).toBe(false);
    expect((await run(serviceId, 'unsuspend')).status).toBe('succeeded');
    expect(rig.calls()).toEqual([...LOOKED, ACTIVATE, DETAILS]);
    expect(rig.emulator.account('customer', `sg${serviceId}`)?.clientsMayBackUp).toBe(true);
  });

  it('adopts its own customer after a signup whose answer was lost, signing up once and still reading the pass key', async () => {
    const { serviceId, clientId } = await serviceFor({ ...CUSTOMER, retrievePassKey: true });
    rig.emulator.injectFault({ kind: 'drop-after', method: 'POST', match: '/sgwebapi/SignupCustomer' });
    const operation = await run(serviceId, 'create');
    expect(operation.status).toBe('succeeded');
    expect(rig.calls().filter((call) => call === SIGNUP_CUSTOMER)).toHaveLength(1);
    const customer = rig.emulator.account('customer', `sg${serviceId}`);
    expect(customer?.notes).toBe(`provisio-service-${serviceId}`);
    expect((await rig.engine.clients.get(clientId)).customFields['Pass Key']).toBe(customer?.passKey);
    expect((await rig.engine.services.get(serviceId)).username).toBe(`sg${serviceId}`);
  });

  it('finds its own reseller after a signup whose answer was lost, and does not sign up again', async () => {
    const { serviceId } = await serviceFor(RESELLER, { username: 'lost-answer-reseller' });
    rig.emulator.injectFault({ kind: 'drop-after', method: 'POST', match: '/sgwebapi/SignupReseller' });
    const operation = await run(serviceId, 'create');
    expect(operation.status).toBe('succeeded');
    expect(rig.calls()).toEqual([...LOOKED, SIGNUP_RESELLER, ...LOOKED]);
    expect((await rig.engine.services.get(serviceId)).remoteIds).toMatchObject({
      accountName: 'lost-answer-reseller',
    });
  });

  it('signs up again after a connection dropped before the console acted', async () => {
    const { serviceId } = await serviceFor(CUSTOMER);
    rig.emulator.injectFault({ kind: 'drop-before', method: 'POST', match: '/sgwebapi/SignupCustomer' });
    const operation = await run(serviceId, 'create');
    expect(operation.status).toBe('succeeded');
    expect(
      rig.emulator.requests({ path: '/sgwebapi/SignupCustomer' }).map((r) => r.fault ?? r.status),
    ).toEqual(['drop-before', 200]);
    expect(rig.emulator.account('customer', `sg${serviceId}`)).toBeDefined();
  });

  it('gets the pass key on retry when reading it failed after the signup, signing up once', async () => {
    const { serviceId, clientId } = await serviceFor({ ...CUSTOMER, retrievePassKey: true });
    rig.emulator.injectFault({ kind: 'error', status: 503, match: '/sgwebapi/GetCustomerPassKey' });
    const operation = await run(serviceId, 'create');
    expect(operation.status).toBe('succeeded');
    expect(rig.calls().filter((call) => call === SIGNUP_CUSTOMER)).toHaveLength(1);
    expect((await rig.engine.clients.get(clientId)).customFields['Pass Key']).toBe(
      rig.emulator.account('customer', `sg${serviceId}`)?.passKey,
    );
  });

  it('terminates an account already removed from the console without error', async () => {
    const { serviceId } = await serviceFor(CUSTOMER);
    await run(serviceId, 'create');
    rig.emulator.byHand('delete', { type: 'customer', name: `sg${serviceId}` });
    expect((await run(serviceId, 'terminate')).status).toBe('succeeded');
    expect(rig.calls()).toEqual(LOOKED);
  });

  it('retries a busy console and then succeeds', async () => {
    const { serviceId } = await serviceFor(CUSTOMER);
    rig.emulator.injectFault({ kind: 'error', status: 503, match: '/sgwebapi/SignupCustomer' });
    const operation = await run(serviceId, 'create');
    expect(operation.status).toBe('succeeded');
    expect(operation.attempts).toBeGreaterThan(1);
  });

  it('shows the account to the client and to the admin, read live from the console', async () => {
    const { serviceId } = await serviceFor(CUSTOMER);
    await run(serviceId, 'create');
    await run(serviceId, 'suspend');
    rig.emulator.clearRequests();
    const clientView = await rig.engine.services.view(serviceId, 'client');
    expect(clientView.fields).toEqual(
      expect.arrayContaining([
        { label: 'Customer name', value: `sg${serviceId}` },
        { label: 'Reseller', value: 'demo-reseller' },
        { label: 'Status', value: 'Deactivated' },
        { label: 'Storage allotted', value: '5.00 GB' },
      ]),
    );
    expect(clientView.fields.some((f) => f.label === 'MCALs allotted')).toBe(false);
    expect(clientView.loginUrl).toBeUndefined();
    const adminView = await rig.engine.services.view(serviceId, 'admin');
    expect(adminView.fields).toEqual(expect.arrayContaining([{ label: 'MCALs allotted', value: 'Auto' }]));
    expect(rig.calls().every((call) => call.startsWith('GET '))).toBe(true);
  });

  it('fails a customer signup under a reseller that does not exist, with the console message', async () => {
    const { serviceId } = await serviceFor({ ...CUSTOMER, resellerName: 'ghost-reseller' });
    const operation = await run(serviceId, 'create');
    expect(operation).toMatchObject({ status: 'failed', errorKind: 'not-found' });
    expect(operation.errorMessage).toContain('Reseller ghost-reseller does not exist');
  });

  it('fails suspend clearly when the account was removed from the console', async () => {
    const { serviceId } = await serviceFor(CUSTOMER);
    await run(serviceId, 'create');
    rig.emulator.byHand('delete', { type: 'customer', name: `sg${serviceId}` });
    const operation = await run(serviceId, 'suspend');
    expect(operation).toMatchObject({ status: 'failed', errorKind: 'not-found' });
    expect(operation.errorMessage).toMatch(/has no such customer/);
  });
});

describe('storegrid through the engine: package and password', () => {
  it('edits the allotments, and calls nothing when the new product asks for what the account has', async () => {
    const { serviceId } = await serviceFor(CUSTOMER);
    await run(serviceId, 'create');
    const bigger = await rig.newProduct({
      ...CUSTOMER,
      storageAllottedBytes: 8 * 1024 ** 3,
      autoMcal: false,
      mcalCount: 2,
    });
    expect((await rig.engine.run(serviceId, 'change-package', { args: { productId: bigger } })).status).toBe(
      'succeeded',
    );
    expect(rig.emulator.account('customer', `sg${serviceId}`)).toMatchObject({
      storageAllottedBytes: 8 * 1024 ** 3,
      mcal: 2,
    });
    const same = await rig.newProduct({
      ...CUSTOMER,
      storageAllottedBytes: 8 * 1024 ** 3,
      autoMcal: false,
      mcalCount: 2,
    });
    rig.emulator.clearRequests();
    expect((await rig.engine.run(serviceId, 'change-package', { args: { productId: same } })).status).toBe(
      'succeeded',
    );
    expect(rig.calls()).toEqual(LOOKED);
  });

  it('refuses to turn a customer into a reseller, to move it to another reseller, or to outgrow its reseller', async () => {
    const { serviceId } = await serviceFor(CUSTOMER);
    await run(serviceId, 'create');
    rig.emulator.seed('reseller', { name: 'small-reseller', storageAllottedBytes: 1024 });
    const cases: Array<[Record<string, unknown>, string, RegExp]> = [
      [RESELLER, 'storegrid.type_change', /keeps the account type/],
      [
        { ...CUSTOMER, resellerName: 'small-reseller' },
        'storegrid.reseller_change',
        /from reseller demo-reseller/,
      ],
      [{ ...CUSTOMER, storageAllottedBytes: 2 * 1024 ** 4 }, 'storegrid.limit_exceeded', /space left/],
    ];
    for (const [settings, code, message] of cases) {
      const productId = await rig.newProduct(settings);
      const operation = await rig.engine.run(serviceId, 'change-package', { args: { productId } });
      expect([operation.status, operation.errorCode], code).toEqual(['failed', code]);
      expect(operation.errorMessage).toMatch(message);
    }
    expect(rig.emulator.account('customer', `sg${serviceId}`)?.storageAllottedBytes).toBe(5 * 1024 ** 3);
  });

  it('sets the web-portal password, never writing it to the module log', async () => {
    const { serviceId } = await serviceFor(RESELLER);
    await run(serviceId, 'create');
    const operation = await rig.engine.run(serviceId, 'change-password', {
      secretArgs: { password: 'Brand new 5&6' },
    });
    expect(operation.status).toBe('succeeded');
    expect(rig.emulator.account('reseller', `sg${serviceId}`)?.passwordSha256).toBe(
      createHash('sha256').update('Brand new 5&6').digest('hex'),
    );
    const logged = JSON.stringify(await rig.engine.moduleLog.forOperation(operation.id));
    expect(logged).toContain('ChangePassword');
    expect(logged).not.toContain(encodeURIComponent('Brand new 5&6'));
    expect(logged).not.toContain('Brand new');
  });
});

describe('storegrid through the engine: product save', () => {
  it('refuses invalid settings with every error listed', async () => {
    const error = (await rig.engine.products
      .create({
        name: 'Broken',
        module: 'storegrid',
        serverGroupId: rig.groupId,
        settings: {
          action: 'customer',
          storageAllottedBytes: 1,
          consolidatedReport: true,
          consolidatedReportEmails: 'x@example.com,,y',
          autoMcal: false,
          bandwidthThrottling: 'new',
          throttleEnabled: true,
          throttleSchedule: 'window',
          throttleFrom: '0960',
          throttleTill: '2400',
          restrictedRateBytes: 512,
        },
      })
      .catch((e: unknown) => e)) as ProvisioningError;
    expect(error.code).toBe('settings.invalid');
    expect((error.details as Array<{ field: string }>).map((d) => d.field).sort()).toEqual(
      [
        'consolidatedReportEmails',
        'mcalCount',
        'resellerName',
        'restrictedRateBytes',
        'throttleFrom',
        'throttleTill',
      ].sort(),
    );
  });
});
