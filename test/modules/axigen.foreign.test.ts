// biome-ignore-all lint/suspicious/noExplicitAny: tests read the emulator's JSON snapshot by path
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type AxigenRig, startAxigenRig } from './axigen.support.js';

/**
 * The world is not empty (issue 11): an Axigen server full of domains, mailboxes and lists
 * provisio did not create, whose names collide with what services ask for — seeded through the
 * emulator's HTTP seed routes. Every lifecycle action, change package and change password runs
 * through the engine; every foreign object must be left exactly as it was, every refusal must
 * name it; then one is adopted deliberately and the next actions work on it.
 */
let rig: AxigenRig;

async function seed(entity: string, body: Record<string, unknown>): Promise<void> {
  const response = await fetch(`${rig.emulator.controlUrl}/seed/${entity}`, {
    method: 'POST',
    body: JSON.stringify(body),
  });
  expect(response.status, `${entity} ${JSON.stringify(body)}`).toBe(201);
}

function snapshot(): any {
  return rig.emulator.snapshot() as any;
}

/** A foreign object and how to read it from the snapshot (a domain without its mailboxes, which are objects of their own). */
interface Foreign {
  name: string;
  read(): unknown;
}

const domainOnly = (name: string) => () => {
  const domain = snapshot().domains[name];
  if (!domain) return undefined;
  const { accounts: _accounts, registry: _registry, ...rest } = domain;
  return rest;
};
const mailbox = (domain: string, name: string) => () => snapshot().domains[domain]?.accounts[name];
const maillist = (domain: string, name: string) => () => snapshot().domains[domain]?.maillists[name];

const foreign: Foreign[] = [];
const before = new Map<string, string>();
const refusals: Array<{ object: string; action: string; message: string }> = [];

function watch(object: Foreign): void {
  foreign.push(object);
  before.set(object.name, JSON.stringify(object.read()));
}

async function expectRefused(serviceId: number, action: string, object: string, opts = {}): Promise<void> {
  const op = await rig.engine.run(serviceId, action, opts);
  expect(op.status, `${action} on ${object}`).toBe('failed');
  expect(op.errorMessage, `${action} on ${object}`).toContain(object);
  refusals.push({ object, action, message: op.errorMessage ?? '' });
}

async function runOk(serviceId: number, action: string, opts = {}): Promise<void> {
  const op = await rig.engine.run(serviceId, action, opts);
  expect(op.errorMessage, `${action} of service ${serviceId}`).toBeNull();
}

beforeAll(async () => {
  rig = await startAxigenRig();
  await seed('domain', { name: 'taken.test', accounts: ['info', 'sales'] });
  await seed('domain', { name: 'sleepy.test', enabled: false });
  await seed('domain', { name: 'legacy-other.test', postmasterReference: 'provisio-service-998' });
  await seed('domain', { name: 'crm.test', customerReference: 'crm-4711' });
  await seed('account', { domain: 'example.com', name: 'bob', customerReference: 'provisio-service-999' });
  await seed('account', { domain: 'example.com', name: 'alice', customerReference: 'crm-4711' });
  await seed('maillist', { domain: 'example.com', name: 'news' });
  for (const name of [
    'taken.test',
    'sleepy.test',
    'legacy-other.test',
    'crm.test',
    'example.com',
    'example.org',
  ])
    watch({ name: `domain ${name}`, read: domainOnly(name) });
  for (const name of ['postmaster', 'info', 'sales'])
    watch({ name: `mailbox ${name}@taken.test`, read: mailbox('taken.test', name) });
  for (const name of ['postmaster', 'info', 'sales', 'bob', 'alice'])
    watch({ name: `mailbox ${name}@example.com`, read: mailbox('example.com', name) });
  watch({ name: 'list news@example.com', read: maillist('example.com', 'news') });
});

afterAll(async () => {
  await rig?.close();
});

describe('axigen with objects provisio did not create', () => {
  it('refuses to create over every colliding domain and mailbox, naming it', async () => {
    for (const name of ['taken.test', 'sleepy.test', 'legacy-other.test', 'crm.test', 'example.com']) {
      const serviceId = await rig.newDomainService(name);
      await expectRefused(serviceId, 'create', `domain ${name}`);
    }
    for (const name of ['info', 'sales', 'bob', 'alice', 'news']) {
      const serviceId = await rig.newAccountService(name);
      await expectRefused(serviceId, 'create', `${name}@example.com`);
    }
  });

  it('refuses every action on a domain and a mailbox staff replaced after provisio made them', async () => {
    const domain = await rig.newDomainService('swap.test');
    const account = await rig.newAccountService('carl');
    await runOk(domain, 'create');
    await runOk(account, 'create');
    await seed('staffChange', { domain: 'swap.test', delete: true });
    await seed('domain', { name: 'swap.test', accounts: ['info', 'sales'] });
    await seed('staffChange', { domain: 'example.com', account: 'carl', delete: true });
    await seed('account', { domain: 'example.com', name: 'carl' });
    watch({ name: 'domain swap.test', read: domainOnly('swap.test') });
    for (const name of ['postmaster', 'info', 'sales'])
      watch({ name: `mailbox ${name}@swap.test`, read: mailbox('swap.test', name) });
    watch({ name: 'mailbox carl@example.com', read: mailbox('example.com', 'carl') });
    const biggerDomain = await rig.newProduct('domain', {
      maxAccounts: 999,
      domainAliases: 'x-{domain}.example.net',
    });
    const biggerAccount = await rig.newProduct('account', {
      targetDomain: 'example.com',
      storageQuotaMb: 99,
    });
    for (const [serviceId, object, product] of [
      [domain, 'domain swap.test', biggerDomain],
      [account, 'carl@example.com', biggerAccount],
    ] as const) {
      await expectRefused(serviceId, 'suspend', object);
      await expectRefused(serviceId, 'change-package', object, { args: { productId: product } });
      await expectRefused(serviceId, 'change-password', object, {
        secretArgs: { password: 'Taken over 1!' },
      });
      await expectRefused(serviceId, 'terminate', object);
    }
  });

  it('refuses to unsuspend or delete a disabled domain that replaced the one this service disabled', async () => {
    const serviceId = await rig.newDomainService('nap.test');
    await runOk(serviceId, 'create');
    await runOk(serviceId, 'suspend');
    await seed('staffChange', { domain: 'nap.test', delete: true });
    await seed('domain', { name: 'nap.test', enabled: false, accounts: ['info'] });
    watch({ name: 'domain nap.test', read: domainOnly('nap.test') });
    watch({ name: 'mailbox info@nap.test', read: mailbox('nap.test', 'info') });
    rig.clear();
    await expectRefused(serviceId, 'unsuspend', 'domain nap.test');
    await expectRefused(serviceId, 'terminate', 'domain nap.test');
    // A disabled domain's mark cannot be read (Q4): it is enabled for the look and disabled again at once.
    expect(rig.commands().filter((c) => /^(ENABLE|DISABLE|DELETE) Domain/.test(c))).toEqual([
      'ENABLE Domain name nap.test',
      'DISABLE Domain name nap.test',
      'ENABLE Domain name nap.test',
      'DISABLE Domain name nap.test',
    ]);
  });

  it('left every foreign object as it was', () => {
    const touched = foreign.filter((object) => JSON.stringify(object.read()) !== before.get(object.name));
    console.log(`foreign objects touched: ${touched.length}`);
    expect(touched.map((object) => object.name)).toEqual([]);
    expect(rig.commands().filter((c) => /^(DELETE|REMOVE) /.test(c))).toEqual([]);
    expect(refusals.length).toBeGreaterThanOrEqual(20);
  });

  it('adopts one mailbox and one domain deliberately; then the next actions work on them', async () => {
    const account = await rig.newAccountService('alice');
    const adopted = await rig.engine.run(account, 'adopt', { args: { confirm: true } });
    expect(adopted.errorMessage).toBeNull();
    expect(snapshot().domains['example.com'].accounts.alice.attrs.customerReference).toBe(
      `provisio-service-${account}`,
    );
    await runOk(account, 'suspend');
    expect(snapshot().domains['example.com'].accounts.alice.limits.services).toEqual([]);
    await runOk(account, 'unsuspend');
    await runOk(account, 'change-password', { secretArgs: { password: 'Alice now ours' } });
    expect(snapshot().domains['example.com'].accounts.alice.password).toBe('Alice now ours');
    await runOk(account, 'terminate');
    expect(snapshot().domains['example.com'].accounts.alice).toBeUndefined();

    const domain = await rig.newDomainService('taken.test');
    expect((await rig.engine.run(domain, 'adopt', { args: { confirm: true } })).errorMessage).toBeNull();
    await runOk(domain, 'change-password', { secretArgs: { password: 'Postmaster now ours' } });
    expect(snapshot().domains['taken.test'].accounts.postmaster.password).toBe('Postmaster now ours');

    // What another service marked is not adopted.
    const bob = await rig.newAccountService('bob');
    const refused = await rig.engine.run(bob, 'adopt', { args: { confirm: true } });
    expect([refused.status, refused.errorCode]).toEqual(['failed', 'axigen.marked_by_other']);
    expect(snapshot().domains['example.com'].accounts.bob.attrs.customerReference).toBe(
      'provisio-service-999',
    );
  });
});
