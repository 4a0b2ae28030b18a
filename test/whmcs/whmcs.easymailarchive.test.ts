import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  type EasyMailArchiveEmulator,
  startEasyMailArchiveEmulator,
} from '../../src/emulators/easymailarchive/index.js';
import { startWhmcsRig, type WhmcsRig } from './support.js';

/**
 * The generated provisio_easymailarchive module run by PHP inside the WHMCS stand-in, against a
 * real engine and the Easy Mail Archive emulator over sockets: every function WHMCS calls, a
 * timeout followed by a retry, a vendor-made tenant adopted by the admin button, an engine that
 * is down, a wrong token.
 */
const MODULE = 'provisio_easymailarchive';
/** slugPrefix, autoGenerateSlug, slugSource, accessBaseDomain, deleteOnTerminate, plan. */
const settings = (plan = 'starter') => ['', 'on', 'domain', ema.baseDomain, 'on', plan];

let rig: WhmcsRig;
let ema: EasyMailArchiveEmulator;
let serverId: number;
let productId: number;

async function newService(domain: string, status = 'Pending') {
  const clientId = await rig.addClient();
  return rig.addService({ clientId, productId, serverId, domain, status });
}

beforeAll(async () => {
  ema = await startEasyMailArchiveEmulator({});
  rig = await startWhmcsRig({ waitSeconds: 3 });
  serverId = await rig.addServer({
    type: MODULE,
    hostname: '127.0.0.1',
    port: ema.port,
    secure: false,
    accesshash: ema.apiKey,
  });
  productId = await rig.addProduct(MODULE, settings());
}, 120_000);

afterAll(async () => {
  await rig?.close();
  await ema?.close();
});

describe('provisio_easymailarchive in WHMCS', () => {
  it('TestConnection registers the WHMCS server in provisio and reaches the backend', async () => {
    const answer = await rig.call(MODULE, 'TestConnection', { server: serverId });
    expect(answer.result).toEqual({ success: true, error: '' });
    const [server] = await rig.engine.servers.list({ externalId: `whmcs-${serverId}` });
    expect(server).toMatchObject({
      module: 'easymailarchive',
      hostname: '127.0.0.1',
      port: ema.port,
      secure: false,
    });
    expect(server?.hasSecret).toBe(true);
  });

  it('a service lives its whole life through WHMCS: create, suspend, unsuspend, change package, views, usage, sync, terminate', async () => {
    const id = await newService('acme-archive.com');
    ema.clearRequests();
    const created = await rig.call(MODULE, 'CreateAccount', { service: id });
    expect(created.result).toBe('success');
    expect((await rig.hosting(id)).domainstatus).toBe('Active');
    const service = await rig.provisioService(id);
    expect(service).toMatchObject({ status: 'active', externalId: `whmcs-${id}` });
    const slug = service.remoteIds.slug;
    expect(slug).toBeTruthy();
    expect(ema.tenant(slug)?.status).toBe('active');
    // What the engine learned is back on the WHMCS service, as the vendor module kept it.
    expect(await rig.property(id, 'Tenant slug')).toBe(slug);
    expect(
      ema.requests().filter((r) => r.method === 'POST' && r.path.startsWith('/api/reseller/tenants')).length,
    ).toBe(1);

    expect((await rig.call(MODULE, 'SuspendAccount', { service: id })).result).toBe('success');
    expect((await rig.hosting(id)).domainstatus).toBe('Suspended');
    expect(ema.tenant(slug)?.status).toBe('suspended');
    expect((await rig.call(MODULE, 'UnsuspendAccount', { service: id })).result).toBe('success');
    expect(ema.tenant(slug)?.status).toBe('active');

    // The archive's API cannot change a plan: WHMCS shows the engine's refusal, nothing moves.
    const business = await rig.addProduct(MODULE, settings('business'));
    await rig.sql('UPDATE tblhosting SET packageid = ? WHERE id = ?', [business, id]);
    expect((await rig.call(MODULE, 'ChangePackage', { service: id })).result).toMatch(
      /Cannot move tenant "acme-archive" .* to plan "business"/,
    );
    expect((await rig.provisioService(id)).productId).toBe(service.productId);
    const upgraded = await rig.addProduct(MODULE, settings());
    await rig.sql('UPDATE tblhosting SET packageid = ? WHERE id = ?', [upgraded, id]);
    expect((await rig.call(MODULE, 'ChangePackage', { service: id })).result).toBe('success');
    expect((await rig.provisioService(id)).productId).not.toBe(service.productId);

    expect((await rig.call(MODULE, 'Renew', { service: id })).result).toBe('success');
    expect((await rig.call(MODULE, 'ChangePassword', { service: id })).missing).toBe(true);

    const area = (await rig.call(MODULE, 'ClientArea', { service: id })).result;
    expect(area.templatefile).toBe('clientarea');
    expect(area.vars.provisioError).toBe('');
    expect(area.vars.provisioFields.length).toBeGreaterThan(0);
    const tab = (await rig.call(MODULE, 'AdminServicesTabFields', { service: id })).result;
    expect(tab['provisio status']).toBe('active');
    expect(tab['Remote ids']).toContain(slug);
    expect(tab['Last operation']).toContain('change-package succeeded');
    expect(tab['provisio service']).toContain(`#/services/${service.id}`);

    ema.seed('usage', { slug, storageBytes: 5 * 1024 * 1024 * 1024, usersCount: 3 });
    const usage = await rig.call(MODULE, 'UsageUpdate', { server: serverId });
    expect(usage.threw).toBeNull();
    expect(usage.usageStatements).toBe(1);
    const hosting = await rig.hosting(id);
    expect(Number(hosting.diskusage)).toBe(5120);
    expect(hosting.lastupdate).not.toBeNull();

    const listed = (await rig.call(MODULE, 'ListAccounts', { server: serverId })).result;
    expect(listed.success).toBe(true);
    expect(listed.accounts).toContainEqual(
      expect.objectContaining({ domain: 'acme-archive.com', product: String(upgraded), status: 'Active' }),
    );

    expect((await rig.call(MODULE, 'TerminateAccount', { service: id })).result).toBe('success');
    expect((await rig.hosting(id)).domainstatus).toBe('Terminated');
    expect(ema.tenant(slug)).toBeUndefined();
    expect(await rig.moduleQueue(id)).toEqual([]);
  }, 120_000);

  it('a WHMCS retry after a timeout waits for the same operation: exactly one tenant', async () => {
    const id = await newService('slow-archive.com');
    ema.clearRequests();
    ema.injectFault({
      kind: 'delay',
      delayMs: 6_000,
      method: 'POST',
      match: '/api/reseller/tenants',
      times: 1,
    });
    const first = await rig.call(MODULE, 'CreateAccount', { service: id });
    expect(first.result).toMatch(/still working on create .*operation \d+/);
    expect((await rig.hosting(id)).domainstatus).toBe('Pending');
    expect((await rig.moduleQueue(id))[0]?.last_attempt_error).toBe(first.result);
    // Staff retry (Module Queue); on a busy machine the tenant may need one more retry to finish.
    let second = await rig.call(MODULE, 'CreateAccount', { service: id });
    for (let retry = 0; retry < 10 && /still working on create/.test(String(second.result)); retry++)
      second = await rig.call(MODULE, 'CreateAccount', { service: id });
    expect(second.result).toBe('success');
    expect((await rig.hosting(id)).domainstatus).toBe('Active');
    expect((await rig.moduleQueue(id))[0]?.completed).toBe(1);
    const creates = ema.requests().filter((r) => r.method === 'POST' && r.path === '/api/reseller/tenants');
    expect(creates.length).toBe(1);
    const service = await rig.provisioService(id);
    expect((await rig.engine.operations.list({ serviceId: service.id, action: 'create' })).length).toBe(1);
    expect(ema.tenants().filter((t) => t.name.includes('slow') || t.slug.includes('slow')).length).toBe(1);
  }, 120_000);

  it('a tenant the vendor module made is registered as active, refused until the admin adopts it', async () => {
    const probe = await newService('vendor-archive.com');
    // The tenant the vendor module made under the slug provisio derives from the domain.
    const slug = 'vendor-archive';
    ema.seed('tenant', { slug, name: 'Vendor Archive' });
    await rig.sql('UPDATE tblhosting SET domainstatus = ? WHERE id = ?', ['Active', probe]);
    const refused = await rig.call(MODULE, 'SuspendAccount', { service: probe });
    expect(refused.result).toMatch(/does not carry the mark/);
    expect(ema.tenant(slug)?.status).toBe('active');
    expect(await rig.provisioService(probe)).toMatchObject({ status: 'active' });
    expect((await rig.call(MODULE, 'AdminCustomButtonArray')).result).toEqual({
      'Adopt backend object': 'adopt',
    });
    expect((await rig.call(MODULE, 'adopt', { service: probe })).result).toBe('success');
    expect((await rig.call(MODULE, 'SuspendAccount', { service: probe })).result).toBe('success');
    expect(ema.tenant(slug)?.status).toBe('suspended');
  }, 120_000);

  it('logModuleCall records every engine request with the token and every secret masked', async () => {
    const log = await rig.moduleLog();
    expect(log.length).toBeGreaterThan(10);
    const text = JSON.stringify(log);
    expect(text).not.toContain(rig.adminToken);
    expect(text).not.toContain(ema.apiKey);
    expect(log.some((e) => e.action === 'RegisterServer' && e.request.includes('"secret":"***'))).toBe(true);
  });

  it('a wrong token is a clear message and changes nothing', async () => {
    const id = await newService('token-archive.com');
    const { writeFileSync } = await import('node:fs');
    writeFileSync(rig.tokenFile, 'pvo_not-a-real-token\n');
    try {
      const answer = await rig.call(MODULE, 'CreateAccount', { service: id });
      expect(answer.result).toMatch(/refused the bridge's API token .*put a valid admin token in/);
      expect((await rig.hosting(id)).domainstatus).toBe('Pending');
      expect(await rig.provisioService(id)).toBeUndefined();
    } finally {
      writeFileSync(rig.tokenFile, `${rig.adminToken}\n`);
    }
  }, 60_000);

  it('an engine that is down is a clear message, and nothing is half-done', async () => {
    const id = await newService('down-archive.com');
    const tenantsBefore = ema.tenants().length;
    await rig.stopApi();
    const answer = await rig.call(MODULE, 'CreateAccount', { service: id });
    expect(answer.result).toMatch(/did not answer .*nothing was changed/);
    expect((await rig.hosting(id)).domainstatus).toBe('Pending');
    expect((await rig.moduleQueue(id))[0]?.last_attempt_error).toBe(answer.result);
    expect(await rig.provisioService(id)).toBeUndefined();
    expect(ema.tenants().length).toBe(tenantsBefore);
    const test = await rig.call(MODULE, 'TestConnection', { server: serverId });
    expect(test.result.success).toBe(false);
    expect(test.result.error).toMatch(/did not answer/);
  }, 60_000);
});
