import { afterEach, describe, expect, it } from 'vitest';
import { type ArchiveRig, startArchiveRig } from './easymailarchive.support.js';

/**
 * Golden wire traffic: the literal method, path, query and body of every call each action makes,
 * as the emulator received them. Written out by hand from the spec (docs/specs/easymailarchive.md
 * §3), never derived from the module's own constants. Every action on a service starts with the
 * engine's lookup (`LOOK`, the ownership rule); the module then reads again right before it
 * writes (spec §10).
 */
let rig: ArchiveRig;

afterEach(async () => {
  await rig?.close();
});

type Wire = [method: string, path: string, query: string, body: string];

const read = (slug: string): Wire => ['GET', `/api/reseller/tenants/${slug}`, '', ''];
/** The engine's lookup before an action: the same read. */
const LOOK = read;

function wire(): Wire[] {
  return rig.emulator.requests().map((r) => [r.method, r.path, r.query, r.body]);
}

async function succeeded(serviceId: number, action: string, args?: Record<string, unknown>) {
  const op = await rig.engine.run(serviceId, action, args ? { args } : {});
  expect(op.errorMessage).toBeNull();
  expect(op.status).toBe('succeeded');
}

async function created(input: Parameters<ArchiveRig['newService']>[0]) {
  const serviceId = await rig.newService(input);
  await succeeded(serviceId, 'create');
  rig.emulator.clearRequests();
  return serviceId;
}

describe('easymailarchive on the wire', () => {
  it('create: reads the slug, then posts slug and name', async () => {
    rig = await startArchiveRig();
    await succeeded(
      await rig.newService({ domain: 'acme-archive.com', company: 'Acme Corporation' }),
      'create',
    );
    expect(wire()).toEqual([
      LOOK('acme-archive'),
      read('acme-archive'),
      ['POST', '/api/reseller/tenants', '', '{"slug":"acme-archive","name":"Acme Corporation"}'],
    ]);
  });

  it('create: retries an auto-generated slug with -2, -3 after conflicts, and sends the plan when the product names one', async () => {
    rig = await startArchiveRig({ product: { slugSource: 'company', plan: 'business' } });
    await succeeded(await rig.newService({ company: 'ACME', domain: null }), 'create');
    const post = (slug: string) => `{"slug":"${slug}","name":"ACME","plan":"business"}`;
    expect(wire()).toEqual([
      LOOK('acme'),
      read('acme'),
      ['POST', '/api/reseller/tenants', '', post('acme')],
      read('acme-2'),
      ['POST', '/api/reseller/tenants', '', post('acme-2')],
      read('acme-3'),
      ['POST', '/api/reseller/tenants', '', post('acme-3')],
    ]);
    expect(rig.emulator.requests().map((r) => r.status)).toEqual([404, 404, 422, 404, 422, 404, 201]);
  });

  it('create: a customer-chosen slug that is taken is posted once, as given', async () => {
    rig = await startArchiveRig({ product: { slugPrefix: 'mycompany-' } });
    const serviceId = await rig.newService({ configOptions: { slug: 'Globex' }, company: 'Globex Inc' });
    expect((await rig.engine.run(serviceId, 'create')).errorCode).toBe('easymailarchive.slug_taken');
    expect(wire()).toEqual([
      LOOK('globex'),
      read('globex'),
      ['POST', '/api/reseller/tenants', '', '{"slug":"globex","name":"Globex Inc"}'],
    ]);
  });

  it('suspend and unsuspend: a read, then PUT without a body', async () => {
    rig = await startArchiveRig();
    const serviceId = await created({ domain: 'cycle.com' });
    await succeeded(serviceId, 'suspend');
    await succeeded(serviceId, 'unsuspend');
    expect(wire()).toEqual([
      LOOK('cycle'),
      read('cycle'),
      ['PUT', '/api/reseller/tenants/cycle/suspend', '', ''],
      LOOK('cycle'),
      read('cycle'),
      ['PUT', '/api/reseller/tenants/cycle/unsuspend', '', ''],
    ]);
  });

  it('terminate, by default: a read, then suspend (the archive is kept)', async () => {
    rig = await startArchiveRig();
    await succeeded(await created({ domain: 'keep.com' }), 'terminate');
    expect(wire()).toEqual([
      LOOK('keep'),
      read('keep'),
      ['PUT', '/api/reseller/tenants/keep/suspend', '', ''],
    ]);
  });

  it('terminate, with "Delete tenant on terminate": a read, then DELETE', async () => {
    rig = await startArchiveRig({ product: { deleteOnTerminate: true } });
    await succeeded(await created({ domain: 'wipe.com' }), 'terminate');
    expect(wire()).toEqual([LOOK('wipe'), read('wipe'), ['DELETE', '/api/reseller/tenants/wipe', '', '']]);
  });

  it('change package: a read of the tenant, nothing written', async () => {
    rig = await startArchiveRig();
    const serviceId = await created({ domain: 'pkg.com' });
    await succeeded(serviceId, 'change-package', {
      productId: await rig.newProduct({ deleteOnTerminate: true }),
    });
    expect(wire()).toEqual([LOOK('pkg'), read('pkg')]);
  });

  it('adopt: reads of the tenant, nothing written', async () => {
    rig = await startArchiveRig();
    const serviceId = await rig.importService({ remoteIds: { slug: 'demo-archive' }, status: 'active' });
    expect((await rig.adopt(serviceId)).status).toBe('succeeded');
    expect(wire()).toEqual([LOOK('demo-archive'), read('demo-archive')]);
  });

  it('usage: the list, page after page, asking 100 a page and following the server’s own 15', async () => {
    rig = await startArchiveRig({ emulator: { fixtures: false } });
    rig.emulator.seedTenants(31);
    await created({ domain: 'usage.com' });
    await rig.engine.usage.sync({ serverId: rig.serverId });
    expect(wire()).toEqual([
      ['GET', '/api/reseller/tenants', '?page=1&per_page=100', ''],
      ['GET', '/api/reseller/tenants', '?page=2&per_page=100', ''],
      ['GET', '/api/reseller/tenants', '?page=3&per_page=100', ''],
    ]);
    expect((await rig.engine.services.list({ limit: 10 }))[0]?.usage.figures).toEqual({
      activeUsers: 0,
      messages: 0,
      storageBytes: 0,
    });
  });

  it('test connection: the first page of the list', async () => {
    rig = await startArchiveRig();
    await rig.engine.servers.testConnection(rig.serverId);
    expect(wire()).toEqual([['GET', '/api/reseller/tenants', '?page=1&per_page=100', '']]);
  });
});
