import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Redactor } from '../../src/core/redaction.js';
import type { RemoteObject, ServerContext, ServiceRef } from '../../src/modules/contract.js';
import { easymailarchiveModule as module } from '../../src/modules/easymailarchive/index.js';
import type { EasyMailArchiveSettings } from '../../src/modules/easymailarchive/settings.js';
import { createMemoryModuleLog } from '../../src/transport/module-log.js';
import { type ArchiveRig, startArchiveRig } from './easymailarchive.support.js';

/**
 * Reconcile's inputs from this module: `listRemote` over a reseller's tenants (ours, foreign,
 * paged as the API pages), `remoteKeyOf` (the claim a service holds), `packageDrift` (plan).
 * The emulator's drift seeds make every kind of finding: suspended by hand, deleted by support,
 * plan changed by hand, a duplicate tenant an older module made for one customer.
 */
const SETTINGS: EasyMailArchiveSettings = {
  slugPrefix: '',
  autoGenerateSlug: true,
  slugSource: 'domain',
  accessBaseDomain: '',
  deleteOnTerminate: false,
  plan: 'starter',
};

let rig: ArchiveRig;
const services = new Map<string, number>();
let importedId: number;

function serverContext(): ServerContext {
  const redactor = new Redactor([rig.emulator.apiKey]);
  return {
    server: {
      id: rig.serverId,
      name: 'ema-test',
      module: 'easymailarchive',
      hostname: '127.0.0.1',
      ip: null,
      host: '127.0.0.1',
      port: rig.emulator.port,
      secure: false,
      username: '',
      secret: rig.emulator.apiKey,
      tls: { verify: true },
      maxAccounts: null,
      settings: { baseDomain: rig.emulator.baseDomain },
    },
    moduleLog: createMemoryModuleLog(redactor),
    logger: { debug() {}, info() {}, warn() {}, error() {} },
    signal: new AbortController().signal,
    addSecret() {},
    now: () => Date.now(),
  };
}

async function listAll(): Promise<RemoteObject[][]> {
  const pages: RemoteObject[][] = [];
  for await (const page of module.listRemote!(serverContext())) pages.push([...page]);
  return pages;
}

async function refOf(serviceId: number): Promise<ServiceRef> {
  const service = await rig.engine.services.get(serviceId);
  return {
    serviceId,
    domain: service.domain,
    username: service.username,
    remoteIds: service.remoteIds,
    productType: null,
  };
}

/** A minimal reconcile over the module's three functions, as the engine's will pair them. */
async function findings(objects: RemoteObject[]): Promise<string[]> {
  const byKey = new Map(objects.map((o) => [o.key, o]));
  const claimed = new Set<string>();
  const found: string[] = [];
  for (const serviceId of [...services.values(), importedId]) {
    const service = await rig.engine.services.get(serviceId);
    const key = module.remoteKeyOf!(await refOf(serviceId), SETTINGS);
    if (!key?.held) {
      found.push(`#${serviceId} claims nothing`);
      continue;
    }
    claimed.add(key.key);
    const object = byKey.get(key.key);
    if (!object) found.push(`missing ${key.key}`);
    else {
      if (object.state !== service.status)
        found.push(`state ${key.key}: ${service.status} → ${object.state}`);
      for (const d of module.packageDrift!(SETTINGS, object))
        found.push(`package ${key.key}: ${d.field} ${d.expected} → ${d.actual}`);
    }
  }
  for (const object of objects) if (!claimed.has(object.key)) found.push(`unclaimed ${object.key}`);
  return found.sort();
}

beforeAll(async () => {
  rig = await startArchiveRig({ emulator: { fixtures: false }, product: { plan: 'starter' } });
  for (const name of ['steady', 'hand-suspended', 'deleted', 'plan-changed', 'twice']) {
    const serviceId = await rig.newService({ domain: `${name}.com` });
    expect((await rig.engine.run(serviceId, 'create')).status).toBe('succeeded');
    services.set(name, serviceId);
  }
  rig.emulator.seedTenants(30, { prefix: 'bulk-' });
  await rig.seedOverHttp('tenant', { slug: 'stranger', name: 'Made in the dashboard' });
  await rig.seedOverHttp('tenant', { slug: 'invisible', reseller: 'other-reseller' });
  await rig.seedOverHttp('status', { slug: 'hand-suspended', status: 'suspended' });
  await rig.seedOverHttp('deletion', { slug: 'deleted' });
  await rig.seedOverHttp('plan', { slug: 'plan-changed', plan: 'business' });
  await rig.seedOverHttp('duplicate', { of: 'twice' });
  importedId = await rig.importService({ remoteIds: { slug: 'stranger' }, status: 'active' });
});

afterAll(async () => {
  await rig?.close();
});

describe('easymailarchive reconcile', () => {
  it('lists every tenant of the reseller, ours and not, in the pages the API serves', async () => {
    rig.emulator.clearRequests();
    const pages = await listAll();
    // 5 created − 1 deleted + 30 bulk + stranger + the duplicate = 36 tenants, 15 a page.
    expect(pages.map((p) => p.length)).toEqual([15, 15, 6]);
    expect(rig.emulator.requests().map((r) => r.query)).toEqual([
      '?page=1&per_page=100',
      '?page=2&per_page=100',
      '?page=3&per_page=100',
    ]);
    const objects = pages.flat();
    expect(objects.map((o) => o.key)).not.toContain('invisible');
    expect(objects.find((o) => o.key === 'twice-2')).toEqual({
      kind: 'tenant',
      key: 'twice-2',
      label: 'Acme Corporation',
      markedServiceId: null,
      state: 'active',
      remoteIds: { slug: 'twice-2' },
    });
    expect(objects.find((o) => o.key === 'hand-suspended')?.state).toBe('suspended');
  });

  it('pairs claims with tenants: every seeded drift is found, and nothing else', async () => {
    const objects = (await listAll()).flat();
    const bulk = Array.from({ length: 30 }, (_, i) => `unclaimed bulk-${i + 1}`);
    // S2 replies report no plan: the changed plan is not visible here, so it is not drift.
    expect(await findings(objects)).toEqual(
      [
        `#${importedId} claims nothing`,
        'missing deleted',
        'state hand-suspended: active → suspended',
        'unclaimed stranger',
        'unclaimed twice-2',
        ...bulk,
      ].sort(),
    );
  });

  it('reports the changed plan as package drift where the API shows plans (S3)', async () => {
    rig.emulator.configure({ envelope: 'bare' });
    try {
      const objects = (await listAll()).flat();
      expect(objects.find((o) => o.key === 'steady')?.package).toEqual({ plan: 'starter' });
      expect(await findings(objects)).toContain('package plan-changed: plan starter → business');
      expect(
        (await findings(objects)).filter((f) => f.startsWith('package')),
        'only the one changed by hand',
      ).toEqual(['package plan-changed: plan starter → business']);
    } finally {
      rig.emulator.configure({ envelope: 'enveloped' });
    }
  });

  it('says nothing about a plan the product does not set or the backend does not report', () => {
    const object: RemoteObject = { kind: 'tenant', key: 'x', markedServiceId: null, state: 'active' };
    expect(module.packageDrift!({ ...SETTINGS, plan: '' }, { ...object, package: { plan: 'gold' } })).toEqual(
      [],
    );
    expect(module.packageDrift!(SETTINGS, object)).toEqual([]);
    expect(module.packageDrift!(SETTINGS, { ...object, package: { plan: 'starter' } })).toEqual([]);
  });

  it('holds a key only for a service whose remote ids hold its own claim', async () => {
    const steady = await refOf(services.get('steady')!);
    expect(module.remoteKeyOf!(steady, SETTINGS)).toEqual({ kind: 'tenant', key: 'steady', held: true });
    // Naming a slug is not holding it: another service's claim, or an imported service's slug.
    expect(module.remoteKeyOf!({ ...steady, serviceId: steady.serviceId + 1000 }, SETTINGS)).toEqual({
      kind: 'tenant',
      key: 'steady',
      held: false,
    });
    expect(module.remoteKeyOf!(await refOf(importedId), SETTINGS)).toEqual({
      kind: 'tenant',
      key: 'stranger',
      held: false,
    });
    expect(module.remoteKeyOf!({ ...steady, remoteIds: {} }, SETTINGS)).toBeNull();
  });
});
