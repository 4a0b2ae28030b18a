import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { ProvisioningError } from '../../src/core/errors.js';
import { type StoreGridEmulator, startStoreGridServer } from '../../src/emulators/storegrid/index.js';
import { renderWelcomeMessage, welcomeData } from '../../src/engine/welcome-message.js';
import { storegridModule } from '../../src/modules/storegrid/index.js';
import { createTestEngine, type TestEngine } from '../support/engine.js';

let emulator: StoreGridEmulator;
let harness: TestEngine;
let groupId: number;
let serverId: number;

const RESELLER = { action: 'reseller', storageAllottedBytes: 100 * 1024 ** 3 };
const CUSTOMER = { action: 'customer', resellerName: 'demo-reseller', storageAllottedBytes: 5 * 1024 ** 3 };

async function serviceFor(
  settings: Record<string, unknown>,
  extra: { welcomeTemplate?: string; username?: string } = {},
) {
  const { engine } = harness;
  const client = await engine.clients.create({
    email: 'grace@example.com',
    firstName: 'Grace',
    lastName: 'Hopper <Navy>',
    company: 'Backups & Co',
    customFields: { 'Account manager': 'Alan' },
  });
  const product = await engine.products.create({
    name: `Backup ${Math.random().toString(36).slice(2, 7)}`,
    module: 'storegrid',
    serverGroupId: groupId,
    settings,
    ...(extra.welcomeTemplate ? { welcomeTemplate: extra.welcomeTemplate } : {}),
  });
  const service = await engine.services.create({
    clientId: client.id,
    productId: product.id,
    ...(extra.username ? { username: extra.username } : {}),
  });
  return { client, product, service };
}

beforeAll(async () => {
  emulator = await startStoreGridServer({});
  harness = await createTestEngine({ modules: [storegridModule] });
  const server = await harness.engine.servers.create({
    name: 'backup-1',
    module: 'storegrid',
    hostname: '127.0.0.1',
    port: emulator.port,
    secure: false,
    username: emulator.credentials.username,
    secret: emulator.credentials.password,
  });
  serverId = server.id;
  groupId = (
    await harness.engine.serverGroups.create({
      name: 'backup',
      fillType: 'least-full',
      serverIds: [server.id],
    })
  ).id;
});
afterEach(() => {
  emulator.clearFaults();
  emulator.clearRequests();
});
afterAll(async () => {
  await harness.close();
  await emulator.close();
});

describe('storegrid through the engine: reseller', () => {
  it('signs up, deactivates, activates and terminates (deactivate, never delete) in order', async () => {
    const { engine } = harness;
    const { service } = await serviceFor({ ...RESELLER, autoMcal: false, mcalCount: 10, sendMail: true });
    const name = `sg${service.id}`;

    expect((await engine.run(service.id, 'create')).status).toBe('succeeded');
    expect(emulator.operations()).toEqual(['getAccount', 'signupReseller']);
    const reseller = emulator.state.resellers.get(name);
    expect(reseller).toMatchObject({
      active: true,
      mcal: 10,
      sendMail: true,
      notes: `provisio:service:${service.id}`,
      hasPassword: true,
    });
    const created = await engine.services.get(service.id);
    expect(created).toMatchObject({
      status: 'active',
      username: name,
      remoteIds: { accountName: name, accountType: 'reseller' },
    });

    emulator.clearRequests();
    expect((await engine.run(service.id, 'suspend')).status).toBe('succeeded');
    expect(emulator.operations()).toEqual(['getAccount', 'deactivate']);
    expect(emulator.state.resellers.get(name)?.active).toBe(false);

    emulator.clearRequests();
    expect((await engine.run(service.id, 'unsuspend')).status).toBe('succeeded');
    expect(emulator.operations()).toEqual(['getAccount', 'activate']);
    expect(emulator.state.resellers.get(name)?.active).toBe(true);

    emulator.clearRequests();
    expect((await engine.run(service.id, 'terminate')).status).toBe('succeeded');
    expect(emulator.operations()).toEqual(['getAccount', 'deactivate']);
    expect(emulator.state.resellers.get(name)).toMatchObject({ active: false });
    expect((await engine.services.get(service.id)).status).toBe('terminated');
  });

  it('tests the connection', async () => {
    const result = await harness.engine.servers.testConnection(serverId);
    expect(result.summary).toMatch(/^StoreGrid SP .*resellers, \d+ customers$/);
  });
});

describe('storegrid through the engine: customer', () => {
  it('signs up under the reseller, stores the pass key in the client field and renders it in the welcome message', async () => {
    const { engine } = harness;
    const template =
      'Dear {{client.fullName}} of {{client.company}}: your {{product.name}} account {{service.username}} is ready. ' +
      'Your Customer PassKey : {{client.customFields.[Pass Key]}}';
    const { client, product, service } = await serviceFor(
      {
        ...CUSTOMER,
        retrievePassKey: true,
        consolidatedReport: true,
        consolidatedReportEmails: 'a@example.com, b@example.org',
      },
      { welcomeTemplate: template },
    );
    const operation = await engine.run(service.id, 'create');
    expect(operation.status).toBe('succeeded');
    expect(emulator.operations()).toEqual(['getAccount', 'signupCustomer', 'getPassKey']);
    const name = `sg${service.id}`;
    const customer = emulator.state.customers.get(name)!;
    expect(customer).toMatchObject({
      resellerName: 'demo-reseller',
      consolidatedReportEmails: ['a@example.com', 'b@example.org'],
    });
    const passKey = customer.passKey!;

    const stored = await engine.clients.get(client.id);
    expect(stored.customFields).toEqual({ 'Account manager': 'Alan', 'Pass Key': passKey });
    const raw = await engine.store.db
      .selectFrom('clients')
      .select('custom_fields')
      .where('id', '=', client.id)
      .executeTakeFirstOrThrow();
    expect(raw.custom_fields).not.toContain(passKey);
    expect(JSON.stringify(await engine.moduleLog.forOperation(operation.id))).not.toContain(passKey);

    const storedProduct = await engine.products.get(product.id);
    const message = renderWelcomeMessage(
      storedProduct.welcomeTemplate!,
      welcomeData({ service: await engine.services.get(service.id), client: stored, product: storedProduct }),
    );
    expect(message).toBe(
      `Dear Grace Hopper &lt;Navy&gt; of Backups &amp; Co: your ${product.name} account ${name} is ready. Your Customer PassKey : ${passKey}`,
    );
  });

  it('suspends and unsuspends a customer, and checks its reseller on activate', async () => {
    const { engine } = harness;
    const { service } = await serviceFor(CUSTOMER);
    await engine.run(service.id, 'create');
    emulator.clearRequests();
    expect((await engine.run(service.id, 'suspend')).status).toBe('succeeded');
    expect(emulator.operations()).toEqual(['getAccount', 'deactivate']);
    expect(emulator.state.canBackup(`sg${service.id}`)).toBe(false);
    emulator.clearRequests();
    expect((await engine.run(service.id, 'unsuspend')).status).toBe('succeeded');
    expect(emulator.operations()).toEqual(['getAccount', 'activate', 'getAccount']);
    expect(emulator.state.canBackup(`sg${service.id}`)).toBe(true);
  });

  it('adopts its own customer after a signup whose answer was lost, signing up once and still reading the pass key', async () => {
    const { engine } = harness;
    const { client, service } = await serviceFor({ ...CUSTOMER, retrievePassKey: true });
    emulator.injectFault({ operation: 'signupCustomer', kind: 'drop-after' });
    const operation = await engine.run(service.id, 'create');
    expect(operation.status).toBe('succeeded');
    expect(emulator.operations().filter((op) => op === 'signupCustomer')).toHaveLength(1);
    const customer = emulator.state.customers.get(`sg${service.id}`);
    expect(customer?.notes).toBe(`provisio:service:${service.id}`);
    expect((await engine.clients.get(client.id)).customFields['Pass Key']).toBe(customer?.passKey);
    expect((await engine.services.get(service.id)).username).toBe(`sg${service.id}`);
  });

  it('adopts a reseller whose signup answer was lost without running create again', async () => {
    const { engine } = harness;
    const { service } = await serviceFor(RESELLER, { username: 'lost-answer-reseller' });
    emulator.injectFault({ operation: 'signupReseller', kind: 'drop-after' });
    const operation = await engine.run(service.id, 'create');
    expect(operation.status).toBe('succeeded');
    expect(emulator.operations()).toEqual(['getAccount', 'signupReseller', 'getAccount']);
    expect((await engine.services.get(service.id)).remoteIds).toMatchObject({
      accountName: 'lost-answer-reseller',
    });
  });

  it('signs up again after a connection dropped before the console acted', async () => {
    const { engine } = harness;
    const { service } = await serviceFor(CUSTOMER);
    emulator.injectFault({ operation: 'signupCustomer', kind: 'drop' });
    const operation = await engine.run(service.id, 'create');
    expect(operation.status).toBe('succeeded');
    expect(
      emulator
        .requests()
        .filter((r) => r.operation === 'signupCustomer')
        .map((r) => r.status),
    ).toEqual(['dropped', 200]);
    expect(emulator.state.customers.has(`sg${service.id}`)).toBe(true);
  });

  it('gets the pass key on retry when reading it failed after the signup, signing up once', async () => {
    const { engine } = harness;
    const { client, service } = await serviceFor({ ...CUSTOMER, retrievePassKey: true });
    emulator.injectFault({ operation: 'getPassKey', kind: 'error', status: 503, code: 'SERVER_BUSY' });
    const operation = await engine.run(service.id, 'create');
    expect(operation.status).toBe('succeeded');
    expect(emulator.operations().filter((op) => op === 'signupCustomer')).toHaveLength(1);
    expect((await engine.clients.get(client.id)).customFields['Pass Key']).toBe(
      emulator.state.customers.get(`sg${service.id}`)?.passKey,
    );
  });

  it('terminates an account already removed from the console without error', async () => {
    const { engine } = harness;
    const { service } = await serviceFor(CUSTOMER);
    await engine.run(service.id, 'create');
    emulator.state.customers.delete(`sg${service.id}`);
    emulator.clearRequests();
    expect((await engine.run(service.id, 'terminate')).status).toBe('succeeded');
    expect(emulator.operations()).toEqual(['getAccount']);
  });

  it('retries a busy console and then succeeds', async () => {
    const { engine } = harness;
    const { service } = await serviceFor(CUSTOMER);
    emulator.injectFault({ operation: 'signupCustomer', kind: 'error', status: 503, code: 'SERVER_BUSY' });
    const operation = await engine.run(service.id, 'create');
    expect(operation.status).toBe('succeeded');
    expect(operation.attempts).toBeGreaterThan(1);
  });

  it('refuses to take over an account of the same name that it did not create', async () => {
    const { engine } = harness;
    const { service } = await serviceFor(CUSTOMER, { username: 'demo-customer' });
    const operation = await engine.run(service.id, 'create');
    expect(operation).toMatchObject({ status: 'failed', errorKind: 'conflict' });
    expect(operation.errorMessage).toMatch(
      /already has a customer named demo-customer that provisio did not create/,
    );
    expect(emulator.operations()).toEqual(['getAccount']);
  });

  it('shows the account to the client and to the admin, read live from the console', async () => {
    const { engine } = harness;
    const { service } = await serviceFor(CUSTOMER);
    await engine.run(service.id, 'create');
    await engine.run(service.id, 'suspend');
    const clientView = await engine.services.view(service.id, 'client');
    expect(clientView.fields).toEqual(
      expect.arrayContaining([
        { label: 'Customer name', value: `sg${service.id}` },
        { label: 'Reseller', value: 'demo-reseller' },
        { label: 'Status', value: 'Deactivated' },
        { label: 'Storage allotted', value: '5.00 GB' },
      ]),
    );
    expect(clientView.fields.some((f) => f.label === 'MCALs allotted')).toBe(false);
    const adminView = await engine.services.view(service.id, 'admin');
    expect(adminView.fields).toEqual(expect.arrayContaining([{ label: 'MCALs allotted', value: 'Auto' }]));
  });

  it('fails a customer signup under a reseller that does not exist, with the console message', async () => {
    const { service } = await serviceFor({ ...CUSTOMER, resellerName: 'ghost-reseller' });
    const operation = await harness.engine.run(service.id, 'create');
    expect(operation).toMatchObject({ status: 'failed', errorKind: 'not-found' });
    expect(operation.errorMessage).toContain('Reseller ghost-reseller does not exist');
  });

  it('fails suspend clearly when the account was removed from the console', async () => {
    const { engine } = harness;
    const { service } = await serviceFor(CUSTOMER);
    await engine.run(service.id, 'create');
    emulator.state.customers.delete(`sg${service.id}`);
    const operation = await engine.run(service.id, 'suspend');
    expect(operation).toMatchObject({ status: 'failed', errorKind: 'not-found' });
    expect(operation.errorMessage).toMatch(/has no such customer/);
  });
});

describe('storegrid through the engine: product save', () => {
  it('refuses invalid settings with every error listed', async () => {
    const error = (await harness.engine.products
      .create({
        name: 'Broken',
        module: 'storegrid',
        serverGroupId: groupId,
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
