import { afterEach, describe, expect, it } from 'vitest';
import { AxigenEmulator } from '../../src/emulators/axigen/index.js';
import { axigenModule, closeAxigenSessionPools } from '../../src/modules/axigen/index.js';
import { ACCOUNT_PAGE } from '../../src/modules/axigen/reconcile.js';
import type { RemoteObject, ServiceRef } from '../../src/modules/contract.js';
import { axigenServerContext } from '../support/axigen-context.js';
import { ACCOUNT_PRODUCT, type AxigenRig, DOMAIN_PRODUCT, startAxigenRig } from './axigen.support.js';

/**
 * Reconcile (issue 16): listRemote lists every domain and mailbox (ours and foreign) in the pages
 * the CLI gives, remoteKeyOf names what a service claims, packageDrift compares what the backend
 * has with the product. Every kind of drift is made through the emulator's seed routes.
 */
let rig: AxigenRig | undefined;
let emulator: AxigenEmulator | undefined;

afterEach(async () => {
  await rig?.close();
  await closeAxigenSessionPools();
  await emulator?.close();
  rig = undefined;
  emulator = undefined;
});

async function pagesOf(port: number): Promise<RemoteObject[][]> {
  const pages: RemoteObject[][] = [];
  const list = axigenModule.listRemote?.(axigenServerContext({ port, secure: false }));
  if (!list) throw new Error('axigen has no listRemote');
  for await (const page of list) pages.push([...page]);
  return pages;
}

async function refOf(serviceId: number): Promise<ServiceRef> {
  const service = await (rig as AxigenRig).engine.services.get(serviceId);
  return {
    serviceId,
    domain: service.domain,
    username: service.username,
    remoteIds: service.remoteIds,
    productType: (await (rig as AxigenRig).engine.products.get(service.productId)).productType,
  };
}

describe('axigen listRemote, remoteKeyOf, packageDrift', () => {
  it('lists ours and foreign with marks and states, and shows every kind of drift', async () => {
    rig = await startAxigenRig();
    const domain = await rig.newDomainService('ours.test');
    const account = await rig.newAccountService('mine');
    const gone = await rig.newDomainService('gone.test');
    for (const id of [domain, account, gone])
      expect((await rig.engine.run(id, 'create')).errorMessage).toBeNull();
    const seed = (entity: string, body: Record<string, unknown>) =>
      (rig as AxigenRig).emulator.seed(entity, body);
    // Drift made by hand: a mailbox disabled and its quota changed, a domain's limit changed, a domain deleted.
    seed('staffChange', {
      domain: 'example.com',
      account: 'mine',
      limits: { services: [] },
      quotas: { totalMessageSize: 1024 },
    });
    seed('staffChange', { domain: 'ours.test', adminLimits: { maxAccounts: 7 } });
    seed('staffChange', { domain: 'gone.test', delete: true });
    // A mailbox whose service is gone, and a duplicate of our domain made by an old module (mark on its postmaster).
    seed('account', { domain: 'example.com', name: 'orphan', customerReference: 'provisio-service-999' });
    seed('domain', { name: 'dup.test', postmasterReference: `provisio-service-${domain}` });
    seed('domain', { name: 'off.test', enabled: false });

    const pages = await pagesOf(rig.emulator.port);
    const domains = pages[0] ?? [];
    expect(domains.map((o) => [o.key, o.markedServiceId, o.state])).toEqual([
      ['dup.test', domain, 'active'],
      ['example.com', null, 'active'],
      ['example.org', null, 'active'],
      ['off.test', null, 'suspended'],
      ['other.test', null, 'active'],
      ['ours.test', domain, 'active'],
    ]);
    const ours = domains.find((o) => o.key === 'ours.test') as RemoteObject;
    expect(ours.package).toMatchObject({ maxAccounts: 7, defaultQuotaMb: 1024, groupware: true });
    // Mailboxes of unmarked active domains only (a marked domain's mailboxes are its customer's).
    const mailboxes = pages.slice(1).flat();
    expect(mailboxes.map((o) => o.key).filter((key) => key.endsWith('@example.com'))).toEqual([
      'info@example.com',
      'mine@example.com',
      'orphan@example.com',
      'postmaster@example.com',
      'sales@example.com',
    ]);
    expect(mailboxes.some((o) => o.key.endsWith('@ours.test') || o.key.endsWith('@dup.test'))).toBe(false);
    const mine = mailboxes.find((o) => o.key === 'mine@example.com') as RemoteObject;
    expect(mine).toMatchObject({ kind: 'account', markedServiceId: account, state: 'suspended' });
    expect(mailboxes.find((o) => o.key === 'orphan@example.com')).toMatchObject({ markedServiceId: 999 });
    expect(mailboxes.find((o) => o.key === 'info@example.com')).toMatchObject({
      markedServiceId: null,
      state: 'unknown',
    });

    const domainSettings = { ...DOMAIN_PRODUCT, groupware: true };
    expect(axigenModule.remoteKeyOf?.(await refOf(domain), domainSettings)).toEqual({
      kind: 'domain',
      key: 'ours.test',
    });
    expect(axigenModule.remoteKeyOf?.(await refOf(account), ACCOUNT_PRODUCT)).toEqual({
      kind: 'account',
      key: 'mine@example.com',
    });
    expect(axigenModule.remoteKeyOf?.(await refOf(gone), domainSettings)).toEqual({
      kind: 'domain',
      key: 'gone.test',
    });
    expect(domains.some((o) => o.key === 'gone.test')).toBe(false);

    expect(axigenModule.packageDrift?.(domainSettings, ours)).toEqual([
      { field: 'maxAccounts', expected: '50', actual: '7' },
    ]);
    expect(axigenModule.packageDrift?.(ACCOUNT_PRODUCT, mine)).toEqual([
      { field: 'storageQuotaMb', expected: '2048', actual: '1' },
    ]);
    expect(axigenModule.packageDrift?.({ ...ACCOUNT_PRODUCT, storageQuotaMb: 1 }, mine)).toEqual([]);
    expect(axigenModule.packageDrift?.({ ...domainSettings, maxAccounts: 7 }, ours)).toEqual([]);
    // A field the product leaves unset (0) is not drift, nor is one the backend does not report.
    expect(axigenModule.packageDrift?.({ ...domainSettings, maxAccounts: 0 }, ours)).toEqual([]);
    expect(axigenModule.packageDrift?.(domainSettings, { ...ours, package: {} })).toEqual([]);
  });

  it(`pages a domain's mailboxes ${ACCOUNT_PAGE} at a time, read over parallel sessions`, async () => {
    emulator = await AxigenEmulator.start({ fixtures: false });
    emulator.seed('domain', {
      name: 'big.test',
      accounts: Array.from({ length: 1_100 }, (_, i) => `user${i}`),
    });
    const pages = await pagesOf(emulator.port);
    expect(pages.map((page) => page.length)).toEqual([1, 500, 500, 101]);
    expect(
      new Set(
        pages
          .slice(1)
          .flat()
          .map((o) => o.key),
      ).size,
    ).toBe(1_101);
    const connections = new Set(emulator.requests().map((r) => r.connection));
    expect(connections.size).toBeGreaterThan(1);
  });
});
