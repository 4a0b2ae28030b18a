// biome-ignore-all lint/suspicious/noExplicitAny: tests read the emulator's JSON snapshot by path
import { afterEach, describe, expect, it } from 'vitest';
import { type AxigenRig, startAxigenRig } from './axigen.support.js';

let rig: AxigenRig;

afterEach(async () => {
  await rig?.close();
});

async function runOk(
  serviceId: number,
  action: string,
  opts: Parameters<AxigenRig['engine']['run']>[2] = {},
) {
  const op = await rig.engine.run(serviceId, action, opts);
  expect(op.errorMessage).toBeNull();
  expect(op.status).toBe('succeeded');
  return op;
}

for (const tls of [false, true]) {
  describe(`axigen account product transcripts (${tls ? 'implicit TLS' : 'plain TCP'})`, () => {
    it('create, suspend, unsuspend, change package, change password, terminate send exactly these commands', async () => {
      rig = await startAxigenRig({ tls });
      const serviceId = await rig.newAccountService('john');
      await runOk(serviceId, 'create');
      expect(rig.commands()).toEqual([
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
        "SET customerReference 'provisio-service-1'",
        'COMMIT',
        'COMMIT',
      ]);
      const account = (rig.emulator.snapshot() as any).domains['example.com'].accounts.john;
      expect(account).toMatchObject({
        password: 'S3cret!pass',
        className: 'gold',
        quotas: { totalMessageSize: '2097152', totalMessageCount: '50000' },
        attrs: { customerReference: 'provisio-service-1' },
      });
      const service = await rig.engine.services.get(serviceId);
      expect(service.status).toBe('active');
      expect(service.remoteIds).toMatchObject({ domain: 'example.com', account: 'john' });

      rig.clear();
      await runOk(serviceId, 'suspend');
      // The pooled session is reused: no second login.
      expect(rig.commands()).toEqual([
        'UPDATE Domain name example.com',
        "UPDATE Account name 'john'",
        'CONFIG Limits',
        'SET services ()',
        'DONE',
        'COMMIT',
        'COMMIT',
      ]);
      expect((rig.emulator.snapshot() as any).domains['example.com'].accounts.john.limits).toEqual({
        services: [],
      });

      rig.clear();
      await runOk(serviceId, 'unsuspend');
      expect(rig.commands()).toEqual([
        'UPDATE Domain name example.com',
        "UPDATE Account name 'john'",
        'CONFIG Limits',
        'RESET services',
        'DONE',
        'COMMIT',
        'COMMIT',
      ]);
      expect((rig.emulator.snapshot() as any).domains['example.com'].accounts.john.limits).toEqual({});

      const basic = await rig.newProduct('account', {
        targetDomain: 'example.com',
        accountClass: 'basic',
        storageQuotaMb: 512,
      });
      rig.clear();
      await runOk(serviceId, 'change-package', { args: { productId: basic } });
      expect(rig.commands()).toEqual([
        'UPDATE Domain name example.com',
        "UPDATE Account name 'john'",
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
      expect((rig.emulator.snapshot() as any).domains['example.com'].accounts.john).toMatchObject({
        className: 'basic',
        quotas: { totalMessageSize: '524288' },
      });

      rig.clear();
      const passwordOp = await runOk(serviceId, 'change-password', {
        secretArgs: { password: 'N3w \'pa"ss' },
      });
      expect(rig.commands()).toEqual([
        'UPDATE Domain name example.com',
        "UPDATE Account name 'john'",
        `SET password "N3w 'pa\\"ss"`,
        'COMMIT',
        'COMMIT',
      ]);
      expect((rig.emulator.snapshot() as any).domains['example.com'].accounts.john.password).toBe(
        'N3w \'pa"ss',
      );
      const passwordLog = JSON.stringify(await rig.engine.moduleLog.forOperation(passwordOp.id));
      expect(passwordLog).toContain('SET password ***');
      expect(passwordLog).not.toContain('N3w');

      rig.clear();
      await runOk(serviceId, 'terminate');
      expect(rig.commands()).toEqual([
        'UPDATE Domain name example.com',
        "UPDATE Account name 'john'",
        'SHOW ATTR customerReference',
        'CONFIG Limits',
        'SHOW ATTR services',
        'BACK',
        'BACK',
        "REMOVE Account name 'john'",
        'COMMIT',
      ]);
      expect((rig.emulator.snapshot() as any).domains['example.com'].accounts.john).toBeUndefined();
      expect((await rig.engine.services.get(serviceId)).status).toBe('terminated');
    });
  });

  describe(`axigen domain product transcripts (${tls ? 'implicit TLS' : 'plain TCP'})`, () => {
    it('create, suspend, unsuspend, change package, change password, terminate send exactly these commands', async () => {
      rig = await startAxigenRig({ tls });
      const serviceId = await rig.newDomainService('shop.test');
      const create = await runOk(serviceId, 'create');
      expect(rig.commands()).toEqual([
        'USER admin',
        '***',
        'LIST AllDomains',
        "CREATE Domain name shop.test domainLocation '/var/opt/axigen/domains/shop.test' postmasterPassword 'Pm!pass 1'",
        'SET groupwareSupport yes',
        "SET domainObjectsLocation '/var/opt/axigen/domains/shop.test/objects?maxFiles=16&maxFileSize=262144'",
        "ADD MessagesLocation '/var/opt/axigen/domains/shop.test/messages?maxFiles=128&maxFileSize=262144'",
        'COMMIT',
        'SAVE CONFIG',
        'UPDATE Domain name shop.test',
        'CONFIG adminLimits',
        'SET maxAccounts 50',
        'RESET maxMaillists',
        'RESET maxGroups',
        'COMMIT',
        'CONFIG accountDefaultQuotas',
        'SET totalMessageSize 1048576',
        'RESET totalMessageCount',
        'DONE',
        'CONFIG MIGRATIONDATA',
        'SET enable no',
        'DONE',
        'COMMIT',
        'UPDATE Domain name shop.test',
        "UPDATE Account name 'postmaster'",
        "SET customerReference 'provisio-service-1'",
        'COMMIT',
        'COMMIT',
      ]);
      const domain = (rig.emulator.snapshot() as any).domains['shop.test'];
      expect(domain).toMatchObject({
        enabled: true,
        groupware: true,
        adminLimits: { maxAccounts: '50' },
        accountDefaultQuotas: { totalMessageSize: '1048576' },
        accounts: {
          postmaster: { password: 'Pm!pass 1', attrs: { customerReference: 'provisio-service-1' } },
        },
      });
      const createLog = JSON.stringify(await rig.engine.moduleLog.forOperation(create.id));
      expect(createLog).not.toContain('Pm!pass 1');
      expect(createLog).not.toContain('axigen-admin');

      rig.clear();
      await runOk(serviceId, 'suspend');
      expect(rig.commands()).toEqual(['LIST AllDomains', 'DISABLE Domain name shop.test', 'SAVE CONFIG']);
      expect((rig.emulator.snapshot() as any).domains['shop.test'].enabled).toBe(false);

      rig.clear();
      await runOk(serviceId, 'unsuspend');
      expect(rig.commands()).toEqual(['LIST AllDomains', 'ENABLE Domain name shop.test', 'SAVE CONFIG']);

      const bigger = await rig.newProduct('domain', { maxAccounts: 500, groupware: false, maxGroups: 10 });
      rig.clear();
      await runOk(serviceId, 'change-package', { args: { productId: bigger } });
      expect(rig.commands()).toEqual([
        'LIST AllDomains',
        'EDIT Domain name shop.test',
        'SET groupwareSupport no',
        'COMMIT',
        'UPDATE Domain name shop.test',
        'CONFIG adminLimits',
        'SET maxAccounts 500',
        'RESET maxMaillists',
        'SET maxGroups 10',
        'COMMIT',
        'CONFIG accountDefaultQuotas',
        'SET totalMessageSize 1048576',
        'RESET totalMessageCount',
        'DONE',
        'CONFIG MIGRATIONDATA',
        'SET enable no',
        'DONE',
        'COMMIT',
      ]);
      expect((rig.emulator.snapshot() as any).domains['shop.test']).toMatchObject({
        groupware: false,
        adminLimits: { maxAccounts: '500', maxGroups: '10' },
      });

      rig.clear();
      await runOk(serviceId, 'change-password', { secretArgs: { password: 'Fresh pass!' } });
      expect(rig.commands()).toEqual([
        'LIST AllDomains',
        'UPDATE Domain name shop.test',
        "UPDATE Account name 'postmaster'",
        "SET password 'Fresh pass!'",
        'COMMIT',
        'COMMIT',
      ]);
      expect((rig.emulator.snapshot() as any).domains['shop.test'].accounts.postmaster.password).toBe(
        'Fresh pass!',
      );

      rig.clear();
      await runOk(serviceId, 'terminate');
      expect(rig.commands()).toEqual([
        'LIST AllDomains',
        'UPDATE Domain name shop.test',
        "SHOW Account name 'postmaster' ATTR customerReference",
        'BACK',
        'DELETE Domain name shop.test',
        'SAVE CONFIG',
      ]);
      expect((rig.emulator.snapshot() as any).domains['shop.test']).toBeUndefined();
    });
  });
}

describe('axigen suspended domain', () => {
  it('changes the package of a suspended domain by enabling it for the change and disabling it again', async () => {
    rig = await startAxigenRig();
    const serviceId = await rig.newDomainService('paused.test');
    await runOk(serviceId, 'create');
    await runOk(serviceId, 'suspend');
    rig.clear();
    await runOk(serviceId, 'change-password', { secretArgs: { password: 'another-one' } });
    expect(rig.commands()).toEqual([
      'LIST AllDomains',
      'ENABLE Domain name paused.test',
      'SAVE CONFIG',
      'UPDATE Domain name paused.test',
      "UPDATE Account name 'postmaster'",
      "SET password 'another-one'",
      'COMMIT',
      'COMMIT',
      'DISABLE Domain name paused.test',
      'SAVE CONFIG',
    ]);
    expect((rig.emulator.snapshot() as any).domains['paused.test']).toMatchObject({
      enabled: false,
      accounts: { postmaster: { password: 'another-one' } },
    });
    // Someone re-enabled the domain on Axigen: unsuspend finds it in the target state and sends nothing else.
    (rig.emulator.state.domains.get('paused.test') as { enabled: boolean }).enabled = true;
    rig.clear();
    await runOk(serviceId, 'unsuspend');
    expect(rig.commands()).toEqual(['LIST AllDomains']);
  });
});
