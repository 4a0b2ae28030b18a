// biome-ignore-all lint/suspicious/noExplicitAny: tests read the emulator's JSON snapshot by path
import { afterEach, describe, expect, it } from 'vitest';
import { AxigenEmulator } from '../../src/emulators/axigen/index.js';
import { axigenModule, closeAxigenSessionPools } from '../../src/modules/axigen/index.js';
import { accountSettings, domainSettings } from '../../src/modules/axigen/settings.js';
import type { ActionContext, SettingValue } from '../../src/modules/contract.js';
import { axigenActionContext, axigenServerContext, productSettings } from '../support/axigen-context.js';

/**
 * Golden wire tests: the literal command lines every action of both products sends, in order
 * (password lines as the emulator logs them, `***`), called on the module directly so that no
 * engine step (its own lookup before an action) adds lines of its own. A changed line is a
 * protocol change: check it against docs/specs/axigen.md before updating the expectation.
 */
let emulator: AxigenEmulator;

afterEach(async () => {
  await closeAxigenSessionPools();
  await emulator?.close();
});

type Handler =
  | 'create'
  | 'suspend'
  | 'unsuspend'
  | 'terminate'
  | 'changePackage'
  | 'changePassword'
  | 'lookup'
  | 'adopt';

async function play(handler: Handler, ctx: ActionContext<Record<string, SettingValue>>): Promise<string[]> {
  emulator.clearRequests();
  await (axigenModule[handler] as (c: typeof ctx) => Promise<unknown>)(ctx);
  return emulator.commands();
}

function state(): any {
  return emulator.snapshot() as any;
}

const ACCOUNT = productSettings(accountSettings, {
  targetDomain: 'example.com',
  accountClass: 'gold',
  storageQuotaMb: 2048,
  maxMessages: 50000,
});
const DOMAIN = productSettings(domainSettings, { maxAccounts: 50, defaultQuotaMb: 1024, groupware: true });

for (const tls of [false, true]) {
  const transport = tls ? 'implicit TLS' : 'plain TCP';

  describe(`axigen golden wire: account product (${transport})`, () => {
    it('create, suspend, unsuspend, change package, change password, terminate', async () => {
      emulator = await AxigenEmulator.start({ tls });
      const remote = new Map<string, string>();
      const service = { id: 7, username: 'john', password: 'S3cret!pass' };
      const ctx = (settings: Record<string, SettingValue>, password = service.password) =>
        axigenActionContext({
          emulator,
          productType: 'account',
          settings,
          service: { ...service, password },
          remote,
        });

      const create = ctx(ACCOUNT);
      expect(await play('create', create)).toEqual([
        'USER admin',
        '***',
        'UPDATE Domain name example.com',
        "ADD Account name 'john' password 'S3cret!pass'",
        "INHERIT SETTINGS FROM accountClass 'gold'",
        'CONFIG Quotas',
        'SET totalMessageSize 2097152',
        'SET totalMessageCount 50000',
        'RESET messageSize',
        'RESET mboxCount',
        'RESET quotaLimitThreshold',
        'DONE',
        "SET customerReference 'provisio-service-7'",
        'COMMIT',
        'COMMIT',
      ]);
      expect(state().domains['example.com'].accounts.john).toMatchObject({
        password: 'S3cret!pass',
        className: 'gold',
        quotas: { totalMessageSize: '2097152', totalMessageCount: '50000' },
        attrs: { customerReference: 'provisio-service-7' },
      });
      expect(Object.fromEntries(remote)).toEqual({
        domain: 'example.com',
        account: 'john',
        quotaKb: '2097152',
      });
      expect(create.logged()).not.toContain('S3cret!pass');

      const everything = '(smtpIn smtpOut pop3 imap rpop webmail)';
      expect(await play('suspend', ctx(ACCOUNT))).toEqual([
        'UPDATE Domain name example.com',
        "UPDATE Account name 'john'",
        'SHOW ATTR customerReference',
        'CONFIG Limits',
        'SHOW ATTR services',
        'SET services ()',
        'DONE',
        'COMMIT',
        "UPDATE Account name 'john'",
        'CONFIG Limits',
        'SHOW ATTR services',
        'BACK',
        'BACK',
        'COMMIT',
      ]);
      expect(state().domains['example.com'].accounts.john.limits).toEqual({ services: [] });
      expect(remote.get('servicesBeforeSuspend')).toBe(everything);

      expect(await play('unsuspend', ctx(ACCOUNT))).toEqual([
        'UPDATE Domain name example.com',
        "UPDATE Account name 'john'",
        'SHOW ATTR customerReference',
        'CONFIG Limits',
        'SHOW ATTR services',
        'RESET services',
        'SHOW ATTR services',
        'DONE',
        'COMMIT',
        "UPDATE Account name 'john'",
        'CONFIG Limits',
        'SHOW ATTR services',
        'BACK',
        'BACK',
        'COMMIT',
      ]);
      expect(state().domains['example.com'].accounts.john.limits).toEqual({});
      expect(remote.has('servicesBeforeSuspend')).toBe(false);

      expect(
        await play(
          'changePackage',
          ctx(
            productSettings(accountSettings, {
              targetDomain: 'example.com',
              accountClass: 'basic',
              storageQuotaMb: 512,
            }),
          ),
        ),
      ).toEqual([
        'UPDATE Domain name example.com',
        "UPDATE Account name 'john'",
        'SHOW ATTR customerReference',
        "INHERIT SETTINGS FROM accountClass 'basic'",
        'CONFIG Quotas',
        'SET totalMessageSize 524288',
        'RESET totalMessageCount',
        'RESET messageSize',
        'RESET mboxCount',
        'RESET quotaLimitThreshold',
        'DONE',
        'COMMIT',
        'COMMIT',
      ]);
      expect(state().domains['example.com'].accounts.john).toMatchObject({
        className: 'basic',
        quotas: { totalMessageSize: '524288' },
      });

      const password = ctx(ACCOUNT, 'N3w \'pa"ss');
      expect(await play('changePassword', password)).toEqual([
        'UPDATE Domain name example.com',
        "UPDATE Account name 'john'",
        'SHOW ATTR customerReference',
        `SET password "N3w 'pa\\"ss"`,
        'COMMIT',
        'COMMIT',
      ]);
      expect(state().domains['example.com'].accounts.john.password).toBe('N3w \'pa"ss');
      expect(password.logged()).toContain('SET password ***');
      expect(password.logged()).not.toContain('N3w');

      expect(await play('terminate', ctx(ACCOUNT))).toEqual([
        'UPDATE Domain name example.com',
        "SHOW Account name 'john' ATTR customerReference",
        "REMOVE Account name 'john'",
        'COMMIT',
      ]);
      expect(state().domains['example.com'].accounts.john).toBeUndefined();
    });
  });

  describe(`axigen golden wire: domain product (${transport})`, () => {
    it('create, suspend, unsuspend, change package, change password, terminate', async () => {
      emulator = await AxigenEmulator.start({ tls });
      const remote = new Map<string, string>();
      const service = { id: 9, domain: 'shop.test', password: 'Pm!pass 1' };
      const ctx = (settings: Record<string, SettingValue>, password = service.password) =>
        axigenActionContext({
          emulator,
          productType: 'domain',
          settings,
          service: { ...service, password },
          remote,
        });
      const product = DOMAIN;

      const create = ctx(product);
      expect(await play('create', create)).toEqual([
        'USER admin',
        '***',
        'LIST AllDomains shop.test',
        "CREATE Domain name shop.test domainLocation '/var/opt/axigen/domains/shop.test' postmasterPassword 'Pm!pass 1'",
        'SET groupwareSupport yes',
        "SET domainObjectsLocation '/var/opt/axigen/domains/shop.test/objects?maxFiles=16&maxFileSize=262144'",
        "ADD MessagesLocation '/var/opt/axigen/domains/shop.test/messages?maxFiles=128&maxFileSize=262144'",
        'COMMIT',
        'UPDATE Domain name shop.test',
        "SET customerReference 'provisio-service-9'",
        'CONFIG adminLimits',
        'SET maxAccounts 50',
        'COMMIT',
        'CONFIG accountDefaultQuotas',
        'SET totalMessageSize 1048576',
        'DONE',
        'CONFIG MIGRATIONDATA',
        'SET enable no',
        'DONE',
        'COMMIT',
        'SAVE CONFIG',
      ]);
      expect(state().domains['shop.test']).toMatchObject({
        enabled: true,
        groupware: true,
        attrs: { customerReference: 'provisio-service-9' },
        adminLimits: { maxAccounts: '50' },
        accountDefaultQuotas: { totalMessageSize: '1048576' },
        accounts: { postmaster: { password: 'Pm!pass 1' } },
      });
      expect(Object.fromEntries(remote)).toEqual({
        domain: 'shop.test',
        aliases: '',
        postmaster: 'postmaster',
      });
      expect(create.logged()).not.toContain('Pm!pass 1');
      expect(create.logged()).not.toContain('axigen-admin');

      const inspect = [
        'LIST AllDomains shop.test',
        'LIST Domains shop.test',
        'SHOW Domain name shop.test ATTR customerReference',
      ];
      expect(await play('suspend', ctx(product))).toEqual([
        ...inspect,
        'DISABLE Domain name shop.test',
        'SAVE CONFIG',
        'LIST AllDomains shop.test',
        'LIST Domains shop.test',
      ]);
      expect(state().domains['shop.test'].enabled).toBe(false);
      expect(remote.get('disabledByUs')).toBe('shop.test');

      expect(await play('unsuspend', ctx(product))).toEqual([
        'LIST AllDomains shop.test',
        'LIST Domains shop.test',
        'ENABLE Domain name shop.test',
        'SHOW Domain name shop.test ATTR customerReference',
        'SAVE CONFIG',
        'LIST AllDomains shop.test',
        'LIST Domains shop.test',
      ]);
      expect(state().domains['shop.test'].enabled).toBe(true);
      expect(remote.has('disabledByUs')).toBe(false);

      const bigger = {
        ...product,
        maxAccounts: 500,
        groupware: false,
        maxGroups: 10,
        domainAliases: 'mail-{domain}.example.net\nshop.example',
        postmasterAccount: 'admin',
      };
      expect(await play('changePackage', ctx(bigger))).toEqual([
        ...inspect,
        'EDIT Domain name shop.test',
        'SET groupwareSupport no',
        'COMMIT',
        'UPDATE Domain name shop.test',
        "SET customerReference 'provisio-service-9'",
        'LIST Aliases',
        'ADD Alias mail-shop.test.example.net',
        'ADD Alias shop.example',
        'CONFIG adminLimits',
        'SET maxAccounts 500',
        'SET maxGroups 10',
        'COMMIT',
        'CONFIG accountDefaultQuotas',
        'SET totalMessageSize 1048576',
        'DONE',
        'CONFIG MIGRATIONDATA',
        'SET enable no',
        'DONE',
        "SHOW Account name 'admin' ATTR customerReference",
        "ADD Account name 'admin' password 'Pm!pass 1'",
        'INHERIT SETTINGS FROM domainDefaults',
        "SET customerReference 'provisio-service-9'",
        'COMMIT',
        "SET postmasterAccount 'admin'",
        'COMMIT',
      ]);
      expect(state().domains['shop.test']).toMatchObject({
        groupware: false,
        adminLimits: { maxAccounts: '500', maxGroups: '10' },
        aliases: ['mail-shop.test.example.net', 'shop.example'],
        postmasterAccount: 'admin',
        accounts: { admin: { attrs: { customerReference: 'provisio-service-9' } } },
      });
      expect(remote.get('aliases')).toBe('mail-shop.test.example.net,shop.example');

      // The next package drops one alias provisio added; one staff added by hand stays.
      emulator.seed('alias', { domain: 'shop.test', alias: 'by-hand.example' });
      const fewer = { ...bigger, domainAliases: 'shop.example' };
      const repackaged = await play('changePackage', ctx(fewer));
      expect(repackaged.filter((line) => /Alias/.test(line))).toEqual([
        'LIST Aliases',
        'REMOVE Alias mail-shop.test.example.net',
      ]);
      expect(state().domains['shop.test'].aliases).toEqual(['shop.example', 'by-hand.example']);

      expect(await play('changePassword', ctx(fewer, 'Fresh pass!'))).toEqual([
        ...inspect,
        'UPDATE Domain name shop.test',
        "UPDATE Account name 'admin'",
        "SET password 'Fresh pass!'",
        'COMMIT',
        'COMMIT',
      ]);
      expect(state().domains['shop.test'].accounts.admin.password).toBe('Fresh pass!');

      expect(await play('terminate', ctx(fewer))).toEqual([
        ...inspect,
        'DELETE Domain name shop.test',
        'SAVE CONFIG',
      ]);
      expect(state().domains['shop.test']).toBeUndefined();
    });
  });
}

describe('axigen golden wire: a suspended domain', () => {
  it('enables a domain it disabled for a change (password, package), checks the mark once readable, and disables it again', async () => {
    emulator = await AxigenEmulator.start();
    const remote = new Map<string, string>();
    const ctx = (password: string) =>
      axigenActionContext({
        emulator,
        productType: 'domain',
        settings: DOMAIN,
        service: { id: 3, domain: 'paused.test', password },
        remote,
      });
    await axigenModule.create(ctx('first one'));
    await axigenModule.suspend?.(ctx('first one'));
    expect(await play('changePassword', ctx('another-one'))).toEqual([
      'LIST AllDomains paused.test',
      'LIST Domains paused.test',
      'ENABLE Domain name paused.test',
      'SHOW Domain name paused.test ATTR customerReference',
      'UPDATE Domain name paused.test',
      "UPDATE Account name 'postmaster'",
      "SET password 'another-one'",
      'COMMIT',
      'COMMIT',
      'DISABLE Domain name paused.test',
    ]);
    expect(state().domains['paused.test']).toMatchObject({
      enabled: false,
      accounts: { postmaster: { password: 'another-one' } },
    });
    expect(await play('changePackage', ctx('another-one'))).toEqual([
      'LIST AllDomains paused.test',
      'LIST Domains paused.test',
      'ENABLE Domain name paused.test',
      'SHOW Domain name paused.test ATTR customerReference',
      'EDIT Domain name paused.test',
      'SET groupwareSupport yes',
      'COMMIT',
      'UPDATE Domain name paused.test',
      "SET customerReference 'provisio-service-3'",
      'CONFIG adminLimits',
      'SET maxAccounts 50',
      'COMMIT',
      'CONFIG accountDefaultQuotas',
      'SET totalMessageSize 1048576',
      'DONE',
      'CONFIG MIGRATIONDATA',
      'SET enable no',
      'DONE',
      'COMMIT',
      'DISABLE Domain name paused.test',
    ]);
    expect(state().domains['paused.test'].enabled).toBe(false);
    // Staff re-enabled it on Axigen: unsuspend finds the target state, reads the mark, sends nothing else.
    emulator.seed('staffChange', { domain: 'paused.test', enabled: true });
    expect(await play('unsuspend', ctx('another-one'))).toEqual([
      'LIST AllDomains paused.test',
      'LIST Domains paused.test',
      'SHOW Domain name paused.test ATTR customerReference',
    ]);
  });
});

describe('axigen golden wire: lookup and adopt', () => {
  it('looks a mailbox up, then adopts one nobody marked', async () => {
    emulator = await AxigenEmulator.start();
    const ctx = axigenActionContext({
      emulator,
      productType: 'account',
      settings: ACCOUNT,
      service: { id: 11, username: 'info' },
      action: 'adopt',
    });
    expect(await play('lookup', ctx)).toEqual([
      'USER admin',
      '***',
      'UPDATE Domain name example.com',
      "SHOW Account name 'info' ATTR customerReference",
      'BACK',
    ]);
    expect(await axigenModule.lookup(ctx)).toMatchObject({
      owner: 'foreign',
      object: 'mailbox info@example.com',
    });
    expect(await play('adopt', ctx)).toEqual([
      'UPDATE Domain name example.com',
      "SHOW Account name 'info' ATTR customerReference",
      "UPDATE Account name 'info'",
      "SET customerReference 'provisio-service-11'",
      'COMMIT',
      "UPDATE Account name 'info'",
      'CONFIG Limits',
      'SHOW ATTR services',
      'BACK',
      'BACK',
      'COMMIT',
    ]);
    expect(await axigenModule.lookup(ctx)).toEqual({
      status: 'active',
      owner: 'ours',
      object: 'mailbox info@example.com',
      remoteIds: { domain: 'example.com', account: 'info' },
    });
  });

  it('looks a domain up (an old-provisio mark on its postmaster counts), then adopts one nobody marked', async () => {
    emulator = await AxigenEmulator.start();
    emulator.seed('domain', { name: 'legacy.test', postmasterReference: 'provisio-service-12' });
    const legacy = axigenActionContext({
      emulator,
      productType: 'domain',
      settings: DOMAIN,
      service: { id: 12, domain: 'legacy.test' },
    });
    expect(await play('lookup', legacy)).toEqual([
      'USER admin',
      '***',
      'LIST AllDomains legacy.test',
      'LIST Domains legacy.test',
      'SHOW Domain name legacy.test ATTR customerReference',
      'UPDATE Domain name legacy.test',
      "SHOW Account name 'postmaster' ATTR customerReference",
      'BACK',
    ]);
    expect(await axigenModule.lookup(legacy)).toMatchObject({ status: 'active', owner: 'ours' });

    const ctx = axigenActionContext({
      emulator,
      productType: 'domain',
      settings: DOMAIN,
      service: { id: 13, domain: 'example.org' },
    });
    expect(await axigenModule.lookup(ctx)).toMatchObject({ owner: 'foreign', object: 'domain example.org' });
    expect(await play('adopt', ctx)).toEqual([
      'LIST AllDomains example.org',
      'LIST Domains example.org',
      'SHOW Domain name example.org ATTR customerReference',
      'UPDATE Domain name example.org',
      "SHOW Account name 'postmaster' ATTR customerReference",
      'BACK',
      'UPDATE Domain name example.org',
      "SET customerReference 'provisio-service-13'",
      'COMMIT',
    ]);
    expect(state().domains['example.org'].attrs.customerReference).toBe('provisio-service-13');
  });
});

describe('axigen golden wire: suspension through an account class (server setting)', () => {
  it('moves the mailbox to the suspension class and back to the class it had', async () => {
    emulator = await AxigenEmulator.start();
    const remote = new Map<string, string>();
    const ctx = () =>
      axigenActionContext({
        emulator,
        productType: 'account',
        settings: ACCOUNT,
        service: { id: 14, username: 'carol', password: 'carol-pass' },
        remote,
        serverSettings: { accountSuspension: 'accountClass', suspendedAccountClass: 'disabled_accounts' },
      });
    await axigenModule.create(ctx());
    expect(await play('suspend', ctx())).toEqual([
      'UPDATE Domain name example.com',
      "UPDATE Account name 'carol'",
      'SHOW ATTR customerReference',
      'SHOW ATTR accountClassName',
      "INHERIT SETTINGS FROM accountClass 'disabled_accounts'",
      'COMMIT',
      "UPDATE Account name 'carol'",
      'CONFIG Limits',
      'SHOW ATTR services',
      'BACK',
      'BACK',
      'COMMIT',
    ]);
    expect(remote.get('classBeforeSuspend')).toBe('gold');
    expect(state().domains['example.com'].accounts.carol.className).toBe('disabled_accounts');
    expect(await play('unsuspend', ctx())).toEqual([
      'UPDATE Domain name example.com',
      "UPDATE Account name 'carol'",
      'SHOW ATTR customerReference',
      'SHOW ATTR accountClassName',
      "INHERIT SETTINGS FROM accountClass 'gold'",
      'COMMIT',
      "UPDATE Account name 'carol'",
      'CONFIG Limits',
      'SHOW ATTR services',
      'BACK',
      'BACK',
      'COMMIT',
    ]);
    expect(state().domains['example.com'].accounts.carol.className).toBe('gold');
  });
});

describe('axigen golden wire: test connection', () => {
  it('asks the version before login, logs in, lists domains and exits on a fresh session', async () => {
    emulator = await AxigenEmulator.start();
    await axigenModule.testConnection(axigenServerContext(emulator));
    expect(emulator.commands()).toEqual(['GET VERSION', 'USER admin', '***', 'LIST Domains', 'EXIT']);
  });
});
